#!/usr/bin/env python
"""The roster's latency on an existing synthetic province (issue 13, docs/performance.md
"County roster on PostgreSQL" and "Pinyin search"): the web list (HTML) and the API list
through Django's test client, for the first county, its deep pages and the pinyin search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_pg_200k \\
        .venv/bin/python bench/bench_roster.py [--repeat 30] [--explain] [--only county_p1,search_ly] [--json]
            [--kind web|api|both] [--profile N]

Reads only (no data is written except the bench users and their tokens, as bench/run.py
does). Every case runs `repeat` times interleaved with the others (a, b, c, a, b, c …)
after one warm-up round; the figures are median / p95 / max in ms and the number of
queries of one request. The branch cases are the web list of the secretary of the
county's largest branch (docs/performance.md, "Roster web page"). `--profile N` runs N
requests of each selected web case under cProfile instead of timing them. `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of each case's
slowest statement (PostgreSQL only)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--kind", choices=("web", "api", "both"), default="both")
    parser.add_argument("--profile", type=int, default=0, help="cProfile N requests of each web case")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import RoleAssignment, User
    from apps.accounts.services import issue_token
    from apps.orgs.models import Organisation
    from bench.scenarios import pick_targets, summary

    root = Organisation.objects.filter(depth=1).order_by("path").first()
    targets = pick_targets(root)
    county = targets["county"]

    branch = targets["branch"]

    def user(key, org, role="county_admin"):
        u, _ = User.objects.get_or_create(username=f"bench_{key}", defaults={"must_change_password": False, "display_name": key})
        RoleAssignment.objects.filter(user=u).exclude(organisation=org).delete()
        RoleAssignment.objects.filter(user=u).exclude(role=role).delete()
        RoleAssignment.objects.get_or_create(user=u, role=role, organisation=org)
        return u, issue_token(u, name="bench")[0]

    users = {
        "county": user("county_admin", county),
        "province": user("province_admin", root),
        "branch": user("branch_secretary", branch, "branch_secretary"),
    }
    web = {}
    for key, (u, _t) in users.items():
        c = Client()
        c.force_login(u)
        web[key] = c
    api = {key: Client(HTTP_AUTHORIZATION=f"Token {token}") for key, (_u, token) in users.items()}

    deep = 150  # page 150 of 50: rows 7,451–7,500 of the county's ≈20,000
    cases = {
        # the branch secretary's landing page, and the API benchmark's branch case (b)
        "branch_p1": ("branch", {}),
        "branch_p1_normal_name": ("branch", {"org": branch.id, "status": "normal", "ordering": "name"}),
        "county_p1": ("county", {"org": county.id}),
        "county_p1_name": ("county", {"org": county.id, "ordering": "name"}),
        # a status filter: the capped count reads status from member_org_path_idx (INCLUDE)
        "county_p1_normal": ("county", {"org": county.id, "status": "normal"}),
        "county_p1_normal_name": ("county", {"org": county.id, "status": "normal", "ordering": "name"}),
        "county_deep": ("county", {"org": county.id, "page": deep}),
        "search_ly_province": ("province", {"q": "ly"}),
        "search_bb_province": ("province", {"q": "bb"}),
        "search_ly_county": ("county", {"q": "ly"}),
        "search_bb_county": ("county", {"q": "bb"}),
    }
    keyset = _keyset_params(county, deep)
    if keyset is not None:  # deep page numbers are refused (400) where keyset paging exists
        del cases["county_deep"]
        cases["county_deep_keyset"] = ("county", keyset)
    if args.only:
        wanted = set(args.only.split(","))
        cases = {k: v for k, v in cases.items() if k in wanted}

    def call(kind, key, params):
        client = web[key] if kind == "web" else api[key]
        path = "/members/" if kind == "web" else "/api/members/"
        response = client.get(path, params)
        assert response.status_code == 200, (kind, params, response.status_code, response.content[:300])
        return response

    kinds = ("web", "api") if args.kind == "both" else (args.kind,)
    fns = {f"{kind}:{name}": (kind, key, params) for name, (key, params) in cases.items() for kind in kinds}
    if args.profile:
        return _profile(fns, call, args.profile)
    load_before = _load()
    for kind, key, params in fns.values():
        call(kind, key, params)
    samples = {name: [] for name in fns}
    cpu = {name: [] for name in fns}
    for _ in range(args.repeat):
        for name, (kind, key, params) in fns.items():
            t, c = time.perf_counter(), time.process_time()
            call(kind, key, params)
            samples[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    load_after = _load()
    out = {
        "database": connection.vendor,
        "db_name": connection.settings_dict["NAME"],
        "members": _members(),
        "repeat": args.repeat,
        "load_before": load_before,
        "load_after": load_after,
        "cases": {},
    }
    for name, (kind, key, params) in fns.items():
        with CaptureQueriesContext(connection) as ctx:
            call(kind, key, params)
        r = summary(samples[name])
        r["cpu_median_ms"] = summary(cpu[name])["median_ms"]
        if args.json:  # the raw samples, to pool several interleaved runs
            r["samples_ms"] = [round(x * 1000, 3) for x in samples[name]]
            r["cpu_samples_ms"] = [round(x * 1000, 3) for x in cpu[name]]
        r["queries"] = len(ctx.captured_queries)
        r["params"] = params
        out["cases"][name] = r
        if args.explain and kind == "api" and connection.vendor == "postgresql":
            slow = [q for q in ctx.captured_queries if "members_member" in q["sql"]]
            for q in slow:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                print(f"--- {name}\n{q['sql']}\n{plan}\n", file=sys.stderr)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        print(f"{out['database']} {out['db_name']} {out['members']} members, repeat {args.repeat}, load {load_before} → {load_after}")
        print(f"{'case':34} {'median':>8} {'p95':>8} {'max':>8} {'cpu med':>8} queries")
        for name, r in out["cases"].items():
            print(f"{name:34} {r['median_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f} {r['cpu_median_ms']:8.1f} {r['queries']:3}")
    return 0


def _profile(fns, call, n: int) -> int:
    """cProfile n requests of each web case (after one warm-up request); the top of the
    cumulative and the internal-time listings."""
    import cProfile
    import pstats

    for name, (kind, key, params) in fns.items():
        if kind != "web":
            continue
        call(kind, key, params)
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(n):
            call(kind, key, params)
        profiler.disable()
        print(f"=== {name}: {n} requests", file=sys.stderr)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    return 0


def _members() -> int:
    from apps.members.models import Member

    return Member.objects.count()


def _keyset_params(county, page: int) -> dict | None:
    """The parameters of the county's page `page` as a keyset link gives them (the row
    before the page as the cursor), when the code under test has keyset paging."""
    try:
        from apps.core.paging import encode_cursor
    except ImportError:
        return None
    from apps.members.filters import ORDERING
    from apps.members.models import Member

    fields = ORDERING["org"]
    before = Member.objects.filter(org_path__startswith=county.path).order_by(*fields)[(page - 1) * 50 - 1]
    return {"org": county.id, "page": page, "after": encode_cursor(before, fields)}


if __name__ == "__main__":
    sys.exit(main())
