#!/usr/bin/env python
"""The statistics and roster scenarios on one PostgreSQL database, for comparing server
settings (docs/performance.md, "PostgreSQL settings measured"): run it once per
configuration of the same cluster and data (restart the server in between).

    DATABASE_URL=postgres://postgres@127.0.0.1:5499/dj_tune_200k \\
        .venv/bin/python bench/bench_pgsettings.py --label defaults [--repeat 10] [--json]

Scenarios, interleaved after one warm-up round (ms, median / p95):
- statistics: the hand-written single-pass SQL (bench.scenarios.raw_statistics_sql) and
  the selector's member and organisation breakdowns (apps.stats.selectors.member_counts +
  organisation_counts), for the province and the first county;
- roster API (Django test client, county administrator): county page 1, county by name,
  county normal members by name, province search "ly".
Also prints the server settings that differ between the configurations."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")

SETTINGS = ("shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "random_page_cost", "jit")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", default="")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from apps.accounts.models import RoleAssignment, User
    from apps.accounts.services import issue_token
    from apps.orgs.models import Organisation
    from apps.stats.selectors import member_counts, organisation_counts
    from bench.scenarios import pick_targets, raw_statistics_sql, summary

    root = Organisation.objects.filter(depth=1).order_by("path").first()
    targets = pick_targets(root)
    county = targets["county"]
    today = datetime.date.today()

    def api_client(key, org):
        u, _ = User.objects.get_or_create(username=f"bench_{key}", defaults={"must_change_password": False, "display_name": key})
        RoleAssignment.objects.filter(user=u).exclude(organisation=org).delete()
        RoleAssignment.objects.get_or_create(user=u, role="county_admin", organisation=org)
        return Client(HTTP_AUTHORIZATION=f"Token {issue_token(u, name='bench')[0]}")

    county_api, province_api = api_client("county_admin", county), api_client("province_admin", root)

    def api(client, params):
        def call():
            response = client.get("/api/members/", params)
            assert response.status_code == 200, response.content[:300]

        return call

    fns = {}
    for key in ("province", "county"):
        org = targets[key]
        fns[f"stats_raw_sql_{key}"] = lambda org=org: raw_statistics_sql(org.path, today)
        fns[f"stats_selector_{key}"] = lambda org=org: (organisation_counts(org), member_counts(org, today))
    fns["api_county_p1"] = api(county_api, {"org": county.id})
    fns["api_county_name"] = api(county_api, {"org": county.id, "ordering": "name"})
    fns["api_county_normal_name"] = api(county_api, {"org": county.id, "status": "normal", "ordering": "name"})
    fns["api_search_ly_province"] = api(province_api, {"q": "ly"})

    with connection.cursor() as cursor:
        server = {}
        for name in SETTINGS:
            cursor.execute(f"SHOW {name}")
            server[name] = cursor.fetchone()[0]
    load_before = [round(x, 2) for x in os.getloadavg()]
    for fn in fns.values():
        fn()
    samples = {name: [] for name in fns}
    for _ in range(args.repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t)
    out = {
        "label": args.label,
        "db": connection.settings_dict["NAME"],
        "port": connection.settings_dict["PORT"],
        "server": server,
        "repeat": args.repeat,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "cases": {name: summary(s) for name, s in samples.items()},
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{args.label}: {out['db']} {server} repeat {args.repeat} load {out['load_before']} → {out['load_after']}")
        for name, r in out["cases"].items():
            print(f"{name:28} {r['median_ms']:9.1f} {r['p95_ms']:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
