"""Reads of the care domain for screens, exports, the API, to-do and the CLI. Every list
starts from `restrict(user, action)` and costs a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.utils import timezone

from apps.core.figures import quarter_start
from apps.core.scoping import get_in_scope, restrict
from apps.members import codes as member_codes
from apps.members.filters import search_members
from apps.members.models import Member, MemberCategory
from apps.orgs.models import Organisation

from . import rules
from .models import (
    CareOccasion,
    ChecklistItem,
    Fund,
    FundApplication,
    FundMovement,
    Hardship,
    Household,
    HouseholdContact,
    Pairing,
    SubsidyPayment,
    SubsidyRate,
    Visit,
)


def chosen_org(user, params, action: str = "view") -> Organisation | None:
    """?org=<id> (404 outside scope), else the top of the user's scope; None for a member."""
    raw = params.get("org")
    if raw:
        return get_in_scope(Organisation.objects.all(), user, action, pk=raw)
    return restrict(Organisation.objects.all(), user, action).order_by("depth", "path").first()


def required_org(user, params, action: str = "view") -> Organisation:
    org = chosen_org(user, params, action)
    if org is None:
        raise Http404("您没有可查看的党组织")
    return org


def chosen_year(params, default: int | None = None) -> int:
    raw = params.get("year")
    today = timezone.localdate()
    if not raw:
        return default or today.year
    try:
        year = int(raw)
    except (TypeError, ValueError):
        raise Http404("年度格式错误")
    if not 2000 <= year <= today.year + 1:
        raise Http404("年度超出范围")
    return year


def _search(qs, params, lookup="member_id"):
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(**{f"{lookup}__in": search_members(Member.objects.all(), q).values("pk")})
    return qs


def _under(qs, user, params, field="org_path"):
    if params.get("org"):
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=params["org"])
        qs = qs.filter(**{f"{field}__startswith": org.path})
    return qs


def occasions(kind: str | None = None):
    qs = CareOccasion.objects.filter(active=True)
    return qs.filter(kind=kind) if kind else qs


# ── visits ───────────────────────────────────────────────────────────────────────────
def visit_list(user, params=None):
    """走访记录: visits in scope, newest first; ?q= member, ?occasion=code, ?year=, ?org=."""
    params = params or {}
    qs = restrict(Visit.objects.all(), user, "view").select_related("member", "organisation", "occasion")
    qs = _search(_under(qs, user, params), params)
    if params.get("occasion"):
        qs = qs.filter(occasion__code=params["occasion"])
    if params.get("year"):
        year = chosen_year(params)
        qs = qs.filter(visited_on__gte=datetime.date(year, 1, 1), visited_on__lte=datetime.date(year, 12, 31))
    if params.get("follow_up") == "open":
        qs = qs.exclude(follow_up="").filter(follow_up_done_on__isnull=True)
    return qs.order_by("-visited_on", "-id")


# ── checklists ───────────────────────────────────────────────────────────────────────
def checklist_items(user, params=None):
    """走访慰问清单 of an occasion and year (?occasion=code&year=&org=&state=todo|done&q=)."""
    params = params or {}
    occasion = chosen_occasion(params)
    year = chosen_year(params)
    qs = restrict(ChecklistItem.objects.filter(occasion=occasion, year=year), user, "view")
    qs = _search(_under(qs, user, params), params)
    if params.get("state") == "todo":
        qs = qs.filter(done_on__isnull=True)
    elif params.get("state") == "done":
        qs = qs.filter(done_on__isnull=False)
    return qs.select_related("member", "organisation", "occasion", "visit").order_by("org_path", "member_id")


def chosen_occasion(params) -> CareOccasion:
    code = params.get("occasion")
    qs = CareOccasion.objects.filter(kind__in=[CareOccasion.Kind.SEASONAL, CareOccasion.Kind.GREETING], active=True)
    occasion = qs.filter(code=code).first() if code else qs.first()
    if occasion is None:
        raise Http404("没有这个走访慰问事由")
    return occasion


def checklist_summary(org: Organisation, occasion: CareOccasion, year: int) -> list[dict]:
    """Per branch of org's subtree: listed and done, one aggregate query."""
    rows = (
        ChecklistItem.objects.filter(occasion=occasion, year=year, org_path__startswith=org.path)
        .values("organisation_id", "organisation__name")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
        .order_by("organisation__name")
    )
    return [{**r, "todo": r["total"] - r["done"], "percent": round(100 * r["done"] / r["total"]) if r["total"] else 0} for r in rows]


