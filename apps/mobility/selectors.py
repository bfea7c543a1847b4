"""Every read of transfers and mobile members for screens, exports, to-do and CLI: scoped
with `restrict`, a fixed number of queries whatever the row count."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from apps.core.scoping import restrict, user_scope
from apps.core.todo import TodoItem, first_of
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules
from .models import HostRegistration, HostReport, MobileContact, MobileRecord, NonPublicCard, TemporaryBranch, Transfer
from .services import rule_values


def _q(params, key: str) -> str:
    return str((params or {}).get(key, "") or "").strip()


def _members_matching(text: str):
    from apps.members.filters import search_members

    return search_members(Member.objects.all(), text).values("pk")


def overdue(queryset, as_of: datetime.date):
    """Transfers whose letter was issued and whose receipt is not back by its due date
    (the later of the letter's expiry and issue + 1 month)."""
    return queryset.filter(status="issued", receipt_due__lt=as_of)


def _path_q(user, action: str, field: str) -> Q | None:
    """Rows whose `field` path lies in the user's scope for the action (None: all)."""
    scope = user_scope(user, action)
    if scope.everything:
        return None
    q = Q(pk__in=[])
    for p in scope.paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def transfers(user, params=None):
    """The 组织关系转接 list: ?q= (member) ?status= ?kind= ?overdue=1 ?side=out|in."""
    qs = restrict(Transfer.objects.all(), user, "view").select_related("member", "organisation", "to_organisation")
    q, status, kind = _q(params, "q"), _q(params, "status"), _q(params, "kind")
    if q:
        qs = qs.filter(member_id__in=_members_matching(q))
    if status in dict(rules.STATUS_CHOICES):
        qs = qs.filter(status=status)
    if status == "open":
        qs = qs.filter(status__in=rules.OPEN_STATUSES)
    if kind in dict(rules.KIND_CHOICES):
        qs = qs.filter(kind=kind)
    if _q(params, "overdue"):
        qs = overdue(qs, timezone.localdate())
    side = _q(params, "side")
    if side in ("out", "in"):
        cond = _path_q(user, "view", "org_path" if side == "out" else "to_org_path")
        if cond is not None:
            qs = qs.filter(cond)
    return qs.order_by("-requested_on", "-id")


def waiting_for(user):
    """Open transfers whose next step is this user's to take (each step's own action on
    the organisation whose turn it is)."""
    steps = [*rules.CHAIN, rules.ACCEPT, rules.Step("receipt", "回执退回", "from", "change", frozenset())]
    cond = Q(pk__in=[])
    for step in steps:
        q = _path_q(user, step.action, "next_org_path")
        cond |= Q(next_step=step.code) & (Q() if q is None else q)
    return (
        Transfer.objects.filter(status__in=rules.OPEN_STATUSES)
        .filter(cond)
        .select_related("member", "organisation", "to_organisation")
        .order_by("requested_on", "id")
    )


def transfer_detail(user, pk):
    from apps.core.scoping import get_in_scope

    return get_in_scope(
        Transfer.objects.select_related("member", "organisation", "to_organisation").prefetch_related("steps", "letters"),
        user,
        "view",
        pk=pk,
    )


def my_transfers(member_id: int):
    return Transfer.objects.filter(member_id=member_id).select_related("organisation", "to_organisation").order_by("-requested_on", "-id")


# ── mobile members ─────────────────────────────────────────────────────────────────────
def mobile_overdue(queryset, as_of: datetime.date):
    """Away members whose yearly report / abroad contact is overdue, or who are past
    their expected return without a return recorded."""
    return queryset.filter(status="away").filter(Q(next_due__lt=as_of) | Q(expected_return__lt=as_of))


def mobile_records(user, params=None):
    """The 流动党员 register: ?q= ?status= ?overdue=1 ?abroad=1 ?place=."""
    qs = restrict(MobileRecord.objects.all(), user, "view").select_related("member", "organisation", "temporary_branch")
    q, status, place = _q(params, "q"), _q(params, "status"), _q(params, "place")
    if q:
        qs = qs.filter(member_id__in=_members_matching(q))
    if status in dict(rules.MOBILE_STATUS_CHOICES):
        qs = qs.filter(status=status)
    if place:
        qs = qs.filter(destination=place)
    if _q(params, "abroad"):
        qs = qs.filter(studying_abroad=True)
    if _q(params, "overdue"):
        qs = mobile_overdue(qs, timezone.localdate())
    return qs.order_by("-issued_on", "-id")


def mobile_detail(user, pk):
    from apps.core.scoping import get_in_scope

    return get_in_scope(
        MobileRecord.objects.select_related("member", "organisation", "temporary_branch", "host_organisation").prefetch_related("contacts"),
        user,
        "view",
        pk=pk,
    )


def temporary_branch_prompts(user, limit: int = 50, least: int | None = None) -> list[dict]:
    """Places where 3 or more (the rule table's number) members of one organisation are
    away without a temporary branch: [{organisation_id, organisation name, destination, n}]."""
    least = least or rule_values()["temporary_branch_min"]
    qs = restrict(MobileRecord.objects.filter(status="away", temporary_branch__isnull=True), user, "view")
    rows = (
        qs.values("organisation_id", "organisation__name", "destination")
        .annotate(n=Count("id"))
        .filter(n__gte=least)
        .order_by("-n", "destination")[:limit]
    )
    return list(rows)


def temporary_branches(user, params=None):
    """临时党支部: ?q= (name or place) ?status=active|closed|expired (expired: active and
    past its end date, waiting to be closed)."""
    qs = restrict(TemporaryBranch.objects.all(), user, "view").select_related("organisation").annotate(n=Count("members"))
    q, status = _q(params, "q"), _q(params, "status")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(place__icontains=q))
    if status in dict(rules.TEMPORARY_STATUS_CHOICES):
        qs = qs.filter(status=status)
    elif status == "expired":
        qs = expired_temporary_branches(qs, timezone.localdate())
    return qs.order_by("-formed_on", "-id")


