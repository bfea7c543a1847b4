"""The 领导指导 section of the statistics page: contact duties, 十规范 and reports for an
organisation's subtree in the year of as_of. Seven aggregate queries whatever the size."""

import datetime

from django.db.models import Avg, Count, Q

from .models import ContactAssignment, ContactVisit, Inspection, InstructorPost, ModelPoint, MonthlyReport, Rectification


def contribute(org, as_of: datetime.date) -> dict:
    year = as_of.year
    contacts = ContactAssignment.objects.filter(org_path__startswith=org.path, year=year, ended_on__isnull=True).aggregate(
        n=Count("id"), leaders=Count("leader", distinct=True)
    )
    visits = ContactVisit.objects.filter(org_path__startswith=org.path, date__year=year, date__lte=as_of).count()
    insp = Inspection.objects.filter(org_path__startswith=org.path, year=year, status=Inspection.Status.SUBMITTED).aggregate(
        self_checks=Count("id", filter=Q(kind=Inspection.Kind.SELF_CHECK)),
        spot_checks=Count("id", filter=Q(kind=Inspection.Kind.SPOT_CHECK)),
        evaluated=Count("id", filter=Q(kind=Inspection.Kind.YEAR_END)),
        year_end_avg=Avg("total", filter=Q(kind=Inspection.Kind.YEAR_END)),
    )
    rect = Rectification.objects.filter(org_path__startswith=org.path).aggregate(
        open=Count("id", filter=Q(status=Rectification.Status.OPEN)),
        overdue=Count("id", filter=Q(status=Rectification.Status.OPEN, deadline__lt=as_of)),
        done=Count("id", filter=Q(status=Rectification.Status.DONE, done_on__year=year)),
    )
    reports = MonthlyReport.objects.filter(org_path__startswith=org.path, year=year, status=MonthlyReport.Status.SUBMITTED).aggregate(
        n=Count("id"), on_time=Count("id", filter=Q(on_time=True))
    )
    points = ModelPoint.objects.filter(org_path__startswith=org.path).aggregate(
        cultivating=Count("id", filter=Q(status=ModelPoint.Status.CULTIVATING)),
        accepted=Count("id", filter=Q(status=ModelPoint.Status.ACCEPTED)),
    )
    instructors = InstructorPost.objects.filter(org_path__startswith=org.path, end_date__isnull=True).count()
    return {
        "supervision": {
            "points_cultivating": points["cultivating"],
            "points_accepted": points["accepted"],
            "instructors": instructors,
            "year": year,
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
        }
    }


def cards(stats: dict) -> list[tuple]:
    s = stats["supervision"]
    return [
        (f"{s['year']}年联系点走访", s["visits"], "次", None),
        ("十规范自查", s["self_checks"], "次", None),
        ("整改超期", s["rect_overdue"], "项", None),
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
    ]
