"""Every member's arrears standing (models.ArrearsStanding): the run of unpaid months that
selectors.arrears_queryset counts, kept per member so that the statistics, the to-do list,
the arrears page and the daily case check read a few thousand rows instead of every unpaid
line of a subtree and a sub-query per line (ADR 0010, "arrears").

Kept the way the monthly tallies are (tally.py):
- restand(): the dues services that write lines call it, in their own transaction, for the
  (member, month) pairs they touched; months after the cutoff (the current month, a quarter
  paid ahead) do not change a run, so generating or paying the current month costs nothing.
- rebuild(): every member at the current cutoff (the daily `dues_arrears`, the demo, the
  synthetic province, `check_org_tree --fix-counts`); it writes the build row of the cutoff.
- current(): the rows count only while the build of the cutoff exists and no row was left
  at another cutoff; otherwise the readers count the lines live (selectors.arrears_rows).
A rebuild locks the table against the services' writes (PostgreSQL), so a payment committed
during it is counted either by the rebuild or by its own restand, never lost."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Exists, F, Q
from django.utils import timezone

from .models import ArrearsStanding, ArrearsStandingBuild, DuesLine

CHUNK = 500
FIELDS = ("months", "first_unpaid", "last_unpaid")


def _cutoff(today: datetime.date | None) -> datetime.date:
    from .selectors import arrears_cutoff

    return arrears_cutoff(today or timezone.localdate())


def _runs(lines, cutoff: datetime.date) -> dict[int, tuple]:
    """{member_id: (months, first_unpaid, last_unpaid)} of the members with a run."""
    from .selectors import unpaid_runs

    return {r["member_id"]: (r["months"], r["first_unpaid"], r["last_unpaid"]) for r in unpaid_runs(lines, cutoff)}


def current(cutoff: datetime.date) -> bool:
    """Whether the rows give every member's run at the cutoff. One query."""
    stale = ArrearsStanding.objects.filter(Q(cutoff__lt=cutoff) | Q(cutoff__gt=cutoff))
    return ArrearsStandingBuild.objects.filter(cutoff=cutoff).filter(~Exists(stale)).exists()


def rows(cutoff: datetime.date, minimum: int, statuses):
    """The members with a run of at least `minimum` months at the cutoff, as
    selectors.arrears_queryset gives them (member_id, organisation_id, org_path, months,
    first_unpaid, last_unpaid), longest first."""
    return (
        ArrearsStanding.objects.filter(cutoff=cutoff, months__gte=minimum, member__status__in=statuses)
        .values(
            "member_id",
            "months",
            "first_unpaid",
            "last_unpaid",
            organisation_id=F("member__organisation_id"),
            org_path=F("member__org_path"),
        )
        .order_by("-months", "member_id")
    )


@transaction.atomic
def restand(touched: Iterable[tuple[int, datetime.date]], today: datetime.date | None = None) -> None:
    """Recompute the standing of the members of the (member id, month) pairs whose month
    is not after the cutoff (the cutoff of `today`, or the later one a member's row already
    has: a service given an earlier day keeps that row true). The rows are created first
    if missing, then locked (in member order), then counted from the lines: a concurrent
    writer of the same member waits for this transaction and then counts what it
    committed."""
    cutoff = _cutoff(today)
    # rows at a later cutoff exist only when a service ran with a later `today` (tests,
    # a back-dated command): none in a running system, where days only move forward
    ahead = dict(ArrearsStanding.objects.filter(cutoff__gt=cutoff).values_list("member_id", "cutoff"))
    by_cutoff: dict[datetime.date, set[int]] = defaultdict(set)
    for member_id, month in touched:
        at = ahead.get(member_id, cutoff)
        if month <= at:
            by_cutoff[at].add(member_id)
    for at, members in sorted(by_cutoff.items()):
        ids = sorted(members)
        for i in range(0, len(ids), CHUNK):
            _restand(ids[i : i + CHUNK], at)


