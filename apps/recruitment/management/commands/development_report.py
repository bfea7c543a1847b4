"""python manage.py development_report --org CODE --month YYYY-MM [--json] [--user NAME]

Prints the monthly development report (月报告) of an organisation: each unit's counts this
month and year to date against its annual plan, lagging units flagged."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from apps.core.context import acting_as
from apps.core.scoping import can_act_on_org
from apps.orgs.models import Organisation
from apps.recruitment import selectors


class Command(BaseCommand):
    help = "发展党员月报告（--json 输出机器可读格式）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--month", required=True, help="月份 YYYY-MM")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--user", help="以该用户的权限范围运行")

    def handle(self, *args, **opts):
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"组织代码“{opts['org']}”不存在")
        try:
            month = datetime.datetime.strptime(opts["month"], "%Y-%m").date()
        except ValueError as exc:
            raise CommandError("月份格式应为 YYYY-MM") from exc
        user = None
        if opts.get("user"):
            from apps.accounts.models import User

            user = User.objects.filter(username=opts["user"]).first()
            if user is None or not can_act_on_org(user, org, "view"):
                raise CommandError("该用户不存在，或该组织不在其权限范围内")
        with acting_as(user, source="cli"):
            report = selectors.monthly_report(org, month.year, month.month)
        if opts["json"]:
            self.stdout.write(json.dumps(selectors.report_json(report), ensure_ascii=False, indent=2))
            return
        cols = report["columns"]
        self.stdout.write(f"{org.name} {month.year}年{month.month}月发展党员月报告")
        self.stdout.write("单位\t" + "\t".join(f"{label}(本月/累计)" for _k, label in cols) + "\t年度计划\t状态")
        for row in report["rows"]:
            cells = "\t".join(f"{row['month'][k]}/{row['ytd'][k]}" for k, _ in cols)
            flag = "滞后单位" if row["lagging"] else ""
            self.stdout.write(f"{row['org'].display_name}\t{cells}\t{row['plan'] if row['plan'] is not None else '—'}\t{flag}")
