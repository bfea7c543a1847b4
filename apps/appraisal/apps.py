from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "apps.appraisal"
    label = "appraisal"
    verbose_name = "民主评议与组织处置"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import registry, todo

        from . import demo, exports, home, rules, selectors, stats  # noqa: F401  (exports registers the list exports)

        todo.register(selectors.todo_items)
        registry.stats.register(
            registry.StatsSection(
                "appraisal",
                "民主评议与组织处置",
                stats.contribute,
                cards=stats.cards,
                rows=stats.rows,
                charts=stats.charts,
                order=50,
                aggregates=stats.aggregates,
            )
        )
        registry.home.register(registry.HomeFigures("appraisal", home.figures, order=50))
        registry.demo.register(registry.DemoBuilder("appraisal", demo.populate, order=60))
        registry.report_sections.register(registry.ReportSection("appraisal", "组织处置", stats.report_figures, order=50))
        registry.nav("management", _("民主评议"), "appraisal:campaigns", "view", order=10)
        registry.nav("management", _("评议结果"), "appraisal:results", "view", order=20)
        registry.nav("management", _("组织处置"), "appraisal:cases", "view", order=30)
        registry.nav("management", _("失联党员"), "appraisal:lost_contact", "view", order=40)
        registry.nav("management", _("设岗定责"), "appraisal:posts", "view", order=45)
        registry.nav("management", _("监督管理"), "appraisal:supervision", "view", order=46)
        registry.nav("management", _("目标管理"), "appraisal:goals", "view", order=47)
        registry.nav("management", _("三培养人才库"), "appraisal:talents", "view", order=48)
        registry.nav("registry", _("我的年度目标"), "appraisal:my_goals", "change_self", order=71)
        registry.nav("registry", _("我的民主评议"), "appraisal:my", "change_self", order=70)
        registry.member_checks.register(registry.MemberCheck("appraisal", "民主评议与组织处置", selectors.failing_members, order=30))
        registry.member_facts.register(registry.MemberFacts("appraisal", "民主评议", selectors.grade_facts, order=90))
        registry.member_facts.register(registry.MemberFacts("appraisal_posts", "设岗定责", selectors.post_facts, order=91))
        registry.member_facts.register(registry.MemberFacts("appraisal_supervision", "监督管理", selectors.supervision_facts, order=92))
        registry.member_facts.register(registry.MemberFacts("appraisal_goals", "目标管理", selectors.goal_facts, order=93))
        registry.member_facts.register(registry.MemberFacts("appraisal_talent", "三培养", selectors.talent_facts, order=94))
        registry.application_checks.register(
            registry.ApplicationCheck("appraisal_rejoin_block", "出党后5年内不得重新入党", selectors.rejoin_refusal, order=10)
        )
        for kind in rules.SUPERVISION_KINDS:
            if kind.orglife_kind:  # 谈心谈话 records count for organisational life's frequency
                registry.held_records.register(
                    registry.HeldRecords(f"appraisal_{kind.code}", kind.orglife_kind, kind.label, selectors.supervision_held(kind.code))
                )
        registry.exit_triggers.register(
            registry.ExitTrigger("appraisal_lost_contact", "失联满6个月", selectors.lost_contact_candidates, order=30)
        )
        registry.exit_triggers.register(
            registry.ExitTrigger("appraisal_suspended", "停止党籍满2年", selectors.suspended_candidates, order=31)
        )