def expired_temporary_branches(queryset, as_of: datetime.date):
    return queryset.filter(status="active", end_date__lt=as_of)


def temporary_detail(user, pk):
    from apps.core.scoping import get_in_scope

    return get_in_scope(TemporaryBranch.objects.select_related("organisation"), user, "view", pk=pk)


def temporary_members(branch: TemporaryBranch):
    return (
        MobileRecord.objects.filter(temporary_branch=branch).select_related("member", "organisation").order_by("member__name_pinyin", "id")
    )


def host_registrations(user, params=None):
    """The host side's incoming mobile members (the host's subtree): ?q= (member)
    ?status=away|returned|transferred (the away record's) ?overdue=1 (no report from the
    host for longer than the report interval). Each row carries the home organisation
    and `last_report_year`, `last_report_on` (one query whatever the row count)."""
    qs = (
        restrict(HostRegistration.objects.all(), user, "view")
        .select_related("record__member", "record__organisation", "organisation")
        .annotate(last_report_year=Max("reports__year"), last_report_on=Max("reports__date"))
    )
    q, status = _q(params, "q"), _q(params, "status")
    if q:
        qs = qs.filter(record__member_id__in=_members_matching(q))
    if status in dict(rules.MOBILE_STATUS_CHOICES):
        qs = qs.filter(record__status=status)
    if _q(params, "overdue"):
        qs = host_reports_overdue(qs, timezone.localdate())
    return qs.order_by("-registered_on", "-id")


def host_reports_overdue(queryset, as_of: datetime.date):
    """Registrations of members still away whose host has not reported for longer than
    the report interval (counted from the registration when there is no report yet)."""
    from apps.core.dates import add_months

    since = add_months(as_of, -rule_values()["report_months"])
    qs = queryset.filter(record__status="away")
    if "last_report_on" not in qs.query.annotations:
        qs = qs.annotate(last_report_on=Max("reports__date"))
    return qs.filter(Q(last_report_on__lt=since) | Q(last_report_on__isnull=True, registered_on__lt=since))


def host_detail(user, pk):
    from apps.core.scoping import get_in_scope

    return get_in_scope(
        HostRegistration.objects.select_related("record__member", "record__organisation", "organisation"), user, "view", pk=pk
    )


def host_reports(user, params=None):
    """Host reports both sides see: the host's subtree (what it sent) and the home's
    (what it received). ?registration= ?record= ?year="""
    qs = restrict(HostReport.objects.all(), user, "view").select_related(
        "registration__organisation", "registration__record__member", "registration__record__organisation"
    )
    for key, field in (("registration", "registration_id"), ("record", "registration__record_id"), ("year", "year")):
        value = _q(params, key)
        if value.isdigit():
            qs = qs.filter(**{field: int(value)})
    return qs.order_by("-year", "-date", "-id")


