"""Writes of the care domain. Web views, the API, the CLI and the demo call these; each
takes the acting user as the required keyword `actor`, owns its transaction, checks the
scope (require_org_action), validates with Chinese messages naming the field and the rule,
and writes the change history (record_change)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core import bulk, crypto, registry
from apps.core.audit import record_change, snapshot
from apps.core.locks import advisory_lock
from apps.core.models import ChangeLog
from apps.core.scoping import has_action, require_org_action
from apps.core.uniqueness import unique_messages
from apps.members import codes as member_codes
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules
from .models import (
    CareOccasion,
    ChecklistItem,
    ChecklistRun,
    Fund,
    FundApplication,
    FundMovement,
    Hardship,
    Household,
    HouseholdContact,
    Pairing,
    PairingUpdate,
    SubsidyPayment,
    SubsidyRate,
    Visit,
)

CREATE, UPDATE = ChangeLog.Action.CREATE, ChangeLog.Action.UPDATE


def _fail(field: str, message: str):
    raise ValidationError({field: [message]})


def _name(actor) -> str:
    return getattr(actor, "username", "") or str(actor)


def today() -> datetime.date:
    return timezone.localdate()


def parse_date(value, field: str, label: str, *, allow_future: bool = False, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            _fail(field, f"{label}不能为空")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            _fail(field, f"{label}“{value}”不是有效日期（格式：2026-07-01）")
    if value.year < 1900:
        _fail(field, f"{label}“{value}”早于1900年，请核对")
    if not allow_future and value > today():
        _fail(field, f"{label}不能晚于今天（{value}）")
    return value


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        _fail(field, f"{label}不能为空")
    if len(text) > max_length:
        _fail(field, f"{label}最多{max_length}个字（现{len(text)}字）")
    return text


def _money(value, field: str, label: str, *, allow_zero: bool = False) -> Decimal:
    return rules.parse_money(value, field, label, allow_zero=allow_zero)


def _member_in_scope(member: Member, actor, field: str = "member", label: str = "党员") -> Member:
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    if member.status not in member_codes.ACTIVE_STATUSES and member.status != "deceased":
        _fail(field, f"{label}{member.name}的党籍状态为“{member.get_status_display()}”，不能登记")
    return member


# ── visits (四必访 and seasonal visits) ─────────────────────────────────────────────────
@transaction.atomic
def record_visit(data: dict, *, actor) -> Visit:
    """Record a visit. A seasonal visit completes the member's checklist item of that
    occasion and year when there is one."""
    member = _member_in_scope(data["member"], actor, "member", "走访对象")
    occasion = data.get("occasion")
    if occasion is None or not isinstance(occasion, CareOccasion):
        _fail("occasion", "请选择走访事由")
    if not occasion.active:
        _fail("occasion", f"走访事由“{occasion}”已停用")
    if occasion.kind == CareOccasion.Kind.GREETING:
        _fail("occasion", f"“{occasion}”是问候，不是走访：请在问候清单中标记已送达")
    visited_on = parse_date(data.get("visited_on"), "visited_on", "走访日期")
    if member.status == "deceased" and occasion.kind == CareOccasion.Kind.MUST_VISIT and occasion.code != "wedding_funeral":
        _fail("member", f"{member.name}已去世：对已故党员家属只能登记节日走访慰问或婚丧事走访")
    visit = Visit(
        organisation=member.organisation,
        member=member,
        occasion=occasion,
        visited_on=visited_on,
        visitors=_text(data.get("visitors"), "visitors", "走访人", 120),
        content=_text(data.get("content"), "content", "走访内容", 2000),
        amount=_money(data.get("amount") or "0", "amount", "慰问金", allow_zero=True),
        follow_up=_text(data.get("follow_up"), "follow_up", "后续事项", 200, required=False),
        recorded_by=_name(actor),
    )
    visit.save()
    record_change(visit, CREATE)
    if occasion.kind == CareOccasion.Kind.SEASONAL:
        item = ChecklistItem.objects.select_for_update().filter(occasion=occasion, year=visited_on.year, member=member).first()
        if item is not None and item.visit_id is None:
            before = snapshot(item)
            item.visit, item.done_on = visit, visited_on
            item.save(update_fields=["visit", "done_on"])
            record_change(item, UPDATE, before=before, message="登记走访，清单完成")
    return visit


@transaction.atomic
def complete_follow_up(visit: Visit, *, done_on, actor) -> Visit:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    require_org_action(actor, visit.organisation, "change")
    if not visit.follow_up:
        _fail("done_on", "这次走访没有后续事项")
    if visit.follow_up_done_on:
        _fail("done_on", f"后续事项已于{visit.follow_up_done_on}办结")
    done_on = parse_date(done_on, "done_on", "办结日期")
    if done_on < visit.visited_on:
        _fail("done_on", f"办结日期不能早于走访日期（{visit.visited_on}）")
    before = snapshot(visit)
    visit.follow_up_done_on = done_on
    visit.save(update_fields=["follow_up_done_on"])
    record_change(visit, UPDATE, before=before, message="后续事项办结")
    return visit


# ── seasonal checklists ──────────────────────────────────────────────────────────────
def targets_of(org: Organisation, occasion: CareOccasion, year: int) -> dict[int, tuple[int, str, list[str]]]:
    """Who the occasion's targets are in org's subtree in `year`, computed from the
    registry and this domain's own records: {member_id: (organisation_id, org_path,
    [target codes])}, in the registry's order. A fixed number of queries (one per target
    kind), reading three columns, not whole member rows (a 七一 greeting lists everyone)."""
    year_end = datetime.date(year, 12, 31)
    found: dict[int, tuple[int, str, list[str]]] = {}
    base = Member.objects.filter(org_path__startswith=org.path)
    living = base.filter(status__in=member_codes.COUNTED_STATUSES)

    def add(queryset, code):
        for pk, organisation_id, org_path in queryset.values_list("pk", "organisation_id", "org_path"):
            found.setdefault(pk, (organisation_id, org_path, []))[2].append(code)

    targets = set(occasion.targets)
    if "all" in targets:
        add(living, "all")
    if "old" in targets:
        cutoff = datetime.date(year - rules.OLD_AGE, 12, 31)
        add(living.filter(Q(birth_date__lte=cutoff) | Q(join_date__lt=rules.PRE_1949) | Q(categories__code="pre_1949")).distinct(), "old")
    if "sick" in targets:
        since = year_end - datetime.timedelta(days=rules.SICK_WINDOW_DAYS)
        sick_ids = Visit.objects.filter(
            org_path__startswith=org.path, occasion__code=rules.ILLNESS_OCCASION, visited_on__gt=since, visited_on__lte=year_end
        ).values("member_id")
        ill = Hardship.objects.filter(org_path__startswith=org.path, status=Hardship.Status.OPEN, cause="illness").values("member_id")
        add(living.filter(Q(pk__in=sick_ids) | Q(pk__in=ill)), "sick")
    if "hardship" in targets:
        open_ids = Hardship.objects.filter(org_path__startswith=org.path, status=Hardship.Status.OPEN).values("member_id")
        add(living.filter(Q(pk__in=open_ids) | Q(categories__code="hardship")).distinct(), "hardship")
    if "deceased_family" in targets:
        since = datetime.date(year - rules.DECEASED_FAMILY_YEARS, 12, 31)
        add(base.filter(status="deceased", status_since__gt=since, status_since__lte=year_end), "deceased_family")
    return found


@dataclass
class ChecklistResult:
    created: int
    total: int


@transaction.atomic
def generate_checklist(org: Organisation, occasion: CareOccasion, year: int, *, actor) -> ChecklistResult:
    """Add the occasion's targets in org's subtree to the year's checklist, each at their own
    branch. Running it again adds newcomers and keeps what was done."""
    require_org_action(actor, org, "change")
    if not occasion.has_checklist or not occasion.active:
        _fail("occasion", f"“{occasion}”不是启用中的节日走访或问候事由，没有清单")
    if not occasion.targets:
        _fail("occasion", f"“{occasion}”未设置走访对象")
    if not (2000 <= int(year) <= today().year + 1):
        _fail("year", f"年度{year}超出范围（2000至{today().year + 1}年）")
    advisory_lock(f"care-checklist-{occasion.pk}-{year}")
    targets = targets_of(org, occasion, year)
    existing = set(
        ChecklistItem.objects.filter(occasion=occasion, year=year, org_path__startswith=org.path).values_list("member_id", flat=True)
    )
    # A member may have been listed at another organisation (moved in later): skip them too.
    existing |= set(
        ChecklistItem.objects.filter(occasion=occasion, year=year, member_id__in=list(targets)).values_list("member_id", flat=True)
    )
    new = [
        {
            "organisation_id": org_id,
            "org_path": path,
            "occasion_id": occasion.pk,
            "year": year,
            "member_id": mid,
            "reasons": ",".join(codes),
        }
        for mid, (org_id, path, codes) in targets.items()
        if mid not in existing
    ]
    bulk.insert_dicts(ChecklistItem, new)  # a 七一 greeting lists the whole county: plain rows, no model instances
    run = ChecklistRun.objects.filter(organisation=org, occasion=occasion, year=year).first()
    before = snapshot(run) if run else None
    run = run or ChecklistRun(organisation=org, occasion=occasion, year=year)
    run.item_count, run.generated_by = len(new), _name(actor)
    run.save()
    record_change(run, UPDATE if before else CREATE, message=f"生成{year}年{occasion}清单：新增{len(new)}人")
    return ChecklistResult(created=len(new), total=len(existing) + len(new))


@transaction.atomic
def mark_items_done(items, *, done_on, note: str = "", actor) -> int:
    """Mark greetings (问候卡) as delivered. Visits complete their items by record_visit."""
    done_on = parse_date(done_on, "done_on", "完成日期")
    note = _text(note, "note", "说明", 200, required=False)
    count = 0
    ids = [i.pk for i in items]
    for item in ChecklistItem.objects.select_for_update().select_related("occasion", "organisation").filter(pk__in=ids).order_by("pk"):
        require_org_action(actor, item.organisation, "change")
        if item.occasion.kind != CareOccasion.Kind.GREETING:
            _fail("items", f"{item}是走访对象：请登记走访记录，清单随之完成")
        if item.done_on:
            continue
        before = snapshot(item)
        item.done_on, item.note = done_on, note
        item.save(update_fields=["done_on", "note"])
        record_change(item, UPDATE, before=before, message="问候已送达")
        count += 1
    return count


# ── hardship register and 三包 pairings ────────────────────────────────────────────────
@transaction.atomic
def register_hardship(data: dict, *, actor) -> Hardship:
    member = _member_in_scope(data["member"], actor, "member", "困难党员")
    if member.status == "deceased":
        _fail("member", f"{member.name}已去世，不能登记为困难党员")
    causes, levels = dict(rules.HARDSHIP_CAUSES), dict(rules.HARDSHIP_LEVELS)
    if data.get("cause") not in causes:
        _fail("cause", f"致困原因须为：{'、'.join(causes.values())}")
    if data.get("level") not in levels:
        _fail("level", f"困难程度须为：{'、'.join(levels.values())}")
    if Hardship.objects.filter(member=member, status=Hardship.Status.OPEN).exists():
        _fail("member", f"{member.name}已在困难党员名册中（帮扶中），不能重复登记")
    hardship = Hardship(
        organisation=member.organisation,
        member=member,
        cause=data["cause"],
        level=data["level"],
        description=_text(data.get("description"), "description", "困难情况", 500),
        registered_on=parse_date(data.get("registered_on") or today(), "registered_on", "登记日期"),
        recorded_by=_name(actor),
    )
    try:
        with transaction.atomic():
            hardship.save()
    except IntegrityError:
        _fail("member", f"{member.name}已在困难党员名册中（帮扶中），不能重复登记")
    record_change(hardship, CREATE)
    return hardship


@transaction.atomic
def close_hardship(hardship: Hardship, *, closed_on, note: str, actor) -> Hardship:
    """The member is out of hardship: closes the register entry and its active pairings."""
    hardship = Hardship.objects.select_for_update().get(pk=hardship.pk)
    require_org_action(actor, hardship.organisation, "change")
    if hardship.status != Hardship.Status.OPEN:
        _fail("closed_on", f"该困难党员已于{hardship.closed_on}脱困销号")
    closed_on = parse_date(closed_on, "closed_on", "脱困日期")
    if closed_on < hardship.registered_on:
        _fail("closed_on", f"脱困日期不能早于登记日期（{hardship.registered_on}）")
    note = _text(note, "closure_note", "脱困情况", 300)
    before = snapshot(hardship)
    hardship.status, hardship.closed_on, hardship.closure_note = Hardship.Status.CLOSED, closed_on, note
    hardship.save()
    record_change(hardship, UPDATE, before=before, message="脱困销号")
    for pairing in hardship.pairings.select_for_update().filter(status=Pairing.Status.ACTIVE):
        before = snapshot(pairing)
        pairing.status, pairing.closed_on, pairing.outcome = Pairing.Status.CLOSED, closed_on, f"帮扶对象脱困：{note}"[:300]
        pairing.save()
        record_change(pairing, UPDATE, before=before, message="帮扶对象脱困，结对结束")
    return hardship


@transaction.atomic
def start_pairing(hardship: Hardship, data: dict, *, actor) -> Pairing:
    hardship = Hardship.objects.select_for_update().select_related("member", "organisation").get(pk=hardship.pk)
    require_org_action(actor, hardship.organisation, "change")
    if hardship.status != Hardship.Status.OPEN:
        _fail("hardship", "该困难党员已脱困销号，不能再结对")
    helper = data.get("helper")
    if helper is None:
        _fail("helper", "请选择帮扶责任人")
    helper = Member.objects.restrict(actor, "view").filter(pk=helper.pk).first()
    if helper is None:
        _fail("helper", "帮扶责任人不在您的管理范围内")
    if helper.pk == hardship.member_id:
        _fail("helper", "帮扶责任人不能是困难党员本人")
    if helper.status not in member_codes.COUNTED_STATUSES:
        _fail("helper", f"帮扶责任人{helper.name}的党籍状态为“{helper.get_status_display()}”")
    started_on = parse_date(data.get("started_on") or today(), "started_on", "结对日期")
    if started_on < hardship.registered_on:
        _fail("started_on", f"结对日期不能早于困难党员登记日期（{hardship.registered_on}）")
    pairing = Pairing(
        organisation=hardship.organisation,
        hardship=hardship,
        helper=helper,
        started_on=started_on,
        pledge_thought=_text(data.get("pledge_thought"), "pledge_thought", "包思想", 200),
        pledge_work=_text(data.get("pledge_work"), "pledge_work", "包生产/就业", 200),
        pledge_poverty=_text(data.get("pledge_poverty"), "pledge_poverty", "包脱贫", 200),
    )
    message = f"{helper.name}已与{hardship.member.name}结对帮扶中，不能重复结对"
    if Pairing.objects.filter(hardship=hardship, helper=helper, status=Pairing.Status.ACTIVE).exists():
        _fail("helper", message)
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        _fail("helper", message)
    record_change(pairing, CREATE)
    return pairing


@transaction.atomic
def add_pairing_update(pairing: Pairing, *, on, content: str, actor) -> PairingUpdate:
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    require_org_action(actor, pairing.organisation, "change")
    if pairing.status != Pairing.Status.ACTIVE:
        _fail("on", "结对已结束，不能再登记帮扶记录")
    on = parse_date(on, "on", "帮扶日期")
    if on < pairing.started_on:
        _fail("on", f"帮扶日期不能早于结对日期（{pairing.started_on}）")
    update = PairingUpdate.objects.create(
        pairing=pairing, on=on, content=_text(content, "content", "帮扶情况", 500), recorded_by=_name(actor)
    )
    record_change(update, CREATE)
    if pairing.last_update_on is None or on > pairing.last_update_on:
        before = snapshot(pairing)
        pairing.last_update_on = on
        pairing.save(update_fields=["last_update_on"])
        record_change(pairing, UPDATE, before=before, message="登记帮扶记录")
    return update


@transaction.atomic
def close_pairing(pairing: Pairing, *, closed_on, outcome: str, actor) -> Pairing:
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    require_org_action(actor, pairing.organisation, "change")
    if pairing.status != Pairing.Status.ACTIVE:
        _fail("closed_on", f"结对已于{pairing.closed_on}结束")
    closed_on = parse_date(closed_on, "closed_on", "结束日期")
    if closed_on < pairing.started_on:
        _fail("closed_on", f"结束日期不能早于结对日期（{pairing.started_on}）")
    before = snapshot(pairing)
    pairing.status, pairing.closed_on = Pairing.Status.CLOSED, closed_on
    pairing.outcome = _text(outcome, "outcome", "帮扶成效", 300)
    pairing.save()
    record_change(pairing, UPDATE, before=before, message="结对结束")
    return pairing


# ── 互助基金 ────────────────────────────────────────────────────────────────────────────
@transaction.atomic
def open_fund(org: Organisation, *, name: str, opened_on=None, note: str = "", actor) -> Fund:
    require_org_action(actor, org, "change")
    name = _text(name, "name", "基金名称", 60)
    if Fund.objects.filter(organisation=org, name=name).exists():
        _fail("name", f"“{org}”已有名为“{name}”的基金")
    fund = Fund(organisation=org, name=name, opened_on=parse_date(opened_on or today(), "opened_on", "设立日期"), note=note[:200])
    try:
        with transaction.atomic():
            fund.save()
    except IntegrityError:
        _fail("name", f"“{org}”已有名为“{name}”的基金")
    record_change(fund, CREATE)
    return fund


def _lock_fund(fund: Fund) -> Fund:
    """The fund row under a lock for the rest of the transaction: two payouts (or a payout
    and an income) of one fund run one after the other, each seeing the other's balance."""
    advisory_lock(f"care-fund-{fund.pk}")
    return Fund.objects.select_for_update().select_related("organisation").get(pk=fund.pk)


