"""Everything the care domain contributes to the rest of the product (called from ready())."""

from django.utils.translation import gettext_lazy as _

from apps.core import registry, todo


def register() -> None:
    from . import demo, exports, stats  # noqa: F401  (exports registers the list exports)

    registry.nav("care", _("走访记录"), "care:visits", "view", order=10)
    registry.nav("care", _("走访慰问清单"), "care:checklist", "view", order=20)
    registry.nav("care", _("困难党员"), "care:hardships", "view", order=30)
    registry.nav("care", _("三包结对"), "care:pairings", "view", order=40)
    registry.nav("care", _("互助基金"), "care:funds", "view", order=50)
    registry.nav("care", _("生活补助"), "care:subsidies", "view", order=60)
    registry.nav("care", _("表彰推荐"), "care:nominations", "view", order=70)
    registry.nav("care", _("光荣榜"), "care:honour_roll", "view", order=80)
    registry.nav("care", _("后备干部人选"), "care:cadres", "view", order=90)
    registry.nav("care", _("党员联系户"), "care:households", "view", order=95)
    registry.nav("care", _("关怀事由设置"), "care:occasions", "configure", order=98)
    registry.nav("care", _("表彰项目设置"), "care:commendation_kinds", "configure", order=99)
    registry.nav("registry", _("我的表彰"), "care:my_awards", "change_self", order=70)
    registry.nav("registry", _("我的联系户"), "care:my_households", "change_self", order=75)
    registry.stats.register(
        registry.StatsSection(
            "care", "关怀帮扶", stats.contribute, cards=stats.cards, rows=stats.rows, order=70, aggregates=stats.aggregates
        )
    )
    registry.report_sections.register(registry.ReportSection("care", "关怀帮扶", stats.report_figures, order=70))
    registry.org_metrics.register(registry.OrgMetric("care_visits", "节日走访慰问完成率", stats.measure_visits, order=70))
    registry.org_metrics.register(registry.OrgMetric("care_pairing", "困难党员结对帮扶率", stats.measure_pairing, order=71))
    registry.home.register(registry.HomeFigures("care", stats.home_figures, order=70))
    registry.demo.register(registry.DemoBuilder("care", demo.populate, order=70))
    todo.register(stats.todo_items)
    todo.register(stats.member_todo_items)
    from . import checks

    registry.member_checks.register(registry.MemberCheck("discipline_in_force", "党纪处分影响期", checks.sanction_in_force, order=10))