def _restand(ids: list[int], cutoff: datetime.date) -> None:
    ArrearsStanding.objects.bulk_create([ArrearsStanding(member_id=pk, cutoff=cutoff) for pk in ids], ignore_conflicts=True)
    standing = list(ArrearsStanding.objects.select_for_update().filter(member_id__in=ids).order_by("member_id"))
    runs = _runs(DuesLine.objects.filter(member_id__in=ids), cutoff)
    for row in standing:
        row.cutoff = cutoff
        row.months, row.first_unpaid, row.last_unpaid = runs.get(row.member_id, (0, None, None))
    ArrearsStanding.objects.bulk_update(standing, ["cutoff", *FIELDS])


def _lock_table() -> None:
    # SHARE ROW EXCLUSIVE: conflicts with the services' inserts and updates (ROW
    # EXCLUSIVE) and with another rebuild; readers go on. SQLite has one writer anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {ArrearsStanding._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


@transaction.atomic
def rebuild(today: datetime.date | None = None) -> int:
    """Every member's standing at today's cutoff, from the lines; the build row of the
    cutoff written, older ones deleted. Returns the number of members with a run."""
    cutoff = _cutoff(today)
    _lock_table()
    ArrearsStanding.objects.all().delete()
    runs = _runs(DuesLine.objects.all(), cutoff)
    ArrearsStanding.objects.bulk_create(
        [ArrearsStanding(member_id=pk, cutoff=cutoff, months=m, first_unpaid=a, last_unpaid=b) for pk, (m, a, b) in runs.items()],
        batch_size=CHUNK,
    )
    ArrearsStandingBuild.objects.exclude(cutoff=cutoff).delete()
    ArrearsStandingBuild.objects.update_or_create(cutoff=cutoff, defaults={"members": len(runs)})
    return len(runs)


def rebuild_if_stale(today: datetime.date | None = None) -> int | None:
    """rebuild() unless the rows are current for today's cutoff (the daily command).
    Returns the members with a run, or None when nothing was rebuilt."""
    return None if current(_cutoff(today)) else rebuild(today)


def drift(limit: int = 20) -> tuple[list[str], int]:
    """The members whose standing at the newest build's cutoff disagrees with their lines
    (rows left at another cutoff are not compared): (a sample of descriptions, how many)."""
    build = ArrearsStandingBuild.objects.order_by("-cutoff").first()
    if build is None:
        return [], 0
    cutoff = build.cutoff
    other = set(ArrearsStanding.objects.exclude(cutoff=cutoff).values_list("member_id", flat=True))
    actual = {pk: run for pk, run in _runs(DuesLine.objects.all(), cutoff).items() if pk not in other}
    stored = {
        pk: (m, a, b) for pk, m, a, b in ArrearsStanding.objects.filter(cutoff=cutoff, months__gt=0).values_list("member_id", *FIELDS)
    }
    wrong = sorted(pk for pk in actual.keys() | stored.keys() if actual.get(pk) != stored.get(pk))
    from apps.members.models import Member

    names = dict(Member.objects.filter(pk__in=wrong[:limit]).values_list("pk", "name"))
    sample = [
        f"{names.get(pk, pk)}（id={pk}）{cutoff:%Y年%m月}止：记录连续欠缴 {stored.get(pk, (0,))[0]} 个月，台账为 {actual.get(pk, (0,))[0]} 个月"
        for pk in wrong[:limit]
    ]
    return sample, len(wrong)


def check(report, fix: bool) -> None:
    """registry.tree_checks: the standing against the lines; with fix, rebuilt."""
    sample, total = drift()
    if total and fix:
        report("党员欠缴状况与党费台账不一致", [], fixed=f"已按台账重新计算 {rebuild()} 名有欠缴的党员")
        return
    report("党员欠缴状况与党费台账不一致（可用 --fix-counts 修正）", sample, total=total)