# ── hardship and pairings ────────────────────────────────────────────────────────────
def hardship_list(user, params=None):
    """困难党员名册: ?status=open|closed, ?cause=, ?level=, ?q=, ?org=. Each row carries its
    active pairings count (annotated: no query per row)."""
    params = params or {}
    qs = restrict(Hardship.objects.all(), user, "view").select_related("member", "organisation")
    qs = _search(_under(qs, user, params), params)
    for f in ("status", "cause", "level"):
        if params.get(f):
            qs = qs.filter(**{f: params[f]})
    return qs.annotate(active_pairings=Count("pairings", filter=Q(pairings__status="active"))).order_by("org_path", "-registered_on", "-id")


def pairing_list(user, params=None, as_of: datetime.date | None = None):
    """三包结对: ?status=, ?due=1 (no update for PAIRING_UPDATE_DAYS), ?q= (the hardship member)."""
    params = params or {}
    qs = restrict(Pairing.objects.all(), user, "view").select_related("hardship__member", "helper", "organisation")
    qs = _search(_under(qs, user, params), params, "hardship__member_id")
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("due"):
        qs = update_due(qs, as_of)
    return qs.order_by("org_path", "-started_on", "-id")


def update_due(qs, as_of: datetime.date | None = None):
    """Active pairings without an update for PAIRING_UPDATE_DAYS (or since they started)."""
    cutoff = (as_of or timezone.localdate()) - datetime.timedelta(days=rules.PAIRING_UPDATE_DAYS)
    return qs.filter(status=Pairing.Status.ACTIVE).filter(
        Q(last_update_on__lt=cutoff) | Q(last_update_on__isnull=True, started_on__lt=cutoff)
    )


# ── fund ─────────────────────────────────────────────────────────────────────────────
def fund_list(user, params=None):
    params = params or {}
    return _under(restrict(Fund.objects.all(), user, "view"), user, params).select_related("organisation").order_by("org_path", "id")


def movement_list(user, fund: Fund, params=None):
    params = params or {}
    qs = FundMovement.objects.filter(fund=fund).select_related("application__member")
    if params.get("year"):
        year = chosen_year(params)
        qs = qs.filter(on__year=year)
    return qs.order_by("-on", "-id")


def application_list(user, params=None):
    """互助基金申请 seen by the member's branch or the fund holder: ?status=, ?q=, ?fund=."""
    params = params or {}
    qs = restrict(FundApplication.objects.all(), user, "view").select_related("member", "organisation", "fund__organisation")
    qs = _search(qs, params)
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("fund"):
        qs = qs.filter(fund_id=params["fund"]) if str(params["fund"]).isdigit() else qs.none()
    return qs.order_by("-applied_on", "-id")


@dataclass
class Statement:
    fund: Fund
    year: int
    opening: Decimal
    contributions: Decimal
    allocations: Decimal
    payouts: Decimal
    closing: Decimal
    payout_count: int
    movements: list


def yearly_statement(fund: Fund, year: int) -> Statement:
    """年度收支报表: opening balance (movements before the year), income by kind, payouts,
    closing balance; two queries whatever the number of movements."""
    start = datetime.date(year, 1, 1)
    zero = rules.ZERO
    before = FundMovement.objects.filter(fund=fund, on__lt=start).aggregate(
        income=Sum("amount", filter=Q(kind__in=rules.INCOME_KINDS)), out=Sum("amount", filter=Q(kind="payout"))
    )
    opening = (before["income"] or zero) - (before["out"] or zero)
    movements = list(FundMovement.objects.filter(fund=fund, on__year=year).select_related("application__member").order_by("on", "id"))
    sums = {k: zero for k, _ in rules.MOVEMENT_KINDS}
    for m in movements:
        sums[m.kind] += m.amount
    closing = opening + sums["contribution"] + sums["allocation"] - sums["payout"]
    return Statement(
        fund,
        year,
        opening,
        sums["contribution"],
        sums["allocation"],
        sums["payout"],
        closing,
        sum(1 for m in movements if m.kind == "payout"),
        movements,
    )


# ── subsidies ────────────────────────────────────────────────────────────────────────
@dataclass
class EligibleRow:
    member: Member
    rate: SubsidyRate
    reasons: list[str]
    paid: SubsidyPayment | None


def _party_years(m: Member, on: datetime.date) -> int:
    return rules.years_between(m.conversion_date or m.join_date, on)


