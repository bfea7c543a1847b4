from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RecruitmentConfig(AppConfig):
    name = "apps.recruitment"
    label = "recruitment"
    verbose_name = "发展党员"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from apps.core import crypto, registry, todo
        from apps.education import trainees

        from . import demo, exports, history, holidays, stats  # noqa: F401  (exports registers the list exports)
        from .models import DevelopmentFile
        from .selectors import todo_items
        from .services import trainee_counts

        todo.register(todo_items)
        # The trainees of education's 入党积极分子/发展对象 classes are development files.
        trainees.register(trainees.TraineeSource("入党积极分子、发展对象", trainee_counts, "recruitment:training_enrol"))
        history.register_labels()
        todo.register(holidays.todo_items)
        # The State Council holiday calendar, loaded on migrate (apps.recruitment.holidays).
        post_migrate.connect(holidays.load_after_migrate, sender=self, dispatch_uid="recruitment.load_holidays")
        crypto.register_encrypted(DevelopmentFile, ("id_number_enc", "id_number_hash"), ("phone_enc", "phone_hash"))
        registry.demo.register(registry.DemoBuilder("recruitment", demo.populate, order=10))
        registry.stats.register(
            registry.StatsSection(
                "development",
                "发展党员",
                stats.contribute,
                cards=stats.cards,
                order=10,
                member_counts=stats.member_counts,
                aggregates=stats.aggregates,
            )
        )
        registry.nav("recruitment", _("发展档案"), "recruitment:file_list", "view", order=10)
        registry.nav("recruitment", _("积极分子库"), "recruitment:activists", "view", order=20)
        registry.nav("recruitment", _("发展计划"), "recruitment:plans", "view", order=30)
        registry.nav("recruitment", _("月报告与通报"), "recruitment:monthly", "view", order=40)
        registry.nav("system", _("规则设置"), "recruitment:settings", "configure", order=40)
