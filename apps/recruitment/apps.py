from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecruitmentConfig(AppConfig):
    name = "apps.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"

    def ready(self):
        from apps.core import crypto, todo

        from . import holidays, signals  # noqa: F401
        from .models import DevelopmentFile
        from .selectors import todo_items

        todo.register(todo_items)
        todo.register(holidays.todo_items)
        # The State Council holiday calendar, loaded on migrate (apps.recruitment.holidays).
        post_migrate.connect(holidays.load_after_migrate, sender=self, dispatch_uid="recruitment.load_holidays")
        crypto.register_encrypted(DevelopmentFile, ("id_number_enc", "id_number_hash"), ("phone_enc", "phone_hash"))
