#!/usr/bin/env python
"""The dues figures at province scale (issue 13): on one PostgreSQL or SQLite database
holding a synthetic province (`manage.py synth_province [--dues]`), for the province and
its first county (bench.scenarios.pick_targets):

- the dues statistics section (apps.dues.stats.contribute) and the supervision health
  metric dues.collected (apps.supervision.metrics.dues_collected, year of the dues);
- party_statistics (the whole statistics page's selector, snapshot=True as the page reads
  it; build the day's snapshot first: `manage.py build_stats_snapshot --margin 0`).

Each case runs interleaved after one warm-up round; reported per case: wall, this
process's CPU (time.process_time) and the database server's CPU (PostgreSQL: the
backend's utime+stime from /proc/<pid>/stat, when the server runs on this machine),
medians in ms, the query count, and the load average before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/synthdues_pg_200k \\
        .venv/bin/python bench/bench_dues.py [--repeat 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def _backend_cpu_ms(pid) -> float | None:
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * TICK_MS  # utime + stime


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.dues import stats
    from apps.dues.models import DuesLine, DuesTally
    from apps.orgs.models import Organisation
    from apps.stats.selectors import party_statistics
    from apps.supervision.metrics import dues_collected
    from bench import scenarios, synth

    root = Organisation.objects.filter(depth=1, code__endswith="P").order_by("path").first()
    if root is None:
        print("no synthetic province in this database (manage.py synth_province)", file=sys.stderr)
        return 3
    targets = scenarios.pick_targets(root)
    today = timezone.localdate()
    has_dues = DuesLine.objects.filter(org_path__startswith=root.path).exists()
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    cases = {}
    for key in ("province", "county"):
        org = targets[key]
        cases[f"{key}.party_statistics"] = lambda org=org: party_statistics(org)
        if has_dues:
            cases[f"{key}.dues_section"] = lambda org=org: stats.contribute(org, today)
            cases[f"{key}.dues_collected"] = lambda org=org: dues_collected([org.id], synth.DUES_YEAR, None)
    load_before = os.getloadavg()
    for fn in cases.values():  # warm-up
        fn()
    samples = {name: {"wall": [], "cpu": [], "db_cpu": []} for name in cases}
    for _ in range(args.repeat):
        for name, fn in cases.items():
            db0, c0, t0 = _backend_cpu_ms(pid), time.process_time(), time.perf_counter()
            fn()
            t1, c1, db1 = time.perf_counter(), time.process_time(), _backend_cpu_ms(pid)
            samples[name]["wall"].append((t1 - t0) * 1000)
            samples[name]["cpu"].append((c1 - c0) * 1000)
            if db0 is not None and db1 is not None:
                samples[name]["db_cpu"].append(db1 - db0)
    out = {
        "vendor": connection.vendor,
        "database": connection.settings_dict["NAME"],
        "today": today.isoformat(),
        "dues_lines": DuesLine.objects.count() if has_dues else 0,
        "dues_tallies": DuesTally.objects.count(),
        "targets": {k: targets[k].name for k in ("province", "county")},
        "load_before": load_before,
        "cases": {},
    }
    for name, fn in cases.items():
        with CaptureQueriesContext(connection) as ctx:
            fn()
        s = samples[name]
        out["cases"][name] = {
            "wall_median_ms": round(statistics.median(s["wall"]), 2),
            "cpu_median_ms": round(statistics.median(s["cpu"]), 2),
            "db_cpu_median_ms": round(statistics.median(s["db_cpu"]), 1) if s["db_cpu"] else None,
            "queries": len(ctx.captured_queries),
            "n": len(s["wall"]),
        }
    out["load_after"] = os.getloadavg()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
    else:
        print(f"{out['vendor']} {out['database']} dues lines {out['dues_lines']} load {load_before} → {out['load_after']}")
        for name, r in out["cases"].items():
            print(
                f"  {name:32s} wall {r['wall_median_ms']:9.2f} ms  cpu {r['cpu_median_ms']:8.2f} ms  "
                f"db cpu {r['db_cpu_median_ms']} ms  queries {r['queries']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
