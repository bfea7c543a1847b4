"""Reads for the screens, exports, to-do and CLI of leadership and standardisation. Lists
are scoped with `restrict` and cost a fixed number of queries whatever their length."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, Max, Q, Sum
from django.http import Http404
from django.utils import timezone

from apps.core import registry
from apps.core.scoping import get_in_scope, user_scope
from apps.orgs.models import Organisation
from apps.orgs.picker import filtered_org

from . import rules
from .models import ContactAssignment, ContactVisit, Inspection, ItemScore, MonthlyReport, Rectification, SpotCheckRound
from .periods import parse_month, parse_period, period_range, quarter_of


def chosen_org(user, params, action: str = "view") -> Organisation | None:
    """?org=<id> (404 outside scope), else the top of the user's scope for the action."""
    raw = params.get("org")
    if raw:
        return get_in_scope(Organisation.objects.all(), user, action, pk=raw)
    scope = user_scope(user, action)
    qs = Organisation.objects.all() if scope.everything else Organisation.objects.filter(path__in=scope.paths)
    return qs.order_by("depth", "path").first()


def chosen_period(params, *, quarter: bool = True) -> tuple[int, int | None]:
    today = timezone.localdate()
    year = params.get("year") or today.year
    q = params.get("quarter") if "quarter" in params else (quarter_of(today) if quarter else None)
    try:
        return parse_period(year, q if quarter else None)
    except Exception:
        raise Http404("年度或季度格式错误") from None


def chosen_month(params) -> tuple[int, int]:
    today = timezone.localdate()
    last = today.replace(day=1) - datetime.timedelta(days=1)
    try:
        return parse_month(params.get("year") or last.year, params.get("month") or last.month)
    except Exception:
        raise Http404("年度或月份格式错误") from None


# ── contact duties ────────────────────────────────────────────────────────────────────
def assignments_for(user, params=None):
    """Contact assignments in the user's scope (the contacted organisation's subtree, or
    the leader's own), with their visits this quarter and the last visit, one query."""
    params = params or {}
    today = timezone.localdate()
    start, end = period_range(today.year, quarter_of(today))
    qs = ContactAssignment.objects.restrict(user, "view") | ContactAssignment.objects.filter(leader_id=getattr(user, "pk", None) or 0)
    qs = qs.select_related("leader", "organisation").annotate(
        visits_quarter=Count("visits", filter=Q(visits__date__gte=start, visits__date__lte=end)), last_visit=Max("visits__date")
    )
    year = str(params.get("year") or today.year).strip()  # ?year=all: every year
    if year.isdigit():
        qs = qs.filter(year=int(year))
    kind = params.get("kind") or ""
    if kind in rules.CONTACT_KIND_BY_CODE:
        qs = qs.filter(kind=kind)
    if params.get("mine"):
        qs = qs.filter(leader_id=getattr(user, "pk", None) or 0)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(leader__display_name__icontains=q) | Q(leader__username__icontains=q))
    return qs.order_by("-year", "leader__username", "kind", "id")


def assignment_in_scope(user, pk) -> ContactAssignment:
    """One assignment: the leader's own, or in the user's scope (404 otherwise)."""
    own = (
        ContactAssignment.objects.filter(pk=pk, leader_id=getattr(user, "pk", None) or 0).select_related("leader", "organisation").first()
        if str(pk).isdigit()
        else None
    )
    return own or get_in_scope(ContactAssignment.objects.select_related("leader", "organisation"), user, "view", pk=pk)


def visits_of(assignment):
    return ContactVisit.objects.filter(assignment=assignment).order_by("-date", "-id")


def pattern_gaps(leader, year: int, assignments) -> list[str]:
    """The kinds of the county leaders' pattern a leader does not hold this year."""
    held = {a.kind for a in assignments if a.leader_id == leader.pk and a.year == year and a.ended_on is None}
    return [rules.CONTACT_KIND_BY_CODE[k].label for k in rules.LEADER_PATTERN if k not in held]


def contact_gaps(user, on: datetime.date | None = None):
    """The user's own contact points without a visit this quarter."""
    on = on or timezone.localdate()
    start, end = period_range(on.year, quarter_of(on))
    return (
        ContactAssignment.objects.filter(leader_id=getattr(user, "pk", None) or 0, year=on.year, ended_on__isnull=True)
        .annotate(n=Count("visits", filter=Q(visits__date__gte=start, visits__date__lte=end)))
        .filter(n__lt=rules.VISITS_PER_QUARTER)
        .select_related("organisation")
        .order_by("kind", "id")
    )


