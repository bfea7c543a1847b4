#!/usr/bin/env python
"""Benchmark of the education statistics section (issue 15 item 5).

    .venv/bin/python bench/bench_education.py --members 200000 [--repeat 3] [--reuse] [--json]

Builds, in a SQLite file of its own (var/bench/bench_education.sqlite3, never the
application's database), the synthetic province of bench/synth.py with `--members`
members (20,000 per county), then this year's study archive for it: 0–6 approved entries
per counted member (random forms and hours, seed 15), a secretary and a committee member
for every branch, and county rotation entries for 70 % of the secretaries. Then, timed and
interleaved (a, b, a, b …), for the province root and for the first county:

- before: the section as it was — the member query annotated with per-member correlated
  subqueries (selectors.progress_members) aggregated with the filtered counts and the
  hours buckets (copied here: the product no longer has it);
- after: apps.education.stats.contribute (selectors.org_summary: four grouped queries,
  plus the quiz and plan figures: one query each).

Both sides' figures are compared and must agree.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(reuse: bool) -> None:
    path = ROOT / "var" / "bench" / "bench_education.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings_bench")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(members: int, year: int) -> dict:
    from django.db import transaction

    from apps.education.models import StudyEntry, TrainingClass
    from apps.members.models import Member
    from apps.orgs.models import CommitteeMember, Organisation
    from bench.synth import build_province

    t = time.perf_counter()
    build_province(members, seed=1, reset=True, out=lambda m: print(m, file=sys.stderr))
    built = time.perf_counter() - t
    t = time.perf_counter()
    rng = random.Random(15)
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    forms = ["collective_study", "party_lecture", "theme_day", "online", "self_study", "concentrated"]
    with transaction.atomic():
        rotation = TrainingClass.objects.create(
            organisation=root,
            title=f"{year}年书记轮训",
            level="county",
            kind="rotation",
            start_date=datetime.date(year, 3, 1),
            end_date=datetime.date(year, 3, 3),
        )
        rows, seats = [], []
        branch_members: dict[int, list[int]] = {}
        for mid, org_id, path in Member.objects.counted().values_list("id", "organisation_id", "org_path").iterator():
            branch_members.setdefault(org_id, []).append(mid)
            for _ in range(rng.randint(0, 6)):
                rows.append(
                    StudyEntry(
                        organisation_id=org_id,
                        org_path=path,
                        member_id=mid,
                        date=datetime.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                        hours=rng.choice([2, 4, 4, 8, 8, 16]),
                        form=rng.choice(forms),
                        content="学习",
                    )
                )
            if len(rows) >= 20000:
                StudyEntry.objects.bulk_create(rows, batch_size=5000)
                rows = []
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=list(branch_members))}
        for org_id, ids in branch_members.items():
            if orgs[org_id].org_type not in ("branch", "general_branch", "committee", "joint_branch") or len(ids) < 2:
                continue
            seats.append(CommitteeMember(organisation_id=org_id, member_id=ids[0], role="secretary", start_date=datetime.date(2020, 1, 1)))
            seats.append(CommitteeMember(organisation_id=org_id, member_id=ids[1], role="member", start_date=datetime.date(2020, 1, 1)))
            if rng.random() < 0.7:
                org = orgs[org_id]
                rows.append(
                    StudyEntry(
                        organisation_id=org_id,
                        org_path=org.path,
                        member_id=ids[0],
                        date=datetime.date(year, 3, 2),
                        hours=8,
                        form="training",
                        content="书记轮训",
                        training_class=rotation,
                    )
                )
        StudyEntry.objects.bulk_create(rows, batch_size=5000)
        CommitteeMember.objects.bulk_create(seats, batch_size=5000)
    return {
        "province_build_s": round(built, 1),
        "education_data_s": round(time.perf_counter() - t, 1),
        "study_entries": StudyEntry.objects.count(),
        "seats": CommitteeMember.objects.count(),
    }


def before(org, as_of):
    """The section's figures as computed before issue 15 item 5 (per-member subqueries)."""
    from django.db.models import Count, Q, Sum

    from apps.education import rules, selectors
    from apps.education.services import current_rules

    year = as_of.year
    values = current_rules().all_values()
    qs = selectors.progress_members(selectors.subtree_members(org), year)
    met, behind = selectors.met_condition(values), selectors.behind_condition(values, year, as_of)
    agg = qs.aggregate(
        members=Count("id"),
        met=Count("id", filter=met),
        behind=Count("id", filter=behind),
        cadres=Count("id", filter=Q(is_cadre=True)),
        cadres_met=Count("id", filter=Q(is_cadre=True) & met),
        secretaries=Count("id", filter=Q(is_secretary=True)),
        secretaries_behind=Count("id", filter=Q(is_secretary=True) & behind),
        hours=Sum("study_hours"),
    )
    buckets = {}
    for i, (_label, low, high) in enumerate(selectors.HOUR_BUCKETS):
        if high == 0:
            cond = Q(study_hours=0)
        elif high is None:
            cond = Q(study_hours__gte=low)
        else:
            cond = Q(study_hours__gte=low, study_hours__lt=high) & ~Q(study_hours=0)
        buckets[f"b{i}"] = Count("id", filter=cond)
    dist = qs.aggregate(**buckets)
    agg["hours"] = rules.hours(agg["hours"])
    agg["distribution"] = [[label, dist[f"b{i}"]] for i, (label, _l, _h) in enumerate(selectors.HOUR_BUCKETS)]
    return agg


def measure(repeat: int, members: int, reuse: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.education import stats
    from apps.orgs.models import Organisation

    as_of = timezone.localdate()
    figures = {"db": connection.vendor, "members": members, **({"reused": True} if reuse else _build(members, as_of.year))}
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    county = Organisation.objects.filter(depth=2).order_by("path").first() if root.numchild else root
    results = {}
    for name, org in (("province", root), ("county", county)):
        old = before(org, as_of)
        new = stats.contribute(org, as_of)["education"]
        for key in ("members", "met", "behind", "cadres", "cadres_met", "secretaries", "distribution"):
            assert old[key] == new[key], (name, key, old[key], new[key])
        with CaptureQueriesContext(connection) as q_new:
            stats.contribute(org, as_of)
        times = {"before": [], "after": []}
        for _ in range(repeat):
            t = time.perf_counter()
            before(org, as_of)
            times["before"].append(time.perf_counter() - t)
            t = time.perf_counter()
            stats.contribute(org, as_of)
            times["after"].append(time.perf_counter() - t)
        results[name] = {
            "members": new["members"],
            "before_s": round(statistics.median(times["before"]), 2),
            "after_s": round(statistics.median(times["after"]), 2),
            "after_queries": len(q_new),
        }
    figures["sections"] = results
    figures["load_average"] = os.getloadavg()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    _setup(args.reuse)
    figures = measure(args.repeat, args.members, args.reuse)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        for name, r in figures["sections"].items():
            print(f"{name}: {r['members']} members — before {r['before_s']} s, after {r['after_s']} s ({r['after_queries']} queries)")
        print({k: v for k, v in figures.items() if k != "sections"})


if __name__ == "__main__":
    main()
