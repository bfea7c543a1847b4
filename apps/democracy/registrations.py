from django.utils.translation import gettext_lazy as _

from apps.core import registry, todo


def register() -> None:
    from . import demo, exports, stats  # noqa: F401

    registry.nav("democracy", _("意见反馈"), "democracy:feedback_list", "view", order=10)
    registry.nav("democracy", _("党务公开"), "democracy:notices", "view", order=20)
    registry.nav("democracy", _("公开栏"), "democracy:board", "view", order=30)
    registry.nav("democracy", _("征求意见"), "democracy:consultations", "view", order=40)
    registry.nav("democracy", _("集体决策记录"), "democracy:decisions", "view", order=50)
    registry.nav("democracy", _("生活会整改"), "democracy:life_meetings", "view", order=60)
    registry.nav("democracy", _("反馈类别设置"), "democracy:feedback_categories", "configure", order=98)
    registry.nav("democracy", _("党务公开类别设置"), "democracy:notice_categories", "configure", order=99)
    registry.nav("registry", _("征求意见"), "democracy:my_consultations", "change_self", order=95)
    registry.nav("registry", _("我的反馈"), "democracy:my_feedback", "change_self", order=80)
    registry.nav("registry", _("党务公开"), "democracy:my_notices", "change_self", order=90)
    registry.stats.register(
        registry.StatsSection(
            "democracy", "党内民主", stats.contribute, cards=stats.cards, rows=stats.rows, order=80, aggregates=stats.aggregates
        )
    )
    registry.report_sections.register(registry.ReportSection("democracy", "意见反馈与党务公开", stats.report_figures, order=80))
    registry.org_metrics.register(registry.OrgMetric("feedback_on_time", "意见反馈按期答复率", stats.measure_on_time, order=80))
    registry.home.register(registry.HomeFigures("democracy", stats.home_figures, order=80))
    registry.demo.register(registry.DemoBuilder("democracy", demo.populate, order=80))
    todo.register(stats.todo_items)
    todo.register(stats.member_todo_items)