# ── inspections ───────────────────────────────────────────────────────────────────────
def inspections_for(user, params=None, org=None):
    params = params or {}
    qs = Inspection.objects.restrict(user, "view").select_related("organisation", "version")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    kind = params.get("kind") or ""
    if kind in Inspection.Kind.values:
        qs = qs.filter(kind=kind)
    year = str(params.get("year") or "").strip()
    if year.isdigit():
        qs = qs.filter(year=int(year))
    quarter = str(params.get("quarter") or "").strip()
    if quarter in ("1", "2", "3", "4"):
        qs = qs.filter(quarter=int(quarter))
    status = params.get("status") or ""
    if status in Inspection.Status.values:
        qs = qs.filter(status=status)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(organisation__code__istartswith=q))
    return qs.order_by("-year", "-quarter", "org_path", "kind", "id")


def inspection_list(user, params):
    return inspections_for(user, params, filtered_org(user, params))


def score_rows(inspection):
    return list(ItemScore.objects.filter(inspection=inspection).select_related("item").order_by("item__order", "item_id"))


def ranking(org: Organisation, year: int, kind: str = Inspection.Kind.YEAR_END, quarter: int | None = None) -> list[dict]:
    """Inspections of the kind under org, best first, with rank (ties share a rank) and
    the percentage of full marks (versions may differ in full marks). One query."""
    qs = Inspection.objects.filter(org_path__startswith=org.path, year=year, kind=kind, status=Inspection.Status.SUBMITTED).select_related(
        "organisation"
    )
    if quarter and kind != Inspection.Kind.YEAR_END:
        qs = qs.filter(quarter=quarter)
    rows = []
    for i in qs:
        pct = (Decimal(i.total) * 100 / Decimal(i.max_total)).quantize(Decimal("0.01"), ROUND_HALF_UP) if i.max_total else Decimal(0)
        rows.append({"inspection": i, "org": i.organisation, "pct": pct, "total": i.total, "grade": i.grade})
    rows.sort(key=lambda r: (-r["pct"], r["org"].path))
    rank = 0
    previous = None
    for n, r in enumerate(rows, start=1):
        if r["pct"] != previous:
            rank, previous = n, r["pct"]
        r["rank"] = rank
    return rows


def open_rectifications(inspection_ids):
    return dict(
        Rectification.objects.filter(inspection_id__in=list(inspection_ids), status=Rectification.Status.OPEN)
        .values("inspection_id")
        .annotate(n=Count("id"))
        .values_list("inspection_id", "n")
    )


def rounds_for(user, org=None):
    qs = SpotCheckRound.objects.restrict(user, "view").select_related("organisation")
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    return qs.order_by("-year", "-quarter", "-id")


def rectifications_for(user, params=None):
    params = params or {}
    today = timezone.localdate()
    qs = Rectification.objects.restrict(user, "view").select_related("organisation", "inspection__organisation")
    status = params.get("status", "open")
    if status in Rectification.Status.values:
        qs = qs.filter(status=status)
    if params.get("overdue"):
        qs = qs.filter(status=Rectification.Status.OPEN, deadline__lt=today)
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(problem__icontains=q))
    return qs.order_by("status", "deadline", "id")


# ── branch health score ───────────────────────────────────────────────────────────────
def health(orgs, year: int, quarter: int | None) -> dict[int, dict]:
    """{org id: {"score": 0..100 | None, "lines": [...], "missing": [...]}} from every
    registered org metric: each metric weighs rules.HEALTH_WEIGHTS (or the default); the
    weights of the metrics that have data for the organisation are scaled to 100, so each
    line says how many of the 100 points it is worth and how many it earned, and the lines
    add up to the score ("why is this branch 72?"). One measure call per metric."""
    orgs = list(orgs)
    ids = [o.pk for o in orgs]
    measured = [
        (m, rules.HEALTH_WEIGHTS.get(m.name, rules.HEALTH_DEFAULT_WEIGHT), m.measure(ids, year, quarter)) for m in registry.org_metrics
    ]
    out = {}
    for o in orgs:
        present = [(m, w, res[o.pk]) for m, w, res in measured if o.pk in res]
        weight_sum = sum(w for _m, w, _r in present)
        lines = []
        exact = Decimal(0)
        for m, w, (share, reason) in present:
            worth = Decimal(w) * 100 / weight_sum
            share_d = min(max(Decimal(str(share)), Decimal(0)), Decimal(1))
            earned = worth * share_d
            exact += earned
            lines.append(
                {
                    "metric": m.name,
                    "title": m.title,
                    "worth": worth.quantize(Decimal("0.1"), ROUND_HALF_UP),
                    "share": (share_d * 100).quantize(Decimal("1"), ROUND_HALF_UP),
                    "earned": earned.quantize(Decimal("0.1"), ROUND_HALF_UP),
                    "lost": (worth - earned).quantize(Decimal("0.1"), ROUND_HALF_UP),
                    "reason": reason,
                }
            )
        lines.sort(key=lambda line: -line["lost"])
        out[o.pk] = {
            "score": int(exact.quantize(Decimal("1"), ROUND_HALF_UP)) if present else None,
            "exact": exact.quantize(Decimal("0.1"), ROUND_HALF_UP),
            "lines": lines,
            "missing": [m.title for m, _w, res in measured if o.pk not in res],
        }
    return out


