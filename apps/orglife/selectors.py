"""Every read of organisational life for screens, exports, the to-do list, the CLI and the
cross-domain registries. Lists cost a fixed number of queries whatever their length."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from apps.core.figures import month_period, period
from apps.core.scoping import get_in_scope, restrict, user_scope
from apps.core.todo import TodoItem, first_of
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.picker import filtered_org

from . import compliance, rules, services
from .models import AbsenceCase, Attendance, Exclusion, Meeting


def chosen_org(user, params, action: str = "view") -> Organisation | None:
    """?org=<id> (404 outside scope), else the top of the user's scope (None: member only)."""
    raw = params.get("org")
    if raw:
        return get_in_scope(Organisation.objects.all(), user, action, pk=raw)
    return restrict(Organisation.objects.all(), user, action).order_by("depth", "path").first()


def chosen_year(params, default: int | None = None) -> int:
    raw = params.get("year")
    if not raw:
        return default or timezone.localdate().year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        raise Http404("年份格式错误") from None
    if not 2000 <= year <= 2100:
        raise Http404("年份超出范围")
    return year


def chosen_month(params) -> int | None:
    raw = params.get("month")
    if not raw:
        return None
    try:
        month = int(str(raw).split("-")[-1])
    except (TypeError, ValueError):
        raise Http404("月份格式错误") from None
    if not 1 <= month <= 12:
        raise Http404("月份超出范围")
    return month


# ── meetings ────────────────────────────────────────────────────────────────────────────
def meeting_list(user, params=None):
    """The 会议记录 list (?org= ?kind= ?year= ?month= ?q=), newest first."""
    params = params or {}
    qs = Meeting.objects.restrict(user, "view").select_related("organisation")
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    kind = params.get("kind")
    if kind in rules.KIND_BY_CODE:
        qs = qs.filter(kind=kind)
    if params.get("year"):
        year, month = chosen_year(params), chosen_month(params)
        # a date range, not held_on__month: SQLite extracts a month with a Python function per row
        start, end = month_period(year, month) if month else period(year)
        qs = qs.filter(held_on__gte=start, held_on__lt=end)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(theme__icontains=q) | Q(lecture_topic__icontains=q) | Q(organisation__name__icontains=q))
    if params.get("flag") == "below_quorum":
        qs = qs.filter(quorum_met=False)
    return qs.order_by("-held_on", "-id")


def meeting_detail(user, pk, action: str = "view") -> Meeting:
    return get_in_scope(Meeting.objects.select_related("organisation", "rule_version"), user, action, pk=pk)


def attendance_rows(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("member").order_by("status", "member__name_pinyin", "member_id"))


def roster(meeting: Meeting) -> list[dict]:
    """The people due at a meeting (before or after attendance is taken) with their current
    mark and any exclusion in force: the attendance form's rows. Three queries."""
    due = list(services.due_members(meeting.organisation, meeting.kind_rule, meeting.held_on).order_by("name_pinyin", "id"))
    marks = {a.member_id: a for a in meeting.attendance.all()}
    excluded = services.active_exclusions([m.pk for m in due], meeting.held_on)
    rows = []
    for m in due:
        a = marks.get(m.pk)
        rows.append(
            {
                "member": m,
                "status": rules.EXCLUDED if m.pk in excluded else (a.status if a else rules.PRESENT),
                "reason": a.reason if a else "",
                "host_org": a.host_org if a else "",
                "exclusion": excluded.get(m.pk),
                "mobile": m.status in rules.ELSEWHERE_STATUSES,
            }
        )
    return rows


