from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "apps.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"

    def ready(self):
        from apps.core import todo

        from . import signals  # noqa: F401
        from .selectors import todo_items

        todo.register(todo_items)