def _move(fund: Fund, *, kind: str, amount: Decimal, on, counterparty: str, note: str, actor, application=None) -> FundMovement:
    balance = fund.balance + amount if kind in rules.INCOME_KINDS else fund.balance - amount
    if balance < 0:
        _fail("amount", f"基金“{fund}”余额{fund.balance}元，不足支付{amount}元：互助基金不得透支")
    before = snapshot(fund)
    movement = FundMovement(
        organisation=fund.organisation,
        fund=fund,
        kind=kind,
        amount=amount,
        on=on,
        counterparty=counterparty,
        application=application,
        balance_after=balance,
        note=note,
        recorded_by=_name(actor),
    )
    try:
        with transaction.atomic():
            movement.save()
            Fund.objects.filter(pk=fund.pk).update(balance=balance)
    except IntegrityError as exc:
        if application is not None and "balance" not in str(exc).lower():
            _fail("application", f"申请“{application}”已支付过，不能重复支付")
        _fail("amount", f"基金“{fund}”余额不足，不得透支（本次{amount}元）")
    fund.balance = balance
    record_change(movement, CREATE)
    record_change(fund, UPDATE, before=before, message=f"{movement.get_kind_display()}{amount}元")
    return movement


@transaction.atomic
def record_income(fund: Fund, *, kind: str, amount, on=None, counterparty: str, note: str = "", actor) -> FundMovement:
    if kind not in rules.INCOME_KINDS:
        _fail("kind", "收入类别须为：捐助收入、拨入资金（支出须经申请审批）")
    fund = _lock_fund(fund)
    require_org_action(actor, fund.organisation, "change")
    amount = _money(amount, "amount", "金额")
    on = parse_date(on or today(), "on", "日期")
    if on < fund.opened_on:
        _fail("on", f"日期不能早于基金设立日期（{fund.opened_on}）")
    return _move(
        fund,
        kind=kind,
        amount=amount,
        on=on,
        counterparty=_text(counterparty, "counterparty", "来源", 120),
        note=_text(note, "note", "说明", 200, required=False),
        actor=actor,
    )


