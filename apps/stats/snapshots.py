"""Statistics snapshots (ADR 0011): the member figures of 党内统计 per organisation, built
once a day, corrected on read for what changed since.

party_statistics counts a subtree's members in one aggregate pass (selectors._member_pass):
≈ 130 conditional counts per member row, which at province scale costs more than the
hand-written lower bound the targets compare with. A build (`manage.py
build_stats_snapshot`, daily after midnight) runs the same conditions ONCE, grouped per
organisation, and stores

- per organisation with counted members, its direct figures (non-zero ones) and how many
  counted members it had (`direct_count`);
- per organisation whose subtree holds at least STATS_SNAPSHOT_MIN_MEMBERS counted members,
  the subtree's figures (smaller subtrees are counted live: that is already fast).

A reader of such a subtree takes its stored figures and replaces the direct figures of every
organisation whose members may have changed since the build by a live count of that
organisation alone. An organisation is re-counted ("dirty") when

1. its counted-member counter (direct_member_count, kept by every member service) differs
   from `direct_count` — a member joined, left, was moved, changed status; or
2. one of its members' rows was written after the run's `clean_before` (Member.updated_at;
   every member service and bulk path sets it) — any field changed.

An organisation whose counted members differ from the build's either has a different count
or holds a member written since (someone entered the set), so the two tests together find
every change; the result equals the live pass (tests/stats/test_snapshots.py checks it after
random writes). A run is used only for its own day (ages and "this year" figures move with
the date) and only while the conditions hash to its `signature`; moving a subtree deletes the
runs (the rolled-up figures of the old and new ancestors would be wrong). More than
STATS_SNAPSHOT_MAX_DIRTY dirty organisations: the subtree is counted live.
"""

from __future__ import annotations

import datetime
import hashlib
from collections import Counter, defaultdict

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, FilteredRelation, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core import registry
from apps.members import codes
from apps.members.models import Member
from apps.orgs.models import Organisation

from .models import OrgFigures, SnapshotRun


class SnapshotBusy(Exception):
    """Another build of the same day is running."""


def conditions(as_of: datetime.date) -> dict[str, Q]:
    """Every member condition party_statistics can ask for on as_of: all breakdowns and
    every registered section's member figures (selectors' own definitions)."""
    from . import selectors

    return {**selectors._member_conditions(as_of), **selectors._section_conditions(as_of, registry.stats.all())}


def signature(cond: dict[str, Q]) -> str:
    """A hash of the conditions' keys and meanings (str(Q) names fields and values)."""
    digest = hashlib.sha256()
    for key in sorted(cond):
        digest.update(f"{key}={cond[key]!s};".encode())
    return digest.hexdigest()


def _grouped(members, cond: dict[str, Q]) -> dict[int, dict[str, int]]:
    """{organisation id: {"total": n, key: n …}} with zero figures left out."""
    rows = (
        members.filter(status__in=codes.COUNTED_STATUSES)
        .order_by()
        .values("organisation_id")
        .annotate(total=Count("*"), **{k: Count("pk", filter=q) for k, q in cond.items()})
    )
    out = {}
    for row in rows:
        org_id = row.pop("organisation_id")
        out[org_id] = {k: v for k, v in row.items() if v}
    return out


def _oldest_open_transaction(now: datetime.datetime) -> datetime.datetime:
    """PostgreSQL: the start of the oldest other transaction still open (its rows, written
    before our pass began, may commit after it); the build's own start elsewhere (SQLite
    builds hold the write lock: no other writer is open)."""
    if connection.vendor != "postgresql":
        return now
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        (oldest,) = cursor.fetchone()
    return min(now, oldest) if oldest else now


def build(as_of: datetime.date | None = None, *, margin_seconds: int | None = None, min_members: int | None = None) -> SnapshotRun:
    """Build the snapshot of `as_of` (default today) in one transaction: one grouped pass
    over the counted members, the subtree figures rolled up in Python, every other run
    deleted. Raises SnapshotBusy when another build of that day commits first."""
    as_of = as_of or timezone.localdate()
    margin = datetime.timedelta(seconds=settings.STATS_SNAPSHOT_MARGIN_SECONDS if margin_seconds is None else margin_seconds)
    threshold = settings.STATS_SNAPSHOT_MIN_MEMBERS if min_members is None else min_members
    cond = conditions(as_of)
    try:
        with transaction.atomic():
            started = timezone.now()
            clean_before = _oldest_open_transaction(started) - margin
            direct = _grouped(Member.objects.all(), cond)
            paths = dict(Organisation.objects.order_by().values_list("pk", "path"))
            by_path = {path: pk for pk, path in paths.items()}
            above = {org_id: Organisation.ancestor_paths(paths[org_id]) for org_id in direct}
            # subtree totals first (one number per ancestor), then full figures only for
            # the organisations above the threshold
            totals: Counter = Counter()
            for org_id, figures in direct.items():
                for path in above[org_id]:
                    totals[path] += figures["total"]
            big = {path for path, n in totals.items() if n >= threshold and path in by_path}
            subtree: dict[str, Counter] = defaultdict(Counter)
            for org_id, figures in direct.items():
                for path in above[org_id]:
                    if path in big:
                        subtree[path].update(figures)
            SnapshotRun.objects.filter(day=as_of).delete()  # a rebuild of the day replaces it
            run = SnapshotRun.objects.create(
                day=as_of,
                started_at=started,
                clean_before=clean_before,
                finished_at=started,
                signature=signature(cond),
                members=sum(f["total"] for f in direct.values()),
                organisations=len(paths),
            )
            rows = [
                OrgFigures(run=run, organisation_id=org_id, direct_count=figures["total"], direct=figures)
                for org_id, figures in direct.items()
                if paths[org_id] not in big
            ]
            rows += [
                OrgFigures(
                    run=run,
                    organisation_id=by_path[path],
                    direct_count=direct.get(by_path[path], {}).get("total", 0),
                    direct=direct.get(by_path[path], {}),
                    subtree=dict(subtree[path]),
                )
                for path in big
            ]
            OrgFigures.objects.bulk_create(rows, batch_size=2000)
            SnapshotRun.objects.exclude(pk=run.pk).delete()
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
    except IntegrityError as exc:
        raise SnapshotBusy(f"{as_of} 的统计快照正由另一进程生成") from exc
    return run


