"""The 领导指导 section of the statistics page: contact duties, 十规范 and reports for an
organisation's subtree in the year of as_of, and the 四训 held (sessions per kind,
attendances, the study hours they credited). One statement whatever the size: the eight
tables' aggregates together (apps.core.aggregates), none of its own in party_statistics."""

import datetime

from django.db.models import Avg, Count, DecimalField, F, Q, Sum

from apps.core.aggregates import COUNT, aggregate_together

from . import rules
from .models import CadreTraining, ContactAssignment, ContactVisit, Inspection, InstructorPost, ModelPoint, MonthlyReport, Rectification


def aggregates(org, as_of: datetime.date) -> dict:
    """StatsSection.aggregates: the eight tables' one-row aggregates."""
    year = as_of.year
    sub = {"org_path__startswith": org.path}
    return {
        "contacts": (
            ContactAssignment.objects.filter(**sub, year=year, ended_on__isnull=True),
            {"n": Count("id"), "leaders": Count("leader", distinct=True)},
        ),
        "visits": (ContactVisit.objects.filter(**sub, date__year=year, date__lte=as_of), COUNT),
        "insp": (
            Inspection.objects.filter(**sub, year=year, status=Inspection.Status.SUBMITTED),
            {
                "self_checks": Count("id", filter=Q(kind=Inspection.Kind.SELF_CHECK)),
                "spot_checks": Count("id", filter=Q(kind=Inspection.Kind.SPOT_CHECK)),
                "evaluated": Count("id", filter=Q(kind=Inspection.Kind.YEAR_END)),
                "year_end_avg": Avg("total", filter=Q(kind=Inspection.Kind.YEAR_END)),
            },
        ),
        "rect": (
            Rectification.objects.filter(**sub),
            {
                "open": Count("id", filter=Q(status=Rectification.Status.OPEN)),
                "overdue": Count("id", filter=Q(status=Rectification.Status.OPEN, deadline__lt=as_of)),
                "done": Count("id", filter=Q(status=Rectification.Status.DONE, done_on__year=year)),
            },
        ),
        "reports": (
            MonthlyReport.objects.filter(**sub, year=year, status=MonthlyReport.Status.SUBMITTED),
            {"n": Count("id"), "on_time": Count("id", filter=Q(on_time=True))},
        ),
        "points": (
            ModelPoint.objects.filter(**sub),
            {
                "cultivating": Count("id", filter=Q(status=ModelPoint.Status.CULTIVATING)),
                "accepted": Count("id", filter=Q(status=ModelPoint.Status.ACCEPTED)),
            },
        ),
        "instructors": (InstructorPost.objects.filter(**sub, end_date__isnull=True), COUNT),
        # 四训 this year: sessions per kind (conditional counts), attendances, hours credited
        "trainings": (
            CadreTraining.objects.filter(**sub, date__year=year, date__lte=as_of),
            {
                **{f"n_{k.code}": Count("id", filter=Q(kind=k.code)) for k in rules.CADRE_TRAINING_KINDS},
                "people": Sum("attendee_count"),
                "hours": Sum(F("hours") * F("attendee_count"), output_field=DecimalField(max_digits=12, decimal_places=1)),
            },
        ),
    }


