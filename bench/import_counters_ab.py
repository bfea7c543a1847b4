#!/usr/bin/env python
"""Issue 13: the organisation-counter write of the roster import, before and after
(one UPDATE per organisation per 1,000-row chunk vs one statement per import), measured
side by side in one process, interleaved. Kept for the record of docs/performance.md
("Import: organisation counters in one statement").

    .venv/bin/python bench/import_counters_ab.py import DB [REPS]   # whole web import (preview + commit)
    .venv/bin/python bench/import_counters_ab.py counters DB        # the counter write alone, on DB built by `import`

DB: sqlite (a file under var/bench/) or a PostgreSQL URL (the database is dropped and
recreated by `import`, as bench_import.py does). `import` builds the bench county, then
imports bench_import's generated roster (rows spread over the branches, as a county's
unsorted roster is) through the import job with the old counter write and the new one,
alternately, emptying the register in between; it checks the counters against the
member table after each import (drift: organisations whose counter is wrong).
`counters` replays that roster's 21 chunks of counter increments on the same database:
the old executemany per chunk vs the new single statement, each in a transaction rolled back.
"""

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
SQLITE = ROOT / "var" / "bench" / "import_counters_ab.sqlite3"


def _old_add_to_counts(model, column, deltas):
    """apps.core.bulk.add_to_counts before issue 13 (ef5222c)."""
    from django.db import connection

    if not deltas:
        return
    q = connection.ops.quote_name
    sql = f"UPDATE {q(model._meta.db_table)} SET {q(column)} = {q(column)} + %s WHERE {q(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(n, pk) for pk, n in deltas.items()])


def measure_import(db: str, reps: int) -> dict:
    import bench_import as B

    if db == "sqlite":
        SQLITE.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE) + suffix).unlink(missing_ok=True)
        db = f"sqlite:///{SQLITE}"
    B._setup(db)
    from django.db import connection
    from django.db.models import Count

    from apps.core import bulk
    from apps.members import services as member_services
    from apps.members.codes import COUNTED_STATUSES
    from apps.members.models import Member
    from apps.orgs.models import Organisation

    county, branches = B._build_tree()
    admin = B._admin(county)
    data = B._roster(branches, B.DEFAULT_ROWS)
    new_add, new_create = bulk.add_to_counts, member_services.bulk_create_members

    def per_chunk(cleans, *, counts=None, **kw):
        return new_create(cleans, **kw)  # each chunk writes its own counters, as before

    variants = {"before": (_old_add_to_counts, per_chunk), "after": (new_add, new_create)}

    def drift():
        actual = dict(Member.objects.filter(status__in=COUNTED_STATUSES).values_list("organisation").annotate(n=Count("id")))
        return sum(1 for pk, n in Organisation.objects.values_list("pk", "direct_member_count") if n != actual.get(pk, 0))

    runs = []
    for rep in range(reps):
        for name in ("before", "after") if rep % 2 == 0 else ("after", "before"):
            B._empty_register()
            bulk.add_to_counts, member_services.bulk_create_members = variants[name]
            B.CPU.clear()
            load = os.getloadavg()[0]
            try:
                t, summary = B._web_import(admin, data, name)
            finally:
                bulk.add_to_counts, member_services.bulk_create_members = new_add, new_create
            assert summary["created"] == B.DEFAULT_ROWS, summary
            cpu = B.CPU[f"{name}_dry_run"] + B.CPU[f"{name}_commit"]
            run = {
                "variant": name,
                "rep": rep,
                "preview_s": t["dry_run_s"],
                "commit_s": t["commit_s"],
                "rows_per_s": round(B.DEFAULT_ROWS / t["seconds"]),
                "preview_cpu_s": B.CPU[f"{name}_dry_run"],
                "commit_cpu_s": B.CPU[f"{name}_commit"],
                "rows_per_cpu_s": round(B.DEFAULT_ROWS / cpu),
                "load_1min": round(load, 1),
                "drift": drift(),
            }
            runs.append(run)
            print(json.dumps(run), file=sys.stderr, flush=True)
    return {"vendor": connection.vendor, "runs": runs}


def measure_counters(db: str, reps: int = 5) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE}" if db == "sqlite" else db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction

    from apps.core import bulk
    from apps.orgs.models import Organisation

    branches = list(Organisation.objects.filter(org_type="branch").order_by("pk").values_list("pk", flat=True))
    n = len(branches)
    rows = 20_135
    chunks = [Counter(branches[i % n] for i in range(s, min(s + 1000, rows))) for s in range(0, rows, 1000)]

    def old():
        for deltas in chunks:
            _old_add_to_counts(Organisation, "direct_member_count", deltas)

    def new():
        total = Counter()
        for deltas in chunks:
            total.update(deltas)
        bulk.add_to_counts(Organisation, "direct_member_count", total)

    res = {"old": [], "new": []}
    for rep in range(reps):
        for name, fn in (("old", old), ("new", new)) if rep % 2 == 0 else (("new", new), ("old", old)):
            with transaction.atomic():
                wall, cpu = time.perf_counter(), time.process_time()
                fn()
                res[name].append({"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)})
                transaction.set_rollback(True)
    return {
        "vendor": connection.vendor,
        "old_statements": sum(len(c) for c in chunks),
        "new_statements": 1,
        "organisations": n,
        "load_average": [round(x, 1) for x in os.getloadavg()],
        **res,
    }


if __name__ == "__main__":
    what, db = sys.argv[1], sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else (3 if what == "import" else 5)
    figures = measure_import(db, reps) if what == "import" else measure_counters(db, reps)
    print(json.dumps(figures, ensure_ascii=False))
