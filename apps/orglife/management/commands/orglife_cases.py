"""Open the branch cases for members at 6 consecutive months without party life (without
good reason), idempotently — for a daily scheduled run:
    python manage.py orglife_cases [--org CODE]"""

from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import system_actor
from apps.orglife import services
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "为连续6个月无正当理由不参加组织生活的党员开启处置（可重复运行，不重复开启）"

    def add_arguments(self, parser):
        parser.add_argument("--org", default=None, help="党组织代码（默认全部根组织）")

    def handle(self, *args, **opts):
        if opts["org"]:
            orgs = list(Organisation.objects.filter(code=opts["org"]))
            if not orgs:
                raise CommandError(f"--org：没有代码为“{opts['org']}”的党组织")
        else:
            orgs = list(Organisation.objects.filter(depth=1))
        actor = system_actor("cli")
        for org in orgs:
            opened = services.open_absence_cases(org, actor=actor)
            self.stdout.write(f"{org.name}：新开启不参加组织生活处置{opened}件")
