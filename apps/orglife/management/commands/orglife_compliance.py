"""python manage.py orglife_compliance --org CODE --year YYYY [--month M] [--json]

Prints, per organisation in the subtree of CODE, the required and held counts of each
meeting kind in the year (or month) and the members at 3/5/6 months without party life.
Reads only; acts as the system actor (whole tree). The figures come from
apps.orglife.selectors.compliance_report, the same code the web page and the API use."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.core.actors import system_actor
from apps.orglife import selectors
from apps.orgs.models import Organisation

LEVEL_WORD = {"warning": "谈话提醒", "escalation": "上报预警", "case": "启动处置"}


class Command(BaseCommand):
    help = "打印组织生活落实情况：各组织各类会议应开/已开次数，连续3/5/6个月未参加组织生活的党员"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织代码（含其全部下级组织）")
        parser.add_argument("--year", required=True, help="年度，如 2025")
        parser.add_argument("--month", default=None, help="月份 1-12（不填为全年）")
        parser.add_argument("--json", action="store_true", help="以JSON输出")

    def handle(self, *args, **opts):
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"--org：没有代码为“{opts['org']}”的党组织")
        year = _int(opts["year"], "--year", "年度", 2000, 2100)
        month = _int(opts["month"], "--month", "月份", 1, 12) if opts["month"] not in (None, "") else None
        today = timezone.localdate()
        if datetime.date(year, month or 1, 1) > today:
            raise CommandError(f"--year/--month：{year}年{f'{month}月' if month else ''}尚未开始，没有可统计的组织生活")
        report = selectors.compliance_report(system_actor("cli"), org, year, month, selectors.report_as_of(year, month, today))
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self._text(report)

    def _text(self, r):
        period = f"{r['year']}年{r['month']}月" if r["month"] else f"{r['year']}年"
        t = r["totals"]
        th = r["thresholds"]
        w = self.stdout.write
        w(
            f"{r['organisation']['name']}（{r['organisation']['code']}）{period}组织生活落实情况（截至{r['as_of']}，规则第{r['rule_version']}版）"
        )
        w(
            f"共{t['organisations']}个组织，未按要求开展{t['lagging']}个；应开{t['required']}期，已按要求召开{t['met']}期，缺{t['overdue']}期；"
            f"连续{th['warn_months']}个月以上未参加组织生活{t['warning'] + t['escalation'] + t['case']}人"
            f"（{th['escalate_months']}个月以上{t['escalation'] + t['case']}人，{th['exit_months']}个月以上{t['case']}人）"
        )
        for o in r["organisations"]:
            w("")
            w(f"{o['name']}（{o['code']}）{'  【未按要求开展】' if o['lagging'] else ''}")
            for k in o["kinds"]:
                line = f"  {k['label']}（{k['frequency_label']}）：应开{k['required']}次，已开{k['held']}次"
                if k["missing"]:
                    line += "，缺" + "、".join(k["missing"])
                if k["below_quorum"]:
                    line += f"，{k['below_quorum']}次未达法定人数（不计入）"
                w(line)
            for a in o["absences"]:
                w(f"  ！{a['member']}：自{a['first_month']}起连续{a['months']}个月未参加组织生活（{LEVEL_WORD[a['level']]}）")


def _int(raw, option: str, label: str, low: int, high: int) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise CommandError(f"{option}：{label}“{raw}”不是整数") from None
    if not low <= value <= high:
        raise CommandError(f"{option}：{label}应在{low}至{high}之间，收到{value}")
    return value
