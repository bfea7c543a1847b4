"""Everything the education app contributes to the rest of the product (called from
EducationConfig.ready()): the attendance receiver, navigation, list exports, statistics,
demo builder, home figures, to-do provider and the cross-domain registries."""


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from apps.core import registry, signals

    from . import services

    signals.attendance_recorded.connect(services.on_attendance_recorded, dispatch_uid="education-credit-attendance")
    registry.nav("education", _("学时进度"), "education:progress", "view", order=10)
    registry.nav("education", _("学习档案"), "education:entries", "view", order=20)
    registry.nav("education", _("培训班"), "education:classes", "view", order=30)
    registry.nav("education", _("述学述评"), "education:reports", "view", order=40)
    registry.nav("registry", _("我的述学报告"), "education:my_report", "change_self", order=71)
    registry.nav("education", _("教育培训计划"), "education:plans", "view", order=35)
    registry.nav("education", _("阵地与资源"), "education:venues", "view", order=37)
    registry.nav("education", _("考学"), "education:quizzes", "view", order=50)
    registry.nav("registry", _("我的考学"), "education:quizzes", "change_self", order=72)
    registry.nav("education", _("学时规则"), "education:rules", "configure", order=90)
    registry.nav("registry", _("我的学习档案"), "education:my", "change_self", order=70)
    from apps.core import todo

    from . import demo, exports, facts, stats  # noqa: F401  (exports registers the list exports)
    from . import todo as education_todo

    todo.register(education_todo.items)
    registry.stats.register(
        registry.StatsSection(
            "education",
            "学习教育",
            stats.contribute,
            cards=stats.cards,
            rows=stats.rows,
            charts=stats.charts,
            charted=True,
            aggregates=stats.aggregates,
            order=40,
        )
    )
    registry.demo.register(registry.DemoBuilder("education", demo.populate, order=50))
    registry.home.register(registry.HomeFigures("education", facts.home_figures, order=40))
    registry.member_facts.register(registry.MemberFacts("education_hours", "学习学时", facts.member_facts, order=40))
    registry.org_metrics.register(registry.OrgMetric("education_hours", "党员学时达标", facts.hours_metric, order=40))
    registry.report_sections.register(registry.ReportSection("education", "学习教育", facts.report_figures, order=40))
