"""Organisational-life figures for the statistics dashboard: `contribute(org, as_of)`,
a fixed number of aggregate queries over the subtree (on the report replica when one is
configured)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum

from apps.core.dateparts import MonthOf
from apps.core.routers import reporting
from apps.orgs.models import Organisation

from . import compliance, rules, services
from .models import Attendance, Meeting

LABELS = {
    "year": "年度",
    "meetings": "本年召开组织生活会议（次）",
    "below_quorum": "未达法定人数的会议（次）",
    "attendance_rate": "党员参加率（%）",
    "orgs_due": "应开展组织生活的党组织（个）",
    "orgs_lagging": "未按要求开展的党组织（个）",
    "absent_warning": "连续3个月以上未参加（人）",
    "absent_case": "连续6个月以上未参加（人）",
    "month_meetings": "本月召开组织生活会议（次）",
    "theme_due": "本月应开展主题党日的党支部（个）",
    "theme_done": "本月已开展主题党日的党支部（个）",
}


def aggregates(org, as_of: datetime.date, *, charted_only: bool = False) -> dict:
    """StatsSection.aggregates: the branches due to hold this month's 主题党日 and those
    that held it (charted in both modes)."""
    month_start = as_of.replace(day=1)
    theme = rules.KIND_BY_CODE["theme_day"]
    held_theme = Meeting.objects.filter(
        organisation_id=OuterRef("pk"), kind=theme.code, status=Meeting.Status.HELD, held_on__gte=month_start, held_on__lte=as_of
    )
    return {
        "themes": (
            Organisation.objects.filter(path__startswith=org.path, status="active", org_type__in=list(theme.applies_to)),
            {"due": Count("id"), "done": Count("id", filter=Exists(held_theme))},
        )
    }


def contribute(org, as_of: datetime.date | None = None, *, charted_only: bool = False, figures: dict | None = None) -> dict:
    """This year's meetings of org's subtree by kind, the attendance rate, organisations
    behind the frequencies (ended periods) and members without party life; the month of
    as_of (meetings, branches that held this month's 主题党日) and the meetings of each
    month of the year. Seven statements (the rule version, the meetings, the 主题党日
    aggregate, three for the lagging organisations, the absences), six when
    party_statistics sent aggregates() with the other sections' (`figures`); charted_only
    (the dashboard): the members without party life (not charted) are None, one fewer."""
    from django.utils import timezone

    as_of = as_of or timezone.localdate()
    version = services.current_version()
    start = datetime.date(as_of.year, 1, 1)
    with reporting():
        meetings = Meeting.objects.filter(org_path__startswith=org.path, status=Meeting.Status.HELD, held_on__gte=start, held_on__lte=as_of)
        # One grouped pass over the year's meetings, by kind and month (the month in SQL,
        # apps.core.dateparts: no per-row Python function on SQLite).
        totals = dict.fromkeys(("n", "month", "below", "present", "elsewhere", "should"), 0)
        by_kind: dict[str, int] = {}
        by_month: dict[int, int] = {}
        for kind, m, n, below, present, elsewhere, should in (
            meetings.order_by()
            .values("kind", m=MonthOf("held_on"))
            .annotate(
                n=Count("id"),
                below=Count("id", filter=Q(quorum_met=False)),
                present=Sum("present"),
                elsewhere=Sum("elsewhere"),
                should=Sum("should_attend"),
            )
            .values_list("kind", "m", "n", "below", "present", "elsewhere", "should")
        ):
            by_kind[kind] = by_kind.get(kind, 0) + n
            by_month[m] = by_month.get(m, 0) + n
            totals["n"] += n
            totals["month"] += n if m == as_of.month else 0
            totals["below"] += below
            totals["present"] += present or 0
            totals["elsewhere"] += elsewhere or 0
            totals["should"] += should or 0
        if figures is None:
            qs, aggs = aggregates(org, as_of)["themes"]
            themes = qs.aggregate(**aggs)
        else:
            themes = figures["themes"]
        figures = compliance.lagging_figures(
            Organisation.objects.filter(path__startswith=org.path, status="active"), as_of.year, None, as_of, version
        )
        lagging = {"orgs_due": sum(due > 0 for _pk, _p, due, _m in figures), "orgs_lagging": sum(m > 0 for _pk, _p, _d, m in figures)}
        absent = {"warning": None, "case": None} if charted_only else _absent(org, as_of, version)
    should = totals["should"] or 0
    attended = (totals["present"] or 0) + (totals["elsewhere"] or 0)
    return {
        "orglife": {
            "label": "组织生活",
            "labels": LABELS,
            "year": as_of.year,
            "meetings": totals["n"],
            "below_quorum": totals["below"],
            "attendance_rate": round(100 * attended / should, 1) if should else None,
            "by_kind": {label: by_kind.get(code, 0) for code, label in rules.KIND_CHOICES},
            "orgs_due": lagging["orgs_due"],
            "orgs_lagging": lagging["orgs_lagging"],
            "absent_warning": absent["warning"],
            "absent_case": absent["case"],
            "month": as_of.month,
            "month_meetings": totals["month"],
            "theme_due": themes["due"],
            "theme_done": themes["done"],
            "by_month": {f"{m}月": by_month.get(m, 0) for m in range(1, as_of.month + 1)},
        }
    }


def _absent(org, as_of: datetime.date, version) -> dict:
    """Members without party life for warn_months (warning) and exit_months (case)."""
    warn = compliance.absence_queryset(Attendance.objects.filter(org_path__startswith=org.path), as_of, version.general("warn_months"))
    absent = {"warning": 0, "case": 0}
    exit_months = version.general("exit_months")
    for months in warn.values_list("months", flat=True):
        absent["warning"] += 1
        absent["case"] += months >= exit_months
    return absent


def cards(stats: dict) -> list[tuple]:
    s = stats.get("orglife")
    if not s:
        return []
    due = s["orgs_due"]
    ok_share = round(100 * (due - s["orgs_lagging"]) / due, 1) if due else None
    return [
        (f"{s['year']}年组织生活会议", s["meetings"], "次", None),
        ("组织生活按要求开展", "—" if ok_share is None else ok_share, "%", ok_share),
        ("党员参加率", "—" if s["attendance_rate"] is None else s["attendance_rate"], "%", s["attendance_rate"]),
        ("连续6个月未参加组织生活", s["absent_case"], "名", None),
        (f"{s['month']}月已开展主题党日的党支部", f"{s['theme_done']}/{s['theme_due']}", "个", None),
    ]


def charts(stats: dict) -> dict:
    """The year's meetings by month and by kind, and the organisations that hold
    organisational life against those behind (short labels: the table has the long ones)."""
    s = stats.get("orglife")
    if not s:
        return {}
    return {
        "orglife_orgs": {
            "title": f"{s['year']}年组织生活落实（个）",
            "labels": ["应开展的党组织", "未按要求开展", f"{s['month']}月应开主题党日", f"{s['month']}月已开主题党日"],
            "values": [s["orgs_due"], s["orgs_lagging"], s["theme_due"], s["theme_done"]],
        },
        "orglife_months": {"title": "组织生活·月度会议次数", "labels": list(s["by_month"]), "values": list(s["by_month"].values())},
        "orglife_kinds": {"title": "组织生活·会议类型（次）", "labels": list(s["by_kind"]), "values": list(s["by_kind"].values())},
    }


def rows(stats: dict) -> list[tuple]:
    s = stats.get("orglife")
    if not s:
        return []
    out = []
    keys = ("meetings", "below_quorum", "attendance_rate", "orgs_due", "orgs_lagging", "absent_warning", "absent_case")
    for key in (*keys, "month_meetings", "theme_due", "theme_done"):
        out.append(("组织生活", LABELS[key], s[key], None))
    for label, n in s["by_month"].items():
        out.append(("组织生活·月度会议次数", label, n, None))
    for label, n in s["by_kind"].items():
        out.append(("组织生活·会议类型", label, n, None))
    return out