@transaction.atomic
def apply_for_aid(fund: Fund, member: Member, *, amount, reason: str, applied_on=None, actor) -> FundApplication:
    """The member's branch applies on the member's behalf to a fund above it."""
    member = _member_in_scope(member, actor, "member", "申请人")
    if not member.org_path.startswith(fund.org_path):
        _fail("fund", f"基金“{fund}”（{fund.organisation}）不覆盖{member.name}所在的党组织")
    amount = _money(amount, "amount", "申请金额")
    if amount > rules.FUND_MAX_PAYOUT:
        _fail("amount", f"单次申请不得超过{rules.FUND_MAX_PAYOUT}元")
    app = FundApplication(
        organisation=member.organisation,
        fund=fund,
        member=member,
        amount=amount,
        reason=_text(reason, "reason", "申请理由", 500),
        applied_on=parse_date(applied_on or today(), "applied_on", "申请日期"),
    )
    app.save()
    record_change(app, CREATE)
    return app


@transaction.atomic
def decide_application(
    application: FundApplication, *, approve: bool, approved_amount=None, meeting: str, note: str = "", decided_on=None, actor
) -> FundApplication:
    """The fund holder's committee decides (集体研究): the meeting is recorded."""
    app = FundApplication.objects.select_for_update().select_related("fund__organisation").get(pk=application.pk)
    require_org_action(actor, app.fund.organisation, "change")
    if app.status != FundApplication.Status.APPLIED:
        _fail("status", f"该申请已{app.get_status_display()}，不能再审批")
    meeting = _text(meeting, "meeting", "审批会议（集体研究的会议及日期）", 120)
    decided_on = parse_date(decided_on or today(), "decided_on", "审批日期")
    if decided_on < app.applied_on:
        _fail("decided_on", f"审批日期不能早于申请日期（{app.applied_on}）")
    before = snapshot(app)
    if approve:
        amount = _money(approved_amount if approved_amount not in (None, "") else app.amount, "approved_amount", "批准金额")
        if amount > app.amount:
            _fail("approved_amount", f"批准金额不能超过申请金额（{app.amount}元）")
        app.status, app.approved_amount = FundApplication.Status.APPROVED, amount
    else:
        app.status = FundApplication.Status.REJECTED
        if not (note or "").strip():
            _fail("decision_note", "不批准时须写明理由")
    app.decided_on, app.meeting = decided_on, meeting
    app.decision_note, app.decided_by = _text(note, "decision_note", "审批意见", 300, required=False), _name(actor)
    app.save()
    record_change(app, UPDATE, before=before, message="批准" if approve else "不批准")
    return app


