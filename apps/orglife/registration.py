"""Everything organisational life registers with the rest of the product (called from
OrgLifeConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from apps.core import registry, todo


def register() -> None:
    from . import demo, exports, facts, selectors, stats  # noqa: F401  (exports registers the list exports)

    registry.nav("orglife", _("会议记录"), "orglife:meetings", "view", order=10)
    registry.nav("orglife", _("本月主题党日"), "orglife:quick", "change", order=15)
    registry.nav("orglife", _("落实情况"), "orglife:compliance", "view", order=20)
    registry.nav("orglife", _("缺席提醒"), "orglife:absences", "view", order=30)
    registry.nav("orglife", _("不参加组织生活处置"), "orglife:cases", "view", order=35)
    registry.nav("orglife", _("不列入应到"), "orglife:exclusions", "view", order=40)
    registry.nav("orglife", _("组织生活规则"), "orglife:settings", "configure", order=90)
    registry.nav("registry", _("我的组织生活"), "orglife:my", "change_self", order=65)
    todo.register(selectors.todo_items)
    registry.home.register(registry.HomeFigures("orglife", selectors.home_figures, order=40))
    registry.member_facts.register(registry.MemberFacts("orglife_attendance", "组织生活", facts.member_facts, order=20))
    registry.exit_triggers.register(
        registry.ExitTrigger("orglife_no_party_life", "连续6个月不参加党的组织生活", facts.exit_candidates, order=20)
    )
    registry.org_metrics.register(registry.OrgMetric("orglife_meetings", "三会一课等组织生活按要求召开", facts.org_metric, order=20))
    registry.report_sections.register(registry.ReportSection("orglife", "组织生活", facts.report_figures, order=30))
    registry.stats.register(
        registry.StatsSection(
            "orglife",
            "组织生活",
            stats.contribute,
            cards=stats.cards,
            rows=stats.rows,
            charts=stats.charts,
            charted=True,
            order=30,
            aggregates=stats.aggregates,
        )
    )
    registry.demo.register(registry.DemoBuilder("orglife", demo.populate, order=40))