def child_units(org: Organisation) -> list[Organisation]:
    from apps.orgs.selectors import child_units as units

    return units(org, or_self=True)


# ── monthly reports ───────────────────────────────────────────────────────────────────
def report_of(org: Organisation, year: int, month: int) -> MonthlyReport | None:
    return MonthlyReport.objects.filter(organisation=org, year=year, month=month).first()


def reports_for(user, params=None):
    params = params or {}
    qs = MonthlyReport.objects.restrict(user, "view").select_related("organisation")
    year = str(params.get("year") or "").strip()
    if year.isdigit():
        qs = qs.filter(year=int(year))
    month = str(params.get("month") or "").strip()
    if month.isdigit():
        qs = qs.filter(month=int(month))
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(organisation__name__icontains=q)
    return qs.order_by("-year", "-month", "org_path")


def circular(org: Organisation, year: int, month: int) -> dict:
    """The month's summary and 月通报 for the units one level below org: each unit's report
    (submitted, on time), its health score for the month's quarter, the ranking by health
    and the lagging units (no report, or health below rules.HEALTH_LAGGING_BELOW); the
    figures of the submitted reports summed by label. A fixed number of queries."""
    units = child_units(org)
    reports = {r.organisation_id: r for r in MonthlyReport.objects.filter(organisation__in=units, year=year, month=month)}
    scores = health(units, year, quarter_of(datetime.date(year, month, 1)))
    rows = []
    sums: dict[tuple[str, str], float] = {}
    for u in units:
        r = reports.get(u.pk)
        submitted = bool(r and r.status == MonthlyReport.Status.SUBMITTED)
        h = scores[u.pk]["score"]
        reasons = []
        if not submitted:
            reasons.append("未提交月报告")
        elif not r.on_time:
            reasons.append("月报告逾期提交")
        if h is not None and h < rules.HEALTH_LAGGING_BELOW:
            reasons.append(f"健康度{h}分，低于{rules.HEALTH_LAGGING_BELOW}分")
        rows.append(
            {
                "org": u,
                "report": r,
                "submitted": submitted,
                "health": h,
                "lagging": bool(reasons) and (not submitted or (h is not None and h < rules.HEALTH_LAGGING_BELOW)),
                "reasons": reasons,
            }
        )
        if submitted:
            for section in r.sections:
                for label, value in section.get("figures", []):
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        key = (section.get("title", ""), label)
                        sums[key] = sums.get(key, 0) + value
    ranked = sorted([r for r in rows if r["health"] is not None], key=lambda r: (-r["health"], r["org"].path))
    for n, r in enumerate(ranked, start=1):
        r["rank"] = n
    return {
        "org": org,
        "year": year,
        "month": month,
        "rows": rows,
        "ranked": ranked,
        "lagging": [r for r in rows if r["lagging"]],
        "submitted": sum(1 for r in rows if r["submitted"]),
        "sums": [(title, label, value) for (title, label), value in sums.items()],
    }


# ── to-do and home ────────────────────────────────────────────────────────────────────
def overdue_rectifications(user, on=None):
    on = on or timezone.localdate()
    return (
        Rectification.objects.restrict(user, "change")
        .filter(status=Rectification.Status.OPEN, deadline__lt=on)
        .select_related("organisation")
        .order_by("deadline", "id")
    )


