from django.apps import AppConfig


class DemocracyConfig(AppConfig):
    name = "apps.democracy"
    label = "democracy"
    verbose_name = "党内民主"

    def ready(self):
        from apps.core import defaults

        defaults.register_migration_seed("democracy", "0002_default_categories")

        from . import registrations

        registrations.register()
