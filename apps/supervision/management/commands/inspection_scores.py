"""python manage.py inspection_scores --org CODE --year YYYY [--quarter Q] [--json] [--user NAME]

The 十规范 inspections of an organisation and its subtree in a year (or quarter): each
item's score (from data or by the inspector, with its reason), the total against the
checklist version's full marks, the rank among the same kind of inspection in the same
period under the organisation, and the rectifications still open."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import system_actor
from apps.core.scoping import can_act_on_org
from apps.orgs.models import Organisation
from apps.supervision import selectors
from apps.supervision.models import ItemScore, Rectification
from apps.supervision.periods import parse_period


class Command(BaseCommand):
    help = "十规范检查得分（逐项、总分、排名、未完成整改；--json 输出机器可读格式）"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码")
        parser.add_argument("--year", required=True, help="年度 YYYY")
        parser.add_argument("--quarter", help="季度 1–4（不填为全年）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--user", help="以该用户的权限范围运行")

    def handle(self, *args, **opts):
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"组织代码“{opts['org']}”不存在")
        try:
            year, quarter = parse_period(opts["year"], opts.get("quarter"))
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from None
        user = system_actor("cli")
        if opts.get("user"):
            from apps.accounts.models import User

            user = User.objects.filter(username=opts["user"]).first()
            if user is None or not can_act_on_org(user, org, "view"):
                raise CommandError("该用户不存在，或该组织不在其权限范围内")
        params = {"year": year, "quarter": quarter or ""}
        inspections = list(selectors.inspections_for(user, params, org))
        data = self._collect(org, year, inspections)
        if opts["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{org.name} {year}年{f'第{quarter}季度' if quarter else ''}十规范检查：{len(data)}次")
        for d in data:
            rank = f"第{d['rank']}名" if d["rank"] else "未排名"
            self.stdout.write(
                f"\n{d['organisation']} · {d['kind']} {d['period']} · 第{d['version']}版 · {d['total']}/{d['max_total']} · {rank} · {d['status']}"
            )
            for s in d["items"]:
                how = "数据" if s["computed"] else "评分"
                self.stdout.write(
                    f"  {s['title']}\t{s['score'] if s['score'] is not None else '未评'}/{s['max_score']}\t{how}\t{s['reason']}"
                )
            for r in d["open_rectifications"]:
                self.stdout.write(f"  整改中：{r['problem']}（期限 {r['deadline']}）")

    def _collect(self, org, year, inspections) -> list[dict]:
        ids = [i.pk for i in inspections]
        scores: dict[int, list] = {}
        for s in ItemScore.objects.filter(inspection_id__in=ids).select_related("item").order_by("item__order", "item_id"):
            scores.setdefault(s.inspection_id, []).append(s)
        rects: dict[int, list] = {}
        for r in Rectification.objects.filter(inspection_id__in=ids, status=Rectification.Status.OPEN).order_by("deadline", "id"):
            rects.setdefault(r.inspection_id, []).append(r)
        ranks = {}
        for kind, quarter in {(i.kind, i.quarter) for i in inspections}:
            for row in selectors.ranking(org, year, kind, quarter):
                ranks[row["inspection"].pk] = row["rank"]
        return [
            {
                "id": i.pk,
                "organisation": i.organisation.name,
                "code": i.organisation.code,
                "kind": i.get_kind_display(),
                "period": f"{i.year}年" + (f"第{i.quarter}季度" if i.quarter else ""),
                "version": i.version.number,
                "status": i.get_status_display(),
                "total": str(i.total),
                "max_total": str(i.max_total),
                "rank": ranks.get(i.pk),
                "items": [
                    {
                        "area": s.item.get_area_display(),
                        "title": s.item.title,
                        "max_score": s.item.max_score,
                        "score": None if s.score is None else str(s.score),
                        "computed": s.computed,
                        "reason": s.reason,
                        "evidence": s.evidence,
                    }
                    for s in scores.get(i.pk, [])
                ],
                "breakdown": i.breakdown or None,
                "open_rectifications": [{"problem": r.problem, "deadline": r.deadline.isoformat()} for r in rects.get(i.pk, [])],
            }
            for i in inspections
        ]
