from django.core.management.base import BaseCommand, CommandError

from apps.accounts import services
from apps.accounts.roles import ROLE_BY_CODE

from ._common import acting, add_as_argument, get_org, parse_date


class Command(BaseCommand):
    help = "新建账号（密码须符合密码策略；首次登录须修改密码），可同时授予一个角色"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", choices=sorted(ROLE_BY_CODE))
        parser.add_argument("--org", metavar="ORGCODE", help="授权的组织代码（与 --role 一起使用）")
        parser.add_argument("--display-name", default="")
        parser.add_argument("--member-id", type=int, help="对应党员的编号（党员本人账号）")
        parser.add_argument("--valid-to", help="角色截止日期 YYYY-MM-DD")
        add_as_argument(parser)

    def handle(self, *args, **opts):
        if bool(opts["role"]) != bool(opts["org"]):
            raise CommandError("--role 与 --org 须同时给出")
        member = None
        if opts["member_id"]:
            from apps.members.models import Member

            member = Member.objects.filter(pk=opts["member_id"]).first()
            if member is None:
                raise CommandError(f"党员编号 {opts['member_id']} 不存在")
        org = get_org(opts["org"]) if opts["org"] else None
        valid_to = parse_date(opts["valid_to"], "截止日期")
        with acting(opts["as_user"]) as actor:
            user = services.create_user(
                opts["username"],
                opts["password"],
                display_name=opts["display_name"],
                member=member,
                role=opts["role"],
                org=org,
                actor=actor,
                must_change_password=True,
                valid_to=valid_to,
            )
        role_text = f"，角色：{ROLE_BY_CODE[opts['role']].label} @ {org}" if opts["role"] else ""
        self.stdout.write(self.style.SUCCESS(f"已创建账号 {user.username}{role_text}（首次登录须修改密码）"))
