from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "apps.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"

    def ready(self):
        from apps.core import crypto, todo

        from . import signals  # noqa: F401
        from .models import DevelopmentFile
        from .selectors import todo_items

        todo.register(todo_items)
        crypto.register_encrypted(DevelopmentFile, ("id_number_enc", "id_number_hash"), ("phone_enc", "phone_hash"))
