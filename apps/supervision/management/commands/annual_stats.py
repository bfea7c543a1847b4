"""python manage.py annual_stats --org CODE --year YYYY [--json] [--xlsx OUT] [--user NAME]

The 党内统计 annual tables of an organisation's subtree on 31 December of the year (today
for the current year), with the year before and the change, reconstructed from history
(apps.supervision.annual)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.scoping import can_act_on_org
from apps.orgs.models import Organisation
from apps.supervision import annual


class Command(BaseCommand):
    help = "党内统计年报（12月31日基准，含上年对比；--json 机器可读，--xlsx 导出Excel）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--year", required=True, help="统计年度 YYYY")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--xlsx", help="导出到该 Excel 文件")
        parser.add_argument("--user", help="以该用户的权限范围运行")

    def handle(self, *args, **opts):
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"组织代码“{opts['org']}”不存在")
        try:
            year = annual.parse_year(opts["year"])
        except ValidationError as exc:
            raise CommandError(exc.message_dict["year"][0]) from None
        if opts.get("user"):
            from apps.accounts.models import User

            user = User.objects.filter(username=opts["user"]).first()
            if user is None or not can_act_on_org(user, org, "view"):
                raise CommandError("该用户不存在，或该组织不在其权限范围内")
        result = annual.annual_statistics(org, year)
        if opts.get("xlsx"):
            with open(opts["xlsx"], "wb") as fh:
                fh.write(annual.workbook(result).getvalue())
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{org.name} {year}年党内统计（基准日 {result['basis']}，上年 {result['previous_basis']}）")
        table = None
        for r in result["rows"]:
            if r["table"] != table:
                table = r["table"]
                self.stdout.write(f"\n【{table}】")
            self.stdout.write(f"  {r['item']}\t{r['count']}\t上年 {r['previous']}\t增减 {r['change']:+d}")
        if opts.get("xlsx"):
            self.stdout.write(f"\n已导出：{opts['xlsx']}")