def todo_items(user) -> list:
    from django.urls import reverse

    from apps.core.todo import TodoItem, first_of

    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return []
    today = timezone.localdate()
    items = []
    gaps_url = reverse("supervision:contacts") + "?mine=1"
    for a in first_of(
        contact_gaps(user, today), 10, items, module="挂钩联系", url=gaps_url, due=today, describe=lambda n: f"另有{n}个联系点本季度未走访"
    ):
        items.append(
            TodoItem(
                module="挂钩联系",
                title=f"{a.get_kind_display()}“{a.organisation}”本季度尚未走访",
                url=reverse("supervision:contact", args=[a.pk]),
                due=period_range(today.year, quarter_of(today))[1],
                org=str(a.organisation),
            )
        )
    if user_scope(user, "change").empty:
        return items
    rect_url = reverse("supervision:rectifications") + "?overdue=1"
    for r in first_of(
        overdue_rectifications(user, today), 10, items, module="十规范", url=rect_url, due=today, describe=lambda n: f"另有{n}项整改已超期"
    ):
        items.append(
            TodoItem(
                module="十规范",
                title=f"整改超期：{r.problem[:40]}",
                url=reverse("supervision:rectifications") + f"?org={r.organisation_id}",
                due=r.deadline,
                overdue=True,
                org=str(r.organisation),
            )
        )
    return items


# ── model points and instructors ──────────────────────────────────────────────────────
def points_for(user, params=None):
    params = params or {}
    from .models import ModelPoint

    qs = (
        ModelPoint.objects.restrict(user, "view")
        .select_related("organisation")
        .annotate(entries=Count("progress"), last_entry=Max("progress__date"))
    )
    status = params.get("status") or ""
    if status in ModelPoint.Status.values:
        qs = qs.filter(status=status)
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(theme__icontains=q))
    return qs.order_by("status", "org_path", "id")


def instructors_for(user, params=None):
    params = params or {}
    from .models import InstructorPost

    qs = (
        InstructorPost.objects.restrict(user, "view")
        .select_related("organisation")
        .annotate(report_count=Count("reports"), last_report=Max("reports__date"))
    )
    if not params.get("ended"):
        qs = qs.filter(end_date__isnull=True)
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(organisation__name__icontains=q) | Q(name__icontains=q))
    return qs.order_by("org_path", "-start_date", "id")


# ── 党务干部: who staffs the party work of each organisation ───────────────────────────
STAFF_ROLES = (("secretary", "书记"), ("deputy_secretary", "副书记"), ("organisation", "组织委员"))


def _committee_role_labels():
    from apps.orgs.rules import COMMITTEE_ROLES

    return dict(COMMITTEE_ROLES)


def staffing(org: Organisation) -> list[dict]:
    """Per unit below org (itself when it has none): the current committee seats counted
    by role over the unit's subtree, and the grassroots organisations of the subtree whose
    secretary or organisation committee member is missing. Three queries."""
    from apps.orgs.models import CommitteeMember
    from apps.orgs.rules import GRASSROOTS_TYPES

    units = child_units(org)
    seats = {}
    held = set()
    for org_id, path, role in CommitteeMember.objects.filter(organisation__path__startswith=org.path, end_date__isnull=True).values_list(
        "organisation_id", "organisation__path", "role"
    ):
        held.add((org_id, role))
        for u in units:
            if path.startswith(u.path):
                seats[(u.pk, role)] = seats.get((u.pk, role), 0) + 1
    grassroots = list(
        Organisation.objects.filter(
            path__startswith=org.path, org_type__in=GRASSROOTS_TYPES, status=Organisation.Status.ACTIVE
        ).values_list("id", "path", "name")
    )
    rows = []
    for u in units:
        mine = [g for g in grassroots if g[1].startswith(u.path)]
        no_secretary = [g[2] for g in mine if (g[0], "secretary") not in held]
        no_organiser = [g[2] for g in mine if (g[0], "organisation") not in held]
        rows.append(
            {
                "org": u,
                "counts": [(label, seats.get((u.pk, role), 0)) for role, label in STAFF_ROLES],
                "total": sum(n for (pk, _r), n in seats.items() if pk == u.pk),
                "grassroots": len(mine),
                "no_secretary": no_secretary,
                "no_organiser": no_organiser,
            }
        )
    return rows


