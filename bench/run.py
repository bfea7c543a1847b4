#!/usr/bin/env python
"""`make bench`: build (or reuse) a synthetic province per size, run the scenarios side by
side with their lower bounds, and write bench/results/<name>.json (docs/performance.md).

    .venv/bin/python bench/run.py [--sizes 20000,200000,1000000] [--sqlite-sizes 20000,200000]
                                  [--quick] [--rebuild] [--http-seconds 15] [--name NAME]

PostgreSQL: DATABASE_URL if set (one database per size: <name>_20k, <name>_200k, <name>_1m),
else postgres://postgres@127.0.0.1:5432/dj_bench_*. SQLite files go to var/bench/.
Each (database, size) runs in its own Python process (Django settings are per process).

    --database URL   measure an EXISTING PostgreSQL database as it is: nothing is created,
                     emptied or rebuilt; its synthetic province (synth_province) is used.
    --synth-dues     build the provinces with their dues (synth_province --dues: a year of
                     ledger lines, payments and tallies); a province the benchmark owns
                     that lacks them is rebuilt. The dues section and metric are then
                     measured too (e. dues).

The benchmark never drops a database, and it empties (TRUNCATE, for a rebuild) only a
database it created itself: a PostgreSQL database it creates is marked with a comment
(BENCH_MARKER); SQLite files are its own under var/bench/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/dj_bench"
BENCH_MARKER = "created by dangjian bench/run.py"
SETTINGS = "bench.settings_bench"
SEED = 1


def label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k" if size % 1000 == 0 else str(size)


# ---------------------------------------------------------------- the per-database worker
def worker(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = args.db
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.dues.models import DuesLine
    from apps.members.models import Member
    from apps.orgs.models import Organisation
    from bench import scenarios
    from bench.synth import build_province

    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", verbosity=0)
    if pending:
        # An ALTER COLUMN drops the column's planner statistics (PostgreSQL) or rebuilds the
        # table (SQLite): without fresh statistics the plans measured would not be the product's.
        log(f"  {len(pending)} migration(s) applied: ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    root = Organisation.objects.filter(code=f"S{SEED}R1P").first()
    synth = None
    if args.existing:
        if root is None:
            log(f"  {_redact(args.db)} holds no synthetic province (manage.py synth_province); --database never builds one")
            sys.exit(3)
        args.size = Member.objects.count()
        log(f"[{connection.vendor} {label(args.size)}] measuring the existing database {_redact(args.db)} as it is")
    elif (
        args.rebuild
        or root is None
        or Member.objects.count() != args.size
        or (args.synth_dues and not DuesLine.objects.filter(org_path__startswith=root.path).exists())
    ):
        if not _owned(connection, args.db):
            log(
                f"  {_redact(args.db)} was not created by the benchmark: it is never emptied or rebuilt (use --database to measure it as it is)"
            )
            sys.exit(3)
        log(f"[{connection.vendor} {label(args.size)}] building the synthetic province …")
        synth = build_province(args.size, seed=SEED, reset=True, dues=args.synth_dues, out=log)
        root = Organisation.objects.get(code=f"S{SEED}R1P")
    else:
        log(f"[{connection.vendor} {label(args.size)}] reusing the synthetic province in {args.db}")
    repeat = 5 if args.quick else 15
    targets = scenarios.pick_targets(root)
    users = scenarios.bench_users(targets)
    result = {
        "vendor": connection.vendor,
        "database": _redact(args.db),
        "size": args.size,
        "members_in_db": Member.objects.count(),
        "organisations_in_db": Organisation.objects.count(),
        "synth": synth,
        "load_average_before": os.getloadavg(),
        "targets": {k: {"id": o.id, "name": o.name, "path": o.path} for k, o in targets.items()},
    }
    if not args.http_only:
        log("  a. party statistics …")
        result["statistics"] = scenarios.scenario_statistics(targets, max(3, repeat // 3))
        log("  b. member list …")
        result["member_list"] = scenarios.scenario_member_list(targets, users, repeat * 2)
        log("  c. subtree member count …")
        result["subtree_count"] = scenarios.scenario_counts(targets, repeat)
        log("  scope predicate (LIKE vs range) …")
        result["scope_predicate"] = scenarios.scenario_scope_predicate(targets, repeat)
        if DuesLine.objects.filter(org_path__startswith=root.path).exists():
            log("  e. dues …")
            result["dues"] = scenarios.scenario_dues(targets, repeat)
    result["load_average_after"] = os.getloadavg()
    if args.http_seconds and connection.vendor == "postgresql":
        log("  d. HTTP throughput …")
        result["http"] = http_scenario(args, targets, users)
    return result


def _owned(connection, url: str) -> bool:
    """Did the benchmark create this database (so that it may empty it for a rebuild)?"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()")
            return (cursor.fetchone() or [None])[0] == BENCH_MARKER
    path = Path(urlparse(url).path)
    return (ROOT / "var" / "bench") in path.resolve().parents