def contribute(org, as_of: datetime.date, figures: dict | None = None) -> dict:
    """`figures`: aggregates() as aggregate_together gives them when party_statistics sent
    them with the other sections'; otherwise sent here (one statement)."""
    year = as_of.year
    figures = aggregate_together(aggregates(org, as_of)) if figures is None else figures
    contacts, insp, rect, reports, points = (figures[k] for k in ("contacts", "insp", "rect", "reports", "points"))
    visits, instructors = figures["visits"]["n"], figures["instructors"]["n"]
    trainings = figures["trainings"]
    return {
        "supervision": {
            # the statistics page, its export and the dashboard's charts read the section
            # through apps.stats.selectors.flat_rows: its title and the row labels
            "label": "领导指导",
            "labels": {**LABELS, "trainings": f"{year}年四训（次）"},
            "year": str(year),  # a heading, not a figure (a string is not made a row)
            "points_cultivating": points["cultivating"],
            "points_accepted": points["accepted"],
            "instructors": instructors,
            "contacts": contacts["n"],
            "contact_leaders": contacts["leaders"],
            "visits": visits,
            "self_checks": insp["self_checks"],
            "spot_checks": insp["spot_checks"],
            "evaluated": insp["evaluated"],
            "year_end_avg": round(float(insp["year_end_avg"]), 1) if insp["year_end_avg"] is not None else None,
            "rect_open": rect["open"],
            "rect_overdue": rect["overdue"],
            "rect_done": rect["done"],
            "reports": reports["n"],
            "reports_on_time": reports["on_time"],
            # 四训 this year: sessions per kind, attendances, study hours credited
            "trainings": [{"label": k.label, "count": trainings[f"n_{k.code}"]} for k in rules.CADRE_TRAINING_KINDS],
            "training_people": trainings["people"] or 0,
            "training_hours": float(trainings["hours"] or 0),
        }
    }


LABELS = {
    "points_cultivating": "示范点·培育中（个）",
    "points_accepted": "示范点·已命名（个）",
    "instructors": "党建指导员·在岗（名）",
    "contacts": "挂钩联系点（个）",
    "contact_leaders": "联系领导（名）",
    "visits": "联系点走访（次）",
    "self_checks": "十规范季度自查·已提交（次）",
    "spot_checks": "十规范抽查·已提交（次）",
    "evaluated": "年终考评（个组织）",
    "year_end_avg": "年终考评平均分",
    "rect_open": "整改中（项）",
    "rect_overdue": "整改超期（项）",
    "rect_done": "本年整改完成（项）",
    "reports": "月报告·已提交（份）",
    "reports_on_time": "月报告·按时提交（份）",
    "training_people": "四训参训（人次）",
    "training_hours": "四训记入学时",
}


def cards(stats: dict) -> list[tuple]:
    s = stats["supervision"]
    return [
        (f"{s['year']}年联系点走访", s["visits"], "次", None),
        ("十规范自查", s["self_checks"], "次", None),
        ("整改超期", s["rect_overdue"], "项", None),
        (f"{s['year']}年四训参训", s.get("training_people", 0), "人次", None),
    ]


def rows(stats: dict) -> list[tuple]:
    s = stats["supervision"]
    return [
        ("领导指导", "挂钩联系点", s["contacts"], None),
        ("领导指导", "联系领导", s["contact_leaders"], None),
        ("领导指导", "联系点走访（次）", s["visits"], None),
        ("十规范", "季度自查（已提交）", s["self_checks"], None),
        ("十规范", "抽查（已提交）", s["spot_checks"], None),
        ("十规范", "年终考评（个组织）", s["evaluated"], None),
        ("十规范", "年终考评平均分", s["year_end_avg"] if s["year_end_avg"] is not None else "—", None),
        ("十规范", "整改中", s["rect_open"], None),
        ("十规范", "整改超期", s["rect_overdue"], None),
        ("十规范", "本年整改完成", s["rect_done"], None),
        ("示范点", "培育中", s["points_cultivating"], None),
        ("示范点", "已命名", s["points_accepted"], None),
        ("党建指导员", "在岗", s["instructors"], None),
        ("月报告", "已提交", s["reports"], None),
        ("月报告", "按时提交", s["reports_on_time"], None),
        *[(f"四训·{s['year']}年", f"{t['label']}（次）", t["count"], None) for t in s["trainings"]],
        (f"四训·{s['year']}年", "参训（人次）", s["training_people"], None),
        (f"四训·{s['year']}年", "记入学时", s["training_hours"], None),
    ]
