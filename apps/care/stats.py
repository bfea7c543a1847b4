"""Care figures for the statistics dashboard, the monthly report, the home page, the
to-do list and the organisation metrics. Each is a fixed number of aggregate queries over
the subtree (`org_path__startswith`)."""

import datetime

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from apps.core.aggregates import aggregate_together
from apps.core.figures import enclosing, labelled_rows, managed_scope, month_period, pct, quarter_start, sum_into_subtrees, within
from apps.core.scoping import restrict
from apps.core.todo import TodoItem, add_first
from apps.orgs.models import Organisation

from . import rules
from .models import ChecklistItem, FundApplication, Hardship, Household, Pairing, SubsidyPayment, Visit
from .selectors import not_contacted_this_quarter, update_due

LABELS = {
    "year": "年度",
    "visits": "本年走访（次）",
    "visit_amount": "本年慰问金（元）",
    "checklist_total": "节日走访慰问对象（人次）",
    "checklist_done": "已走访慰问（人次）",
    "hardship_open": "在册困难党员（人）",
    "hardship_paired": "其中已结对帮扶（人）",
    "hardship_closed": "本年脱困（人）",
    "fund_paid": "本年互助基金救助（元）",
    "subsidy_paid": "本年生活补助发放（元）",
    "households": "党员联系户（户，联系中）",
    "households_contacted": "本季度已联系（户）",
    "households_gap": "本季度未联系（户）",
}


def aggregates(org, as_of: datetime.date) -> dict:
    """StatsSection.aggregates: the six tables' one-row aggregates."""
    start = datetime.date(as_of.year, 1, 1)
    sub = {"org_path__startswith": org.path}
    return {
        "visits": (
            Visit.objects.filter(**sub, visited_on__gte=start, visited_on__lte=as_of),
            {"n": Count("id"), "amount": Sum("amount")},
        ),
        "checklist": (
            ChecklistItem.objects.filter(**sub, year=as_of.year, occasion__kind="seasonal"),
            {"total": Count("id"), "done": Count("id", filter=Q(done_on__isnull=False))},
        ),
        "hardship": (
            Hardship.objects.filter(**sub),
            {
                "open": Count("id", filter=Q(status="open")),
                "paired": Count("id", filter=Q(status="open", pairings__status="active"), distinct=True),
                "closed": Count("id", filter=Q(status="closed", closed_on__gte=start), distinct=True),
            },
        ),
        "fund": (FundApplication.objects.filter(**sub, status="paid", decided_on__gte=start), {"s": Sum("approved_amount")}),
        "subsidy": (SubsidyPayment.objects.filter(**sub, year=as_of.year), {"s": Sum("amount")}),
        "households": (
            Household.objects.filter(**sub, status=Household.Status.ACTIVE),
            {"n": Count("id"), "contacted": Count("id", filter=Q(last_contact_on__gte=quarter_start(as_of)))},
        ),
    }


def contribute(org, as_of: datetime.date | None = None, figures: dict | None = None) -> dict:
    """`figures`: aggregates() as aggregate_together gives them when party_statistics sent
    them with the other sections'; otherwise sent here (one statement)."""
    as_of = as_of or timezone.localdate()
    figures = aggregate_together(aggregates(org, as_of)) if figures is None else figures
    visits, checklist, hardship, households = (figures[k] for k in ("visits", "checklist", "hardship", "households"))
    fund_paid, subsidy = figures["fund"]["s"], figures["subsidy"]["s"]
    return {
        "care": {
            "label": "关怀帮扶",
            "labels": LABELS,
            "year": as_of.year,
            "visits": visits["n"],
            "visit_amount": str(visits["amount"] or rules.ZERO),
            "checklist_total": checklist["total"],
            "checklist_done": checklist["done"],
            "hardship_open": hardship["open"],
            "hardship_paired": hardship["paired"],
            "hardship_closed": hardship["closed"],
            "fund_paid": str(fund_paid or rules.ZERO),
            "subsidy_paid": str(subsidy or rules.ZERO),
            "households": households["n"],
            "households_contacted": households["contacted"],
            "households_gap": households["n"] - households["contacted"],
        }
    }


