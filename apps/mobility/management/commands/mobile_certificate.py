"""Write a mobile member's 流动党员活动证 as PDF:
    python manage.py mobile_certificate MEMBER_ID --pdf OUT.pdf [--user USERNAME]
Refused for a member without a certificate in use or whose membership is suspended;
every generation is written to the access log."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.context import acting_as
from apps.core.scoping import ScopeError
from apps.members.models import Member
from apps.mobility import services

from .transfer_letter import actor_for


class Command(BaseCommand):
    help = "生成流动党员活动证 PDF（含完整身份证号，记入敏感操作日志）"

    def add_arguments(self, parser):
        parser.add_argument("member_id", type=int, help="党员编号")
        parser.add_argument("--pdf", required=True, help="输出文件路径")
        parser.add_argument("--user", default=None, help="以该用户身份生成（默认：系统（命令行））")

    def handle(self, *args, **opts):
        member = Member.objects.filter(pk=opts["member_id"]).first()
        if member is None:
            raise CommandError(f"党员编号 {opts['member_id']} 不存在")
        actor = actor_for(opts["user"])
        with acting_as(None if getattr(actor, "is_system", False) else actor, source="cli"):
            try:
                content = services.certificate_pdf(member, actor=actor)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
            except ScopeError as exc:
                raise CommandError(exc.message) from exc
        Path(opts["pdf"]).write_bytes(content)
        self.stdout.write(f"已生成流动党员活动证（{member.name}）：{opts['pdf']}")
