from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "apps.dues"
    label = "dues"
    verbose_name = "党费"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import registry, todo

        from . import demo, exports, standing, stats, tally  # noqa: F401  (exports registers the list exports)
        from .selectors import arrears_exit_candidates, todo_items

        todo.register(todo_items)
        registry.demo.register(registry.DemoBuilder("dues", demo.populate, order=20))
        registry.stats.register(registry.StatsSection("dues", "党费", stats.contribute, cards=stats.cards, order=20))
        registry.tree_checks.register(registry.TreeCheck("dues_tallies", tally.check, order=60))
        registry.tree_checks.register(registry.TreeCheck("dues_arrears_standing", standing.check, order=61))
        registry.exit_triggers.register(registry.ExitTrigger("dues_arrears", "连续6个月未交党费", arrears_exit_candidates, order=20))
        registry.nav("registry", _("我的党费"), "dues:my", "change_self", order=60)
        registry.nav("dues", _("党费台账"), "dues:ledger", "view", order=10)
        registry.nav("dues", _("欠缴提醒"), "dues:arrears", "view", order=20)
        registry.nav("dues", _("收缴上交"), "dues:collections", "view", order=30)
        registry.nav("dues", _("减免审批"), "dues:reductions", "view", order=40)
        registry.nav("dues", _("党费公开"), "dues:disclosure", "view", order=50)
