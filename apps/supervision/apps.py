from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "apps.supervision"
    label = "supervision"
    verbose_name = "领导指导"

    def ready(self):
        from apps.core import defaults

        defaults.register_migration_seed("supervision", "0002_default_checklist")

        from django.utils.translation import gettext_lazy as _

        from apps.core import registry, todo

        from . import demo, exports, home, metrics, stats  # noqa: F401  (exports registers the list exports)
        from .selectors import todo_items

        # Metrics and report sections of dues, recruitment and the organisation tree, for
        # as long as those apps register none of their own (apps.supervision.metrics).
        metrics.register()
        todo.register(todo_items)
        registry.demo.register(registry.DemoBuilder("supervision", demo.populate, order=999))
        # 四训 through the service: the attendees' hours go to education's study archive
        registry.demo.register(registry.DemoBuilder("supervision_trainings", demo.populate_trainings, order=998))
        # after the demo logins (order 1000): the login "leader" gets contact points of its own
        registry.demo.register(registry.DemoBuilder("supervision_leader", demo.populate_leader_login, order=1001))
        registry.stats.register(
            registry.StatsSection(
                "supervision", "领导指导", stats.contribute, cards=stats.cards, rows=stats.rows, order=90, aggregates=stats.aggregates
            )
        )
        registry.home.register(registry.HomeFigures("supervision", home.figures, order=90))
        registry.nav("supervision", _("领导驾驶舱"), "supervision:dashboard", "view", order=5)
        registry.nav("supervision", _("挂钩联系"), "supervision:contacts", "view", order=10)
        registry.nav("supervision", _("十规范检查"), "supervision:inspections", "view", order=20)
        registry.nav("supervision", _("整改事项"), "supervision:rectifications", "view", order=30)
        registry.nav("supervision", _("支部健康度"), "supervision:health", "view", order=40)
        registry.nav("supervision", _("月报告"), "supervision:report", "view", order=50)
        registry.nav("supervision", _("示范点"), "supervision:points", "view", order=55)
        registry.nav("supervision", _("党建指导员"), "supervision:instructors", "view", order=58)
        registry.nav("supervision", _("党务干部"), "supervision:staffing", "view", order=59)
        registry.nav("supervision", _("四训"), "supervision:trainings", "view", order=59)
        registry.nav("supervision", _("十规范检查表"), "supervision:checklist", "view", order=60)
        registry.nav("supervision", _("党内统计年报"), "supervision:annual", "view", order=65)
