"""python manage.py care_checklist --org CODE --occasion 七一 --year YYYY [--json] [--generate]

Prints who must be visited (or greeted) on an occasion in a year under an organisation,
and who has been. --generate first adds the registry's targets to the checklist."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from apps.care import services
from apps.care.models import CareOccasion, ChecklistItem
from apps.core.actors import system_actor
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "打印某组织某年度节日走访慰问/问候清单：应走访对象与完成情况"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--occasion", required=True, help="事由代码或名称，如 july_first、七一、春节")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="以JSON输出")
        parser.add_argument("--generate", action="store_true", help="先按名册生成/补充清单")

    def handle(self, *args, **opts):
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"没有代码为“{opts['org']}”的党组织")
        text = opts["occasion"]
        qs = CareOccasion.objects.filter(kind__in=[CareOccasion.Kind.SEASONAL, CareOccasion.Kind.GREETING])
        occasions = list(qs.filter(Q(code=text) | Q(name=text))) or list(qs.filter(name__startswith=text))
        if len(occasions) != 1:
            names = "、".join(f"{o.code}（{o.name}）" for o in (occasions or qs))
            raise CommandError(f"事由“{text}”{'不唯一' if occasions else '不存在'}，可选：{names}")
        occasion = occasions[0]
        if opts["generate"]:
            try:
                services.generate_checklist(org, occasion, opts["year"], actor=system_actor("cli"))
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        items = (
            ChecklistItem.objects.filter(occasion=occasion, year=opts["year"], org_path__startswith=org.path)
            .select_related("member", "organisation", "visit")
            .order_by("org_path", "member_id")
        )
        rows = [
            {
                "member": i.member.name,
                "organisation": i.organisation.name,
                "reasons": i.reason_labels,
                "done_on": i.done_on.isoformat() if i.done_on else None,
                "visitors": i.visit.visitors if i.visit else "",
            }
            for i in items.iterator(chunk_size=2000)
        ]
        done = sum(1 for r in rows if r["done_on"])
        if opts["json"]:
            payload = {
                "organisation": org.name,
                "occasion": occasion.name,
                "year": opts["year"],
                "total": len(rows),
                "done": done,
                "items": rows,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{org.name} {opts['year']}年{occasion.name}：应{len(rows)}人，已完成{done}人，未完成{len(rows) - done}人")
        for r in rows:
            state = f"已完成 {r['done_on']}" + (f"（{r['visitors']}）" if r["visitors"] else "") if r["done_on"] else "未完成"
            self.stdout.write(f"{r['organisation']}\t{r['member']}\t{r['reasons']}\t{state}")