def growth_worker(args) -> dict:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["BENCH_GROWTH_DBS"] = args.growth
    os.environ["DATABASE_URL"] = args.growth.split(",")[0].split("=", 1)[1]
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.growth import run_growth

    aliases = [item.split("=", 1)[0] for item in args.growth.split(",")]
    return run_growth(aliases, 7 if args.quick else 21)


def _redact(url: str) -> str:
    p = urlparse(url)
    if p.password:
        p = p._replace(netloc=p.netloc.replace(p.password, "***"))
    return urlunparse(p)


# ---------------------------------------------------------------- d. HTTP throughput
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    """The server the HTTP scenarios measure: gunicorn, 2 sync workers, on loopback."""
    return [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "dangjian.wsgi"]


def _wrk(url: str, token: str | None, seconds: int) -> dict:
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Token {token}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    socket_errors = sum(int(x) for x in sock.groups()) if sock else 0
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    lat99 = None
    if p99:
        lat99 = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return {
        "requests": total,
        "rps": rps,
        "non_2xx": non2xx,
        "socket_errors": socket_errors,
        "p99_ms": lat99,
        "command": " ".join(cmd[:-1]).replace(token, "***") if token else " ".join(cmd[:-1]),
    }


def http_scenario(args, targets, users) -> dict:
    """wrk against gunicorn (2 sync workers): the bare JSON view and the two roster API
    pages, in turn, `--http-rounds` times (bare, branch, county, bare, …), so that every
    ratio compares runs made under the same load. Each URL's figures are the median round's;
    `rounds` keeps every round's req/s and ratio."""
    import statistics
    import urllib.request

    from bench.scenarios import MEMBER_API, member_api_available

    if not shutil.which("wrk"):
        return {"error": "wrk not installed"}
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "DATABASE_URL": args.db, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        gunicorn_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    rounds = max(1, getattr(args, "http_rounds", 1) or 1)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/bare/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        out = {"server": "gunicorn -w 2 (sync) on 127.0.0.1", "duration_s": args.http_seconds, "rounds": rounds}
        urls = [("bare", base + "/bench/bare/", None)]
        if member_api_available():
            county_token = users["county_admin"][1]
            branch_token = users["branch_secretary"][1]
            branch_url = f"{base}{MEMBER_API}?org={targets['branch'].id}&ordering=name"
            county_url = f"{base}{MEMBER_API}?org={targets['county'].id}&status=normal&ordering=name"
            urls += [("member_api_branch", branch_url, branch_token), ("member_api_county", county_url, county_token)]
        else:
            out["member_api"] = "not available (apps.members.api has no /api/members/ route in this build)"
        prechecks = {}
        for key, url, token in urls:  # warm both workers' connections and caches; check the status
            req = urllib.request.Request(url, headers={"Authorization": f"Token {token}"} if token else {})
            prechecks[key] = urllib.request.urlopen(req, timeout=10).status
        runs = {key: [] for key, _u, _t in urls}
        loads = []
        for _ in range(rounds):
            loads.append(os.getloadavg()[0])
            for key, url, token in urls:
                runs[key].append(_wrk(url, token, args.http_seconds))
        for key, _url, _token in urls:
            rs = runs[key]
            r = dict(sorted(rs, key=lambda x: x["rps"])[len(rs) // 2])
            r["rps_rounds"] = [x["rps"] for x in rs]
            r["non_2xx"] = sum(x["non_2xx"] for x in rs)
            r["socket_errors"] = sum(x["socket_errors"] for x in rs)
            r["precheck_status"] = prechecks[key]
            if key != "bare":
                ratios = [x["rps"] / b["rps"] for x, b in zip(rs, runs["bare"], strict=True)]
                r["ratio_rounds"] = [round(x, 3) for x in ratios]
                r["ratio_to_bare"] = round(statistics.median(ratios), 3)
            out[key] = r
        out["load_average_per_round"] = loads
        return out
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


# ---------------------------------------------------------------- orchestration
def _pg_url_for(base: str, size: int) -> str:
    p = urlparse(base)
    name = p.path.lstrip("/") or "dj_bench"
    return urlunparse(p._replace(path=f"/{name}_{label(size)}"))


def _ensure_pg_database(url: str):
    import psycopg

    p = urlparse(url)
    admin = urlunparse(p._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        name = p.path.lstrip("/")
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{BENCH_MARKER}'")


def machine() -> dict:
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(
            (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), ""
        )
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "memory_gb": mem, "cpu": cpu, "python": platform.python_version(), "platform": platform.platform()}


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def run_one(args, db: str, size: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", "--db", db, "--size", str(size), "--http-seconds", str(args.http_seconds)]
    cmd += ["--http-rounds", str(args.http_rounds)] + (["--http-only"] if args.http_only else [])
    if args.quick:
        cmd.append("--quick")
    if args.rebuild:
        cmd.append("--rebuild")
    if args.synth_dues:
        cmd.append("--synth-dues")
    if args.database:
        cmd.append("--existing")
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return {"size": size, "database": _redact(db), "error": f"worker failed with exit code {proc.returncode}"}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = round(time.perf_counter() - t, 1)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description="dangjian benchmarks (docs/performance.md)")
    parser.add_argument("--sizes", default="20000,200000,1000000", help="PostgreSQL sizes (members)")
    parser.add_argument("--sqlite-sizes", default="20000,200000", help="SQLite sizes; empty to skip")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the synthetic provinces even if present")
    parser.add_argument(
        "--synth-dues", action="store_true", help="provinces with their dues (synth_province --dues); measures the dues figures too"
    )
    parser.add_argument("--http-seconds", type=int, default=15, help="wrk duration per URL (0: skip the HTTP scenario)")
    parser.add_argument("--http-rounds", type=int, default=1, help="HTTP: measure bare, branch, county in turn this many times")
    parser.add_argument("--http-only", action="store_true", help="run only the HTTP scenario (d)")
    parser.add_argument("--http-sizes", default=None, help="sizes at which to run the HTTP scenario (default: the largest)")
    parser.add_argument("--name", default=None, help="results file name (default: timestamp)")
    parser.add_argument(
        "--database",
        default=None,
        help="an existing PostgreSQL database (URL) holding a synthetic province: measured as it is, never created, emptied or rebuilt; "
        "replaces --sizes",
    )
    parser.add_argument("--existing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--growth", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.growth:
        print(json.dumps(growth_worker(args), ensure_ascii=False, default=str))
        return 0
    if args.worker:
        result = worker(args)
        print(json.dumps(result, ensure_ascii=False, default=str))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    sqlite_sizes = [int(s) for s in args.sqlite_sizes.split(",") if s.strip()]
    http_sizes = {int(s) for s in args.http_sizes.split(",")} if args.http_sizes else ({max(sizes)} if sizes else set())
    base = os.environ.get("DATABASE_URL") or DEFAULT_PG
    if not base.startswith("postgres"):
        print(f"DATABASE_URL={base!r} is not PostgreSQL; the PostgreSQL runs use {DEFAULT_PG}_*", file=sys.stderr)
        base = DEFAULT_PG
    if args.database:
        if args.rebuild:
            print("--rebuild and --database exclude each other: an existing database is never rebuilt", file=sys.stderr)
            return 2
        sizes, http_sizes = [0], {0} if args.http_sizes is None else http_sizes
    try:
        if args.database:
            import psycopg

            psycopg.connect(args.database, connect_timeout=5).close()
            base = args.database
        for size in [] if args.database else sizes:
            _ensure_pg_database(_pg_url_for(base, size))
    except Exception as exc:
        print(
            f"PostgreSQL is unreachable at {_redact(base)} ({exc}).\n"
            "Start PostgreSQL or set DATABASE_URL=postgres://user@host:5432/dbname (one database per size is created next to it).",
            file=sys.stderr,
        )
        return 2

    started = datetime.datetime.now(datetime.UTC)
    report = {
        "command": " ".join([Path(sys.executable).name, "bench/run.py", *sys.argv[1:]]),
        "timestamp": started.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": machine(),
        "quick": args.quick,
        "load_average_at_start": os.getloadavg(),
        "runs": [],
    }
    name = args.name or started.strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    plan = [("postgresql", args.database, 0)] if args.database else [("postgresql", _pg_url_for(base, s), s) for s in sizes]
    sqlite_dir = ROOT / "var" / "bench"
    sqlite_dir.mkdir(parents=True, exist_ok=True)
    plan += [("sqlite", f"sqlite:///{sqlite_dir / f'bench_{label(s)}.sqlite3'}", s) for s in sqlite_sizes]
    for vendor, db, size in plan:
        print(f"== {vendor} {label(size) if size else 'existing database'} ==", file=sys.stderr, flush=True)
        http = args.http_seconds
        if vendor != "postgresql" or size not in http_sizes:
            args.http_seconds = 0
        report["runs"].append(run_one(args, db, size))
        args.http_seconds = http
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))  # partial results survive a crash
    pg_ok = [
        (db, size)
        for vendor, db, size in plan
        if vendor == "postgresql" and any(r.get("size") == size and r.get("vendor") == "postgresql" for r in report["runs"])
    ]
    if len(pg_ok) >= 2:
        print("== growth, side by side ==", file=sys.stderr, flush=True)
        spec = ",".join(f"s{label(size)}={db}" for db, size in pg_ok)
        cmd = [sys.executable, __file__, "--growth", spec] + (["--quick"] if args.quick else [])
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        report["growth"] = (
            json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else {"error": f"exit {proc.returncode}"}
        )
    report["wall_seconds"] = round((datetime.datetime.now(datetime.UTC) - started).total_seconds(), 1)
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    print(f"results: {path.relative_to(ROOT)}", file=sys.stderr)
    from bench.report import summarise

    print(summarise(report))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
