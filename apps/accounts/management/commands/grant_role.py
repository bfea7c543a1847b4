from django.core.management.base import BaseCommand

from apps.accounts import services
from apps.accounts.roles import ROLE_BY_CODE

from ._common import acting, add_as_argument, get_org, get_user, parse_date


class Command(BaseCommand):
    help = "授予角色：USERNAME ROLE ORGCODE（在该组织及其下级范围内生效）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLE_BY_CODE))
        parser.add_argument("org_code")
        parser.add_argument("--valid-to", help="截止日期 YYYY-MM-DD")
        add_as_argument(parser)

    def handle(self, *args, **opts):
        user = get_user(opts["username"])
        org = get_org(opts["org_code"])
        valid_to = parse_date(opts["valid_to"], "截止日期")
        with acting(opts["as_user"]) as actor:
            services.grant_role(user, opts["role"], org, actor=actor, valid_to=valid_to)
        self.stdout.write(self.style.SUCCESS(f"已授予 {user.username}：{ROLE_BY_CODE[opts['role']].label} @ {org}"))
