from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "apps.care"
    label = "care"
    verbose_name = "关怀激励"

    def ready(self):
        from . import registrations

        registrations.register()
