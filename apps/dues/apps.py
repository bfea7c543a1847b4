from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "apps.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self):
        from apps.core import todo

        from . import signals  # noqa: F401
        from .selectors import todo_items

        todo.register(todo_items)