@transaction.atomic
def pay_application(application: FundApplication, *, paid_on=None, note: str = "", actor) -> FundMovement:
    """Pay an approved application once, from the fund's balance (never below zero)."""
    fund = _lock_fund(application.fund)
    app = FundApplication.objects.select_for_update().select_related("member").get(pk=application.pk)
    require_org_action(actor, fund.organisation, "change")
    if app.status == FundApplication.Status.PAID:
        _fail("application", f"申请“{app}”已于支付过，不能重复支付")
    if app.status != FundApplication.Status.APPROVED:
        _fail("application", f"申请“{app}”{app.get_status_display()}：须经集体研究批准后才能支付")
    paid_on = parse_date(paid_on or today(), "paid_on", "支付日期")
    if paid_on < app.decided_on:
        _fail("paid_on", f"支付日期不能早于审批日期（{app.decided_on}）")
    movement = _move(
        fund,
        kind="payout",
        amount=app.approved_amount,
        on=paid_on,
        counterparty=app.member.name,
        note=_text(note, "note", "说明", 200, required=False),
        actor=actor,
        application=app,
    )
    before = snapshot(app)
    app.status = FundApplication.Status.PAID
    app.save(update_fields=["status"])
    record_change(app, UPDATE, before=before, message=f"支付{movement.amount}元")
    return movement


