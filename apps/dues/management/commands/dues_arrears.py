"""Open arrears handling cases (6 consecutive unpaid months) for an organisation's
subtree, idempotently — for a daily scheduled run. First, when the month has moved on,
every member's arrears standing is recomputed at the new cutoff (apps.dues.standing):
    python manage.py dues_arrears [--org CODE]"""

from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import system_actor
from apps.core.context import acting_as
from apps.dues import selectors, services, standing
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "检查连续欠缴党费：3个月提醒、5个月预警、6个月开启处置（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--org", default=None, help="党组织代码（默认全部根组织）")

    def handle(self, *args, **opts):
        if opts["org"]:
            orgs = list(Organisation.objects.filter(code=opts["org"]))
            if not orgs:
                raise CommandError(f"党组织代码“{opts['org']}”不存在")
        else:
            orgs = list(Organisation.objects.filter(depth=1))
        from django.utils import timezone

        today = timezone.localdate()
        rebuilt = standing.rebuild_if_stale(today)
        if rebuilt is not None:
            self.stdout.write(f"已按{today:%Y年%m月}前的党费台账重新计算党员欠缴状况：{rebuilt}名党员有欠缴")
        with acting_as(None, source="cli"):
            for org in orgs:
                opened = services.refresh_arrears_cases(org, as_of=today, actor=system_actor("cli"))
                counts = selectors.arrears_counts(today, path=org.path)
                self.stdout.write(
                    f"{org.name}：欠缴3个月以上{counts['warning']}人，5个月以上{counts['escalation']}人，"
                    f"6个月以上{counts['case']}人；新开启处置{opened}件"
                )
