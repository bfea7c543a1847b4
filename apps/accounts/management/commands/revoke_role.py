from django.core.management.base import BaseCommand, CommandError

from apps.accounts import services
from apps.accounts.models import RoleAssignment
from apps.accounts.roles import ROLE_BY_CODE

from ._common import acting, add_as_argument, get_org, get_user


class Command(BaseCommand):
    help = "撤销角色：USERNAME ROLE ORGCODE（下一次请求起失效）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=sorted(ROLE_BY_CODE))
        parser.add_argument("org_code")
        parser.add_argument("--reason", default="")
        add_as_argument(parser)

    def handle(self, *args, **opts):
        user = get_user(opts["username"])
        org = get_org(opts["org_code"])
        assignment = RoleAssignment.objects.current().filter(user=user, role=opts["role"], organisation=org).first()
        if assignment is None:
            raise CommandError(f"{user.username} 在“{org}”没有有效的“{ROLE_BY_CODE[opts['role']].label}”角色")
        with acting(opts["as_user"]) as actor:
            services.revoke_role(assignment, actor=actor, reason=opts["reason"])
        self.stdout.write(self.style.SUCCESS(f"已撤销 {user.username}：{ROLE_BY_CODE[opts['role']].label} @ {org}"))