def eligible_for_subsidy(org: Organisation, year: int) -> list[EligibleRow]:
    """生活补助名单: counted members of org's subtree who meet a category of the year's
    rates (the highest amount applies), with the payment if already made. Three queries."""
    rates = list(SubsidyRate.objects.filter(year=year))
    if not rates:
        return []
    year_end = datetime.date(year, 12, 31)
    condition = Q(pk__in=[])
    for r in rates:
        if r.category == "pre_1949":
            condition |= Q(join_date__lt=rules.PRE_1949) | Q(pre_1949_tag=True)
        else:
            part = Q()
            if r.min_age:
                part &= Q(birth_date__lte=datetime.date(year - r.min_age, 12, 31))
            if r.min_party_years:
                cutoff = datetime.date(year - r.min_party_years, 12, 31)
                part &= Q(conversion_date__lte=cutoff) | Q(conversion_date__isnull=True, join_date__lte=cutoff)
            condition |= part
    members = (
        Member.objects.filter(org_path__startswith=org.path, status__in=member_codes.COUNTED_STATUSES)
        .annotate(pre_1949_tag=Exists(MemberCategory.objects.filter(member=OuterRef("pk"), code="pre_1949")))
        .filter(condition)
        .select_related("organisation")
        .order_by("org_path", "id")
    )
    rows = []
    for m in members:
        best, reasons = None, []
        for r in rates:
            if r.category == "pre_1949":
                ok = m.join_date < rules.PRE_1949 or m.pre_1949_tag
            else:
                ok = (not r.min_age or rules.age_on(m.birth_date, year_end) >= r.min_age) and (
                    not r.min_party_years or _party_years(m, year_end) >= r.min_party_years
                )
            if ok:
                reasons.append(r.get_category_display())
                if best is None or r.amount > best.amount:
                    best = r
        if best is not None:
            rows.append(EligibleRow(m, best, reasons, None))
    paid = {p.member_id: p for p in SubsidyPayment.objects.filter(year=year, member_id__in=[r.member.pk for r in rows])} if rows else {}
    for row in rows:
        row.paid = paid.get(row.member.pk)
    return rows


def subsidy_rows(user, params=None) -> list[EligibleRow]:
    """The eligible list of the chosen organisation and year (?org=&year=&state=paid|unpaid)."""
    params = params or {}
    org = required_org(user, params)
    rows = eligible_for_subsidy(org, chosen_year(params))
    if params.get("state") == "paid":
        rows = [r for r in rows if r.paid]
    elif params.get("state") == "unpaid":
        rows = [r for r in rows if not r.paid]
    return rows


def subsidy_payments(user, params=None):
    params = params or {}
    qs = restrict(SubsidyPayment.objects.all(), user, "view").select_related("member", "organisation")
    qs = _search(_under(qs, user, params), params)
    if params.get("year"):
        qs = qs.filter(year=chosen_year(params))
    return qs.order_by("-year", "org_path", "member_id")


