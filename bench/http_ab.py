"""Two (or more) builds of the roster API side by side under the same load: one gunicorn
per build (2 sync workers each) on the same PostgreSQL database, wrk against each in turn
(bare view, then every build's branch page, then every build's county page), `--rounds`
times. Besides req/s it reads the CPU each request cost the gunicorn workers and the
PostgreSQL backends serving them (/proc/<pid>/stat around each wrk run; the backends are
told apart by their application_name), which the machine's other load disturbs much less
than req/s.

    .venv/bin/python bench/http_ab.py --database postgres://…/api2_pg_200k \\
        --server old=/tmp/old-tree --server new=. --server new-prep=.:DANGJIAN_PG_PREPARE_THRESHOLD=0

A server is NAME=DIRECTORY[:VAR=VALUE,…]: the code in DIRECTORY (a checkout), run with
the extra environment variables.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import RESULTS, SETTINGS, _free_port, _wrk, gunicorn_command  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pids) -> float | None:
    """User + system CPU seconds of these processes (None when one has gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            return None
    return total / TICK


def _median(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _backends(cursor, app: str) -> list[int]:
    cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [app])
    return [r[0] for r in cursor.fetchall()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--server", action="append", required=True, help="NAME=DIRECTORY[:VAR=VALUE,…]")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--name", default="http-ab")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["DATABASE_URL"] = args.database
    import django

    django.setup()
    from django.db import connection

    from apps.orgs.models import Organisation
    from bench import scenarios
    from bench.run import SEED

    root = Organisation.objects.get(code=f"S{SEED}R1P")
    targets = scenarios.pick_targets(root)
    users = scenarios.bench_users(targets)
    tokens = {"branch": users["branch_secretary"][1], "county": users["county_admin"][1]}
    paths = {
        "branch": f"/api/members/?org={targets['branch'].id}&ordering=name",
        "county": f"/api/members/?org={targets['county'].id}&status=normal&ordering=name",
    }

    servers = {}
    try:
        for spec in args.server:
            name, rest = spec.split("=", 1)
            directory, _, extra = rest.partition(":")
            directory = str(Path(directory).resolve())
            app = "ab_" + "".join(c if c.isalnum() else "_" for c in name)  # a "+" would arrive as a space
            sep = "&" if "?" in args.database else "?"
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": SETTINGS,
                "DATABASE_URL": f"{args.database}{sep}application_name={app}",
                "PYTHONPATH": directory,
                "BENCH_CONN_MAX_AGE": "3600",
            }
            env.pop("DANGJIAN_PG_PREPARE_THRESHOLD", None)
            for item in filter(None, extra.split(",")):
                key, value = item.split("=", 1)
                env[key] = value
            port = _free_port()
            proc = subprocess.Popen(
                gunicorn_command(port), cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
            )
            servers[name] = {"proc": proc, "base": f"http://127.0.0.1:{port}", "app": app, "directory": directory, "extra": extra}
        for s in servers.values():
            for _ in range(150):
                try:
                    urllib.request.urlopen(s["base"] + "/bench/bare/", timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.2)
            for kind in paths:  # warm both workers; check the answer
                for _ in range(20):
                    req = urllib.request.Request(s["base"] + paths[kind], headers={"Authorization": f"Token {tokens[kind]}"})
                    assert urllib.request.urlopen(req, timeout=20).status == 200
        first = next(iter(servers))
        runs = []
        loads = []
        with connection.cursor() as cursor:
            for _round in range(args.rounds):
                loads.append(os.getloadavg())
                plan = [("bare", first, None)] + [(kind, name, tokens[kind]) for kind in paths for name in servers]
                for kind, name, token in plan:
                    s = servers[name]
                    url = s["base"] + ("/bench/bare/" if kind == "bare" else paths[kind])
                    workers = _children(s["proc"].pid)
                    backends = _backends(cursor, s["app"])
                    w0, b0 = _cpu(workers), _cpu(backends)
                    r = _wrk(url, token, args.seconds)
                    w1, b1 = _cpu(workers), _cpu(backends)
                    if set(_backends(cursor, s["app"])) != set(backends):
                        b1 = None  # a worker reconnected during the run: its CPU is not all counted
                    n = max(1, r["requests"])
                    r.update(
                        kind=kind,
                        server=name,
                        worker_cpu_ms=round((w1 - w0) * 1000 / n, 3) if None not in (w0, w1) else None,
                        postgres_cpu_ms=round((b1 - b0) * 1000 / n, 3) if None not in (b0, b1) else None,
                    )
                    runs.append(r)
                    print(
                        f"{kind:7} {name:10} {r['rps']:8.1f} req/s  worker {r['worker_cpu_ms']} ms  pg {r['postgres_cpu_ms']} ms"
                        f"  non2xx {r['non_2xx']}  load {os.getloadavg()[0]:.2f}",
                        file=sys.stderr,
                        flush=True,
                    )
        summary = {}
        for kind in ["bare", *paths]:
            for name in servers:
                rs = [r for r in runs if r["kind"] == kind and r["server"] == name]
                if not rs:
                    continue
                summary[f"{kind}/{name}"] = {
                    "rps_median": statistics.median(r["rps"] for r in rs),
                    "worker_cpu_ms_median": _median(r["worker_cpu_ms"] for r in rs),
                    "postgres_cpu_ms_median": _median(r["postgres_cpu_ms"] for r in rs),
                    "non_2xx": sum(r["non_2xx"] for r in rs),
                    "socket_errors": sum(r["socket_errors"] for r in rs),
                }
        bare = [r["rps"] for r in runs if r["kind"] == "bare"]
        for kind in paths:
            for name in servers:
                rs = [r["rps"] for r in runs if r["kind"] == kind and r["server"] == name]
                summary[f"{kind}/{name}"]["ratio_to_bare_median"] = round(
                    statistics.median(x / b for x, b in zip(rs, bare, strict=True)), 4
                )
        out = {
            "servers": {k: {"directory": v["directory"], "extra_env": v["extra"]} for k, v in servers.items()},
            "seconds": args.seconds,
            "rounds": args.rounds,
            "load_average_per_round": loads,
            "load_average_after": os.getloadavg(),
            "summary": summary,
            "runs": runs,
        }
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.name}.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    finally:
        for s in servers.values():
            os.killpg(s["proc"].pid, signal.SIGTERM)
            s["proc"].wait(timeout=30)


if __name__ == "__main__":
    main()
