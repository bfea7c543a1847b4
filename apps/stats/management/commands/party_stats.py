"""manage.py party_stats [--json] [--org CODE] [--as-of YYYY-MM-DD] [--user USERNAME]:
the base party statistics of an organisation's subtree (apps.stats.selectors)."""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.scoping import visible_orgs
from apps.core.context import acting_as
from apps.orgs.models import Organisation
from apps.stats.selectors import flat_rows, party_statistics


class Command(BaseCommand):
    help = "输出党组织（含下级）的党内统计：组织数、党员数及性别、民族、年龄、学历、职业、类别等构成"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--org", default=None, help="组织代码（默认：根组织，或该用户管理范围的最上级组织）")
        parser.add_argument("--as-of", dest="as_of", default=None, help="统计基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--user", default=None, help="以该用户身份统计：组织必须在其管理范围内")

    def handle(self, *args, **opts):
        from apps.stats.views import BadParameter, parse_as_of  # the web's and API's own rule

        try:
            as_of = parse_as_of(opts["as_of"])
        except BadParameter as exc:
            raise CommandError(str(exc))
        user = None
        if opts["user"]:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"用户“{opts['user']}”不存在或已停用")
        with acting_as(user, source="cli"):
            org = self._org(opts["org"], user)
            stats = party_statistics(org, as_of)
        if opts["json"]:
            self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
        else:
            self._table(stats)

    def _org(self, code, user):
        orgs = visible_orgs(user) if user is not None else Organisation.objects.all()
        if code:
            org = Organisation.objects.filter(code=code).first()
            if org is None:
                raise CommandError(f"组织代码“{code}”不存在")
            if user is not None and not orgs.filter(pk=org.pk).exists():
                raise CommandError(f"“{org.name}”不在用户“{user.username}”的管理范围内，不能统计")
            return org
        org = orgs.order_by("depth", "path").first()
        if org is None:
            raise CommandError("没有可统计的党组织" if user is None else f"用户“{user.username}”没有管理范围，不能统计")
        return org

    def _table(self, stats):
        w = self.stdout.write
        w(f"党内统计：{stats['organisation']['name']}（{stats['organisation']['code']}），基准日 {stats['as_of']}")
        section = None
        for sec, label, count, pct in flat_rows(stats):
            if sec != section:
                w(f"\n【{sec}】")
                section = sec
            share = f"{pct:>6}%" if pct != "" else ""
            w(f"  {label:<24}{count:>8} {share}")