# ── 生活补助 ────────────────────────────────────────────────────────────────────────────
@transaction.atomic
def set_subsidy_rate(*, year: int, category: str, amount, min_age=None, min_party_years=None, actor) -> SubsidyRate:
    """The county sets a year's amount and thresholds for a category (设置: configure)."""
    if not has_action(actor, "configure"):
        _fail("year", "只有县委组织部管理员可以设置生活补助标准")
    if category not in dict(rules.SUBSIDY_CATEGORIES):
        _fail("category", f"补助类别须为：{'、'.join(dict(rules.SUBSIDY_CATEGORIES).values())}")
    try:
        year = int(year)
    except (TypeError, ValueError):
        _fail("year", f"年度“{year}”不是有效年份")
    if not (2000 <= year <= today().year + 1):
        _fail("year", f"年度{year}超出范围（2000至{today().year + 1}年）")
    amount = _money(amount, "amount", "年补助金额")
    ints = {}
    for field, label, value in (("min_age", "年龄下限", min_age), ("min_party_years", "党龄下限", min_party_years)):
        if value in (None, ""):
            ints[field] = None
            continue
        try:
            ints[field] = int(value)
        except (TypeError, ValueError):
            _fail(field, f"{label}“{value}”不是整数")
        if not 1 <= ints[field] <= 120:
            _fail(field, f"{label}须在1至120之间")
    if category != "pre_1949" and ints["min_age"] is None and ints["min_party_years"] is None:
        _fail("min_age", "高龄或老党员补助须设置年龄下限或党龄下限")
    rate = SubsidyRate.objects.select_for_update().filter(year=year, category=category).first()
    before = snapshot(rate) if rate else None
    rate = rate or SubsidyRate(year=year, category=category)
    rate.amount, rate.min_age, rate.min_party_years = amount, ints["min_age"], ints["min_party_years"]
    rate.save()
    record_change(rate, UPDATE if before else CREATE)
    return rate


@transaction.atomic
def pay_subsidies(org: Organisation, year: int, member_ids, *, paid_on=None, actor) -> int:
    """Record the year's subsidy of the chosen eligible members (each at most once a year;
    the category and amount are those the eligibility rule gives them)."""
    from .selectors import eligible_for_subsidy

    require_org_action(actor, org, "change")
    paid_on = parse_date(paid_on or today(), "paid_on", "发放日期")
    wanted = {int(i) for i in member_ids}
    if not wanted:
        _fail("members", "请选择要发放的党员")
    eligible = {row.member.pk: row for row in eligible_for_subsidy(org, year) if row.member.pk in wanted}
    missing = wanted - set(eligible)
    if missing:
        _fail("members", f"{len(missing)}名所选党员不在{year}年生活补助名单中（不符合条件或不在本组织）")
    done = []
    for _mid, row in sorted(eligible.items()):
        if row.paid is not None:
            _fail("members", f"{row.member.name}的{year}年生活补助已于{row.paid.paid_on}发放，不能重复发放")
        require_org_action(actor, row.member.organisation, "change")
        done.append(
            SubsidyPayment(
                organisation=row.member.organisation,
                org_path=row.member.org_path,
                member=row.member,
                rate=row.rate,
                year=year,
                category=row.rate.category,
                amount=row.rate.amount,
                paid_on=paid_on,
                recorded_by=_name(actor),
            )
        )
    try:
        with transaction.atomic():
            SubsidyPayment.objects.bulk_create(done)
    except IntegrityError:
        _fail("members", f"所选党员中有人的{year}年生活补助已由他人同时登记，本次未发放，请刷新后核对")
    for payment in SubsidyPayment.objects.filter(year=year, member_id__in=list(eligible)).select_related("member"):
        record_change(payment, CREATE)
    return len(done)


