"""Close the temporary branches (临时党支部) past their end date — for a daily scheduled
run like `dues_arrears`; idempotent (a closed branch is not closed again):
    python manage.py close_temporary_branches [--as-of YYYY-MM-DD] [--user USERNAME]
Each closure is recorded (date, 系统（命令行） or the named user, the reason) in the
branch's record and the change history."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.core.context import acting_as
from apps.mobility import services

from .transfer_letter import actor_for


class Command(BaseCommand):
    help = "撤销已过撤销日期的临时党支部（可重复运行，已撤销的不再处理）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", default=None, help="基准日期 YYYY-MM-DD（默认今天；撤销日期早于基准日的撤销）")
        parser.add_argument("--user", default=None, help="以该用户身份办理（默认“系统（命令行）”）")

    def handle(self, *args, **opts):
        as_of = None
        if opts["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(opts["as_of"])
            except ValueError as exc:
                raise CommandError(f"基准日期“{opts['as_of']}”应为 YYYY-MM-DD") from exc
            if as_of > timezone.localdate():
                raise CommandError(f"基准日期 {as_of:%Y-%m-%d} 不能晚于今天")
        actor = actor_for(opts["user"])
        with acting_as(None if getattr(actor, "is_system", False) else actor, source="cli"):
            closed = services.close_expired_temporary_branches(actor=actor, as_of=as_of)
        for b in closed:
            self.stdout.write(f"已撤销：{b.name}（撤销日期 {b.end_date:%Y-%m-%d}）")
        self.stdout.write(f"共撤销 {len(closed)} 个临时党支部")
