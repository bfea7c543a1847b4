"""What organisational life tells the rest of the product through apps.core.registry:
member facts, the exit trigger, the organisation metric and the monthly report section."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.orgs.models import Organisation

from . import compliance, rules, selectors, services
from .models import AbsenceCase, Attendance, Meeting


def member_facts(member_ids, year: int) -> dict[int, list[tuple]]:
    """A member's attendance in a year: meetings due, attended, on leave, absent without
    leave (ok: no unexcused absence). One query."""
    out = {}
    for mid, r in selectors.attendance_summary(member_ids, year).items():
        out[mid] = [
            ("应参加组织生活", f"{r['held']}次", None),
            ("参加", f"{r['attended']}次", None),
            ("请假", f"{r['leave']}次", None),
            ("无故缺席", f"{r['absent']}次", r["absent"] == 0),
        ]
    return out


def exit_candidates(org_path: str, as_of: datetime.date):
    """Members with ≥ exit_months months without party life and without good reason
    (compliance.absence_queryset; the threshold is the rule version's), less the runs the
    branch's general meeting closed on its case. Two queries."""
    version = services.current_version()
    months = version.general("exit_months")
    rows = list(compliance.absence_queryset(Attendance.objects.filter(org_path__startswith=org_path), as_of, months))
    # a run the branch's general meeting closed (恢复参加 / 有正当理由) is not handed on
    dismissed = set(
        AbsenceCase.objects.filter(
            member_id__in=[r["member_id"] for r in rows], status=AbsenceCase.Status.DECIDED, decision__in=rules.CASE_DISMISSED
        ).values_list("member_id", "first_month")
    )
    for r in rows:
        if (r["member_id"], r["first_month"]) in dismissed:
            continue
        yield (
            r["member_id"],
            r["first_month"],
            f"自{r['first_month']:%Y年%m月}起连续{r['months']}个月无正当理由不参加党的组织生活（满{months}个月）",
        )


def org_metric(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    """三会一课 and the other meetings held as required in the year (or quarter), with the
    reason in words. Three queries."""
    orgs = list(Organisation.objects.filter(pk__in=list(org_ids)))
    as_of = timezone.localdate()
    version = services.current_version()
    if quarter:
        start = datetime.date(year, 3 * quarter - 2, 1)
        months = [start.month, start.month + 1, start.month + 2]
        per_month = [compliance.org_compliance(orgs, year, m, as_of, version) for m in months]
        out = {}
        for o in orgs:
            rows = [r for detail in per_month for r in detail.get(o.pk, [])]
            out[o.pk] = compliance.share(rows)
        return out
    detail = compliance.org_compliance(orgs, year, None, as_of, version)
    return {o.pk: compliance.share(detail.get(o.pk, [])) for o in orgs}


def report_figures(org: Organisation, year: int, month: int) -> list[tuple]:
    """The month's meetings of the subtree for the monthly report upward. Two queries."""
    start, end = compliance.window(year, month)
    meetings = Meeting.objects.filter(org_path__startswith=org.path, status=Meeting.Status.HELD, held_on__gte=start, held_on__lte=end)
    by_kind = dict(meetings.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    totals = meetings.aggregate(
        n=Count("id"),
        below=Count("id", filter=Q(quorum_met=False)),
        present=Sum("present"),
        elsewhere=Sum("elsewhere"),
        should=Sum("should_attend"),
    )
    rows = [("召开组织生活会议", f"{totals['n']}次")]
    for code, label in rules.KIND_CHOICES:
        if by_kind.get(code):
            rows.append((label, f"{by_kind[code]}次"))
    should = totals["should"] or 0
    attended = (totals["present"] or 0) + (totals["elsewhere"] or 0)
    if should:
        rows.append(("党员参加率", f"{attended * 100 / should:.1f}%"))
    if totals["below"]:
        rows.append(("未达法定人数的会议", f"{totals['below']}次"))
    return rows
