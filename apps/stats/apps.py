from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "apps.stats"
    label = "stats"
    verbose_name = "党内统计"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import registry

        registry.nav("data", _("党内统计"), "stats:dashboard", "view", order=30)
