#!/usr/bin/env python
"""Benchmark of the roster import (issue 6: ≥ 2,000 rows/s for dry run + commit of the
20,135-row county roster) and of the roster export.

    .venv/bin/python bench/bench_import.py [--rows 20135] [--db sqlite|postgres|URL] [--json] [--profile]

Runs in a fresh database of its own (SQLite file under var/bench/, or the PostgreSQL
database dj_excel_bench), never in the application's database:
  1. a county tree like the seed report's (39 党委, 42 党总支, 744 党支部);
  2. a generated roster .xlsx in the template's layout (valid, varied rows);
  3. import as a county administrator does it in the web page: an import job's preview,
     then its commit (apps.excel.services.start_import / request_commit, run in-process
     by the test settings' immediate task backend). The commit reuses what the preview
     read from the file and validates every row again, then writes;
  4. export of the whole roster with full personal data, delete the members, and
     re-import the export the same way (preview + commit) — the round trip of the issue;
  5. a direct import of the export without a preview (the CLI's `import_members FILE`:
     one read, one validation, the writes), into the emptied register again;
  6. a dry run of the same file against the populated database (every row an update
     candidate, all unchanged).
--profile also writes, to stderr, where the time of each preview and commit goes: the
functions (cProfile, by own time and by cumulative time) and the SQL (an execute_wrapper
timing every statement, grouped by statement shape; the bulk writer's PostgreSQL COPYs are
timed as "COPY"). Profiled figures are slower than plain runs: do not report them as rates.
`run()` (used by bench/run.py) starts this script in a subprocess (Django settings are
per process) and returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ROWS = 20_135
PG_URL = "postgres://postgres@127.0.0.1:5432/dj_excel_bench"
TARGET_RATE = 2000


def run(results: dict | None = None, *, rows: int = DEFAULT_ROWS, db: str = "sqlite") -> dict:
    """Run the benchmark in a subprocess; return (and store under results["import"]) its figures."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--rows", str(rows), "--db", db, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        figures = {"error": proc.stderr[-2000:]}
    else:
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
    if results is not None:
        results["import"] = figures
    return figures


# ------------------------------------------------------------------ inside the subprocess


def _setup(db: str) -> str:
    if db == "sqlite":
        path = ROOT / "var" / "bench" / "bench_import.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    elif db == "postgres":
        url = PG_URL
    else:
        url = db
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings.test")
    sys.path.insert(0, str(ROOT))
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def _build_tree():
    from apps.core.actors import system_actor
    from apps.orgs import services as org_services

    county = org_services.create_organisation(
        {"name": "中共示范县委员会", "code": "B0000", "org_type": "county_committee", "unit_type": "government"},
        parent=None,
        actor=system_actor("cli"),
    )
    branches = []
    n = 0
    for c in range(39):
        committee = org_services.create_organisation(
            {"name": f"中共示范县第{c + 1}镇委员会", "code": f"B{c + 1:02d}00", "org_type": "committee", "unit_type": "village"},
            parent=county,
            actor=system_actor("cli"),
        )
        general = org_services.create_organisation(
            {"name": f"第{c + 1}镇机关党总支", "code": f"B{c + 1:02d}G0", "org_type": "general_branch", "unit_type": "government"},
            parent=committee,
            actor=system_actor("cli"),
        )
        for b in range(20):
            n += 1
            if n > 744:
                break
            parent = general if b < 3 else committee
            branches.append(
                org_services.create_organisation(
                    {
                        "name": f"第{c + 1}镇第{b + 1}村党支部",
                        "code": f"B{c + 1:02d}{b + 1:02d}",
                        "org_type": "branch",
                        "unit_type": "village",
                    },
                    parent=parent,
                    actor=system_actor("cli"),
                )
            )
    for g in range(3):
        org_services.create_organisation(
            {"name": f"县直第{g + 1}党总支", "code": f"BZ{g:02d}G", "org_type": "general_branch", "unit_type": "government"},
            parent=county,
            actor=system_actor("cli"),
        )
    return county, branches


