from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "apps.stats"
    label = "stats"
    verbose_name = "党内统计"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import registry
        from apps.orgs.services import subtree_moved

        from . import snapshots

        registry.nav("data", _("党内统计"), "stats:dashboard", "view", order=30)
        registry.tree_checks.register(registry.TreeCheck("stats_snapshot", snapshots.check, order=90))
        subtree_moved.connect(snapshots.forget, dispatch_uid="stats_snapshot_forget")