# ── commendations: nomination → vetting → 公示 → approval ─────────────────────────────
def vet_member(member: Member, as_of: datetime.date) -> list[str]:
    """The reasons a member may not be commended, from every registered member check
    (sanction in force, an unqualified appraisal grade, dues in arrears …)."""
    reasons = []
    if member.status not in member_codes.COUNTED_STATUSES:
        reasons.append(f"党籍状态为“{member.get_status_display()}”")
    for check in registry.member_checks:
        reason = check.check([member.pk], as_of).get(member.pk)
        if reason:
            reasons.append(f"{check.title}：{reason}")
    return reasons


def _vet_or_fail(nomination_member, as_of, field="member"):
    if nomination_member is None:
        return []
    reasons = vet_member(nomination_member, as_of)
    if reasons:
        _fail(field, f"{nomination_member.name}资格审查未通过：{'；'.join(reasons)}")
    return reasons


@transaction.atomic
def nominate(data: dict, *, actor):
    """A branch (or committee) nominates one of its members, or an organisation of its
    subtree (or itself), for a commendation kind of a year. Vetted from data at once."""
    from .models import CommendationKind, Nomination

    org = data.get("organisation")
    if org is None:
        _fail("organisation", "请选择推荐组织")
    require_org_action(actor, org, "change")
    kind = data.get("kind")
    if not isinstance(kind, CommendationKind) or not kind.active:
        _fail("kind", "请选择启用中的表彰项目")
    try:
        year = int(data.get("year") or today().year)
    except (TypeError, ValueError):
        _fail("year", f"年度“{data.get('year')}”不是有效年份")
    if not (today().year - 1 <= year <= today().year):
        _fail("year", f"只能推荐本年度或上一年度（{today().year - 1}—{today().year}年）")
    member, nominee_org = data.get("member"), data.get("nominee_org")
    if kind.nominee == "member":
        if member is None:
            _fail("member", f"“{kind.name}”表彰党员个人：请选择被推荐党员")
        member = Member.objects.select_related("organisation").get(pk=member.pk)
        if not member.org_path.startswith(org.path):
            _fail("member", f"{member.name}不在推荐组织“{org}”范围内：只能推荐本组织的党员")
        nominee_org = None
    else:
        if nominee_org is None:
            _fail("nominee_org", f"“{kind.name}”表彰基层党组织：请选择被推荐组织")
        if not nominee_org.path.startswith(org.path):
            _fail("nominee_org", f"“{nominee_org}”不在推荐组织“{org}”范围内")
        member = None
    nominated_on = parse_date(data.get("nominated_on") or today(), "nominated_on", "推荐日期")
    _vet_or_fail(member, nominated_on)
    nomination = Nomination(
        organisation=org,
        kind=kind,
        year=year,
        member=member,
        nominee_org=nominee_org,
        deeds=_text(data.get("deeds"), "deeds", "主要事迹", 2000),
        nominated_on=nominated_on,
        vetting=[f"{nominated_on}资格审查通过：{'、'.join(c.title for c in registry.member_checks) or '党籍状态'}"] if member else [],
        nominated_by=_name(actor),
    )
    who = member.name if member else str(nominee_org)
    message = f"{who}已被推荐为{year}年“{kind.name}”，不能重复推荐"
    if Nomination.objects.filter(kind=kind, year=year, member=member, nominee_org=nominee_org).exclude(status="rejected").exists():
        _fail("member" if member else "nominee_org", message)
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        _fail("member" if member else "nominee_org", message)
    record_change(nomination, CREATE)
    return nomination


def _nomination(nomination, actor, action):
    from .models import Nomination

    # of=("self",): member/nominee_org are nullable (outer joins), which PostgreSQL cannot lock
    n = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("member", "nominee_org", "kind", "organisation")
        .get(pk=nomination.pk)
    )
    require_org_action(actor, n.organisation, action)
    return n


@transaction.atomic
def start_notice(nomination, *, start=None, actor):
    """公示: from `start` for NOTICE_WORKDAYS working days (the recruitment calendar)."""
    from apps.recruitment.engine import add_workdays

    n = _nomination(nomination, actor, "change")
    if n.status != n.Status.NOMINATED:
        _fail("status", f"该推荐{n.get_status_display()}，不能再公示")
    start = parse_date(start or today(), "notice_start", "公示开始日期", allow_future=True)
    if start < n.nominated_on:
        _fail("notice_start", f"公示开始日期不能早于推荐日期（{n.nominated_on}）")
    _vet_or_fail(n.member, start)
    before = snapshot(n)
    n.status, n.notice_start, n.notice_end = n.Status.NOTICE, start, add_workdays(start, rules.NOTICE_WORKDAYS)
    n.save()
    record_change(n, UPDATE, before=before, message=f"公示{rules.NOTICE_WORKDAYS}个工作日")
    return n