def cards(stats: dict) -> list[tuple]:
    c = stats["care"]
    return [
        (f"{c['year']}年走访党员", c["visits"], "次", None),
        ("节日走访慰问完成", c["checklist_done"], "人次", pct(c["checklist_done"], c["checklist_total"])),
        ("在册困难党员", c["hardship_open"], "人", None),
        ("困难党员结对帮扶", c["hardship_paired"], "人", pct(c["hardship_paired"], c["hardship_open"])),
        ("联系户本季度已联系", c["households_contacted"], "户", pct(c["households_contacted"], c["households"])),
    ]


def rows(stats: dict) -> list[tuple]:
    return labelled_rows("关怀帮扶", stats["care"], LABELS)


# ── monthly report upward ────────────────────────────────────────────────────────────
def report_figures(org, year: int, month: int) -> list[tuple]:
    start, end = month_period(year, month)
    sub = {"org_path__startswith": org.path}
    visits = Visit.objects.filter(**sub, visited_on__gte=start, visited_on__lt=end).aggregate(n=Count("id"), amount=Sum("amount"))
    hardship = Hardship.objects.filter(**sub).aggregate(
        new=Count("id", filter=Q(registered_on__gte=start, registered_on__lt=end)),
        closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lt=end)),
        open=Count("id", filter=Q(status="open", registered_on__lt=end)),
    )
    paid = FundApplication.objects.filter(**sub, status="paid", movements__on__gte=start, movements__on__lt=end).aggregate(
        n=Count("id"), s=Sum("approved_amount")
    )
    return [
        ("走访党员（次）", visits["n"]),
        ("慰问金（元）", str(visits["amount"] or rules.ZERO)),
        ("新登记困难党员（人）", hardship["new"]),
        ("困难党员脱困（人）", hardship["closed"]),
        ("月末在册困难党员（人）", hardship["open"]),
        ("互助基金救助（笔/元）", f"{paid['n']}/{paid['s'] or rules.ZERO}"),
    ]


# ── organisation metrics: seasonal visits done; hardship members paired ──────────────
def _paths(org_ids) -> dict[int, str]:
    return dict(Organisation.objects.filter(pk__in=list(org_ids)).values_list("pk", "path"))