def reports_for_record(record: MobileRecord):
    """The host reports on one away record (the home organisation's record page)."""
    return HostReport.objects.filter(registration__record=record).select_related("registration__organisation").order_by("-year", "-id")


def contacts(user, params=None):
    """报告与联系 records of the home organisations in scope: ?kind=report|contact
    ?abroad=1 (members studying abroad: the every-6-months contacts) ?record= ?q= (member)."""
    qs = restrict(MobileContact.objects.all(), user, "view").select_related("record__member", "record__organisation")
    kind, q, record = _q(params, "kind"), _q(params, "q"), _q(params, "record")
    if kind in dict(rules.CONTACT_KIND_CHOICES):
        qs = qs.filter(kind=kind)
    if _q(params, "abroad"):
        qs = qs.filter(record__studying_abroad=True)
    if record.isdigit():
        qs = qs.filter(record_id=int(record))
    if q:
        qs = qs.filter(record__member_id__in=_members_matching(q))
    return qs.order_by("-date", "-id")


# ── registers the seed names ────────────────────────────────────────────────────────────
def non_public_cards(user, params=None):
    qs = restrict(NonPublicCard.objects.all(), user, "view").select_related("member", "organisation")
    q = _q(params, "q")
    if q:
        qs = qs.filter(Q(member_id__in=_members_matching(q)) | Q(number=q))
    if _q(params, "held"):
        qs = qs.filter(withdrawn_on__isnull=True)
    return qs.order_by("-issued_on", "-id")


def retired_branches(user, params=None):
    """离退休党支部: organisations of retired members' units (unit type 离退休)."""
    qs = restrict(Organisation.objects.filter(unit_type="retired", status="active"), user, "view")
    q = _q(params, "q")
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("path")


def unemployed_members(user, params=None):
    """下岗/失业党员 and where they are kept (留守支部 or their branch)."""
    qs = restrict(Member.objects.counted().filter(categories__code="unemployed"), user, "view").select_related("organisation")
    q = _q(params, "q")
    if q:
        qs = qs.filter(pk__in=_members_matching(q))
    return qs.order_by("org_path", "name_pinyin", "id")


# ── figures (home, to-do, statistics) ───────────────────────────────────────────────────
def counts(user, as_of: datetime.date) -> dict:
    t = restrict(Transfer.objects.all(), user, "view")
    m = restrict(MobileRecord.objects.all(), user, "view")
    open_t = t.aggregate(
        open=Count("id", filter=Q(status__in=rules.OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status="issued", receipt_due__lt=as_of)),
    )
    away = m.aggregate(
        away=Count("id", filter=Q(status="away")),
        overdue=Count("id", filter=Q(status="away") & (Q(next_due__lt=as_of) | Q(expected_return__lt=as_of))),
    )
    return {
        "transfers_open": open_t["open"],
        "transfers_overdue": open_t["overdue"],
        "mobile_away": away["away"],
        "mobile_overdue": away["overdue"],
    }


