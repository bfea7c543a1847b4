"""Generate an organisation's monthly dues ledger (idempotent):
python manage.py dues_generate --org CODE --month YYYY-MM [--user USERNAME]"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import system_actor
from apps.core.context import acting_as
from apps.core.scoping import ScopeError
from apps.dues import months as mo
from apps.dues import services
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "生成某党组织（含下级）某月的党费台账，可重复运行"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织代码")
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--user", default=None, help="以该账号的权限执行（默认系统）")

    def handle(self, *args, **opts):
        try:
            org = Organisation.objects.get(code=opts["org"])
        except Organisation.DoesNotExist:
            raise CommandError(f"党组织代码“{opts['org']}”不存在")
        user = system_actor("cli")
        if opts["user"]:
            try:
                user = get_user_model().objects.get(username=opts["user"])
            except get_user_model().DoesNotExist:
                raise CommandError(f"账号“{opts['user']}”不存在")
        try:
            with acting_as(user, source="cli"):
                result = services.generate_month(org, opts["month"], actor=user)
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs))
        except ScopeError as exc:
            raise CommandError(exc.message)
        self.stdout.write(
            f"{org.name} {mo.label(result.month)}：新增{result.created}条，已存在{result.existing}条，"
            f"未申报基数{len(result.missing_declaration)}人，新开启欠缴处置{result.cases_opened}件"
        )
