from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "apps.education"
    label = "education"
    verbose_name = "学习教育"

    def ready(self):
        from . import registrations

        registrations.register()
