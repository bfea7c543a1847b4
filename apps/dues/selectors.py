"""Read-side queries for dues screens, reports and the to-do list. Each runs a fixed
number of SQL queries whatever the number of rows."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.core.scoping import get_in_scope, restrict
from apps.core.todo import TodoItem, first_of
from apps.members import codes as member_codes
from apps.members.models import Member
from apps.orgs import selectors as org_selectors
from apps.orgs.models import Organisation
from apps.orgs.picker import filtered_org

from . import months as mo
from . import rules
from .models import ArrearsCase, Collection, DuesLine, Reduction

ZERO = Decimal("0.00")


# ---------------------------------------------------------------------------
# What a dues page is about, from its query parameters (?org=, ?month=, ?year=). The pages
# and their Excel exports (apps.excel.lists) read them through these same functions.


def chosen_org(user, params, action: str = "view") -> Organisation | None:
    """?org=<id> (404 outside the user's scope for the action), else the top of the
    user's scope; None for a member-only user."""
    raw = params.get("org")
    if raw:
        return get_in_scope(Organisation.objects.all(), user, action, pk=raw)
    return visible_orgs(user, action).order_by("depth", "path").first()


def chosen_month(params, default: datetime.date | None = None) -> datetime.date:
    raw = params.get("month")
    if not raw:
        return default or mo.month_start(timezone.localdate())
    try:
        return mo.parse_month(raw)
    except ValidationError:
        raise Http404("月份格式错误")


def arrears_cutoff(as_of: datetime.date) -> datetime.date:
    """The last month that counts towards arrears: the current month is still payable."""
    return mo.shift(mo.month_start(as_of), -1)


NEVER = datetime.date(1, 1, 1)  # before any dues month: "no month settled yet"


# who counts in arrears: the members a branch still holds (not the suspended, not the ended)
ARREARS_STATUSES = member_codes.COUNTED_STATUSES


def unpaid_runs(lines, cutoff: datetime.date, minimum: int = 1):
    """Per member of the lines, the run of unpaid months up to the cutoff: the unpaid lines
    after the last month settled (paid, paid elsewhere, or exempt — a good reason) up to
    the cutoff, counted back across year boundaries; the settled month is looked up among
    all of the member's lines. Rows: member_id, months, first_unpaid, last_unpaid, for the
    members with at least `minimum` months. One query."""
    last_ok = (
        DuesLine.objects.filter(member_id=OuterRef("member_id"), month__lte=cutoff, status__in=DuesLine.SETTLED)
        .order_by("-month")
        .values("month")[:1]
    )
    return (
        lines.filter(status=DuesLine.Status.UNPAID, month__lte=cutoff)
        # one subquery per line: "no settled month, or unpaid after it" written as
        # `IS NULL OR month > (…)` made PostgreSQL run it twice per unpaid line
        # (docs/performance.md, dues at province scale)
        .annotate(last_ok=Coalesce(Subquery(last_ok), Value(NEVER)))
        .filter(month__gt=F("last_ok"))
        .order_by()
        .values("member_id")
        .annotate(months=Count("id"), first_unpaid=Min("month"), last_unpaid=Max("month"))
        .filter(months__gte=minimum)
    )


def arrears_queryset(lines, as_of: datetime.date, minimum: int = rules.ARREARS_WARNING):
    """The members of the lines (in ARREARS_STATUSES) with a run of at least `minimum`
    unpaid months up to the cutoff (unpaid_runs), counted live from the lines. Rows:
    member_id, organisation_id, org_path (the member's current organisation), months,
    first_unpaid, last_unpaid, longest first. One query."""
    return (
        unpaid_runs(lines.filter(member__status__in=ARREARS_STATUSES), arrears_cutoff(as_of), minimum)
        .annotate(organisation_id=Max("member__organisation_id"), org_path=Max("member__org_path"))
        .order_by("-months", "member_id")
    )


def arrears_rows(
    as_of: datetime.date, *, path: str = "", user=None, action: str = "view", q: str = "", minimum: int = rules.ARREARS_WARNING
):
    """The members in arrears (the rows of arrears_queryset) of the subtree at `path` and of
    the user's scope for the action, optionally matching q (name, pinyin, initials). A
    member counts where they are now held, with all of their lines. Read from the kept
    standing (standing.py) when it is current for the cutoff of as_of, else counted live
    from the lines. Two queries (the check and the rows)."""
    from apps.members.filters import search_members

    from . import standing

    cutoff = arrears_cutoff(as_of)
    matching = search_members(Member.objects.all(), q).values("pk") if (q or "").strip() else None
    if standing.current(cutoff):
        rows = standing.rows(cutoff, minimum, ARREARS_STATUSES)
        if path:
            rows = rows.filter(member__org_path__startswith=path)
        if user is not None:
            rows = restrict(rows, user, action)
        return rows if matching is None else rows.filter(member_id__in=matching)
    lines = DuesLine.objects.all()
    if path or user is not None:
        members = Member.objects.filter(org_path__startswith=path)
        if user is not None:
            members = restrict(members, user, action)
        lines = lines.filter(member_id__in=members.values("pk"))
    if matching is not None:
        lines = lines.filter(member_id__in=matching)
    return arrears_queryset(lines, as_of, minimum)


def arrears_for(user, org: Organisation | None, as_of: datetime.date, q: str = ""):
    """The arrears rows (arrears_rows) a user may see, optionally of one organisation's
    subtree and of the members matching q (name, pinyin, initials: search_members)."""
    return arrears_rows(as_of, path=org.path if org is not None else "", user=user, q=q)


def arrears_page(user, params, as_of: datetime.date | None = None, org=None):
    """The 欠缴提醒 page's rows (?org= ?q=), to complete with arrears_details."""
    if org is None:
        org = filtered_org(user, params)
    return arrears_for(user, org, as_of or timezone.localdate(), params.get("q", ""))


def arrears_cases(user, params=None, org=None):
    """The 处置记录 table of the arrears page (?org= ?q=), newest first."""
    from apps.members.filters import search_members

    params = params or {}
    if org is None and (params.get("org") or params.get("org_text")):
        org = filtered_org(user, params)
    cases = restrict(ArrearsCase.objects.all(), user, "view").select_related("member", "organisation")
    if org is not None:
        cases = cases.filter(org_path__startswith=org.path)
    q = (params.get("q") or "").strip()
    if q:
        cases = cases.filter(member_id__in=search_members(Member.objects.all(), q).values("pk"))
    return cases.order_by("-opened_on", "-id")


def arrears_list(user, org: Organisation | None, as_of: datetime.date, limit: int = 500) -> list[dict]:
    """The arrears list for a user (optionally one organisation's subtree): rows with the
    member, months, level and any open case. Three queries."""
    return arrears_details(list(arrears_for(user, org, as_of)[:limit]))


def arrears_details(rows: list[dict]) -> list[dict]:
    """Put member, level and open case on arrears rows. Two queries."""
    ids = [r["member_id"] for r in rows]
    members = Member.objects.filter(pk__in=ids).select_related("organisation").in_bulk()
    cases = {c.member_id: c for c in ArrearsCase.objects.filter(member_id__in=ids, status=ArrearsCase.Status.OPEN)}
    for r in rows:
        r["member"] = members.get(r["member_id"])
        r["level"], r["level_text"] = rules.arrears_level(r["months"]) or ("", "")
        r["case"] = cases.get(r["member_id"])
    return [r for r in rows if r["member"] is not None]


def arrears_counts(as_of: datetime.date, *, path: str = "", user=None, action: str = "view") -> dict:
    """{"warning": n≥3, "escalation": n≥5, "case": n≥6}: the members in arrears of the
    subtree at `path` and of the user's scope (arrears_rows). Two queries."""
    rows = arrears_rows(as_of, path=path, user=user, action=action).order_by()
    levels = {code: Count("member_id", filter=Q(months__gte=threshold)) for threshold, code, _ in rules.ARREARS_LEVELS}
    return {code: n or 0 for code, n in rows.aggregate(**levels).items()}


LEDGER_SHEET_SIZE = 1000  # lines on one screen of a branch's monthly ledger
MISSING_SHOWN = 200  # names listed of the members still lacking a declared base


def ledger_lines(org: Organisation, month: datetime.date, *, subtree: bool = False):
    """One month's ledger lines of org (subtree=True: of every organisation under it), in
    the sheet's order: organisation, then member name (pinyin)."""
    qs = DuesLine.objects.filter(org_path__startswith=org.path) if subtree else DuesLine.objects.filter(organisation=org)
    order = ("org_path", "member__name_pinyin", "member_id") if subtree else ("member__name_pinyin", "member_id")
    return qs.filter(month=month).select_related("member", "payment", "organisation").order_by(*order)


def ledger(org: Organisation, month: datetime.date, *, lines=None, limit: int = LEDGER_SHEET_SIZE, subtree: bool = False) -> dict:
    """The branch ledger of one month: lines with member, payment and "paid up to", the
    totals of the whole month (not only of the lines shown), and the members still lacking
    a declared base (the first MISSING_SHOWN and how many). `lines`: the lines to show (a
    page of ledger_lines), else the first `limit`. Six queries (subtree=True: every line
    under org, for exports; "paid up to" then takes one query per 5000 lines)."""
    from .services import paid_up_to_map

    qs = ledger_lines(org, month, subtree=subtree)
    lines = list(qs[:limit]) if lines is None else list(lines)
    paid_up = {}
    ids = [line.member_id for line in lines]
    for i in range(0, len(ids), 5000):
        paid_up.update(paid_up_to_map(ids[i : i + 5000]))
    for line in lines:
        line.paid_up_to = paid_up.get(line.member_id)
    lacking = (
        Member.objects.counted()
        .filter(organisation=org, join_date__lte=mo.month_end(month))
        .exclude(pk__in=DuesLine.objects.filter(month=month).values("member_id"))
    )
    missing = list(lacking.only("id", "name", "occupation").order_by("name_pinyin")[:MISSING_SHOWN])
    return {
        "lines": lines,
        "missing": missing,
        "missing_count": lacking.count(),
        "totals": month_totals(org, month, subtree=subtree),
    }


def month_totals(org: Organisation, month: datetime.date, *, subtree: bool = False) -> dict:
    """The ledger's summary cards: lines, settled lines, due and paid of the whole month. One query."""
    r = (
        ledger_lines(org, month, subtree=subtree)
        .order_by()
        .aggregate(
            count=Count("id"),
            paid_count=Count("id", filter=Q(status__in=DuesLine.SETTLED)),
            due=Sum("amount_due", filter=~Q(status=DuesLine.Status.PAID_ELSEWHERE)),
            paid=Sum("amount_due", filter=Q(status=DuesLine.Status.PAID)),
        )
    )
    return {"count": r["count"], "paid_count": r["paid_count"], "due": rules.money(r["due"]), "paid": rules.money(r["paid"])}


def reduction_list(user, params=None):
    """党费减免 page: the reductions in scope, newest first; ?q= (member name, pinyin,
    initials) and ?status=."""
    from apps.members.filters import search_members

    params = params or {}
    qs = restrict(Reduction.objects.all(), user, "view").select_related("member", "organisation")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(member_id__in=search_members(Member.objects.all(), q).values("pk"))
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.order_by("-proposed_on", "-id")


def collections_org(user, params) -> Organisation:
    org = chosen_org(user, params)
    if org is None:
        raise Http404("您没有可查看的党组织")
    return org


def collection_rows(user, params) -> list[dict]:
    """收缴上交 page's 下级对账 table (?org= &month=): child_summaries of the chosen month."""
    return collection_children(collections_org(user, params), chosen_month(params))


def collection_children(org: Organisation, month: datetime.date) -> list[dict]:
    return child_summaries(org, month) if org.numchild else []


def disclosure_page(user, params, as_of: datetime.date | None = None) -> dict:
    """党费公开 page (?org= &year=): a manager's chosen organisation, or a member's own
    branch; its rows (disclosure)."""
    today = as_of or timezone.localdate()
    try:
        year = int(params.get("year") or today.year)
    except ValueError:
        raise Http404("年度格式错误")
    org = chosen_org(user, params)
    member_only = org is None  # a member sees their own branch's summary and no manager tabs
    if org is None and user.member_id:
        org = Member.objects.select_related("organisation").get(pk=user.member_id).organisation
    if org is None:
        raise Http404("您没有可查看的党组织")
    return {"org": org, "year": year, "member_only": member_only, "rows": disclosure(org, year, today)}


def child_summaries(org: Organisation, month: datetime.date) -> list[dict]:
    """Per child organisation (one level down) for one month: expected, paid, counts and
    the hand-over record. Three queries."""
    children = org_selectors.child_units(org)
    by_prefix = org_selectors.per_child(
        org,
        DuesLine.objects.filter(month=month),
        "org_path",
        due=Sum("amount_due", filter=~Q(status=DuesLine.Status.PAID_ELSEWHERE)),
        paid=Sum("amount_due", filter=Q(status=DuesLine.Status.PAID)),
        lines=Count("id"),
        settled=Count("id", filter=Q(status__in=DuesLine.SETTLED)),
    )
    colls = {c.organisation_id: c for c in Collection.objects.filter(organisation__in=children, month=month)}
    out = []
    for child in children:
        r = by_prefix.get(child.path, {})
        lines, settled = r.get("lines", 0), r.get("settled", 0)
        out.append(
            {
                "org": child,
                "due": rules.money(r.get("due")),
                "paid": rules.money(r.get("paid")),
                "lines": lines,
                "settled": settled,
                "rate": round(100 * settled / lines, 1) if lines else None,
                "collection": colls.get(child.pk),
            }
        )
    return out


def rate_cutoff(as_of: datetime.date) -> datetime.date:
    """The paid-up rate (按时交纳率) counts months up to the previous one: the current month
    can still be paid. The disclosure page and the statistics use this same rule."""
    return mo.shift(mo.month_start(as_of), -1)


def disclosure(org: Organisation, year: int, as_of: datetime.date) -> list[dict]:
    """Dues disclosure (党费公开): per branch under org, the year's dues collected and the
    paid-up rate (months up to last month, as in the statistics); no personal amounts.
    Two queries."""
    cutoff = min(mo.month_start(as_of), datetime.date(year, 12, 1))
    due = Q(month__lte=rate_cutoff(as_of))
    agg = (
        DuesLine.objects.filter(org_path__startswith=org.path, month__gte=datetime.date(year, 1, 1), month__lte=cutoff)
        .values("organisation_id")
        .annotate(
            collected=Sum("amount_due", filter=Q(status=DuesLine.Status.PAID)),
            lines=Count("id", filter=due),
            settled=Count("id", filter=due & Q(status__in=DuesLine.SETTLED)),
            members=Count("member_id", distinct=True),
        )
        .order_by()
    )
    rows = {r["organisation_id"]: r for r in agg}
    orgs = Organisation.objects.filter(pk__in=list(rows)).order_by("path").only("id", "name", "short_name", "path")
    out = []
    for o in orgs:
        r = rows[o.pk]
        out.append(
            {
                "org": o,
                "collected": rules.money(r["collected"]),
                "members": r["members"],
                "rate": round(100 * r["settled"] / r["lines"], 1) if r["lines"] else None,
            }
        )
    return out


def member_history(member: Member) -> dict:
    """A member's own dues: lines and payments (querysets, newest first, for the page to
    page through), declarations, paid up to. Two queries."""
    from .services import paid_up_to_map

    return {
        "lines": DuesLine.objects.filter(member=member).select_related("organisation").order_by("-month", "-id"),
        "payments": member.dues_payments.order_by("-paid_on", "-id"),
        "declarations": list(member.dues_declarations.order_by("-effective_month")),
        "paid_up_to": paid_up_to_map([member.pk]).get(member.pk),
    }


TODO_EACH = 50  # items of one kind listed in the to-do list


def _listed(queryset, items: list, what: str, url: str, today, kind: str) -> list:
    """The first TODO_EACH of a kind of dues to-do (apps.core.todo.first_of)."""
    return first_of(
        queryset,
        TODO_EACH,
        items,
        module="党费",
        url=url,
        due=today,
        kind=kind,
        describe=lambda more: f"另有{more}{what}，此处只列{TODO_EACH}项",
    )


def arrears_exit_candidates(org_path: str, as_of: datetime.date):
    """registry.exit_triggers: members of the subtree with an open arrears case (6
    consecutive months unpaid without good reason, 党章第九条). One query."""
    rows = ArrearsCase.objects.filter(org_path__startswith=org_path, status=ArrearsCase.Status.OPEN, opened_on__lte=as_of)
    for member_id, opened_on, months in rows.order_by("opened_on", "id").values_list("member_id", "opened_on", "months_unpaid"):
        yield member_id, opened_on, f"无正当理由连续{months}个月未交纳党费"


def todo_items(user) -> list[TodoItem]:
    """Dues to-dos: open arrears cases, members at warning/escalation, reductions waiting
    for approval, hand-overs waiting for confirmation."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[TodoItem] = []
    today = timezone.localdate()
    cases = restrict(ArrearsCase.objects.filter(status=ArrearsCase.Status.OPEN), user, "change").select_related("member", "organisation")
    cases = _listed(cases, items, "个欠缴处置案件待支部大会决定", reverse("dues:arrears"), today, "欠缴处置")
    for c in cases:
        items.append(
            TodoItem(
                module="党费",
                title=f"{c.member.name}连续{c.months_unpaid}个月未交纳党费，请提交支部大会决定",
                url=reverse("dues:arrears_case", args=[c.pk]),
                due=c.opened_on,
                overdue=True,
                kind="欠缴处置",
                org=c.organisation.name,
            )
        )
    counts = arrears_counts(today, user=user, action="change")
    if counts.get("escalation", 0) - counts.get("case", 0) > 0:
        n = counts["escalation"] - counts["case"]
        items.append(
            TodoItem(
                module="党费",
                title=f"{n}名党员连续欠缴党费5个月，请上报预警",
                url=reverse("dues:arrears"),
                due=today,
                kind="欠缴预警",
                count=n,
            )
        )
    if counts.get("warning", 0) - counts.get("escalation", 0) > 0:
        n = counts["warning"] - counts["escalation"]
        items.append(
            TodoItem(
                module="党费",
                title=f"{n}名党员连续欠缴党费3至4个月，请谈话提醒",
                url=reverse("dues:arrears"),
                due=today,
                kind="欠缴提醒",
                count=n,
            )
        )
    pending = restrict(Reduction.objects.filter(status=Reduction.Status.PROPOSED), user, "approve").select_related("member", "organisation")
    pending = _listed(pending, items, "项党费减免申请待审批", reverse("dues:reductions") + "?status=proposed", today, "减免审批")
    for r in pending:
        items.append(
            TodoItem(
                module="党费",
                title=f"{r.member.name}党费{r.get_kind_display()}申请待审批",
                url=reverse("dues:reductions"),
                due=r.proposed_on,
                org=r.organisation.name,
                kind="减免审批",
            )
        )
    receivers = restrict(Organisation.objects.all(), user, "change").values("pk")
    waiting = Collection.objects.filter(status=Collection.Status.HANDED_OVER, handed_to__in=receivers).select_related("organisation")
    waiting = _listed(waiting, items, "笔上交党费待确认", reverse("dues:collections"), today, "上交确认")
    for c in waiting:
        items.append(
            TodoItem(
                module="党费",
                title=f"{c.organisation.name}{mo.label(c.month)}上交党费{c.handed_over}元待确认",
                url=reverse("dues:collections") + f"?month={c.month:%Y-%m}",
                due=c.handed_on,
                kind="上交确认",
            )
        )
    return items


def ledger_totals(org: Organisation, month: datetime.date) -> dict:
    """One month's totals for org's subtree: lines, settled lines, due and paid. One query."""
    r = DuesLine.objects.filter(org_path__startswith=org.path, month=month).aggregate(
        lines=Count("id"),
        settled=Count("id", filter=Q(status__in=DuesLine.SETTLED)),
        due=Sum("amount_due", filter=~Q(status=DuesLine.Status.PAID_ELSEWHERE)),
        paid=Sum("amount_due", filter=Q(status=DuesLine.Status.PAID)),
    )
    return {
        "lines": r["lines"],
        "settled": r["settled"],
        "due": rules.money(r["due"]),
        "paid": rules.money(r["paid"]),
        "rate": round(100 * r["settled"] / r["lines"], 1) if r["lines"] else None,
    }
