"""Care figures for the statistics dashboard, the monthly report, the home page, the
to-do list and the organisation metrics. Each is a fixed number of aggregate queries over
the subtree (`org_path__startswith`)."""

import datetime

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from apps.core.scoping import restrict, user_scope
from apps.core.todo import TodoItem, first_of
from apps.orgs.models import Organisation

from . import rules
from .models import ChecklistItem, FundApplication, Hardship, Pairing, SubsidyPayment, Visit
from .selectors import update_due

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
}


def contribute(org, as_of: datetime.date | None = None) -> dict:
    as_of = as_of or timezone.localdate()
    start = datetime.date(as_of.year, 1, 1)
    sub = {"org_path__startswith": org.path}
    visits = Visit.objects.filter(**sub, visited_on__gte=start, visited_on__lte=as_of).aggregate(n=Count("id"), amount=Sum("amount"))
    checklist = ChecklistItem.objects.filter(**sub, year=as_of.year, occasion__kind="seasonal").aggregate(
        total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False))
    )
    hardship = Hardship.objects.filter(**sub).aggregate(
        open=Count("id", filter=Q(status="open")),
        paired=Count("id", filter=Q(status="open", pairings__status="active"), distinct=True),
        closed=Count("id", filter=Q(status="closed", closed_on__gte=start), distinct=True),
    )
    fund_paid = FundApplication.objects.filter(**sub, status="paid", decided_on__gte=start).aggregate(s=Sum("approved_amount"))["s"]
    subsidy = SubsidyPayment.objects.filter(**sub, year=as_of.year).aggregate(s=Sum("amount"))["s"]
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
        }
    }


def _pct(part, whole):
    return round(100 * part / whole, 1) if whole else None


def cards(stats: dict) -> list[tuple]:
    c = stats["care"]
    return [
        (f"{c['year']}年走访党员", c["visits"], "次", None),
        ("节日走访慰问完成", c["checklist_done"], "人次", _pct(c["checklist_done"], c["checklist_total"])),
        ("在册困难党员", c["hardship_open"], "人", None),
        ("困难党员结对帮扶", c["hardship_paired"], "人", _pct(c["hardship_paired"], c["hardship_open"])),
    ]


def rows(stats: dict) -> list[tuple]:
    c = stats["care"]
    return [("关怀帮扶", label, c[key], None) for key, label in LABELS.items() if key != "year"]


# ── monthly report upward ────────────────────────────────────────────────────────────
def report_figures(org, year: int, month: int) -> list[tuple]:
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
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
def _orgs(org_ids):
    return {o.pk: o for o in Organisation.objects.filter(pk__in=list(org_ids))}


def _by_path(rows, orgs, keys) -> dict[int, dict]:
    """Sum per-path grouped rows into each organisation's subtree (paths are prefixes)."""
    out = {pk: dict.fromkeys(keys, 0) for pk in orgs}
    by_path = {org.path: pk for pk, org in orgs.items()}
    for r in rows:
        path = r["org_path"]
        for n in range(Organisation.steplen, len(path) + 1, Organisation.steplen):  # every ancestor path of the row
            pk = by_path.get(path[:n])
            if pk is not None:
                for k in keys:
                    out[pk][k] += r[k] or 0
    return out


def _subtrees(orgs) -> Q:
    """The rows under the organisations' common ancestor: ONE range on the path whatever
    their number (an OR of one LIKE per organisation grew with them, and SQLite refuses
    an expression deeper than 1000: the health of more than ~1000 organisations failed);
    rows outside the organisations' own subtrees are left out by _by_path."""
    if not orgs:
        return Q(pk__in=[])
    prefix = _common_prefix([o.path for o in orgs.values()])
    return Q(org_path__startswith=prefix[: len(prefix) - len(prefix) % Organisation.steplen])


