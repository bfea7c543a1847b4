"""Appraisal figures for the statistics dashboard and the monthly report: a fixed number of
aggregate queries over the subtree."""

import datetime

from django.db.models import Count, Q

from apps.core.aggregates import aggregate_together
from apps.core.routers import reporting

from . import rules
from .models import Appraisee, HandlingCase


def aggregates(org, as_of: datetime.date) -> dict:
    """StatsSection.aggregates: last finished year's grades and the handling cases."""
    year = as_of.year - 1
    return {
        "grades": (
            Appraisee.objects.filter(org_path__startswith=org.path, year=year),
            {
                "appraised": Count("id"),
                "graded": Count("id", filter=~Q(final_grade="")),
                **{g: Count("id", filter=Q(final_grade=g)) for g, _ in rules.GRADES},
            },
        ),
        "cases": (
            HandlingCase.objects.filter(org_path__startswith=org.path),
            {
                "open": Count("id", filter=Q(status=HandlingCase.Status.OPEN)),
                "overdue": Count(
                    "id", filter=Q(status=HandlingCase.Status.OPEN, kind=rules.CORRECTION, step="decided", deadline__lt=as_of)
                ),
                **{
                    f"ended_{k.code}": Count("id", filter=Q(kind=k.code, decided_on__year=as_of.year, status=HandlingCase.Status.CLOSED))
                    for k in rules.CASE_KINDS
                    if k.ends_membership
                },
            },
        ),
    }


def contribute(org, as_of: datetime.date | None = None, figures: dict | None = None) -> dict:
    """Last finished year's grades and the handling cases of org's subtree: one statement
    (the two tables together), or none when party_statistics sent aggregates() with the
    other sections' (`figures`)."""
    from django.utils import timezone

    as_of = as_of or timezone.localdate()
    if figures is None:
        with reporting():
            figures = aggregate_together(aggregates(org, as_of))
    return {"appraisal": {"label": "民主评议", "year": as_of.year - 1, **figures["grades"], "cases": figures["cases"]}}


def cards(stats: dict) -> list[tuple]:
    a = stats.get("appraisal")
    if not a:
        return []
    graded = a["graded"] or 0
    share = round(100 * a[rules.EXCELLENT] / graded, 1) if graded else None
    return [
        (f"{a['year']}年评议优秀", a[rules.EXCELLENT], "人", share),
        (f"{a['year']}年评议不合格", a[rules.UNQUALIFIED], "人", round(100 * a[rules.UNQUALIFIED] / graded, 1) if graded else None),
        ("办理中组织处置", a["cases"]["open"], "件", None),
    ]


def rows(stats: dict) -> list[tuple]:
    a = stats.get("appraisal")
    if not a:
        return []
    graded = a["graded"] or 0
    out = [("民主评议", f"{a['year']}年参评党员", a["appraised"], None)]
    for g, label in rules.GRADES:
        out.append(("民主评议", label, a[g], round(100 * a[g] / graded, 1) if graded else None))
    out.append(("组织处置", "办理中", a["cases"]["open"], None))
    out.append(("组织处置", "限期改正逾期", a["cases"]["overdue"], None))
    for k in rules.CASE_KINDS:
        if k.ends_membership:
            out.append(("组织处置", f"本年{k.label}", a["cases"][f"ended_{k.code}"], None))
    return out


def charts(stats: dict) -> dict:
    """The grades of the year's appraisal (not the number appraised beside them) and the
    handling cases."""
    a = stats.get("appraisal")
    if not a:
        return {}
    ended = [k for k in rules.CASE_KINDS if k.ends_membership]
    return {
        "appraisal_grades": {
            "title": f"{a['year']}年民主评议等次（人）",
            "labels": [label for _g, label in rules.GRADES],
            "values": [a[g] for g, _label in rules.GRADES],
        },
        "appraisal_cases": {
            "title": "组织处置（件）",
            "labels": ["办理中", "限期改正逾期", *(f"本年{k.label}" for k in ended)],
            "values": [a["cases"]["open"], a["cases"]["overdue"], *(a["cases"][f"ended_{k.code}"] for k in ended)],
        },
    }


def report_figures(org, year: int, month: int) -> list[tuple]:
    """registry.report_sections: the month's handling for the monthly report. One query."""
    start = datetime.date(year, month, 1)
    end = datetime.date(year + month // 12, month % 12 + 1, 1)
    with reporting():
        c = HandlingCase.objects.filter(org_path__startswith=org.path).aggregate(
            opened=Count("id", filter=Q(opened_on__gte=start, opened_on__lt=end)),
            decided=Count("id", filter=Q(decided_on__gte=start, decided_on__lt=end)),
            ended=Count("id", filter=Q(decided_on__gte=start, decided_on__lt=end, rejoin_blocked_until__isnull=False)),
            open=Count("id", filter=Q(status=HandlingCase.Status.OPEN, opened_on__lt=end)),
        )
    return [
        ("本月组织处置立案（件）", c["opened"]),
        ("本月作出处置决定（件）", c["decided"]),
        ("其中劝退、除名（人）", c["ended"]),
        ("月末办理中（件）", c["open"]),
    ]
