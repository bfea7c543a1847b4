"""Democratic appraisal results per branch for an organisation's subtree:
    python manage.py appraisal_results --org CODE --year YYYY [--json]
appraised, grade counts, 优秀 share with the ≤ ⅓ check, and open handling cases."""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.appraisal import rules, selectors
from apps.orgs.models import Organisation


class Command(BaseCommand):
    help = "民主评议结果：各支部参评人数、各等次人数、优秀占比（不超过三分之一）、办理中的组织处置"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="党组织代码")
        parser.add_argument("--year", required=True, type=int, help="评议年度")
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, **opts):
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(f"党组织代码“{opts['org']}”不存在")
        data = selectors.results(org, opts["year"])

        def row(r, name):
            return {
                "organisation": name,
                "appraised": r["n"],
                "graded": r["graded"],
                "grades": {g: r[f"g_{g}"] for g, _ in rules.GRADES},
                "excellent_share": round(r["excellent_share"], 4) if r["excellent_share"] is not None else None,
                "excellent_within_cap": r["cap_ok"],
                "open_cases": r["open_cases"],
            }

        rows = [row(b, b["organisation__name"]) for b in data["branches"]]
        total = row(data["total"], org.name)
        if opts["json"]:
            self.stdout.write(json.dumps({"year": opts["year"], "total": total, "branches": rows}, ensure_ascii=False, indent=1))
            return
        labels = [label for _, label in rules.GRADES]
        self.stdout.write(f"{opts['year']}年民主评议结果 · {org.name}")
        self.stdout.write("党组织\t参评\t" + "\t".join(labels) + "\t优秀占比\t办理中处置")
        for r in [*rows, total]:
            share = "—" if r["excellent_share"] is None else f"{100 * r['excellent_share']:.1f}%"
            flag = "" if r["excellent_within_cap"] else "（超过三分之一）"
            counts = "\t".join(str(r["grades"][g]) for g, _ in rules.GRADES)
            self.stdout.write(f"{r['organisation']}\t{r['appraised']}\t{counts}\t{share}{flag}\t{r['open_cases']}")
