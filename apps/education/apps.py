from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "apps.education"
    label = "education"
    verbose_name = "学习教育"

    def ready(self):
        from apps.core import defaults

        defaults.register_migration_seed("education", "0002_default_rules")

        from . import registrations

        registrations.register()