def measure_visits(org_ids, year: int, quarter: int | None) -> dict[int, tuple[float, str]]:
    """Share of the year's seasonal checklist visited (春节/七一 走访慰问), per organisation
    subtree. Quarter is ignored: the checklist is yearly. One grouped query for all the
    organisations (per branch path, summed into each subtree)."""
    orgs = _orgs(org_ids)
    rows = (
        ChecklistItem.objects.filter(_subtrees(orgs), year=year, occasion__kind="seasonal")
        .values("org_path")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
        .order_by()
    )
    sums = _by_path(rows, orgs, ("total", "done"))
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
    orgs = _orgs(org_ids)
    hardships = (
        Hardship.objects.filter(_subtrees(orgs), status="open")
        .values("org_path")
        .annotate(total=Count("id", distinct=True), paired=Count("id", filter=Q(pairings__status="active"), distinct=True))
        .order_by()
    )
    due = update_due(Pairing.objects.filter(_subtrees(orgs))).values("org_path").annotate(due=Count("id")).order_by()
    sums = _by_path(hardships, orgs, ("total", "paired"))
    dues = _by_path(due, orgs, ("due",))
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
    scope = user_scope(user, "change")
    if scope.empty or (not scope.everything and not scope.paths):
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
    pairings without an update for PAIRING_UPDATE_DAYS, visit follow-ups still open."""
    if not getattr(user, "is_authenticated", False):
        return []
    scope = user_scope(user, "change")
    if scope.empty or (not scope.everything and not scope.paths):
        return []
    today = timezone.localdate()
    items: list[TodoItem] = []
    holder = FundApplication.objects.filter(status__in=["applied", "approved"])
    if not scope.everything:
        cond = Q(pk__in=[])
        for p in scope.paths:
            cond |= Q(fund_org_path__startswith=p)
        holder = holder.filter(cond)
    apps_ = first_of(
        holder.select_related("member", "fund").order_by("applied_on", "id"),
        10,
        items,
        module="互助基金",
        url=reverse("care:funds") + "?status=applied",
        due=today,
        describe=lambda n: f"另有{n}项互助基金申请待审批或支付",
    )
    for a in apps_:
        verb = "待集体研究审批" if a.status == "applied" else "已批准待支付"
        items.append(
            TodoItem(
                module="互助基金",
                title=f"{a.member.name}的互助基金申请{verb}",
                url=reverse("care:fund", args=[a.fund_id]),
                due=a.applied_on,
            )
        )
    due = first_of(
        update_due(restrict(Pairing.objects.all(), user, "change"), today).select_related("hardship__member", "helper", "organisation"),
        10,
        items,
        module="三包结对",
        url=reverse("care:pairings") + "?due=1",
        due=today,
        describe=lambda n: f"另有{n}个三包结对超过{rules.PAIRING_UPDATE_DAYS}天未登记帮扶记录",
    )
    for p in due:
        items.append(
            TodoItem(
                module="三包结对",
                title=f"{p.helper.name}帮扶{p.hardship.member.name}：超过{rules.PAIRING_UPDATE_DAYS}天未登记帮扶记录",
                url=reverse("care:hardship", args=[p.hardship_id]),
                due=p.last_update_on or p.started_on,
                overdue=True,
                org=p.organisation.name,
            )
        )
    follow = first_of(
        restrict(Visit.objects.exclude(follow_up="").filter(follow_up_done_on__isnull=True), user, "change")
        .select_related("member", "organisation")
        .order_by("visited_on", "id"),
        10,
        items,
        module="走访",
        url=reverse("care:visits") + "?follow_up=open",
        due=today,
        describe=lambda n: f"另有{n}项走访后续事项未办结",
    )
    for v in follow:
        items.append(
            TodoItem(
                module="走访",
                title=f"{v.member.name}：{v.follow_up}",
                url=reverse("care:visit_follow_up", args=[v.pk]),
                due=v.visited_on,
                org=v.organisation.name,
            )
        )
    return items


def _common_prefix(paths: list[str]) -> str:
    """The longest prefix of all the paths (character-wise: the common ancestor's path
    once cut to whole steps by the caller)."""
    if not paths:
        return ""
    lo, hi = min(paths), max(paths)
    return lo[: next((i for i, (x, y) in enumerate(zip(lo, hi, strict=False)) if x != y), min(len(lo), len(hi)))]