# ── 四训 ──────────────────────────────────────────────────────────────────────────────
def trainings_for(user, params=None):
    """四训 records in the user's scope (the organiser's subtree), newest first; filters by
    kind, year and organisation. One query (the attendee count is stored)."""
    from .models import CadreTraining

    params = params or {}
    qs = CadreTraining.objects.restrict(user, "view").select_related("organisation")
    kind = params.get("kind") or ""
    if kind in rules.CADRE_TRAINING_KIND_BY_CODE:
        qs = qs.filter(kind=kind)
    year = str(params.get("year") or "").strip()
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(date__year=int(year))
    org = filtered_org(user, params)
    if org is not None:
        qs = qs.filter(org_path__startswith=org.path)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(organisation__name__icontains=q))
    return qs.order_by("-date", "-id")


def training_counts(org: Organisation, year: int) -> list[dict]:
    """Per kind: sessions held in the subtree this year against the yearly expectation of
    the organiser (rules.CADRE_TRAINING_KINDS), and the attendances. One query."""
    from .models import CadreTraining

    rows = dict(
        (k, (n, people))
        for k, n, people in CadreTraining.objects.filter(org_path__startswith=org.path, date__year=year)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"), people=Sum("attendee_count"))
        .values_list("kind", "n", "people")
    )
    return [
        {"kind": k, "held": rows.get(k.code, (0, 0))[0], "people": rows.get(k.code, (0, 0))[1] or 0, "expected": k.per_year}
        for k in rules.CADRE_TRAINING_KINDS
    ]


def cadre_choices(org: Organisation) -> list[tuple[int, str]]:
    """The party-work cadres of org's subtree (current committee seats): whom a 四训 trains.
    One query."""
    from apps.orgs.models import CommitteeMember

    seen, out = set(), []
    for mid, name, role, org_name in (
        CommitteeMember.objects.filter(organisation__path__startswith=org.path, end_date__isnull=True)
        .order_by("organisation__path", "role", "id")
        .values_list("member_id", "member__name", "role", "organisation__name")
    ):
        if mid not in seen:
            seen.add(mid)
            out.append((mid, f"{name}（{org_name}·{_committee_role_labels().get(role, role)}）"))
    return out


def training_year(params) -> int:
    """?year= (four digits) or this year."""
    raw = str((params or {}).get("year") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) == 4 else timezone.localdate().year


TRAINING_ORGANISERS = ("committee", "general_branch")


def training_units(user, params=None) -> list[dict]:
    """四训 per unit one level below the chosen organisation (the townships, for the
    county) in the year: per kind the sessions held in the unit's subtree against the
    organiser's yearly expectation (rules.CADRE_TRAINING_KINDS), the attendances and the
    study hours credited to the attendees' archives (hours × attendees). Sessions the
    chosen organisation held itself come first as 本级. The rows of the page and of its
    export (supervision_training_units). One grouped query plus the units."""
    from apps.orgs.selectors import child_units as units_below
    from apps.orgs.selectors import per_child

    from .models import CadreTraining

    params = params or {}
    org = chosen_org(user, params)
    if org is None:
        return []
    year = training_year(params)
    sums = per_child(
        org,
        CadreTraining.objects.filter(date__year=year),
        "org_path",
        by=("kind",),
        n=Count("id"),
        people=Sum("attendee_count"),
        person_hours=Sum(F("hours") * F("attendee_count"), output_field=DecimalField(max_digits=12, decimal_places=1)),
    )
    units = units_below(org)
    if any(key[0] == org.path for key in sums):
        units = [org, *units]
    rows = []
    for u in units:
        held = {k.code: (sums.get((u.path, k.code)) or {}).get("n") or 0 for k in rules.CADRE_TRAINING_KINDS}
        people = sum((sums.get((u.path, k.code)) or {}).get("people") or 0 for k in rules.CADRE_TRAINING_KINDS)
        hours = sum(((sums.get((u.path, k.code)) or {}).get("person_hours") or Decimal(0)) for k in rules.CADRE_TRAINING_KINDS)
        rows.append(
            {
                "org": u,
                "own": u.pk == org.pk,
                "year": year,
                "held": held,
                "kinds": [(k, held[k.code]) for k in rules.CADRE_TRAINING_KINDS],
                "total": sum(held.values()),
                "people": people,
                "hours": Decimal(hours).quantize(Decimal("0.1")),
                # the expectation is an organiser's: checked for the committees that hold 四训
                "short": [k.label for k in rules.CADRE_TRAINING_KINDS if held[k.code] < k.per_year]
                if u.pk != org.pk and u.org_type in TRAINING_ORGANISERS
                else [],
            }
        )
    return rows