@transaction.atomic
def decide_nomination(nomination, *, approve: bool, note: str = "", feedback: str = "", decided_on=None, actor):
    """The higher committee approves after the notice ended (审批: approve right); the
    member is vetted again on the decision day."""
    n = _nomination(nomination, actor, "approve")
    if n.status != n.Status.NOTICE:
        _fail("status", f"该推荐{n.get_status_display()}：须公示期满后审批")
    decided_on = parse_date(decided_on or today(), "decided_on", "审批日期")
    if approve and decided_on <= n.notice_end:
        _fail("decided_on", f"公示至{n.notice_end}，期满后才能审批")
    if approve:
        _vet_or_fail(n.member, decided_on)
    elif not (note or "").strip():
        _fail("decision_note", "不批准时须写明理由")
    before = snapshot(n)
    n.status = n.Status.APPROVED if approve else n.Status.REJECTED
    n.decided_on, n.decided_by = decided_on, _name(actor)
    n.decision_note = _text(note, "decision_note", "审批意见", 300, required=False)
    n.notice_feedback = _text(feedback, "notice_feedback", "公示反映情况", 300, required=False)
    n.save()
    record_change(n, UPDATE, before=before, message="批准表彰" if approve else "不予表彰")
    return n


# ── 联系群众 ───────────────────────────────────────────────────────────────────────────
def _own_or_change(actor, household: Household) -> None:
    """A contact record is written by the member who keeps the household (their own
    account) or by someone with the change right on its branch."""
    if household.member_id and getattr(actor, "member_id", None) == household.member_id:
        return
    require_org_action(actor, household.organisation, "change")


@transaction.atomic
def add_household(data: dict, *, actor) -> Household:
    """Link a member to a household (党员联系户), or pair them with a needy household
    (needy=True, needs required). At most MAX_HOUSEHOLDS_PER_MEMBER active per member."""
    member = data.get("member")
    if not isinstance(member, Member):
        _fail("member", "请选择联系党员")
    member = _member_in_scope(member, actor, "member", "联系党员")
    if member.status not in member_codes.ACTIVE_STATUSES:
        _fail("member", f"{member.name}的党籍状态为“{member.get_status_display()}”，不能联系群众户")
    needy = bool(data.get("needy"))
    needs = _text(data.get("needs"), "needs", "困难和需求", 300, required=needy)
    # The member's row is the lock: two concurrent links cannot both pass the limit.
    Member.objects.select_for_update().filter(pk=member.pk).values_list("pk", flat=True).first()
    active = Household.objects.filter(member=member, status=Household.Status.ACTIVE).count()
    if active >= rules.MAX_HOUSEHOLDS_PER_MEMBER:
        _fail("member", f"{member.name}已联系{rules.MAX_HOUSEHOLDS_PER_MEMBER}户，每名党员最多联系{rules.MAX_HOUSEHOLDS_PER_MEMBER}户")
    size = data.get("size")
    if size not in (None, ""):
        try:
            size = int(size)
        except (TypeError, ValueError):
            _fail("size", f"家庭人口须为整数（现为“{size}”）")
        if not 1 <= size <= 30:
            _fail("size", f"家庭人口须在1到30之间（现为{size}）")
    else:
        size = None
    phone = _phone(data.get("phone"))
    h = Household(
        organisation=member.organisation,
        member=member,
        phone_enc=crypto.encrypt(phone) if phone else "",
        phone_hash=crypto.blind_index(phone) if phone else "",
        phone_masked=crypto.mask_phone(phone),
        head_name=_text(data.get("head_name"), "head_name", "户主姓名", 40),
        address=_text(data.get("address"), "address", "住址", 120),
        size=size,
        needy=needy,
        needs=needs,
        since_on=parse_date(data.get("since_on") or today(), "since_on", "联系开始"),
        recorded_by=_name(actor),
    )
    with unique_messages(
        Household, {"care_household_active_once": ("head_name", f"{h.head_name}户（{h.address}）已有党员联系，请勿重复登记")}
    ):
        h.save()
    record_change(h, CREATE)
    return h


PHONE_CHARS = set("0123456789-+ ")


def _phone(value) -> str:
    """联系电话: optional; digits (7 to 15, a landline may have a dash)."""
    phone = str(value or "").strip()
    if phone and (not set(phone) <= PHONE_CHARS or not 7 <= len(phone.replace("-", "").replace(" ", "")) <= 15):
        _fail("phone", f"联系电话“{phone}”格式不正确：须为7至15位数字（座机可带区号和“-”）")
    return phone


def may_reveal_household_phone(actor, household: Household) -> bool:
    """The member keeping the household (they call it), or a role with the reveal right on
    its branch (secretary, organiser, committee, county); others see the masked number."""
    if household.member_id and getattr(actor, "member_id", None) == household.member_id:
        return True
    from apps.core.scoping import can_act_on_org

    return can_act_on_org(actor, household.organisation, "reveal")


def reveal_household_phone(household: Household, *, actor) -> str:
    """The full phone number of a household, written to the access log (敏感操作日志)."""
    from apps.core.models import AccessLog
    from apps.core.scoping import ScopeError

    if not may_reveal_household_phone(actor, household):
        raise ScopeError("您没有查看联系户完整电话的权限")
    AccessLog.record(
        AccessLog.Kind.REVEAL_PHONE,
        user=actor if getattr(actor, "pk", None) else None,
        target=f"联系户 {household.head_name}户（#{household.pk}）联系电话",
        org_path=household.org_path,
        household_id=household.pk,
        field="phone",
    )
    return crypto.decrypt(household.phone_enc) if household.phone_enc else ""