# ── commendations and cadre preference ───────────────────────────────────────────────
def nomination_list(user, params=None):
    """表彰推荐 in scope: ?year=, ?kind=code, ?status=, ?q= (member)."""
    from .models import Nomination

    params = params or {}
    qs = restrict(Nomination.objects.all(), user, "view").select_related("kind", "member", "nominee_org", "organisation")
    qs = _under(qs, user, params)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(member_id__in=search_members(Member.objects.all(), q).values("pk")) | Q(nominee_org__name__contains=q))
    if params.get("year"):
        qs = qs.filter(year=chosen_year(params))
    if params.get("kind"):
        qs = qs.filter(kind__code=params["kind"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    return qs.order_by("-year", "kind__order", "org_path", "id")


def honour_roll(user, params=None):
    """光荣榜: approved commendations of the chosen organisation's subtree (?org=&year=)."""
    params = params.dict() if hasattr(params, "dict") else dict(params or {})
    return nomination_list(user, {**params, "status": "approved"})


def my_awards(user):
    from .models import Nomination

    if not getattr(user, "member_id", None):
        return Nomination.objects.none()
    return (
        Nomination.objects.filter(member_id=user.member_id, status="approved")
        .select_related("kind", "organisation")
        .order_by("-year", "id")
    )


def cadre_candidates(user, params=None, as_of: datetime.date | None = None):
    """后备干部人选 (三培养): full members in normal standing, aged CADRE_MAX_AGE or under
    with high-school education or above, in the chosen subtree; each with their awards of
    the last AWARD_YEARS years (annotated), the most awarded first. ?org=&q=."""
    params = params or {}
    as_of = as_of or timezone.localdate()
    qs = restrict(Member.objects.filter(status="normal", member_type="full"), user, "view")
    qs = _under(qs, user, params)
    qs = search_members(qs, params.get("q", ""))
    born_after = datetime.date(as_of.year - rules.CADRE_MAX_AGE - 1, as_of.month, min(as_of.day, 28))
    qs = qs.filter(birth_date__gt=born_after, education__in=rules.CADRE_EDUCATION)
    return (
        qs.annotate(
            awards=Count(
                "care_nominations",
                filter=Q(care_nominations__status="approved", care_nominations__year__gte=as_of.year - rules.AWARD_YEARS + 1),
            )
        )
        .select_related("organisation")
        .order_by("-awards", "name_pinyin", "id")
    )


def candidate_details(rows, as_of: datetime.date | None = None) -> list[dict]:
    """For one page of candidates: the failed member checks and the facts other domains
    know (registry.member_checks / member_facts), a fixed number of queries per provider."""
    from apps.core import registry

    as_of = as_of or timezone.localdate()
    ids = [m.pk for m in rows]
    failed: dict[int, list[str]] = {}
    facts: dict[int, list] = {}
    if ids:
        for check in registry.member_checks:
            for mid, reason in check.check(ids, as_of).items():
                failed.setdefault(mid, []).append(f"{check.title}：{reason}")
        for provider in registry.member_facts:
            for mid, items in provider.facts(ids, as_of.year).items():
                facts.setdefault(mid, []).extend(items)
    return [{"member": m, "failed": failed.get(m.pk, []), "facts": facts.get(m.pk, [])} for m in rows]


# ── 联系群众 ───────────────────────────────────────────────────────────────────────────
def _gap(qs, as_of=None):
    """Active households not contacted for CONTACT_GAP_DAYS (or never, since then)."""
    cutoff = (as_of or timezone.localdate()) - datetime.timedelta(days=rules.CONTACT_GAP_DAYS)
    return qs.filter(status=Household.Status.ACTIVE).filter(
        Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, since_on__lt=cutoff)
    )


def not_contacted_this_quarter(qs, as_of: datetime.date | None = None):
    """Active households with no contact since the quarter began (the to-do and the
    statistics' gaps of the quarter)."""
    start = quarter_start(as_of or timezone.localdate())
    return qs.filter(status=Household.Status.ACTIVE).filter(Q(last_contact_on__lt=start) | Q(last_contact_on__isnull=True))


def household_list(user, params=None, as_of: datetime.date | None = None):
    """党员联系户 in scope: ?org=, ?q= (户主 or the member), ?needy=1, ?gap=1 (not contacted
    for CONTACT_GAP_DAYS), ?gap=quarter (not contacted this quarter), ?status= (default: active)."""
    params = params or {}
    qs = _under(restrict(Household.objects.all(), user, "view"), user, params).select_related("member", "organisation")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(head_name__startswith=q) | Q(member_id__in=search_members(Member.objects.all(), q).values("pk")))
    status = params.get("status") or Household.Status.ACTIVE
    if status in Household.Status.values:
        qs = qs.filter(status=status)
    if params.get("needy"):
        qs = qs.filter(needy=True)
    if params.get("gap") == "quarter":
        qs = not_contacted_this_quarter(qs, as_of)
    elif params.get("gap"):
        qs = _gap(qs, as_of)
    return qs.order_by("org_path", "member_id", "id")


def household_summary(user, params=None, as_of: datetime.date | None = None) -> list[dict]:
    """Per organisation of the chosen subtree (a township's branches): active households,
    needy ones, gaps and this year's contacts. Two grouped queries whatever the size."""
    params = params or {}
    as_of = as_of or timezone.localdate()
    cutoff = as_of - datetime.timedelta(days=rules.CONTACT_GAP_DAYS)
    base = _under(restrict(Household.objects.filter(status=Household.Status.ACTIVE), user, "view"), user, params)
    rows = list(
        base.values("organisation_id", "organisation__name")
        .annotate(
            households=Count("id"),
            needy=Count("id", filter=Q(needy=True)),
            members=Count("member_id", distinct=True),
            gaps=Count("id", filter=Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, since_on__lt=cutoff)),
        )
        .order_by("organisation__name")
    )
    contacts = dict(
        HouseholdContact.objects.filter(household__in=base.values("pk"), on__year=as_of.year)
        .values("household__organisation_id")
        .annotate(n=Count("id"))
        .values_list("household__organisation_id", "n")
    )
    for r in rows:
        r["contacts"] = contacts.get(r["organisation_id"], 0)
    return rows


def household_contacts(household, limit: int = 100):
    return list(HouseholdContact.objects.filter(household=household).order_by("-on", "-id")[:limit])


def my_households(user):
    if not getattr(user, "member_id", None):
        return Household.objects.none()
    return Household.objects.filter(member_id=user.member_id, status=Household.Status.ACTIVE).order_by("id")
