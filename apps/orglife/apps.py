from django.apps import AppConfig


class OrgLifeConfig(AppConfig):
    name = "apps.orglife"
    label = "orglife"
    verbose_name = "组织生活"

    def ready(self):
        from apps.core import defaults

        defaults.register_migration_seed("orglife", "0002_seed_rule_version")

        from . import registration

        registration.register()
