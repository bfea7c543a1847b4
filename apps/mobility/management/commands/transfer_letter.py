"""Write a relationship transfer's current 介绍信 as PDF (three parts on one A4 page):
    python manage.py transfer_letter TRANSFER_ID --pdf OUT.pdf [--user USERNAME]
The letter shows the full ID number: every generation is written to the access log
(as the named user, or as 系统（命令行）)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import system_actor
from apps.core.context import acting_as
from apps.core.scoping import ScopeError
from apps.mobility import services
from apps.mobility.models import Transfer


def actor_for(username: str | None):
    if not username:
        return system_actor("cli")
    from apps.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户“{username}”不存在或已停用")
    return user


class Command(BaseCommand):
    help = "生成组织关系介绍信 PDF（存根、介绍信、回执三联，含完整身份证号，记入敏感操作日志）"

    def add_arguments(self, parser):
        parser.add_argument("transfer_id", type=int, help="转接编号")
        parser.add_argument("--pdf", required=True, help="输出文件路径")
        parser.add_argument("--user", default=None, help="以该用户身份生成（默认：系统（命令行））")

    def handle(self, *args, **opts):
        transfer = Transfer.objects.filter(pk=opts["transfer_id"]).first()
        if transfer is None:
            raise CommandError(f"转接编号 {opts['transfer_id']} 不存在")
        actor = actor_for(opts["user"])
        with acting_as(None if getattr(actor, "is_system", False) else actor, source="cli"):
            try:
                content = services.letter_pdf(transfer, actor=actor)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
            except ScopeError as exc:
                raise CommandError(exc.message) from exc
        Path(opts["pdf"]).write_bytes(content)
        transfer.refresh_from_db()
        self.stdout.write(f"已生成介绍信 {transfer.serial}（{transfer.member.name}）：{opts['pdf']}")
