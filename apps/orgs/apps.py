from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "apps.orgs"
    label = "orgs"
    verbose_name = "党组织"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import registry, todo

        from . import exports, selectors  # noqa: F401

        todo.register(selectors.todo_items)

        registry.nav("registry", _("组织树"), "orgs:tree", "view", order=10)
        registry.nav("registry", _("换届提醒"), "orgs:terms", "view", order=20)
