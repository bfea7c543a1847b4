"""python manage.py escalate_feedback [--as-of YYYY-MM-DD]: move every open feedback past
its due date to the next organisation up (run daily by the scheduler)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import system_actor
from apps.democracy import services


class Command(BaseCommand):
    help = "超期未答复的意见反馈上交上一级党组织"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="基准日 YYYY-MM-DD（默认今天）")

    def handle(self, *args, **opts):
        as_of = None
        if opts.get("as_of"):
            try:
                as_of = datetime.date.fromisoformat(opts["as_of"])
            except ValueError as exc:
                raise CommandError(f"日期“{opts['as_of']}”格式错误") from exc
        n = services.escalate_overdue(as_of=as_of, actor=system_actor("task"))
        self.stdout.write(f"上交{n}件超期未答复的意见反馈")