def todo_items(user) -> list[TodoItem]:
    today = timezone.localdate()
    values = rule_values()
    items: list[TodoItem] = []
    url = reverse("mobility:transfers")
    for t in first_of(
        waiting_for(user), 20, items, module="组织关系转接", url=url + "?status=open", due=today, describe=lambda n: f"另有{n}项转接待办理"
    ):
        items.append(
            TodoItem(
                module="组织关系转接",
                title=f"{t.member.name}：{t.from_label} → {t.to_label}，待{t.next_step_label()}",
                url=reverse("mobility:transfer", args=[t.pk]),
                due=t.receipt_due or t.requested_on,
                overdue=bool(t.receipt_due and t.receipt_due < today),
                org=str(t.organisation),
            )
        )
    # overdue on both sides (the sender stays responsible until the receipt is back)
    late = overdue(restrict(Transfer.objects.all(), user, "change"), today).select_related("member", "organisation", "to_organisation")
    late = late.exclude(pk__in=waiting_for(user).values("pk")).order_by("receipt_due", "id")
    for t in first_of(
        late, 20, items, module="组织关系转接", url=url + "?overdue=1", due=today, describe=lambda n: f"另有{n}项转接回执逾期"
    ):
        items.append(
            TodoItem(
                module="组织关系转接",
                title=f"{t.member.name}的介绍信（{t.serial}）回执逾期未退回：{t.from_label} → {t.to_label}",
                url=reverse("mobility:transfer", args=[t.pk]),
                due=t.receipt_due,
                overdue=True,
                org=str(t.organisation),
            )
        )
    mob = (
        mobile_overdue(restrict(MobileRecord.objects.all(), user, "change"), today)
        .select_related("member", "organisation")
        .order_by("next_due", "id")
    )
    murl = reverse("mobility:mobile")
    for r in first_of(
        mob, 20, items, module="流动党员", url=murl + "?overdue=1", due=today, describe=lambda n: f"另有{n}名流动党员逾期未报告或未返回"
    ):
        what = (
            "逾期未返回"
            if r.expected_return < today
            else (
                f"逾期未联系（出国境学习，每{values['abroad_contact_months']}个月）"
                if r.studying_abroad
                else f"逾期未报告（每{values['report_months']}个月至少一次）"
            )
        )
        items.append(
            TodoItem(
                module="流动党员",
                title=f"{r.member.name}（{r.destination}）{what}",
                url=reverse("mobility:mobile_record", args=[r.pk]),
                due=min(r.next_due, r.expected_return),
                overdue=True,
                org=str(r.organisation),
            )
        )
    # temporary branches past their end date: the forming organisation closes them
    expired = expired_temporary_branches(restrict(TemporaryBranch.objects.all(), user, "change"), today).select_related("organisation")
    turl = reverse("mobility:temporary")
    for b in first_of(
        expired.order_by("end_date", "id"),
        20,
        items,
        module="临时党支部",
        url=turl + "?status=expired",
        due=today,
        describe=lambda n: f"另有{n}个临时党支部已过撤销日期",
    ):
        items.append(
            TodoItem(
                module="临时党支部",
                title=f"{b.name}已过撤销日期（{b.end_date:%Y-%m-%d}），请办理撤销",
                url=reverse("mobility:temporary_branch", args=[b.pk]),
                due=b.end_date,
                overdue=True,
                org=str(b.organisation),
            )
        )
    # the host's yearly report to the home organisation
    late_host = host_reports_overdue(
        restrict(HostRegistration.objects.all(), user, "change").select_related("record__member", "record__organisation", "organisation"),
        today,
    ).order_by("registered_on", "id")
    hurl = reverse("mobility:host")
    for h in first_of(
        late_host, 20, items, module="流入党员", url=hurl + "?overdue=1", due=today, describe=lambda n: f"另有{n}名流入党员未向流出地报告"
    ):
        items.append(
            TodoItem(
                module="流入党员",
                title=f"{h.record.member.name}（流出地：{h.record.organisation.name}）超过{values['report_months']}个月未向流出地报告表现情况",
                url=reverse("mobility:host_registration", args=[h.pk]),
                due=today,
                overdue=True,
                org=str(h.organisation),
            )
        )
    for p in temporary_branch_prompts(user, limit=5, least=values["temporary_branch_min"]):
        if user_scope(user, "change").everything or restrict(Organisation.objects.filter(pk=p["organisation_id"]), user, "change").exists():
            items.append(
                TodoItem(
                    module="流动党员",
                    title=f"{p['organisation__name']}有{p['n']}名党员在{p['destination']}流动：应成立临时党支部（党小组）",
                    url=murl + f"?place={p['destination']}",
                    due=today,
                )
            )
    return items


def exit_candidates(org_path: str, as_of: datetime.date):
    """Members away whose last report/contact is more than a year overdue and who are
    past their expected return: lost contact is likely (the exit domain decides)."""
    from apps.core.dates import add_months

    late = add_months(as_of, -rule_values()["report_months"])
    rows = (
        MobileRecord.objects.filter(org_path__startswith=org_path, status="away", next_due__lt=late, expected_return__lt=as_of)
        .values_list("member_id", "next_due")
        .order_by("member_id")
    )
    for member_id, due in rows:
        yield (member_id, due, f"流动党员自{due:%Y-%m-%d}起逾期一年以上未向党组织报告，且已过预计返回日期")