def _month_days(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of day's month (for held_on__range)."""
    start, end = month_period(day.year, day.month)
    return start, end - datetime.timedelta(days=1)


def month_theme_day(org: Organisation, today: datetime.date) -> Meeting | None:
    return Meeting.objects.filter(organisation=org, kind="theme_day", held_on__range=_month_days(today)).order_by("held_on", "id").first()


def my_attendance(user, params=None):
    """A member's own attendance history, newest first."""
    if not getattr(user, "member_id", None):
        return Attendance.objects.none()
    qs = Attendance.objects.filter(member_id=user.member_id).select_related("meeting", "organisation")
    if (params or {}).get("year"):
        qs = qs.filter(meeting__held_on__year=chosen_year(params))
    return qs.order_by("-meeting__held_on", "-id")


def attendance_summary(member_ids, year: int) -> dict[int, dict]:
    """{member id: {held, attended, leave, absent, excluded}} in a year. One query."""
    rows = (
        Attendance.objects.filter(member_id__in=list(member_ids), month__year=year, meeting__status=Meeting.Status.HELD)
        .values("member_id")
        .annotate(
            held=Count("id", filter=~Q(status=rules.EXCLUDED)),
            attended=Count("id", filter=Q(status__in=rules.ATTENDED)),
            leave=Count("id", filter=Q(status=rules.LEAVE)),
            absent=Count("id", filter=Q(status=rules.ABSENT)),
            excluded=Count("id", filter=Q(status=rules.EXCLUDED)),
        )
    )
    return {r["member_id"]: r for r in rows}


# ── exclusions ──────────────────────────────────────────────────────────────────────────
def exclusion_list(user, params=None):
    params = params or {}
    qs = Exclusion.objects.restrict(user, "view").select_related("member", "organisation")
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("current"):
        today = timezone.localdate()
        qs = qs.filter(starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    q = (params.get("q") or "").strip()
    if q:
        from apps.members.filters import search_members

        qs = qs.filter(member_id__in=search_members(Member.objects.all(), q).values("pk"))
    return qs.order_by("-starts_on", "-id")


# ── compliance ──────────────────────────────────────────────────────────────────────────
def lagging_list(user, params=None, as_of: datetime.date | None = None):
    """Organisations in scope (of ?org='s subtree) that owe meetings in the year/month,
    most periods missing first: a list (compliance.annotate_lagging's grouped queries,
    a fixed number whatever the size of the subtree)."""
    params = params or {}
    as_of = as_of or timezone.localdate()
    version = services.current_version()
    orgs = restrict(Organisation.objects.filter(status="active"), user, "view")
    org = filtered_org(user, params)
    if org is not None:
        orgs = orgs.filter(path__startswith=org.path)
    q = (params.get("q") or "").strip()
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    rows = compliance.annotate_lagging(
        orgs, chosen_year(params), chosen_month(params), as_of, version, lagging_only=params.get("all") != "1"
    )
    return sorted(rows, key=lambda o: (-o.missing, o.path))


def lagging_details(orgs: list, params=None, as_of: datetime.date | None = None) -> list:
    """Complete a page of lagging organisations with their per-kind rows (two queries)."""
    params = params or {}
    as_of = as_of or timezone.localdate()
    detail = compliance.org_compliance(orgs, chosen_year(params), chosen_month(params), as_of, services.current_version())
    for o in orgs:
        o.kind_rows = detail.get(o.pk, [])
        o.lacking = "；".join(r.reason for r in o.kind_rows if r.overdue)
    return orgs


# ── months without party life ───────────────────────────────────────────────────────────
def absences_for(user, org: Organisation | None, as_of: datetime.date, minimum: int | None = None, q: str = ""):
    version = services.current_version()
    att = restrict(Attendance.objects.all(), user, "view")
    if org is not None:
        att = att.filter(org_path__startswith=org.path)
    if (q or "").strip():
        from apps.members.filters import search_members

        att = att.filter(member_id__in=search_members(Member.objects.all(), q).values("pk"))
    return compliance.absence_queryset(att, as_of, minimum or version.general("warn_months"))


def absence_page(user, params=None, as_of=None):
    params = params or {}
    return absences_for(user, filtered_org(user, params), as_of or timezone.localdate(), q=params.get("q", ""))


def absence_details(rows: list) -> list:
    """Complete a page of absence rows with the member and level. One query."""
    version = services.current_version()
    rows = [dict(r) for r in rows]
    members = Member.objects.select_related("organisation").in_bulk([r["member_id"] for r in rows])
    for r in rows:
        r["member"] = members.get(r["member_id"])
        r["level"], r["level_text"] = compliance.level(r["months"], version)
    return rows


# ── the branch's cases at 6 months ──────────────────────────────────────────────────────
def case_list(user, params=None):
    """不参加组织生活处置 (?org= ?status=open|decided ?q=), open ones first."""
    params = params or {}
    qs = AbsenceCase.objects.restrict(user, "view").select_related("member", "organisation")
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    if params.get("status") in AbsenceCase.Status.values:
        qs = qs.filter(status=params["status"])
    q = (params.get("q") or "").strip()
    if q:
        from apps.members.filters import search_members

        qs = qs.filter(member_id__in=search_members(Member.objects.all(), q).values("pk"))
    return qs.order_by("-status", "-opened_on", "-id")  # "open" sorts after "decided": descending puts it first


def case_detail(user, pk, action: str = "view") -> AbsenceCase:
    return get_in_scope(AbsenceCase.objects.select_related("member", "organisation"), user, action, pk=pk)


# ── to-do and home ──────────────────────────────────────────────────────────────────────
TODO_SHOWN = 10


def todo_items(user) -> list[TodoItem]:
    """本月主题党日未记录 / 本季度党课未开展 (for branches the user maintains, the period
    in progress) and members at the warning thresholds. A fixed number of queries."""
    if not getattr(user, "is_authenticated", False):
        return []
    scope = user_scope(user, "change")
    if scope.empty or (not scope.everything and not scope.paths):
        return []
    today = timezone.localdate()
    version = services.current_version()
    items: list[TodoItem] = []
    branches = restrict(
        Organisation.objects.filter(status="active", org_type__in=rules.KIND_BY_CODE["theme_day"].applies_to), user, "change"
    )
    for code in ("theme_day", "party_lecture"):
        freq = version.frequency(code)
        start, end = compliance.period_of(freq, today)
        held = Meeting.objects.filter(
            organisation_id=OuterRef("pk"), kind=code, status=Meeting.Status.HELD, held_on__gte=start, held_on__lte=end
        )
        owing = branches.annotate(done=Exists(held)).filter(done=False).order_by("path")
        label = rules.KIND_BY_CODE[code].label
        word = rules.PERIOD_WORD[freq]
        url = reverse("orglife:compliance")
        shown = first_of(
            owing,
            TODO_SHOWN,
            items,
            module="组织生活",
            url=url,
            due=end,
            describe=lambda n, w=word, lab=label: f"另有{n}个支部{w}{lab}未开展",
        )
        for org in shown:
            target = (
                reverse("orglife:quick") + f"?org={org.pk}"
                if code == "theme_day"
                else reverse("orglife:meeting_new") + f"?org={org.pk}&kind={code}"
            )
            items.append(
                TodoItem(
                    module="组织生活",
                    title=f"{word}{label}未{'记录' if code == 'theme_day' else '开展'}",
                    url=target,
                    due=end,
                    overdue=(end - today).days < 7,
                    org=org.name,
                )
            )
    open_cases = restrict(AbsenceCase.objects.filter(status=AbsenceCase.Status.OPEN), user, "change").select_related(
        "member", "organisation"
    )
    shown = first_of(
        open_cases.order_by("opened_on", "id"),
        TODO_SHOWN,
        items,
        module="组织生活",
        url=reverse("orglife:cases") + "?status=open",
        due=today,
        describe=lambda n: f"另有{n}件不参加组织生活处置待支部大会决定",
    )
    for case in shown:
        items.append(
            TodoItem(
                module="组织生活",
                title=f"{case.member.name}自{case.first_month:%Y年%m月}起连续{case.months}个月无正当理由未参加组织生活，请召开支部大会作出决定",
                url=reverse("orglife:case_detail", args=[case.pk]),
                due=case.opened_on,
                overdue=True,
                org=case.organisation.name,
            )
        )
    # members at the threshold who never had a case (the daily command opens them; a later
    # run of someone with an earlier case is opened by it and then listed above)
    att = restrict(Attendance.objects.all(), user, "change").exclude(member_id__in=AbsenceCase.objects.values("member_id"))
    pending = compliance.absence_queryset(att, today, version.general("exit_months"))
    shown = first_of(
        pending,
        TODO_SHOWN,
        items,
        module="组织生活",
        url=reverse("orglife:absences"),
        due=today,
        describe=lambda n: f"另有{n}名党员连续6个月以上未参加组织生活",
    )
    for row in absence_details(shown):
        m = row["member"]
        items.append(
            TodoItem(
                module="组织生活",
                title=f"{m.name}连续{row['months']}个月无正当理由未参加组织生活，请开启处置并提交支部大会",
                url=reverse("orglife:absences") + f"?org={m.organisation_id}",
                due=today,
                overdue=True,
                org=m.organisation.name,
            )
        )
    return items


def home_figures(user) -> list[tuple]:
    if user_scope(user, "view").empty or not (user_scope(user, "view").everything or user_scope(user, "view").paths):
        if getattr(user, "member_id", None):
            n = Attendance.objects.filter(
                member_id=user.member_id, month__year=timezone.localdate().year, status__in=rules.ATTENDED
            ).count()
            return [("今年参加组织生活", n, "次", reverse("orglife:my"))]
        return []
    today = timezone.localdate()
    # a date range (SQLite would extract the month of every meeting in scope with a Python
    # function: 39 → 7.7 ms CPU for the demo county's 29,446 meetings)
    meetings = Meeting.objects.restrict(user, "view").filter(held_on__range=_month_days(today), status=Meeting.Status.HELD)
    return [("本月组织生活会议", meetings.count(), "次", reverse("orglife:meetings") + f"?year={today.year}&month={today.month}")]


# ── the compliance report (the CLI and the API) ─────────────────────────────────────────
def report_as_of(year: int, month: int | None, today: datetime.date | None = None) -> datetime.date:
    """The reference date of a report on a window: today while the window runs, else the
    day after it ends (its last period is then over, and its last month counted)."""
    today = today or timezone.localdate()
    end = compliance.window(year, month)[1]
    return min(today, end + datetime.timedelta(days=1))


def compliance_report(user, org: Organisation, year: int, month: int | None = None, as_of: datetime.date | None = None) -> dict:
    """Per organisation of org's subtree that holds meetings: required and held counts per
    kind in the year (or month), and the members at the warning thresholds (3/5/6 months
    without party life). A fixed number of queries whatever the subtree's size (five)."""
    as_of = as_of or report_as_of(year, month)
    version = services.current_version()
    orgs = list(
        restrict(Organisation.objects.filter(path__startswith=org.path, org_type__in=rules.COMPLIANCE_TYPES), user, "view").order_by("path")
    )
    detail = compliance.org_compliance(orgs, year, month, as_of, version)
    att = restrict(Attendance.objects.filter(org_path__startswith=org.path), user, "view")
    absent_rows = absence_details(list(compliance.absence_queryset(att, as_of, version.general("warn_months"))))
    by_org: dict[int, list] = {}
    for r in absent_rows:
        if r["member"] is not None:
            by_org.setdefault(r["member"].organisation_id, []).append(r)
    out, totals = [], {"organisations": 0, "lagging": 0, "required": 0, "met": 0, "overdue": 0, "warning": 0, "escalation": 0, "case": 0}
    for o in orgs:
        kinds = detail.get(o.pk, [])
        people = by_org.pop(o.pk, [])
        if not kinds and not people:
            continue
        entry = {
            "code": o.code,
            "name": o.name,
            "kinds": [
                {
                    "kind": r.kind.code,
                    "label": r.kind.label,
                    "frequency": r.frequency,
                    "frequency_label": r.frequency_label,
                    "required": r.required,
                    "held": r.held,
                    "met": r.met,
                    "overdue": r.overdue,
                    "below_quorum": r.below_quorum,
                    "missing": [compliance.period_label(r.frequency, p) for p in r.missing],
                }
                for r in kinds
            ],
            "absences": [_absence_entry(r) for r in people],
        }
        entry["lagging"] = any(k["overdue"] for k in entry["kinds"])
        out.append(entry)
        totals["organisations"] += 1
        totals["lagging"] += entry["lagging"]
        for k in entry["kinds"]:
            totals["required"] += k["required"]
            totals["met"] += k["met"]
            totals["overdue"] += k["overdue"]
        for a in entry["absences"]:
            totals[a["level"]] += 1
    # members whose current organisation is outside the report's list (a party group)
    for people in by_org.values():
        for r in people:
            totals[r["level"]] += 1
    return {
        "organisation": {"code": org.code, "name": org.name},
        "year": year,
        "month": month,
        "as_of": as_of.isoformat(),
        "rule_version": version.pk,
        "thresholds": {k: version.general(k) for k in ("warn_months", "escalate_months", "exit_months")},
        "organisations": out,
        "totals": totals,
    }


def _absence_entry(r: dict) -> dict:
    return {
        "member": r["member"].name,
        "months": r["months"],
        "first_month": f"{r['first_month']:%Y-%m}",
        "last_month": f"{r['last_month']:%Y-%m}",
        "level": r["level"],
        "text": r["level_text"],
    }
