from django.apps import AppConfig


class DemocracyConfig(AppConfig):
    name = "apps.democracy"
    label = "democracy"
    verbose_name = "党内民主"

    def ready(self):
        from . import registrations

        registrations.register()
