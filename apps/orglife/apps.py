from django.apps import AppConfig


class OrgLifeConfig(AppConfig):
    name = "apps.orglife"
    label = "orglife"
    verbose_name = "组织生活"

    def ready(self):
        from . import registration

        registration.register()
