from django.apps import AppConfig


class MobilityConfig(AppConfig):
    name = "apps.mobility"
    label = "mobility"
    verbose_name = "流动党员与组织关系转接"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import defaults, registry, todo

        defaults.register_migration_seed("mobility", "0004_default_rules")

        from . import demo, exports, home, stats  # noqa: F401  (exports registers the list exports)
        from .selectors import exit_candidates, todo_items

        todo.register(todo_items)
        registry.nav("registry", _("我的组织关系转接"), "mobility:my", "change_self", order=70)
        registry.nav("mobility", _("组织关系转接"), "mobility:transfers", "view", order=10)
        registry.nav("mobility", _("流动党员"), "mobility:mobile", "view", order=20)
        registry.nav("mobility", _("流入党员登记"), "mobility:host", "view", order=30)
        registry.nav("mobility", _("临时党支部"), "mobility:temporary", "view", order=40)
        registry.nav("mobility", _("登记簿"), "mobility:registers", "view", order=50)
        registry.nav("mobility", _("流动与转接规则"), "mobility:rules", "configure", order=60)
        registry.stats.register(
            registry.StatsSection(
                "mobility", "流动与转接", stats.contribute, cards=stats.cards, rows=stats.rows, order=60, aggregates=stats.aggregates
            )
        )
        registry.report_sections.register(registry.ReportSection("mobility", "流动党员与组织关系转接", stats.report_figures, order=60))
        registry.demo.register(registry.DemoBuilder("mobility", demo.populate, order=60))
        registry.home.register(registry.HomeFigures("mobility", home.figures, order=60))
        registry.exit_triggers.register(registry.ExitTrigger("mobility_no_report", "流动党员长期未报告", exit_candidates))
