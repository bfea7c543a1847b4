"""manage.py study_hours --org CODE --year YYYY [--json] [--as-of YYYY-MM-DD]: per member
of the organisation's subtree the year's hours, requirement and shortfall (and the
projected shortfall at year end), and per organisation (the subtree and each child) the
share meeting the requirement. Acts as the system actor (命令行)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.core.actors import system_actor
from apps.education import selectors, services
from apps.orgs.models import Organisation

CHUNK = 2000


class Command(BaseCommand):
    help = "打印党员学时：每名党员的学时、要求和差额，以及各组织达标比例"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--as-of", help="计算日期（默认今天，历年为12月31日）")
        parser.add_argument("--json", action="store_true", help="输出JSON")

    def handle(self, *args, **opts):
        actor = system_actor("cli")
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"组织代码“{opts['org']}”不存在")
        year = opts["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("年度须在2000～2100之间")
        if opts["as_of"]:
            try:
                as_of = datetime.date.fromisoformat(opts["as_of"])
            except ValueError:
                raise CommandError("--as-of 须为 YYYY-MM-DD") from None
        else:
            today = timezone.localdate()
            as_of = today if today.year == year else datetime.date(year, 12, 31)
        values = services.current_rules().all_values()
        qs = selectors.progress_queryset(actor, {"org": str(org.pk), "year": str(year)})
        members = []
        for start in range(0, 10**9, CHUNK):
            chunk = list(qs[start : start + CHUNK])
            for row in selectors.progress_rows(chunk, year, as_of, values):
                p = row.progress
                members.append(
                    {
                        "member_id": row.member.pk,
                        "name": row.member.name,
                        "organisation": row.member.organisation.name,
                        "role": row.role,
                        "hours": str(p.hours),
                        "required": p.required,
                        "shortfall": str(p.shortfall),
                        "projected_shortfall": str(p.projected_shortfall),
                    }
                )
            if len(chunk) < CHUNK:
                break
        summary = selectors.org_summary(org, year, as_of, values)
        orgs = [{"code": org.code, "name": org.name, "members": summary["members"], "met": summary["met"], "share": summary["met_rate"]}]
        for c in selectors.child_progress(org, year, as_of, values):
            orgs.append({"code": c["org"].code, "name": c["org"].name, "members": c["members"], "met": c["met"], "share": c["rate"]})
        if opts["json"]:
            self.stdout.write(
                json.dumps({"year": year, "as_of": as_of.isoformat(), "members": members, "organisations": orgs}, ensure_ascii=False)
            )
            return
        self.stdout.write(f"{org.name} {year}年学时（计至{as_of}）")
        for m in members:
            self.stdout.write(
                f"{m['name']}\t{m['organisation']}\t{m['role']}\t{m['hours']}/{m['required']}\t尚差{m['shortfall']}\t预计年底尚差{m['projected_shortfall']}"
            )
        for o in orgs:
            share = "—" if o["share"] is None else f"{o['share']}%"
            self.stdout.write(f"[{o['code']}] {o['name']}：党员{o['members']}名，达标{o['met']}名（{share}）")