def current_run(as_of: datetime.date | None = None) -> SnapshotRun | None:
    as_of = as_of or timezone.localdate()
    return SnapshotRun.objects.filter(day=as_of).first()


def is_current(as_of: datetime.date | None = None) -> bool:
    """A run of that day counted with today's conditions exists."""
    as_of = as_of or timezone.localdate()
    run = current_run(as_of)
    return run is not None and run.signature == signature(conditions(as_of))


def _dirty(run: SnapshotRun, org: Organisation) -> set[int]:
    """The organisations of org's subtree whose figures may have changed since the build
    (the module docstring's two tests): two queries."""
    # a LEFT JOIN of the run's rows (half the time of a correlated subquery per
    # organisation: 4.6 vs 9.5 ms for 7,935 organisations on PostgreSQL)
    changed_count = (
        Organisation.objects.filter(path__startswith=org.path)
        .order_by()
        .alias(figures=FilteredRelation("stats_figures", condition=Q(stats_figures__run=run)))
        .alias(stored=Coalesce("figures__direct_count", 0))
        .exclude(direct_member_count=F("stored"))
        .values_list("pk", flat=True)
    )
    written = (
        Member.objects.filter(org_path__startswith=org.path, updated_at__gt=run.clean_before)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return set(changed_count) | set(written)


def member_row(org: Organisation, as_of: datetime.date, cond: dict[str, Q]) -> dict | None:
    """The member pass's row ({"total": n, key: n} for every key of cond) for org's subtree
    from the snapshot of as_of, or None when there is none to use (no run of that day,
    other conditions, a small subtree, too many changes): the caller counts live."""
    stored = OrgFigures.objects.filter(run__day=as_of, organisation_id=org.pk, subtree__isnull=False).select_related("run").first()
    if stored is None:
        return None
    run = stored.run
    counted = conditions(as_of)
    if not set(cond) <= set(counted) or run.signature != signature(counted):
        return None
    dirty = _dirty(run, org)
    if len(dirty) > settings.STATS_SNAPSHOT_MAX_DIRTY:
        return None
    figures = Counter(stored.subtree)
    if dirty:
        # the stored direct figures of the dirty organisations out, their live ones in
        for old in OrgFigures.objects.filter(run=run, organisation_id__in=dirty).values_list("direct", flat=True):
            figures.subtract(old)
        for new in _grouped(Member.objects.filter(organisation_id__in=dirty), counted).values():
            figures.update(new)
    return {"total": figures["total"], **{k: figures[k] for k in cond}}


def drift(as_of: datetime.date | None = None) -> list[tuple]:
    """(organisation, figure, snapshot, live) where today's snapshot, corrected as readers
    correct it, differs from a live count: checked at the top organisations of the run
    (their subtrees hold every other one). Empty when there is no run to check."""
    as_of = as_of or timezone.localdate()
    run = current_run(as_of)
    if run is None:
        return []
    cond = conditions(as_of)
    tops = Organisation.objects.filter(stats_figures__run=run, stats_figures__subtree__isnull=False).order_by("depth", "path")
    out = []
    seen: list[str] = []
    for org in tops:
        if any(org.path.startswith(p) for p in seen):
            continue
        seen.append(org.path)
        stored = member_row(org, as_of, cond)
        if stored is None:
            continue
        from . import selectors

        live = selectors._member_pass(org, as_of, registry.stats.all(), snapshot=False)
        out += [(org.name, key, stored[key], live[key]) for key in live if stored[key] != live[key]]
    return out


def check(report, fix: bool) -> None:
    """registry.tree_checks: today's snapshot against a live count; with fix, rebuilt."""
    rows = drift()
    if rows and fix:
        run = build()
        report("统计快照与党员信息不一致", [], fixed=f"已重新生成 {run.day} 的统计快照")
        return
    report("统计快照与党员信息不一致（可用 --fix-counts 重新生成）", rows[:20], total=len(rows))


def forget(**_kwargs) -> None:
    """orgs.services.subtree_moved: the rolled-up figures of the old and the new ancestors
    are wrong now; readers count live until the next build."""
    SnapshotRun.objects.all().delete()
