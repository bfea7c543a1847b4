"""Writes to the dues ledger. Web views, the API, the CLI and the demo data call these
functions; each owns its transaction, validation (Chinese messages naming the field and
the rule), scoping (require_org_action) and audit entry (record_change)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from apps.core.actors import as_user
from apps.core.audit import record_change, snapshot
from apps.core.context import current_actor
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.core.uniqueness import unique_messages
from apps.members import codes as member_codes
from apps.members.models import Member, MemberTransferHistory
from apps.orgs.models import Organisation

from . import months as mo
from . import rules, standing, tally
from .models import (
    AnnualRemittance,
    ArrearsCase,
    Collection,
    DuesLine,
    DuesTally,
    IncomeDeclaration,
    LedgerMonth,
    Payment,
    PaymentMonth,
    Reduction,
    VoluntaryPayment,
)

ZERO = Decimal("0.00")
BATCH = 2000


def _actor_name(actor) -> str:
    return getattr(actor, "username", "") or current_actor().username or "system"


def _today(today=None) -> datetime.date:
    return today or timezone.localdate()


def _fail(field_name: str, message: str):
    raise ValidationError({field_name: [message]})


# ---------------------------------------------------------------- income declarations


def _validate_declaration(category, base, fixed_amount, month):
    rule = rules.category_rule(category, month)
    if rule.kind == "fixed":
        base = None
        if not rule.fixed_configurable:
            fixed_amount = None
    else:
        fixed_amount = None
        if base in (None, ""):
            _fail("base", f"{rule.label}党员须申报缴纳基数（{rule.base_label}）")
        base = rules.parse_money(base, "base", "缴纳基数")
    rules.monthly_amount(category, base, month, fixed_amount=fixed_amount)  # validates the amount
    if fixed_amount not in (None, ""):
        fixed_amount = rules.parse_money(fixed_amount, "fixed_amount", "定额")
    else:
        fixed_amount = None
    return base, fixed_amount


@transaction.atomic
def declare_income(
    member: Member,
    *,
    category: str,
    effective_month,
    base=None,
    fixed_amount=None,
    declared_on: datetime.date | None = None,
    note: str = "",
    actor,
) -> IncomeDeclaration:
    """Record the member's dues category and base from `effective_month` (the month the new
    pay is first received). Unpaid ledger lines from that month until the next declaration
    are re-priced; paid months are left as paid."""
    month = mo.parse_month(effective_month, "effective_month", "起算月份")
    # One declarer at a time per member: a concurrent second declaration for the same
    # month then updates the first, as it would one after the other.
    member = Member.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    base, fixed_amount = _validate_declaration(category, base, fixed_amount, month)
    declared_on = declared_on or _today()
    existing = IncomeDeclaration.objects.filter(member=member, effective_month=month).first()
    before = snapshot(existing) if existing else None
    decl = existing or IncomeDeclaration(member=member, effective_month=month)
    decl.category, decl.base, decl.fixed_amount = category, base, fixed_amount
    decl.declared_on, decl.note, decl.recorded_by = declared_on, note[:200], _actor_name(actor)
    decl.organisation, decl.org_path = member.organisation, member.org_path
    with unique_messages(
        IncomeDeclaration,
        {
            "dues_declaration_member_month": (
                "effective_month",
                f"{member.name}自{mo.label(month)}起的缴纳基数已由他人同时申报，本次未保存，请刷新后核对",
            )
        },
    ):
        decl.save()
    record_change(decl, ChangeLog.Action.UPDATE if existing else ChangeLog.Action.CREATE, before=before)
    next_decl = IncomeDeclaration.objects.filter(member=member, effective_month__gt=month).order_by("effective_month").first()
    lines = DuesLine.objects.select_for_update().filter(member=member, month__gte=month, status=DuesLine.Status.UNPAID)
    if next_decl:
        lines = lines.filter(month__lt=next_decl.effective_month)
    reductions = _approved_reductions([member.pk])
    touched = []
    for line in lines:
        before_line = snapshot(line)
        _price_line(line, decl, reductions.get(member.pk, []))
        line.save()
        record_change(line, ChangeLog.Action.UPDATE, before=before_line, message="缴纳基数变更，重新计算应交金额")
        touched.append(line)
    _recount(touched)
    return decl


def _recount(lines, today=None, payments=()) -> None:
    """The derived figures of the lines just written (and of the payments' paid_on months):
    the monthly tallies of their (organisation, month) and their members' arrears standing."""
    tally.retally(
        {(line.organisation_id, line.month) for line in lines} | {(p.organisation_id, mo.month_start(p.paid_on)) for p in payments}
    )
    standing.restand({(line.member_id, line.month) for line in lines}, today)


# ---------------------------------------------------------------- ledger generation


@dataclass
class GenerationResult:
    month: datetime.date
    created: int = 0
    existing: int = 0
    missing_declaration: list = field(default_factory=list)  # members without a base
    cases_opened: int = 0


def _approved_reductions(member_ids) -> dict[int, list[Reduction]]:
    out: dict[int, list[Reduction]] = {}
    for r in Reduction.objects.filter(status=Reduction.Status.APPROVED, member_id__in=list(member_ids)):
        out.setdefault(r.member_id, []).append(r)
    return out


def _default_declaration(member) -> IncomeDeclaration | None:
    category = rules.DEFAULT_CATEGORY_BY_OCCUPATION.get(member.occupation)
    if category is None:
        return None
    return IncomeDeclaration(member_id=member.pk, category=category)


def _price_line(line: DuesLine, decl: IncomeDeclaration, reductions) -> None:
    rate, amount = rules.monthly_amount(decl.category, decl.base, line.month, fixed_amount=decl.fixed_amount)
    line.category, line.base, line.rate, line.standard_amount = decl.category, decl.base, rate, amount
    line.amount_due, line.reduction = amount, None
    for r in reductions:
        if r.covers(line.month):
            line.reduction = r
            line.amount_due = ZERO if r.kind == Reduction.Kind.EXEMPT else min(amount, r.monthly_amount)
    if line.status in (DuesLine.Status.UNPAID, DuesLine.Status.EXEMPT) and not line.paid_elsewhere:
        line.status = DuesLine.Status.EXEMPT if line.amount_due == ZERO else DuesLine.Status.UNPAID


def _holding(member_rows: dict, month: datetime.date, org: Organisation) -> dict[int, tuple[int, str]]:
    """{member_id: (organisation_id, path)} of the organisation holding each member on the
    first day of the month (later transfers tell where they were), kept if inside org."""
    out = {}
    transfers = (
        MemberTransferHistory.objects.filter(member_id__in=list(member_rows), date__gt=month)
        .order_by("member_id", "date", "id")
        .values_list("member_id", "from_org_id", "from_org__path")
    )
    first_transfer = {}
    for member_id, from_id, from_path in transfers:
        first_transfer.setdefault(member_id, (from_id, from_path))
    for member_id, row in member_rows.items():
        org_id, path = first_transfer.get(member_id, (row.organisation_id, row.org_path))
        if path.startswith(org.path):
            out[member_id] = (org_id, path)
    return out


def _candidates(org: Organisation, month: datetime.date) -> dict[int, Member]:
    end = mo.month_end(month)
    fields = ("id", "name", "organisation_id", "org_path", "occupation", "status", "join_date")
    current = Member.objects.counted().filter(org_path__startswith=org.path, join_date__lte=end).only(*fields)
    rows = {m.pk: m for m in current}
    moved_out_ids = MemberTransferHistory.objects.filter(date__gt=month, from_org__path__startswith=org.path).values("member_id")
    for m in Member.objects.counted().filter(pk__in=moved_out_ids, join_date__lte=end).exclude(org_path__startswith=org.path).only(*fields):
        rows[m.pk] = m
    return rows


def build_lines(members: dict[int, Member], month: datetime.date, org: Organisation, result: GenerationResult) -> list[DuesLine]:
    """Unsaved DuesLine objects for the members (id → Member) for one month, priced from
    their declarations and approved reductions; members already charged are skipped."""
    holding = _holding(members, month, org)
    ids = list(holding)
    existing = set()
    decls: dict[int, IncomeDeclaration] = {}
    prev_elsewhere = {}
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        existing |= set(DuesLine.objects.filter(month=month, member_id__in=chunk).values_list("member_id", flat=True))
        for d in IncomeDeclaration.objects.filter(member_id__in=chunk, effective_month__lte=month).order_by("member_id", "effective_month"):
            decls[d.member_id] = d  # the newest not after the month wins
        prev_elsewhere.update(
            DuesLine.objects.filter(member_id__in=chunk, month=mo.shift(month, -1), paid_elsewhere=True).values_list(
                "member_id", "paid_elsewhere_note"
            )
        )
    reductions = _approved_reductions(ids) if ids else {}
    lines = []
    for member_id in ids:
        if member_id in existing:
            result.existing += 1
            continue
        member = members[member_id]
        decl = decls.get(member_id) or _default_declaration(member)
        if decl is None:
            result.missing_declaration.append(member)
            continue
        org_id, path = holding[member_id]
        line = DuesLine(member_id=member_id, month=month, organisation_id=org_id, org_path=path)
        if member.status == "mobile" and member_id in prev_elsewhere:
            line.paid_elsewhere, line.paid_elsewhere_note = True, prev_elsewhere[member_id]
            line.status = DuesLine.Status.PAID_ELSEWHERE
        _price_line(line, decl, reductions.get(member_id, []))
        lines.append(line)
    return lines


@transaction.atomic
def generate_month(org: Organisation, year_month, *, actor, today=None, open_cases: bool = True) -> GenerationResult:
    """Create the month's dues lines for every member counted in the organisation's
    subtree (probationary members from the month of their admission; members who moved
    are charged where they were held on the first day of the month). Idempotent: a member
    already charged for the month is skipped (unique (member, month))."""
    month = mo.parse_month(year_month)
    today = _today(today)
    if month > mo.month_start(today):
        _fail("month", f"不能生成未来月份（{mo.label(month)}）的党费台账")
    require_org_action(actor, org, "change")
    if org.status != Organisation.Status.ACTIVE:
        _fail("organisation", f"“{org}”已撤销，不能生成党费台账")
    result = GenerationResult(month=month)
    lines = build_lines(_candidates(org, month), month, org, result)
    for i in range(0, len(lines), BATCH):
        DuesLine.objects.bulk_create(lines[i : i + BATCH], ignore_conflicts=True)
    _recount(lines, today)
    result.created = len(lines)
    log = LedgerMonth.objects.filter(organisation=org, month=month).first()
    before = snapshot(log) if log else None
    log = log or LedgerMonth(organisation=org, month=month, org_path=org.path)
    log.line_count = (log.line_count or 0) + result.created
    log.generated_by = _actor_name(actor)
    with unique_messages(
        LedgerMonth, {"dues_ledger_month_org": ("month", f"“{org}”{mo.label(month)}的党费台账正由他人同时生成，请稍后刷新查看")}
    ):
        log.save()
    record_change(
        log,
        ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE,
        before=before,
        message=f"生成{mo.label(month)}党费台账：新增{result.created}条，已存在{result.existing}条，未申报基数{len(result.missing_declaration)}人",
    )
    if open_cases:
        result.cases_opened = refresh_arrears_cases(org, as_of=today, actor=actor)
    return result


@transaction.atomic
def mark_paid_elsewhere(line: DuesLine, *, note: str, actor) -> DuesLine:
    """A mobile member holding an activity certificate paid this month where they stay:
    the line is settled here and not charged twice."""
    line = DuesLine.objects.select_for_update().select_related("member", "organisation").get(pk=line.pk)
    require_org_action(actor, line.organisation, "change")
    if line.member.status != "mobile":
        _fail("paid_elsewhere", "只有流动党员（持《流动党员活动证》）可以在流入地交纳党费")
    if not note.strip():
        _fail("paid_elsewhere_note", "请填写在何处（流入地党组织）交纳")
    if line.status != DuesLine.Status.UNPAID:
        _fail("status", f"{mo.label(line.month)}党费状态为“{line.get_status_display()}”，不能再标记为流入地缴纳")
    before = snapshot(line)
    line.paid_elsewhere, line.paid_elsewhere_note = True, note.strip()[:120]
    line.status = DuesLine.Status.PAID_ELSEWHERE
    line.save(update_fields=["paid_elsewhere", "paid_elsewhere_note", "status"])
    _recount([line])
    record_change(line, ChangeLog.Action.UPDATE, before=before, message="流动党员在流入地交纳")
    return line


# ---------------------------------------------------------------- payments


@dataclass
class PaymentResult:
    payment: Payment
    warnings: list = field(default_factory=list)


def _check_payer(payer_kind, payer_name, method, kind):
    if payer_kind in rules.REFUSED_PAYERS:
        _fail(*rules.REFUSED_PAYERS[payer_kind])
    if method in rules.REFUSED_METHODS:
        _fail(*rules.REFUSED_METHODS[method])
    if kind in rules.REFUSED_KINDS:
        _fail(*rules.REFUSED_KINDS[kind])
    if kind not in dict(rules.KIND_CHOICES):
        _fail("kind", f"缴纳类型“{kind}”无效；自愿多交党费请单独登记")
    if payer_kind not in dict(rules.PAYER_CHOICES):
        _fail("payer_kind", f"缴纳人类型“{payer_kind}”无效，应为本人缴纳或他人代交")
    if method not in dict(rules.METHOD_CHOICES):
        _fail("method", f"支付方式“{method}”无效")
    name = (payer_name or "").strip()
    if payer_kind == "proxy":
        if not name:
            _fail("payer_name", "他人代交须填写代交人姓名")
        if any(w in name for w in rules.ORGANISATION_PAYER_WORDS):
            _fail("payer_name", rules.REFUSED_PAYERS["organisation"][1])
        return name[:40]
    return ""


def _parse_months(months) -> list[datetime.date]:
    if isinstance(months, (str, datetime.date)):
        months = [months]
    parsed = sorted({mo.parse_month(m, "months", "缴纳月份") for m in (months or [])})
    if not parsed:
        _fail("months", "请选择缴纳的月份")
    return parsed


def _lock_lines(member: Member, months: list[datetime.date], today) -> list[DuesLine]:
    """The member's lines for the months, locked; missing months (quarterly payment in
    advance, a month not yet generated) are created at the member's organisation."""
    missing = set(months) - set(DuesLine.objects.filter(member=member, month__in=months).values_list("month", flat=True))
    if missing:
        anywhere = SimpleNamespace(path="")  # charged wherever the member was held that month
        for month in sorted(missing):
            result = GenerationResult(month=month)
            lines = build_lines({member.pk: member}, month, anywhere, result)
            if result.missing_declaration:
                _fail("months", f"{member.name}尚未申报党费缴纳基数，无法计算{mo.label(month)}应交金额，请先登记基数")
            DuesLine.objects.bulk_create(lines, ignore_conflicts=True)
    lines = list(
        DuesLine.objects.select_for_update(of=("self",))
        .filter(member=member, month__in=months)
        .select_related("payment", "organisation")
        .order_by("month")
    )
    if len(lines) != len(months):  # pragma: no cover - defensive
        _fail("months", "部分月份的党费台账不在本党员名下，请核对组织关系")
    return lines


@transaction.atomic
def record_payment(
    member: Member,
    *,
    months,
    amount,
    paid_on: datetime.date | None = None,
    mode: str = "monthly",
    branch_consent: bool = False,
    payer_kind: str = "self",
    payer_name: str = "",
    method: str = "cash",
    kind: str = "regular",
    note: str = "",
    actor,
    today=None,
) -> PaymentResult:
    """Record dues paid by the member (or on their behalf by a named person) for one or
    more months. Refused: organisations paying for members, deductions from pay, "special
    dues", non-positive or non-numeric amounts, amounts different from what is due, and
    months already paid. A back payment of more than 6 months is allowed with a warning."""
    today = _today(today)
    payer_name = _check_payer(payer_kind, payer_name, method, kind)
    amount = rules.parse_money(amount, "amount", "缴纳金额", allow_zero=False)
    months = _parse_months(months)
    paid_on = paid_on or today
    if isinstance(paid_on, str):
        try:
            paid_on = datetime.date.fromisoformat(paid_on)
        except ValueError:
            _fail("paid_on", f"缴纳日期“{paid_on}”格式错误，应为 YYYY-MM-DD")
    if paid_on > today:
        _fail("paid_on", "缴纳日期不能晚于今天")
    current = mo.month_start(today)
    if mode not in dict(Payment.Mode.choices):
        _fail("mode", f"缴纳方式“{mode}”无效")
    if mode == Payment.Mode.QUARTERLY:
        if not branch_consent:
            _fail("branch_consent", "按季度交纳党费须经党支部同意，请勾选“支部已同意按季度缴纳”")
        if months != mo.quarter_months(months[0]):
            _fail("months", "按季度交纳须一次交清同一季度的三个月")
        if months[0] > current:
            _fail("months", "不能预交以后季度的党费")
    elif months[-1] > current:
        _fail("months", f"不能预交以后月份（{mo.label(months[-1])}）的党费；经支部同意可按季度交纳")
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    if member.status in member_codes.ENDED_STATUSES:
        _fail("member", f"{member.name}党籍状态为“{member.get_status_display()}”，不能登记党费")
    lines = _lock_lines(member, months, today)
    for org in {line.organisation for line in lines}:
        require_org_action(actor, org, "change")
    for line in lines:
        if line.status == DuesLine.Status.PAID:
            paid = f"（{line.paid_on:%Y-%m-%d}已交）" if line.paid_on else ""
            _fail("months", f"{member.name}{mo.label(line.month)}党费已缴纳{paid}，不能重复缴纳")
        if line.status == DuesLine.Status.PAID_ELSEWHERE:
            _fail("months", f"{member.name}{mo.label(line.month)}党费已在流入地交纳，不能重复缴纳")
        if line.status == DuesLine.Status.EXEMPT:
            _fail("months", f"{member.name}{mo.label(line.month)}党费已批准免交，无需缴纳")
    due = sum((line.amount_due for line in lines), ZERO)
    if amount != due:
        detail = "、".join(f"{line.month:%Y-%m} {line.amount_due}元" for line in lines)
        extra = "；多交部分请登记为“自愿多交党费”" if amount > due else ""
        _fail("amount", f"应交{due}元（{detail}），实交{amount}元，金额不符{extra}")
    warnings = []
    oldest_allowed = mo.shift(current, -rules.BACK_PAYMENT_WARN_MONTHS)
    if months[0] < oldest_allowed:
        warnings.append(
            f"补交时间超过{rules.BACK_PAYMENT_WARN_MONTHS}个月（最早为{mo.label(months[0])}），按规定补交一般不超过6个月，请核实原因"
        )
    if mode != Payment.Mode.QUARTERLY and months[0] < current:
        mode = Payment.Mode.BACK
    payment = Payment.objects.create(
        member=member,
        organisation=lines[0].organisation,
        org_path=lines[0].org_path,
        amount=amount,
        paid_on=paid_on,
        mode=mode,
        branch_consent=bool(branch_consent),
        payer_kind=payer_kind,
        payer_name=payer_name,
        method=method,
        first_month=months[0],
        last_month=months[-1],
        month_count=len(months),
        warning="；".join(warnings)[:200],
        note=(note or "")[:200],
        recorded_by=as_user(actor),
    )
    try:
        with transaction.atomic():
            PaymentMonth.objects.bulk_create(
                [PaymentMonth(payment=payment, member=member, month=line.month, amount=line.amount_due) for line in lines]
            )
    except IntegrityError:
        raise ValidationError({"months": [f"{member.name}所选月份的党费已由他人同时登记缴纳，本次未重复登记，请刷新后核对"]})
    DuesLine.objects.filter(pk__in=[line.pk for line in lines]).update(status=DuesLine.Status.PAID, paid_on=paid_on, payment=payment)
    # the lines' dues months and the month the money came in
    _recount(lines, today, payments=[payment])
    record_change(payment, ChangeLog.Action.CREATE, message="；".join(warnings))
    return PaymentResult(payment=payment, warnings=warnings)


@transaction.atomic
def record_voluntary_payment(member: Member, *, amount, paid_on=None, note: str = "", actor, today=None) -> VoluntaryPayment:
    """Voluntary extra dues; a one-off ≥ 1000 yuan is flagged to go wholly to the centre."""
    amount = rules.parse_money(amount, "amount", "自愿多交金额", allow_zero=False)
    paid_on = paid_on or _today(today)
    if paid_on > _today(today):
        _fail("paid_on", "缴纳日期不能晚于今天")
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    vp = VoluntaryPayment.objects.create(
        member=member,
        organisation=member.organisation,
        org_path=member.org_path,
        amount=amount,
        paid_on=paid_on,
        remit_to_centre=amount >= rules.VOLUNTARY_CENTRE_THRESHOLD,
        note=note[:200],
        recorded_by=_actor_name(actor),
    )
    record_change(vp, ChangeLog.Action.CREATE, message="一次性自愿多交1000元以上，全额上缴中央" if vp.remit_to_centre else "")
    return vp


# ---------------------------------------------------------------- paid up to


def paid_up_to_map(member_ids) -> dict[int, datetime.date | None]:
    """{member_id: the last month up to which dues are settled without a gap} in one query."""
    from django.db.models import Max, Min

    settled = Q(status__in=DuesLine.SETTLED)
    rows = (
        DuesLine.objects.filter(member_id__in=member_ids)
        .values("member_id")
        .annotate(first=Min("month"), first_unpaid=Min("month", filter=~settled), last_settled=Max("month", filter=settled))
        .order_by()
    )
    out = {}
    for r in rows:
        if r["first_unpaid"] is None:
            out[r["member_id"]] = r["last_settled"]
        elif r["first_unpaid"] > r["first"]:
            out[r["member_id"]] = mo.shift(r["first_unpaid"], -1)
        else:
            out[r["member_id"]] = None
    return out


def paid_up_to(member) -> datetime.date | None:
    """ "Dues paid up to (year-month)": the last month before the first unsettled month
    (used by relationship-transfer letters). None when nothing is settled yet."""
    member_id = getattr(member, "pk", member)
    return paid_up_to_map([member_id]).get(member_id)


# ---------------------------------------------------------------- reductions


@transaction.atomic
def propose_reduction(
    member: Member,
    *,
    kind: str,
    start_month,
    end_month,
    reason: str,
    monthly_amount=None,
    proposed_on: datetime.date | None = None,
    actor,
) -> Reduction:
    """The branch proposes a hardship reduction or exemption (after discussing it)."""
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    if kind not in dict(Reduction.Kind.choices):
        _fail("kind", "请选择减交或免交")
    start = mo.parse_month(start_month, "start_month", "起始月份")
    end = mo.parse_month(end_month, "end_month", "截止月份")
    if end < start:
        _fail("end_month", "截止月份不能早于起始月份")
    if not (reason or "").strip():
        _fail("reason", "请填写减免理由（经支部讨论的困难情况）")
    amount = ZERO
    if kind == Reduction.Kind.REDUCE:
        amount = rules.parse_money(monthly_amount, "monthly_amount", "减交后每月交纳金额", allow_zero=False)
    overlap = Reduction.objects.filter(
        member=member, status__in=[Reduction.Status.PROPOSED, Reduction.Status.APPROVED], start_month__lte=end, end_month__gte=start
    )
    if overlap.exists():
        _fail("start_month", "该期间已有待审批或已批准的减免，不能重复申请")
    r = Reduction.objects.create(
        member=member,
        organisation=member.organisation,
        org_path=member.org_path,
        kind=kind,
        monthly_amount=amount,
        start_month=start,
        end_month=end,
        reason=reason.strip()[:300],
        proposed_by=_actor_name(actor),
        proposed_on=proposed_on or _today(),
    )
    record_change(r, ChangeLog.Action.CREATE, message="支部提出党费减免")
    return r


@transaction.atomic
def decide_reduction(reduction: Reduction, *, approve: bool, note: str = "", actor, today=None) -> Reduction:
    """The next-level committee approves (or rejects) a proposed reduction; on approval the
    unpaid lines of the period are re-priced (exemption: amount 0, status exempt)."""
    r = Reduction.objects.select_for_update().select_related("organisation").get(pk=reduction.pk)
    require_org_action(actor, r.organisation, "approve")
    if r.status != Reduction.Status.PROPOSED:
        _fail("status", f"该减免申请已{r.get_status_display()}，不能再次审批")
    if not approve and not note.strip():
        _fail("decision_note", "不批准时请填写审批意见")
    before = snapshot(r)
    r.status = Reduction.Status.APPROVED if approve else Reduction.Status.REJECTED
    r.decided_by, r.decided_on, r.decision_note = _actor_name(actor), _today(today), note.strip()[:300]
    r.save()
    record_change(r, ChangeLog.Action.UPDATE, before=before, message="上级党委审批党费减免")
    if approve:
        lines = DuesLine.objects.select_for_update().filter(
            member_id=r.member_id,
            month__gte=r.start_month,
            month__lte=r.end_month,
            status__in=[DuesLine.Status.UNPAID, DuesLine.Status.EXEMPT],
        )
        touched = []
        for line in lines:
            before_line = snapshot(line)
            line.reduction = r
            line.amount_due = ZERO if r.kind == Reduction.Kind.EXEMPT else min(line.standard_amount, r.monthly_amount)
            line.status = DuesLine.Status.EXEMPT if line.amount_due == ZERO else DuesLine.Status.UNPAID
            line.save(update_fields=["reduction", "amount_due", "status"])
            record_change(line, ChangeLog.Action.UPDATE, before=before_line, message="党费减免获批")
            touched.append(line)
        _recount(touched, today)
    return r


# ---------------------------------------------------------------- collection and hand-over


def collection_figures(org: Organisation, month: datetime.date) -> dict:
    """expected (the subtree's dues for the month), collected (payments received by this
    organisation's own members during the month), voluntary, and what the organisations
    directly below handed over for the month. Four aggregate queries."""
    end = mo.month_end(month)
    expected = (
        DuesLine.objects.filter(org_path__startswith=org.path, month=month)
        .exclude(status=DuesLine.Status.PAID_ELSEWHERE)
        .aggregate(s=Sum("amount_due"))["s"]
    )
    collected = Payment.objects.filter(organisation=org, paid_on__gte=month, paid_on__lte=end).aggregate(s=Sum("amount"))["s"]
    voluntary = VoluntaryPayment.objects.filter(organisation=org, paid_on__gte=month, paid_on__lte=end).aggregate(s=Sum("amount"))["s"]
    received = (
        Collection.objects.filter(handed_to=org, month=month).exclude(status=Collection.Status.OPEN).aggregate(s=Sum("handed_over"))["s"]
    )
    return {
        "expected": rules.money(expected),
        "collected": rules.money(collected),
        "voluntary": rules.money(voluntary),
        "received_from_below": rules.money(received),
    }


@transaction.atomic
def hand_over(org: Organisation, year_month, *, amount, handed_on=None, difference_note: str = "", actor, today=None) -> Collection:
    """Record the month's hand-over to the organisation above (branch → committee →
    county). The figures are recomputed from the ledger; a hand-over that differs from
    what is in hand must be explained."""
    month = mo.parse_month(year_month)
    today = _today(today)
    require_org_action(actor, org, "change")
    if month > mo.month_start(today):
        _fail("month", "不能登记未来月份的上交")
    amount = rules.parse_money(amount, "handed_over", "上交金额")
    handed_on = handed_on or today
    if handed_on > today:
        _fail("handed_on", "上交日期不能晚于今天")
    coll = Collection.objects.select_for_update().filter(organisation=org, month=month).first()
    if coll and coll.status == Collection.Status.CONFIRMED:
        _fail("status", f"{mo.label(month)}的上交已由上级确认，不能修改")
    before = snapshot(coll) if coll else None
    coll = coll or Collection(organisation=org, org_path=org.path, month=month)
    for k, v in collection_figures(org, month).items():
        setattr(coll, k, v)
    coll.handed_over = amount
    diff = coll.total_in_hand - amount
    if diff != ZERO and not (difference_note or "").strip():
        _fail("difference_note", f"上交金额{amount}元与实收合计{coll.total_in_hand}元相差{diff}元，须说明差额原因")
    coll.difference_note = (difference_note or "").strip()[:300]
    coll.handed_to = Organisation.objects.get_parent(org)
    coll.handed_on = handed_on
    coll.handed_by = _actor_name(actor)
    coll.status = Collection.Status.HANDED_OVER
    with unique_messages(
        Collection,
        {"dues_collection_org_month": ("month", f"“{org}”{mo.label(month)}的党费上交已由他人同时登记，本次未保存，请刷新后核对")},
    ):
        coll.save()
    record_change(coll, ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE, before=before, message="党费上交")
    return coll


@transaction.atomic
def confirm_collection(collection: Collection, *, actor, today=None) -> Collection:
    """The receiving organisation confirms it received the hand-over."""
    coll = Collection.objects.select_for_update(of=("self",)).select_related("handed_to", "organisation").get(pk=collection.pk)
    if coll.status != Collection.Status.HANDED_OVER:
        _fail("status", f"该记录状态为“{coll.get_status_display()}”，不能确认")
    receiver = coll.handed_to
    if receiver is None:
        _fail("handed_to", "县级党费由县委组织部登记年度上缴，无需上级确认")
    require_org_action(actor, receiver, "change")
    before = snapshot(coll)
    coll.status = Collection.Status.CONFIRMED
    coll.confirmed_by, coll.confirmed_on = _actor_name(actor), _today(today)
    coll.save(update_fields=["status", "confirmed_by", "confirmed_on"])
    record_change(coll, ChangeLog.Action.UPDATE, before=before, message=f"{receiver}确认收到上交党费")
    return coll


def remittance_rate() -> Decimal:
    return Decimal(str(getattr(settings, "DUES_REMITTANCE_RATE", rules.ANNUAL_REMITTANCE_RATE)))


@transaction.atomic
def record_annual_remittance(
    org: Organisation, year: int, *, amount_remitted, remitted_on=None, rate=None, note: str = "", actor, today=None
) -> AnnualRemittance:
    """The year's upward remittance: rate (5 % by default, configurable) of the dues the
    subtree received in the year, due by the end of April of the following year."""
    require_org_action(actor, org, "change")
    if not org.is_root():
        # The upward remittance is made by the top of this deployment's tree (the province
        # in the regulation; the county committee when dangjian serves one county).
        _fail("org", f"年度上缴由本系统最上级组织办理，“{org}”不办理此项")
    try:
        year = int(year)
    except (TypeError, ValueError):
        _fail("year", f"年度“{year}”无效")
    today = _today(today)
    if not (2008 <= year <= today.year):
        _fail("year", f"年度{year}超出范围")
    rate = remittance_rate() if rate in (None, "") else Decimal(str(rate))
    if not (ZERO < rate <= 1):
        _fail("rate", "上缴比例应在0到1之间（如 0.05 表示5%）")
    amount = rules.parse_money(amount_remitted, "amount_remitted", "实际上缴金额")
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    # the payments received in the year: the monthly tallies' (tally.py), not every payment
    total = DuesTally.objects.filter(org_path__startswith=org.path, month__gte=first, month__lte=last).aggregate(s=Sum("collected"))["s"]
    total = rules.money(total)
    rem = AnnualRemittance.objects.select_for_update().filter(organisation=org, year=year).first()
    before = snapshot(rem) if rem else None
    rem = rem or AnnualRemittance(organisation=org, org_path=org.path, year=year)
    rem.total_dues, rem.rate = total, rate
    rem.amount_due = rules.remittance_amount(total, rate)
    rem.amount_remitted = amount
    rem.due_by = datetime.date(year + 1, *rules.ANNUAL_REMITTANCE_DUE)
    rem.remitted_on = remitted_on or (today if amount > 0 else None)
    if amount != rem.amount_due and not note.strip():
        _fail("note", f"实际上缴{amount}元与应上缴{rem.amount_due}元不符，须说明原因")
    rem.note, rem.recorded_by = note.strip()[:300], _actor_name(actor)
    with unique_messages(
        AnnualRemittance, {"dues_remittance_org_year": ("year", f"{year}年度的党费上缴已由他人同时登记，本次未保存，请刷新后核对")}
    ):
        rem.save()
    record_change(rem, ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE, before=before, message="年度党费上缴")
    return rem


# ---------------------------------------------------------------- arrears


def refresh_arrears_cases(org: Organisation, *, as_of=None, actor) -> int:
    """Open a handling case for every member in the subtree unpaid for 6+ consecutive
    months without good reason who has no open case yet. Idempotent. Returns how many.
    The acting user must be able to change the subtree (the daily command and the demo act
    as the system actor)."""
    from .selectors import arrears_rows

    require_org_action(actor, org, "change")
    as_of = _today(as_of)
    rows = arrears_rows(as_of, path=org.path, minimum=rules.ARREARS_CASE)
    open_ids = set(
        ArrearsCase.objects.filter(status=ArrearsCase.Status.OPEN, org_path__startswith=org.path).values_list("member_id", flat=True)
    )
    opened = 0
    for row in rows:
        if row["member_id"] in open_ids:
            continue
        try:
            with transaction.atomic():
                case = ArrearsCase.objects.create(
                    member_id=row["member_id"],
                    organisation_id=row["organisation_id"],
                    org_path=row["org_path"],
                    opened_on=as_of,
                    first_unpaid_month=row["first_unpaid"],
                    months_unpaid=row["months"],
                )
                record_change(case, ChangeLog.Action.CREATE, message="连续6个月未交纳党费，启动处置程序")
                opened += 1
        except IntegrityError:  # opened concurrently
            continue
    return opened


@transaction.atomic
def decide_arrears_case(case: ArrearsCase, *, decision: str, meeting_date, note: str = "", actor, today=None) -> ArrearsCase:
    """Record the general meeting's decision. The member's status is NOT changed here:
    treating them as 自行脱党 is a separate status change (members.services.change_status)."""
    case = ArrearsCase.objects.select_for_update().select_related("organisation").get(pk=case.pk)
    require_org_action(actor, case.organisation, "change")
    if case.status != ArrearsCase.Status.OPEN:
        _fail("status", "该处置已记录支部大会决定")
    if decision not in dict(ArrearsCase.Decision.choices):
        _fail("decision", "请选择支部大会的决定")
    if isinstance(meeting_date, str):
        try:
            meeting_date = datetime.date.fromisoformat(meeting_date)
        except ValueError:
            _fail("meeting_date", "支部大会日期格式错误，应为 YYYY-MM-DD")
    if not meeting_date:
        _fail("meeting_date", "请填写支部大会日期")
    if meeting_date > _today(today):
        _fail("meeting_date", "支部大会日期不能晚于今天")
    if meeting_date < case.opened_on:
        _fail("meeting_date", "支部大会日期不能早于立案日期")
    before = snapshot(case)
    case.status, case.decision, case.meeting_date = ArrearsCase.Status.DECIDED, decision, meeting_date
    case.decision_note, case.decided_by = note.strip()[:300], _actor_name(actor)
    case.save()
    record_change(case, ChangeLog.Action.UPDATE, before=before, message="记录支部大会决定")
    return case