def measure_visits(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    """Share of the year's seasonal checklist visited (春节/七一 走访慰问), per organisation
    subtree. Quarter is ignored: the checklist is yearly. One grouped query for all the
    organisations (per branch path, summed into each subtree)."""
    paths = _paths(org_ids)
    rows = (
        ChecklistItem.objects.filter(enclosing(paths.values()), year=year, occasion__kind="seasonal")
        .values("org_path")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
        .order_by()
    )
    sums = sum_into_subtrees(rows, paths, ("total", "done"))
    out = {}
    for pk, agg in sums.items():
        if agg["total"]:
            out[pk] = (agg["done"] / agg["total"], f"{year}年节日走访慰问清单{agg['total']}人次，已完成{agg['done']}人次")
        else:
            out[pk] = (0.0, f"{year}年尚未生成节日走访慰问清单")
    return out


def measure_pairing(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    """Share of open hardship members with an active 三包 pairing updated within the rule.
    Two grouped queries for all the organisations."""
    paths = _paths(org_ids)
    hardships = (
        Hardship.objects.filter(enclosing(paths.values()), status="open")
        .values("org_path")
        .annotate(total=Count("id", distinct=True), paired=Count("id", filter=Q(pairings__status="active"), distinct=True))
        .order_by()
    )
    due = update_due(Pairing.objects.filter(enclosing(paths.values()))).values("org_path").annotate(due=Count("id")).order_by()
    sums = sum_into_subtrees(hardships, paths, ("total", "paired"))
    dues = sum_into_subtrees(due, paths, ("due",))
    out = {}
    for pk, agg in sums.items():
        total, paired, n_due = agg["total"], agg["paired"], dues[pk]["due"]
        if not total:
            out[pk] = (1.0, "无在册困难党员")
            continue
        reason = f"在册困难党员{total}人，已结对{paired}人"
        if n_due:
            reason += f"；{n_due}个结对超过{rules.PAIRING_UPDATE_DAYS}天未登记帮扶记录"
        out[pk] = (paired / total, reason)
    return out


# ── home page and to-do ──────────────────────────────────────────────────────────────
def home_figures(user) -> list[tuple]:
    if managed_scope(user) is None:
        return []
    year = timezone.localdate().year
    todo = restrict(ChecklistItem.objects.filter(year=year, occasion__kind="seasonal", done_on__isnull=True), user, "change").count()
    open_ = restrict(Hardship.objects.filter(status="open"), user, "change").count()
    return [
        (f"{year}年节日走访待完成", todo, "人", reverse("care:checklist") + "?state=todo"),
        ("在册困难党员", open_, "人", reverse("care:hardships") + "?status=open"),
    ]


def todo_items(user) -> list[TodoItem]:
    """Care to-dos: fund applications waiting for the holder's decision or payout, 三包
    pairings without an update for PAIRING_UPDATE_DAYS, visit follow-ups still open,
    households not contacted this quarter."""
    scope = managed_scope(user)
    if scope is None:
        return []
    today = timezone.localdate()
    items: list[TodoItem] = []
    add_first(
        items,
        FundApplication.objects.filter(within(scope, "fund_org_path"), status__in=["applied", "approved"])
        .select_related("member", "fund")
        .order_by("applied_on", "id"),
        module="互助基金",
        url=reverse("care:funds") + "?status=applied",
        due=today,
        describe=lambda n: f"另有{n}项互助基金申请待审批或支付",
        each=lambda a: {
            "title": f"{a.member.name}的互助基金申请{'待集体研究审批' if a.status == 'applied' else '已批准待支付'}",
            "url": reverse("care:fund", args=[a.fund_id]),
            "due": a.applied_on,
        },
    )
    add_first(
        items,
        update_due(restrict(Pairing.objects.all(), user, "change"), today).select_related("hardship__member", "helper", "organisation"),
        module="三包结对",
        url=reverse("care:pairings") + "?due=1",
        due=today,
        describe=lambda n: f"另有{n}个三包结对超过{rules.PAIRING_UPDATE_DAYS}天未登记帮扶记录",
        each=lambda p: {
            "title": f"{p.helper.name}帮扶{p.hardship.member.name}：超过{rules.PAIRING_UPDATE_DAYS}天未登记帮扶记录",
            "url": reverse("care:hardship", args=[p.hardship_id]),
            "due": p.last_update_on or p.started_on,
            "overdue": True,
            "org": p.organisation.name,
        },
    )
    add_first(
        items,
        restrict(Visit.objects.exclude(follow_up="").filter(follow_up_done_on__isnull=True), user, "change")
        .select_related("member", "organisation")
        .order_by("visited_on", "id"),
        module="走访",
        url=reverse("care:visits") + "?follow_up=open",
        due=today,
        describe=lambda n: f"另有{n}项走访后续事项未办结",
        each=lambda v: {
            "title": f"{v.member.name}：{v.follow_up}",
            "url": reverse("care:visit_follow_up", args=[v.pk]),
            "due": v.visited_on,
            "org": v.organisation.name,
        },
    )
    add_first(
        items,
        not_contacted_this_quarter(restrict(Household.objects.all(), user, "change"), today)
        .select_related("member", "organisation")
        .order_by("last_contact_on", "id"),
        module="联系群众",
        url=reverse("care:households") + "?gap=quarter",
        due=today,
        describe=lambda n: f"另有{n}户联系户本季度未联系",
        each=lambda h: {
            "title": f"{h.member.name}联系的{h}本季度未联系"
            + (f"（最近{h.last_contact_on}）" if h.last_contact_on else "（尚无联系记录）"),
            "url": reverse("care:household", args=[h.pk]),
            "due": quarter_start(today),
            "org": h.organisation.name,
        },
    )
    return items


def member_todo_items(user) -> list[TodoItem]:
    """A member's own: the households they keep that have no contact this quarter."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return []
    today = timezone.localdate()
    rows = list(not_contacted_this_quarter(Household.objects.filter(member_id=member_id), today).order_by("last_contact_on", "id")[:10])
    return [
        TodoItem(
            module="联系群众",
            title=f"本季度还未联系{h}，请走访并记民情日记",
            url=reverse("care:household", args=[h.pk]),
            due=quarter_start(today),
            kind="联系群众",
        )
        for h in rows
    ]
