"""Mobility figures for the statistics dashboard and the monthly report: a fixed number
of aggregate queries over the subtree (org_path__startswith), sent as one statement."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from apps.core.aggregates import COUNT, aggregate_together
from apps.core.routers import reporting

from . import rules
from .models import MobileRecord, TemporaryBranch, Transfer

LABELS = {
    "transfers_open": "转接办理中（件）",
    "transfers_overdue": "回执逾期（件）",
    "transfers_out_year": "本年转出（人）",
    "transfers_in_year": "本年转入（人）",
    "mobile_away": "外出流动党员（人）",
    "mobile_overdue": "逾期未报告/未返回（人）",
    "mobile_abroad": "出国（境）学习（人）",
    "temporary_branches": "临时党支部（个）",
}


def _aggregates(path: str, start: datetime.date, end: datetime.date, as_of: datetime.date) -> dict:
    """The three tables' one-row aggregates (sent as one statement: apps.core.aggregates)."""
    # A transfer inside the subtree is counted once as out and once as in only when it
    # crosses the subtree's border; received transfers dated in [start, end].
    received = Q(status="received", received_on__gte=start, received_on__lte=end)
    away = Q(status="away")
    return {
        "t": (
            Transfer.objects.filter(Q(org_path__startswith=path) | Q(to_org_path__startswith=path)),
            {
                "open": Count("id", filter=Q(status__in=rules.OPEN_STATUSES, org_path__startswith=path)),
                "overdue": Count("id", filter=Q(status="issued", receipt_due__lt=as_of, org_path__startswith=path)),
                "out": Count(
                    "id",
                    filter=received
                    & Q(org_path__startswith=path)
                    & (Q(kind="out") | Q(kind="internal") & ~Q(to_org_path__startswith=path)),
                ),
                "came": Count(
                    "id",
                    filter=received & Q(to_org_path__startswith=path) & (Q(kind="in") | Q(kind="internal") & ~Q(org_path__startswith=path)),
                ),
            },
        ),
        "m": (
            MobileRecord.objects.filter(org_path__startswith=path),
            {
                "away": Count("id", filter=away),
                "overdue": Count("id", filter=away & (Q(next_due__lt=as_of) | Q(expected_return__lt=as_of))),
                "abroad": Count("id", filter=away & Q(studying_abroad=True)),
            },
        ),
        "branches": (TemporaryBranch.objects.filter(org_path__startswith=path, formed_on__lte=as_of, end_date__gte=as_of), COUNT),
    }


def _figures(figures: dict) -> dict:
    t, m = figures["t"], figures["m"]
    return {
        "transfers_open": t["open"],
        "transfers_overdue": t["overdue"],
        "transfers_out_year": t["out"],
        "transfers_in_year": t["came"],
        "mobile_away": m["away"],
        "mobile_overdue": m["overdue"],
        "mobile_abroad": m["abroad"],
        "temporary_branches": figures["branches"]["n"],
    }


def aggregates(org, as_of: datetime.date) -> dict:
    """StatsSection.aggregates: this year's transfers and today's mobile members."""
    return _aggregates(org.path, datetime.date(as_of.year, 1, 1), as_of, as_of)


def contribute(org, as_of: datetime.date | None = None, figures: dict | None = None) -> dict:
    """This year's transfers and today's mobile members of org's subtree: one statement,
    or none when party_statistics sent aggregates() with the other sections' (`figures`)."""
    as_of = as_of or timezone.localdate()
    if figures is None:
        with reporting():
            figures = aggregate_together(aggregates(org, as_of))
    return {"mobility": {"label": "流动与转接", "labels": LABELS, "year": as_of.year, **_figures(figures)}}


def cards(stats: dict) -> list[tuple]:
    m = stats.get("mobility") or {}
    if not m:
        return []
    return [
        ("外出流动党员", m["mobile_away"], "名", None),
        ("组织关系转接办理中", m["transfers_open"], "件", None),
        ("转接回执逾期", m["transfers_overdue"], "件", None),
    ]


def rows(stats: dict) -> list[tuple]:
    m = stats.get("mobility") or {}
    return [("流动与转接", LABELS[k], m[k], None) for k in LABELS if k in m]


def report_figures(org, year: int, month: int) -> list[tuple]:
    """The monthly report upward: transfers received in the month, and the state at its end."""
    import calendar

    start = datetime.date(year, month, 1)
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    as_of = min(end, timezone.localdate())
    f = _figures(aggregate_together(_aggregates(org.path, start, end, as_of)))
    return [
        ("本月转出（人）", f["transfers_out_year"]),
        ("本月转入（人）", f["transfers_in_year"]),
        (LABELS["transfers_open"], f["transfers_open"]),
        (LABELS["transfers_overdue"], f["transfers_overdue"]),
        (LABELS["mobile_away"], f["mobile_away"]),
        (LABELS["mobile_overdue"], f["mobile_overdue"]),
        (LABELS["temporary_branches"], f["temporary_branches"]),
    ]
