from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "apps.dues"
    label = "dues"
    verbose_name = "党费"