def _roster(branches, rows: int) -> bytes:
    """A valid roster in the template's layout, written with openpyxl's write-only mode."""
    from openpyxl import Workbook

    from apps.excel import columns as C
    from apps.excel.exporter import org_name_paths
    from apps.members import codes
    from apps.members.idnumber import compose

    rnd = random.Random(6)
    paths = org_name_paths({b.path for b in branches})
    labels = {c.key: C.code_to_label(c) for c in C.COLUMNS if c.choices}
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(C.DATA_SHEET)
    ws.append([c.header for c in C.COLUMNS])
    for i in range(rows):
        sex = "M" if rnd.random() < 0.7 else "F"
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rnd.randint(0, 365 * 60))
        # unique numbers: the area code changes every 500 rows, the sequence within them
        number = compose(f"35{(i // 500) % 100:02d}{(i // 50000) % 10}5", birth, i % 500, sex)
        join = (
            birth.replace(year=birth.year + 25)
            if not (birth.month == 2 and birth.day == 29)
            else birth.replace(year=birth.year + 25, day=28)
        )
        probationary = rnd.random() < 0.03 and join.year > 2020
        branch = branches[i % len(branches)]
        cats = [c for c in ("rural", "hardship", "no_post") if rnd.random() < 0.2]
        values = {
            "name": surnames[rnd.randrange(len(surnames))] + given[rnd.randrange(len(given))] + given[rnd.randrange(len(given))],
            "sex": labels["sex"][sex],
            "ethnicity": "汉族",
            "birth_date": birth,
            "id_number": number,
            "native_place": "福建惠安",
            "education": labels["education"][rnd.choice([c for c, _ in codes.EDUCATION_CHOICES])],
            "degree": "",
            "occupation": labels["occupation"][rnd.choice([c for c, _ in codes.OCCUPATION_CHOICES])],
            "work_unit": "某村村委会",
            "job_post": "",
            "work_start_date": None,
            "phone": f"13{rnd.randint(100000000, 999999999)}",
            "address": "示范县某镇某村",
            "application_date": join - datetime.timedelta(days=400),
            "join_date": join,
            "conversion_date": None
            if probationary
            else join.replace(year=join.year + 1)
            if not (join.month == 2 and join.day == 29)
            else None,
            "member_type": labels["member_type"]["probationary" if probationary else "full"],
            "status": "正常",
            "org": paths[branch.path][0],
            "org_code": "",
            "categories": "、".join(labels["categories"][c] for c in cats),
            "lost_contact_reason": "",
            "increase_method": "",
            "remarks": "",
        }
        ws.append([values[c.key] for c in C.COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CPU: dict[str, float] = {}  # seconds of this process's CPU time per timed step
PROFILE: set[str] = set()  # labels of the steps to profile (--profile)


def _timed(fn, label: str = ""):
    """(value, wall-clock seconds). The process's CPU seconds go to CPU[label]: on a busy
    machine they show how much of the wall time was waiting for a core."""
    if label in PROFILE:
        fn = _profiled(fn, label)
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    if label:
        CPU[label] = round(time.process_time() - cpu, 2)
    return value, time.perf_counter() - start


def _profiled(fn, label: str):
    """fn wrapped in cProfile and an SQL timer; the report goes to stderr."""

    def wrapped():
        import cProfile
        import pstats
        import re
        from collections import defaultdict

        from django.db import connection

        from apps.core import bulk

        sql: dict[str, list] = defaultdict(lambda: [0, 0, 0.0])  # shape → [calls, rows, seconds]

        def timer(execute, statement, params, many, context):
            start = time.perf_counter()
            try:
                return execute(statement, params, many, context)
            finally:
                shape = re.sub(r"(%s|\?)(\s*,\s*(%s|\?))+", "…", re.sub(r"\b\d+\b", "N", statement))[:150]
                entry = sql[shape]
                entry[0] += 1
                entry[1] += len(params) if many else 1
                entry[2] += time.perf_counter() - start

        write = bulk._write

        def timed_write(connection_, table, columns, rows, batch):
            start = time.perf_counter()
            try:
                return write(connection_, table, columns, rows, batch)
            finally:
                entry = sql[f"bulk write ({'COPY' if connection_.vendor == 'postgresql' else 'executemany INSERT'}) {table}"]
                entry[0] += 1
                entry[1] += len(rows)
                entry[2] += time.perf_counter() - start

        profile = cProfile.Profile()
        bulk._write = timed_write
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            with connection.execute_wrapper(timer):
                value = profile.runcall(fn)
        finally:
            bulk._write = write
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        out = sys.stderr
        total = sum(e[2] for e in sql.values())
        print(f"\n===== {label}: {wall:.2f} s wall, {cpu:.2f} s CPU (profiled), {total:.2f} s in SQL", file=out)
        for shape, (calls, n, seconds) in sorted(sql.items(), key=lambda kv: -kv[1][2])[:15]:
            print(f"  {seconds:7.3f} s {calls:6d} calls {n:7d} rows  {shape}", file=out)
        stats = pstats.Stats(profile, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        return value

    return wrapped


def _admin(county):
    from apps.accounts.models import RoleAssignment, User

    user = User.objects.create_user(username="bench-admin", password="Bench#2026-admin", must_change_password=False)
    RoleAssignment.objects.create(user=user, role="county_admin", organisation=county)
    return user


def _web_import(user, data: bytes, label: str) -> tuple[dict, dict]:
    """Preview then commit through the import job services; (timings, commit summary)."""
    from django.core.files.base import ContentFile

    from apps.excel import services
    from apps.excel.models import JobStatus

    job, t_dry = _timed(lambda: services.start_import(user, ContentFile(data, name="roster.xlsx")), f"{label}_dry_run")
    assert job.status == JobStatus.PREVIEWED, (job.message, job.errors[:5])
    job, t_commit = _timed(lambda: services.request_commit(job, user), f"{label}_commit")
    assert job.status == JobStatus.DONE, (job.message, job.errors[:5])
    return {"dry_run_s": round(t_dry, 2), "commit_s": round(t_commit, 2), "seconds": t_dry + t_commit}, job.summary


def _empty_register():
    from django.db import transaction

    from apps.core.models import ChangeLog
    from apps.members.models import Member
    from apps.orgs.models import Organisation

    with transaction.atomic():
        Member.objects.all().delete()
        ChangeLog.objects.filter(object_type="members.member").delete()
        Organisation.objects.update(direct_member_count=0)


def measure(rows: int) -> dict:
    from django.db import connection

    from apps.core.actors import system_actor
    from apps.excel.exporter import export_members
    from apps.excel.importer import import_members
    from apps.members.models import Member

    county, branches = _build_tree()
    admin = _admin(county)
    data = _roster(branches, rows)
    figures = {
        "vendor": connection.vendor,
        "rows": rows,
        "file_bytes": len(data),
        "target_rows_per_s": TARGET_RATE,
        "cpus": os.cpu_count(),
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
    }

    fresh, summary = _web_import(admin, data, "fresh_import")
    assert summary["created"] == rows, summary
    fresh_rate = rows / fresh.pop("seconds")
    figures["fresh_import"] = {**fresh, "rows_per_s": round(fresh_rate)}

    exported, t_export = _timed(lambda: export_members(Member.objects.all(), full_pii=True).getvalue(), "export")
    figures["export"] = {"seconds": round(t_export, 2), "rows_per_s": round(rows / t_export), "bytes": len(exported)}

    unchanged, t_unchanged = _timed(lambda: import_members(exported, dry_run=True, actor=system_actor("cli")), "reimport_unchanged_dry_run")
    assert unchanged.ok and unchanged.unchanged == rows
    figures["reimport_unchanged_dry_run_s"] = round(t_unchanged, 2)

    _empty_register()
    trip, summary = _web_import(admin, exported, "round_trip_import")
    assert summary["created"] == rows, summary
    rate = rows / trip.pop("seconds")
    figures["round_trip_import"] = {**trip, "rows_per_s": round(rate)}

    _empty_register()
    direct, t_direct = _timed(lambda: import_members(exported, dry_run=False, actor=system_actor("cli")), "direct_import_without_preview")
    assert direct.ok and direct.created == rows
    figures["direct_import_without_preview"] = {"seconds": round(t_direct, 2), "rows_per_s": round(rows / t_direct)}

    figures["rows_per_s"] = round(rate)
    figures["cpu_seconds"] = dict(CPU)
    trip_cpu = CPU["round_trip_import_dry_run"] + CPU["round_trip_import_commit"]
    figures["round_trip_rows_per_cpu_s"] = round(rows / trip_cpu)
    figures["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    figures["meets_target"] = rate >= TARGET_RATE
    return figures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--db", default="sqlite", help="sqlite (default), postgres, or a DATABASE_URL")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the previews and commits of the fresh import and the round trip (report on stderr)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        PROFILE.update(f"{step}_{phase}" for step in ("fresh_import", "round_trip_import") for phase in ("dry_run", "commit"))
    _setup(args.db)
    figures = measure(args.rows)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