@transaction.atomic
def record_contact(household: Household, data: dict, *, actor) -> HouseholdContact:
    """民情日记: one contact with the household (and what was done for it)."""
    h = Household.objects.select_for_update().select_related("organisation", "member").get(pk=household.pk)
    _own_or_change(actor, h)
    if h.status != Household.Status.ACTIVE:
        _fail("household", f"与{h}的联系已于{h.ended_on}结束")
    on = parse_date(data.get("on"), "on", "联系日期")
    if on < h.since_on:
        _fail("on", f"联系日期不能早于联系开始日期（{h.since_on}）")
    if data.get("way") not in dict(rules.CONTACT_WAYS):
        _fail("way", f"联系方式须为：{'、'.join(dict(rules.CONTACT_WAYS).values())}")
    contact = HouseholdContact(
        household=h,
        on=on,
        way=data["way"],
        situation=_text(data.get("situation"), "situation", "民情", 500),
        help_given=_text(data.get("help_given"), "help_given", "为民办事", 300, required=False),
        by=_text(data.get("by") or h.member.name, "by", "联系人", 60),
        recorded_by=_name(actor),
    )
    contact.save()
    record_change(contact, CREATE)
    h.contact_count += 1
    if h.last_contact_on is None or on > h.last_contact_on:
        h.last_contact_on = on
    h.save(update_fields=["contact_count", "last_contact_on"])
    return contact


@transaction.atomic
def end_household(household: Household, *, ended_on=None, outcome: str, actor) -> Household:
    h = Household.objects.select_for_update().select_related("organisation").get(pk=household.pk)
    require_org_action(actor, h.organisation, "change")
    if h.status != Household.Status.ACTIVE:
        _fail("outcome", f"已于{h.ended_on}结束")
    ended_on = parse_date(ended_on or today(), "ended_on", "结束日期")
    if ended_on < h.since_on:
        _fail("ended_on", f"结束日期不能早于联系开始日期（{h.since_on}）")
    before = snapshot(h)
    h.outcome = _text(outcome, "outcome", "帮扶成效/结束原因", 300)
    h.status, h.ended_on = Household.Status.ENDED, ended_on
    h.save()
    record_change(h, UPDATE, before=before, message="结束联系")
    return h


# ── 关怀事由设置 (the county edits the occasions, domain-rules §13) ──────────────────────
def save_occasion(occasion: CareOccasion | None, data: dict, *, actor) -> CareOccasion:
    """Add or edit a care occasion (configure right: the county's organisation department).
    A seasonal visit or greeting lists its targets and month; a 四必访 occasion has none.
    The code and the kind of an existing occasion do not change (visits refer to it)."""
    from apps.core import ruletables

    def fill(oc, d):
        if oc.pk is None:
            if d.get("kind") not in CareOccasion.Kind.values:
                _fail("kind", f"类别须为：{'、'.join(CareOccasion.Kind.labels)}")
            oc.kind = d["kind"]
        oc.name = ruletables.clean_name(d.get("name"), "名称", 40)
        targets = list(d.get("targets") or [])
        unknown = [t for t in targets if t not in rules.TARGET_LABELS]
        if unknown:
            _fail("targets", f"走访对象“{'、'.join(unknown)}”不在可选范围内：{'、'.join(rules.TARGET_LABELS.values())}")
        month = d.get("month")
        month = int(month) if month not in (None, "") else None
        if oc.kind == CareOccasion.Kind.MUST_VISIT:
            if targets or month:
                _fail("targets", "四必访事由随时发生：不设走访对象和月份")
        else:
            if not targets:
                _fail("targets", f"“{oc.get_kind_display()}”须选择走访对象（清单据此从名册生成）")
            if month is None or not 1 <= month <= 12:
                _fail("month", "节日走访和问候须填写通常月份（1至12）")
        oc.targets, oc.month = targets, month
        oc.active = bool(d.get("active", True))

    return ruletables.save_row(CareOccasion, occasion, data, fill, what="关怀事由", actor=actor)


# ── 表彰项目设置 (commendation kinds as data, with their awarding level) ─────────────────
def save_commendation_kind(kind, data: dict, *, actor):
    """Add or edit a commendation kind (configure right). Whom it commends (a member or an
    organisation) is set when it is added: nominations refer to it. The awarding level
    and whether it can be nominated change; a disabled kind keeps its awards."""
    from apps.core import ruletables

    from .models import CommendationKind

    def fill(k, d):
        if k.pk is None:
            if d.get("nominee") not in dict(rules.NOMINEE_KINDS):
                _fail("nominee", f"表彰对象须为：{'、'.join(dict(rules.NOMINEE_KINDS).values())}")
            k.nominee = d["nominee"]
        k.name = ruletables.clean_name(d.get("name"), "名称", 40)
        if d.get("level") not in dict(rules.AWARD_LEVELS):
            _fail("level", f"表彰层级须为：{'、'.join(dict(rules.AWARD_LEVELS).values())}")
        k.level = d["level"]
        k.active = bool(d.get("active", True))

    return ruletables.save_row(CommendationKind, kind, data, fill, what="表彰项目", actor=actor)
