"""python manage.py refresh_development_deadlines [--org CODE]

Recomputes each active development file's next step and deadline (lists, overdue
filters and to-do items read them). Run daily or after restoring data; saving a new rule
version does it automatically."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.context import acting_as
from apps.orgs.models import Organisation
from apps.recruitment import engine
from apps.recruitment.models import DevelopmentFile


class Command(BaseCommand):
    help = "重新计算发展档案的下一步与期限"

    def add_arguments(self, parser):
        parser.add_argument("--org", help="只处理该组织代码下的档案")

    def handle(self, *args, **opts):
        qs = DevelopmentFile.objects.all()
        if opts.get("org"):
            org = Organisation.objects.filter(code=opts["org"]).first()
            if org is None:
                raise CommandError(f"组织代码“{opts['org']}”不存在")
            qs = qs.filter(org_path__startswith=org.path)
        with acting_as(None, source="cli"):
            n = engine.refresh_all(qs)
        self.stdout.write(f"已更新 {n} 份发展档案的下一步与期限")
