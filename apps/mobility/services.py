"""Every write of relationship transfers and mobile members. Web, API and CLI call these;
each takes the acting user as the required keyword `actor`, checks the scope, validates
against apps.mobility.rules and writes nothing when it refuses (transaction.atomic).

The member's organisation changes only through apps.members.services.move_member (or,
when the member still has an active development file, recruitment's transfer_file, which
moves the file and the member together); a transfer out of the system ends the record with
the status "transferred_out" — this engine owns that transition."""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.audit import record_change, snapshot
from apps.core.context import current_actor
from apps.core.dates import add_months
from apps.core.models import ChangeLog
from apps.core.scoping import can_act_on_org, require_org_action
from apps.members import codes as member_codes
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import MEMBER_HOLDING_TYPES

from . import rules
from .models import (
    HostRegistration,
    HostReport,
    MobileContact,
    MobileRecord,
    MobilityRuleVersion,
    NonPublicCard,
    TemporaryBranch,
    Transfer,
    TransferLetter,
    TransferStep,
)

OPEN_TRANSFER_MESSAGE = "该党员已有一项未办结的组织关系转接，请先办结或撤销后再申请"
OPEN_MOBILE_MESSAGE = "该党员已有一份未交回的流动党员活动证，请先登记返回"


def _err(field: str, message: str):
    raise ValidationError({field: [message]})


def _by(actor) -> str:
    return getattr(actor, "username", "") or current_actor().username or str(actor)


def county_of(org: Organisation) -> Organisation:
    """The county committee above (or at) an organisation; the root when there is none."""
    steplen = Organisation.steplen
    prefixes = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)]
    ancestors = list(Organisation.objects.filter(path__in=prefixes).order_by("-depth"))
    for a in ancestors:
        if a.org_type == "county_committee":
            return a
    return ancestors[-1]


def _today(date) -> datetime.date:
    return date or timezone.localdate()


def _check_date(date: datetime.date, field: str = "date", label: str = "日期") -> None:
    if date > timezone.localdate():
        _err(field, f"{label}不能晚于今天")


# ── the rule table (county-editable amounts) ──────────────────────────────────────────
def current_rules() -> MobilityRuleVersion:
    """The newest rule version (the data migration seeds the first)."""
    version = MobilityRuleVersion.objects.order_by("-id").first()
    if version is None:  # a database flushed without post_migrate: the defaults again
        version = MobilityRuleVersion.objects.create(values=dict(rules.DEFAULTS), note=rules.DEFAULT_NOTE)
    return version


def rule_values() -> dict:
    return current_rules().all_values()


def _county_root() -> Organisation:
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None:
        _err("values", "尚未建立党组织，无法设置流动与转接规则")
    return root


@transaction.atomic
def save_rules(values: dict, *, note: str = "", actor) -> MobilityRuleVersion:
    """A county administrator (the “configure” right on the county) saves a new version.
    Every setting is checked against its own range, then the relations between them (the
    default validity inside the allowed range …); any error saves nothing."""
    require_org_action(actor, _county_root(), "configure")
    errors: dict[str, list[str]] = {}
    clean = {}
    current = rule_values()
    for setting in rules.SETTINGS:
        raw = values.get(setting.key, current[setting.key])
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            errors.setdefault(setting.key, []).append(f"{setting.label}“{raw}”不是整数")
            continue
        if not setting.minimum <= number <= setting.maximum:
            errors.setdefault(setting.key, []).append(
                f"{setting.label}须在 {setting.minimum}–{setting.maximum} {setting.unit}之间，填写的是 {number}"
            )
        clean[setting.key] = number
    if not errors:
        errors = rules.check_values(clean)
    if errors:
        raise ValidationError(errors)
    note = (note or "").strip()
    real = None if getattr(actor, "is_system", False) else actor
    version = MobilityRuleVersion.objects.create(values=clean, note=note[:200], created_by=real if getattr(real, "pk", None) else None)
    record_change(version, ChangeLog.Action.CREATE, message=note[:200] or "修订流动与转接规则")
    return version


# ── relationship transfers ─────────────────────────────────────────────────────────────
def _validity(data: dict, across: bool) -> int:
    values = rule_values()
    lo, hi = values["letter_days_min"], values["letter_days_max"]
    within, across_days = values["letter_days_within"], values["letter_days_across"]
    raw = data.get("validity_days")
    if raw in (None, ""):
        return across_days if across else within
    try:
        days = int(raw)
    except (TypeError, ValueError):
        _err("validity_days", f"有效期“{raw}”应为天数（整数）")
    if not lo <= days <= hi:
        _err(
            "validity_days",
            f"介绍信有效期须在 {lo}–{hi} 天之间（省内一般{within}天，跨省{across_days}天），填写的是 {days} 天",
        )
    return days


def _refuse_open_case(member: Member, date: datetime.date) -> None:
    """A member in an open exit/handling case stays where the case is handled."""
    from apps.core import registry

    for name, prefix in rules.BLOCKING_CHECKS:
        if name in registry.member_checks:
            reason = registry.member_checks.get(name).check([member.pk], date).get(member.pk, "")
            if reason.startswith(prefix):
                _err("member", f"该党员{reason}，处置办结前不能转接组织关系")


def _may_request(actor, member: Member) -> None:
    own = getattr(actor, "member_id", None) == member.pk and not getattr(actor, "is_system", False)
    if own:
        return
    require_org_action(actor, member.organisation, "change")


@transaction.atomic
def request_transfer(member: Member, data: dict, *, actor) -> Transfer:
    """A transfer request, by the member (self-service) or by the branch. data: kind
    ("internal"/"out"), to_organisation (internal), outside_org_name and across_province
    (out), reason, validity_days (optional: the rule's default), date (optional)."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    _may_request(actor, member)
    kind = data.get("kind") or "internal"
    if kind not in ("internal", "out"):
        _err("kind", "转接类型须为“系统内转接”或“转出本系统”；从系统外转入请用“转入登记”")
    date = _today(data.get("date"))
    _check_date(date, "date", "申请日期")
    reason = (data.get("reason") or "").strip()
    if not reason:
        _err("reason", "请填写转接原因（如工作调动、升学、迁居）")
    if member.status not in ("normal", "mobile"):
        _err("member", f"该党员党籍状态为“{member.get_status_display()}”，不能办理组织关系转接")
    if Transfer.objects.filter(member=member, status__in=rules.OPEN_STATUSES).exists():
        _err("member", OPEN_TRANSFER_MESSAGE)
    _refuse_open_case(member, date)
    from_org = member.organisation
    if kind == "internal":
        to_org = data.get("to_organisation")
        if to_org is None:
            _err("to_organisation", "请选择接收党组织")
        if to_org.pk == from_org.pk:
            _err("to_organisation", f"接收党组织不能是该党员现在所在的“{from_org}”")
        if to_org.org_type == "party_group":
            _err("to_organisation", f"“{to_org}”是党小组：组织关系只能转到党支部（或党委、党总支），党小组由接收支部分配")
        if to_org.org_type not in MEMBER_HOLDING_TYPES:
            _err("to_organisation", f"“{to_org}”不直接管理党员：组织关系须转到党支部、党总支或党委")
        if to_org.status != "active":
            _err("to_organisation", f"“{to_org}”已撤销，不能接收组织关系")
        across = False  # one deployment is at most one province
        leaving = not to_org.path.startswith(county_of(from_org).path)
        outside = ""
    else:
        outside = (data.get("outside_org_name") or "").strip()
        if not outside:
            _err("outside_org_name", "转出本系统须填写接收党组织名称（写在纸质介绍信上）")
        to_org = county_of(from_org)
        across = bool(data.get("across_province"))
        leaving = True
    validity = _validity(data, across)
    chain = rules.chain_for(kind, leaving)
    transfer = Transfer(
        kind=kind,
        member=member,
        organisation=from_org,
        to_organisation=to_org,
        outside_org_name=outside,
        across_province=across,
        leaving_county=leaving,
        reason=reason[:200],
        requested_on=date,
        requested_by=_by(actor),
        validity_days=validity,
    )
    _advance(transfer, chain[0].code)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        _err("member", OPEN_TRANSFER_MESSAGE)
    record_change(transfer, ChangeLog.Action.CREATE, message=f"申请组织关系转接：{transfer.from_label} → {transfer.to_label}")
    return transfer


def _lock(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update(of=("self",)).select_related("member", "organisation", "to_organisation").get(pk=transfer.pk)


def step_org(transfer: Transfer, step: rules.Step) -> Organisation:
    if step.side == "from":
        return transfer.organisation
    if step.side == "county":
        return county_of(transfer.organisation)
    return transfer.to_organisation


def _advance(transfer: Transfer, code: str) -> None:
    """Set the next step and whose turn it is."""
    transfer.next_step = code
    step = next((s for s in (*rules.CHAIN, rules.ACCEPT) if s.code == code), None)
    if step is not None:
        transfer.next_org_path = step_org(transfer, step).path
    elif code == "receipt":
        transfer.next_org_path = transfer.organisation.path
    else:
        transfer.next_org_path = ""


def current_step(transfer: Transfer) -> rules.Step | None:
    for s in (*rules.CHAIN, rules.ACCEPT):
        if s.code == transfer.next_step:
            return s
    return None


def can_act(user, transfer: Transfer) -> bool:
    """May the user take the transfer's next step (for showing the buttons)?"""
    step = current_step(transfer)
    if step is None:
        return transfer.next_step == "receipt" and can_act_on_org(user, transfer.organisation, "change")
    return can_act_on_org(user, step_org(transfer, step), step.action)


@transaction.atomic
def decide_step(transfer: Transfer, *, approve: bool, actor, note: str = "", date=None) -> Transfer:
    """The next step of the sending side's chain: approve (the last approval issues the
    letter) or refuse with a reason."""
    transfer = _lock(transfer)
    step = current_step(transfer)
    if transfer.status != "requested" or step is None or step.side == "to":
        _err("status", f"该转接{transfer.get_status_display()}，没有待审批的转出环节")
    require_org_action(actor, step_org(transfer, step), step.action)
    date = _today(date)
    _check_date(date)
    note = (note or "").strip()
    if not approve and not note:
        _err("note", f"不同意转出须填写理由（{step.label}）")
    before = snapshot(transfer)
    TransferStep.objects.create(transfer=transfer, code=step.code, approved=approve, date=date, by=_by(actor), note=note[:200])
    if not approve:
        transfer.status, transfer.closed_note = "rejected", note[:200]
        _advance(transfer, "")
        transfer.save()
        record_change(transfer, ChangeLog.Action.UPDATE, before=before, message=f"{step.label}：不同意（{note}）")
        return transfer
    chain = rules.chain_for(transfer.kind, transfer.leaving_county)
    codes = [s.code for s in chain]
    following = codes[codes.index(step.code) + 1 :] if step.code in codes else []
    if following:
        _advance(transfer, following[0])
        transfer.save()
        record_change(transfer, ChangeLog.Action.UPDATE, before=before, message=f"{step.label}：同意")
        return transfer
    transfer.save()
    record_change(transfer, ChangeLog.Action.UPDATE, before=before, message=f"{step.label}：同意")
    return _issue(transfer, actor=actor, date=date, code="issue")


def _issue(transfer: Transfer, *, actor, date: datetime.date, code: str, validity_days: int | None = None) -> Transfer:
    from apps.dues.services import paid_up_to

    before = snapshot(transfer)
    days = validity_days or transfer.validity_days
    valid_until = date + datetime.timedelta(days=days)
    letter = TransferLetter.objects.create(
        transfer=transfer,
        serial=f"tmp{uuid.uuid4().hex[:16]}",
        issued_on=date,
        validity_days=days,
        valid_until=valid_until,
        dues_paid_up_to=paid_up_to(transfer.member),
        issued_by=_by(actor),
    )
    letter.serial = f"{date.year}{letter.pk:07d}"
    letter.save(update_fields=["serial"])
    transfer.status = "issued"
    transfer.validity_days = days
    transfer.serial, transfer.issued_on, transfer.valid_until = letter.serial, date, valid_until
    transfer.receipt_due = max(valid_until, add_months(date, rule_values()["receipt_months"]))
    _advance(transfer, "accept" if transfer.kind == "internal" else "receipt")
    transfer.save()
    TransferStep.objects.create(transfer=transfer, code=code, date=date, by=_by(actor), note=f"介绍信编号 {letter.serial}")
    record_change(transfer, ChangeLog.Action.UPDATE, before=before, message=f"开具介绍信 {letter.serial}")
    return transfer


def _already_received(transfer: Transfer) -> None:
    if transfer.status == "received":
        _err("status", f"该转接已于 {transfer.received_on:%Y-%m-%d} 登记接收（回执），不能重复登记")
    if transfer.status != "issued":
        _err("status", f"该转接{transfer.get_status_display()}，不能登记接收")


def _move(member: Member, to_org: Organisation, *, date, reason: str, actor) -> None:
    """The member moves with their development file when one is still active."""
    from apps.members import services as member_services

    # The scope of both sides was checked by the transfer's own steps: the receiving
    # secretary may not change the sending branch, so the move itself acts as the system
    # (the change history still names the request's user through the actor context).
    mover = system_actor("system")
    file = getattr(member, "development_file", None)
    if file is not None and file.status == "active" and file.organisation_id != to_org.pk:
        from apps.recruitment import engine

        engine.transfer_file(file, to_org, actor=mover, date=date, reason=reason)
        member.refresh_from_db()
        if member.organisation_id == to_org.pk:
            return
    member_services.move_member(member, to_org, actor=mover, date=date, reason=reason)


@transaction.atomic
def accept_transfer(transfer: Transfer, *, actor, date=None, note: str = "") -> Transfer:
    """The receiving organisation accepts (internal transfer): the member moves there —
    counters, history, dues ledger from the next month, development file with them."""
    transfer = _lock(transfer)
    if transfer.kind != "internal":
        _err("status", "转出本系统的转接由转出方登记回执，不在系统内接收")
    _already_received(transfer)
    require_org_action(actor, transfer.to_organisation, "change")
    date = _today(date)
    _check_date(date, "date", "接收日期")
    if date < transfer.issued_on:
        _err("date", f"接收日期不能早于介绍信开具日期 {transfer.issued_on:%Y-%m-%d}")
    before = snapshot(transfer)
    _move(transfer.member, transfer.to_organisation, date=date, reason=f"组织关系转接（介绍信 {transfer.serial}）", actor=actor)
    transfer.status, transfer.received_on = "received", date
    _advance(transfer, "")
    transfer.save()
    TransferStep.objects.create(transfer=transfer, code="accept", date=date, by=_by(actor), note=(note or "").strip()[:200])
    record_change(transfer, ChangeLog.Action.UPDATE, before=before, message="接收方接收，回执退回")
    return transfer


@transaction.atomic
def refuse_transfer(transfer: Transfer, *, reason: str, actor, date=None) -> Transfer:
    """The receiving organisation may not refuse without a recorded reason."""
    transfer = _lock(transfer)
    if transfer.kind != "internal" or transfer.status != "issued":
        _err("status", f"该转接{transfer.get_status_display()}，不能退回")
    require_org_action(actor, transfer.to_organisation, "change")
    reason = (reason or "").strip()
    if not reason:
        _err("reason", "接收方不得无故拒收：退回须写明理由")
    date = _today(date)
    before = snapshot(transfer)
    TransferLetter.objects.filter(transfer=transfer, void=False).update(void=True, void_reason=f"接收方退回：{reason}"[:200])
    transfer.status, transfer.closed_note = "refused", reason[:200]
    _advance(transfer, "")
    transfer.save()
    TransferStep.objects.create(transfer=transfer, code="accept", approved=False, date=date, by=_by(actor), note=reason[:200])
    record_change(transfer, ChangeLog.Action.UPDATE, before=before, message=f"接收方退回：{reason}")
    return transfer


@transaction.atomic
def record_receipt(transfer: Transfer, *, actor, date=None, note: str = "") -> Transfer:
    """The paper receipt of a transfer out of the system came back: the member's record
    ends with the status “转出本系统”."""
    from apps.members import services as member_services

    transfer = _lock(transfer)
    if transfer.kind != "out":
        _err("status", "系统内转接由接收方在系统中接收，无需登记纸质回执")
    _already_received(transfer)
    require_org_action(actor, transfer.organisation, "change")
    date = _today(date)
    _check_date(date, "date", "回执日期")
    if date < transfer.issued_on:
        _err("date", f"回执日期不能早于介绍信开具日期 {transfer.issued_on:%Y-%m-%d}")
    before = snapshot(transfer)
    member_services.change_status(
        transfer.member,
        "transferred_out",
        actor=actor,
        engine="mobility",
        date=date,
        reason=f"组织关系转出至{transfer.outside_org_name}（介绍信 {transfer.serial}）"[:200],
    )
    transfer.status, transfer.received_on = "received", date
    _advance(transfer, "")
    transfer.save()
    TransferStep.objects.create(transfer=transfer, code="receipt", date=date, by=_by(actor), note=(note or "").strip()[:200])
    record_change(transfer, ChangeLog.Action.UPDATE, before=before, message="纸质回执已退回")
    return transfer


def can_reissue(transfer: Transfer) -> bool:
    """An issued letter (lost, expired), or a transfer cancelled after its letter was
    issued (the cancelled letter), may get a new letter with a new serial."""
    return transfer.status == "issued" or (transfer.status == "cancelled" and bool(transfer.serial))


def _may_reopen(transfer: Transfer, date: datetime.date) -> None:
    """A cancelled transfer comes back only if nothing changed since: the member is
    still in the sending organisation, may be transferred, and has no other open
    transfer; the receiving organisation still exists."""
    member = Member.objects.select_for_update().select_related("organisation").get(pk=transfer.member_id)
    if member.organisation_id != transfer.organisation_id:
        _err("member", f"该党员已不在“{transfer.organisation}”，不能补开这份介绍信；请重新办理转接")
    if member.status not in ("normal", "mobile"):
        _err("member", f"该党员党籍状态为“{member.get_status_display()}”，不能补开介绍信")
    if Transfer.objects.filter(member=member, status__in=rules.OPEN_STATUSES).exclude(pk=transfer.pk).exists():
        _err("member", OPEN_TRANSFER_MESSAGE)
    _refuse_open_case(member, date)
    if transfer.kind == "internal" and transfer.to_organisation.status != "active":
        _err("to_organisation", f"“{transfer.to_organisation}”已撤销，不能接收组织关系；请重新办理转接")


@transaction.atomic
def reissue_letter(transfer: Transfer, *, reason: str, actor, validity_days=None, date=None) -> Transfer:
    """A lost, cancelled or expired letter: void it and issue a new one (new serial). A
    transfer cancelled after its letter was issued is open again with the new letter."""
    transfer = _lock(transfer)
    if not can_reissue(transfer):
        if transfer.status == "cancelled":
            _err("status", "该转接在开具介绍信之前已撤销，没有可补开的介绍信；请重新申请转接")
        _err("status", f"该转接{transfer.get_status_display()}，不能补开介绍信")
    require_org_action(actor, transfer.organisation, "change")
    reason = (reason or "").strip()
    if not reason:
        _err("reason", "补开介绍信须写明原因（如介绍信遗失、已过有效期、撤销后恢复）")
    days = _validity({"validity_days": validity_days}, transfer.across_province)
    date = _today(date)
    _check_date(date, "date", "补开日期")
    if transfer.issued_on and date < transfer.issued_on:
        _err("date", f"补开日期不能早于原介绍信开具日期 {transfer.issued_on:%Y-%m-%d}")
    if transfer.status == "cancelled":
        _may_reopen(transfer, date)
        transfer.closed_note = ""
    TransferLetter.objects.filter(transfer=transfer, void=False).update(void=True, void_reason=reason[:200])
    try:
        with transaction.atomic():
            return _issue(transfer, actor=actor, date=date, code="reissue", validity_days=days)
    except IntegrityError:  # another open transfer got in first (one open per member)
        _err("member", OPEN_TRANSFER_MESSAGE)


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, reason: str, actor) -> Transfer:
    transfer = _lock(transfer)
    if not transfer.is_open:
        _err("status", f"该转接{transfer.get_status_display()}，不能撤销")
    own = (
        getattr(actor, "member_id", None) == transfer.member_id
        and transfer.status == "requested"
        and not getattr(actor, "is_system", False)
    )
    if not own:
        require_org_action(actor, transfer.organisation, "change")
    reason = (reason or "").strip()
    if not reason:
        _err("reason", "撤销转接须写明原因")
    before = snapshot(transfer)
    TransferLetter.objects.filter(transfer=transfer, void=False).update(void=True, void_reason=f"撤销：{reason}"[:200])
    transfer.status, transfer.closed_note = "cancelled", reason[:200]
    _advance(transfer, "")
    transfer.save()
    record_change(transfer, ChangeLog.Action.UPDATE, before=before, message=f"撤销转接：{reason}")
    return transfer


@transaction.atomic
def record_arrival(data: dict, *, actor) -> Transfer:
    """A member arriving from outside the system with a paper letter: their record is
    created in the receiving organisation (members' own validation) and the arrival kept
    as a received transfer. data: the member fields + outside_org_name, letter_serial,
    date, reason."""
    from apps.members import services as member_services

    org = data.get("organisation")
    if org is None:
        _err("organisation", "请选择接收党组织")
    require_org_action(actor, org, "change")
    outside = (data.get("outside_org_name") or "").strip()
    if not outside:
        _err("outside_org_name", "请填写转出党组织（系统外，以介绍信为准）")
    date = _today(data.get("date"))
    _check_date(date, "date", "转入日期")
    member_data = {k: v for k, v in data.items() if k not in ("outside_org_name", "letter_serial", "date", "reason")}
    member_data.setdefault("increase_method", "other")
    member = member_services.create_member(member_data, actor=actor)
    serial = (data.get("letter_serial") or "").strip()[:20]
    transfer = Transfer.objects.create(
        kind="in",
        member=member,
        organisation=org,
        to_organisation=org,
        outside_org_name=outside[:120],
        reason=((data.get("reason") or "").strip() or "从系统外转入")[:200],
        requested_on=date,
        requested_by=_by(actor),
        validity_days=rule_values()["letter_days_within"],
        status="received",
        serial=serial,
        received_on=date,
    )
    TransferStep.objects.create(transfer=transfer, code="accept", date=date, by=_by(actor), note=f"系统外介绍信 {serial}".strip())
    record_change(transfer, ChangeLog.Action.CREATE, message=f"从系统外转入：{outside}")
    return transfer


# ── mobile members ─────────────────────────────────────────────────────────────────────
def next_due(record: MobileRecord, values: dict) -> datetime.date:
    """The earliest of: the yearly report, the abroad contact (rule table intervals)."""
    due = add_months(record.last_report_on or record.issued_on, values["report_months"])
    if record.studying_abroad:
        due = min(due, add_months(record.last_contact_on or record.issued_on, values["abroad_contact_months"]))
    return due


def _issuing_org(org: Organisation) -> Organisation:
    """The grassroots committee that issues the certificate: the nearest 党委/党总支 at
    or above the member's organisation (the organisation itself when there is none)."""
    steplen = Organisation.steplen
    prefixes = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)]
    for a in Organisation.objects.filter(path__in=prefixes, org_type__in=("committee", "general_branch")).order_by("-depth"):
        return a
    return org


@transaction.atomic
def register_mobile(member: Member, data: dict, *, actor) -> MobileRecord:
    """Issue a 流动党员活动证: the member leaves for < 6 months, or long-term without a
    place to transfer to. The member's status becomes “流动”."""
    from apps.members import services as member_services

    member = Member.objects.select_for_update().select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    if member.status not in rules.CERTIFICATE_STATUSES:
        _err("member", f"该党员党籍状态为“{member.get_status_display()}”，不能发放流动党员活动证")
    if MobileRecord.objects.filter(member=member, status="away").exists():
        _err("member", OPEN_MOBILE_MESSAGE)
    date = _today(data.get("issued_on"))
    _check_date(date, "issued_on", "发证日期")
    values = rule_values()
    lo, hi = values["certificate_months_min"], values["certificate_months_max"]
    raw = data.get("months")
    try:
        months = values["certificate_months_default"] if raw in (None, "") else int(raw)
    except (TypeError, ValueError):
        _err("months", f"外出期限“{raw}”应为月数（整数）")
    if not lo <= months <= hi:
        _err("months", f"外出期限须在 {lo}–{hi} 个月之间，填写的是 {months} 个月")
    no_fixed = bool(data.get("no_fixed_place"))
    abroad = bool(data.get("studying_abroad"))
    limit = values["certificate_transfer_months"]
    if months >= limit and not (no_fixed or abroad):
        _err("months", f"外出{limit}个月以上且有固定地点的，应转接组织关系而不发流动党员活动证（长期外出无固定地点的请勾选）")
    fields = {}
    for field, label in (("reason", "外出原因"), ("destination", "外出地点"), ("home_contact", "流出地联系人")):
        value = (data.get(field) or "").strip()
        if not value:
            _err(field, f"请填写{label}")
        fields[field] = value[:120]
    record = MobileRecord(
        member=member,
        organisation=member.organisation,
        certificate_no=f"tmp{uuid.uuid4().hex[:16]}",
        issued_on=date,
        issued_by=str(_issuing_org(member.organisation))[:120],
        months=months,
        expected_return=add_months(date, months),
        home_contact_phone=(data.get("home_contact_phone") or "").strip()[:20],
        studying_abroad=abroad,
        no_fixed_place=no_fixed,
        host_name=(data.get("host_name") or "").strip()[:120],
        **fields,
    )
    record.next_due = next_due(record, values)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        _err("member", OPEN_MOBILE_MESSAGE)
    record.certificate_no = f"LD{date.year}{record.pk:06d}"
    record.save(update_fields=["certificate_no"])
    if member.status != "mobile":
        if member.status_since and member.status_since > date:
            _err("issued_on", f"发证日期不能早于该党员上次党籍状态变更日期 {member.status_since:%Y-%m-%d}")
        member_services.change_status(member, "mobile", actor=actor, date=date, reason=f"外出流动（活动证 {record.certificate_no}）")
    record_change(record, ChangeLog.Action.CREATE, message=f"发放流动党员活动证 {record.certificate_no}")
    return record


def _lock_record(record: MobileRecord) -> MobileRecord:
    return MobileRecord.objects.select_for_update(of=("self",)).select_related("member", "organisation").get(pk=record.pk)


@transaction.atomic
def record_return(record: MobileRecord, *, actor, date=None, certificate_returned: bool = True) -> MobileRecord:
    """The member is back and hands in the certificate: status back to “正常”."""
    from apps.members import services as member_services

    record = _lock_record(record)
    require_org_action(actor, record.organisation, "change")
    if record.status != "away":
        _err("status", f"该活动证{record.get_status_display()}，不能重复登记返回")
    date = _today(date)
    _check_date(date, "date", "返回日期")
    if date < record.issued_on:
        _err("date", f"返回日期不能早于发证日期 {record.issued_on:%Y-%m-%d}")
    before = snapshot(record)
    record.status, record.returned_on, record.certificate_returned = "returned", date, bool(certificate_returned)
    record.save()
    member = record.member
    if member.status == "mobile":
        member_services.change_status(member, "normal", actor=actor, date=max(date, member.status_since or date), reason="流动党员返回")
    record_change(
        record, ChangeLog.Action.UPDATE, before=before, message="流动党员返回，交回活动证" if certificate_returned else "流动党员返回"
    )
    return record


@transaction.atomic
def add_contact(record: MobileRecord, data: dict, *, actor) -> MobileContact:
    """The member's report to home (yearly) or home's contact with the member (abroad:
    every 6 months)."""
    record = _lock_record(record)
    require_org_action(actor, record.organisation, "change")
    kind = data.get("kind")
    if kind not in dict(rules.CONTACT_KIND_CHOICES):
        _err("kind", "请选择类型：党员报告或组织联系")
    date = _today(data.get("date"))
    _check_date(date)
    if date < record.issued_on:
        _err("date", f"日期不能早于发证日期 {record.issued_on:%Y-%m-%d}")
    content = (data.get("content") or "").strip()
    if not content:
        _err("content", "请填写报告或联系的内容")
    before = snapshot(record)
    contact = MobileContact.objects.create(record=record, kind=kind, date=date, content=content[:300], recorded_by=_by(actor))
    if kind == "report":
        record.last_report_on = max(date, record.last_report_on or date)
    else:
        record.last_contact_on = max(date, record.last_contact_on or date)
    record.next_due = next_due(record, rule_values())
    record.save()
    record_change(record, ChangeLog.Action.UPDATE, before=before, message=f"{contact.get_kind_display()}：{content[:60]}")
    return contact


@transaction.atomic
def register_host(certificate_no: str, member_name: str, host: Organisation, *, actor, date=None, note: str = "") -> HostRegistration:
    """The host organisation registers a mobile member of another organisation by the
    certificate number and name (both must match: a number alone reveals nothing)."""
    require_org_action(actor, host, "change")
    if host.org_type not in MEMBER_HOLDING_TYPES or host.status != "active":
        _err("host", f"“{host}”不能登记流入党员：须为正常状态的党支部、党总支或党委")
    record = (
        MobileRecord.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(certificate_no=(certificate_no or "").strip(), member__name=(member_name or "").strip(), status="away")
        .first()
    )
    if record is None:
        _err("certificate_no", "没有与该活动证编号和姓名相符、仍在外出中的流动党员")
    if record.organisation_id == host.pk:
        _err("host", "流入地党组织不能是该党员的流出地（本人所在）党组织")
    date = _today(date)
    _check_date(date, "date", "登记日期")
    if HostRegistration.objects.filter(record=record, organisation=host).exists():
        _err("certificate_no", f"该流动党员已在“{host}”登记")
    reg = HostRegistration.objects.create(record=record, organisation=host, registered_on=date, note=(note or "").strip()[:200])
    before = snapshot(record)
    record.host_organisation, record.host_name, record.host_registered_on = host, str(host)[:120], date
    record.save()
    record_change(reg, ChangeLog.Action.CREATE, message=f"流入地登记：{record.member.name}")
    record_change(record, ChangeLog.Action.UPDATE, before=before, message=f"流入地“{host}”已登记", org_path=record.org_path)
    return reg


@transaction.atomic
def form_temporary_branch(org: Organisation, data: dict, members, *, actor) -> TemporaryBranch:
    """A temporary branch for 3+ members away at one place, with its own record and end
    date; the members' away records point to it."""
    require_org_action(actor, org, "change")
    ids = {getattr(m, "pk", m) for m in members}
    rows = list(MobileRecord.objects.select_for_update().filter(member_id__in=ids, status="away", org_path__startswith=org.path))
    if len(rows) != len(ids):
        _err("records", "所选党员须都是本组织范围内、仍在外出中的流动党员（已发活动证）")
    least = rule_values()["temporary_branch_min"]
    if len(rows) < least:
        _err("records", f"成立临时党支部（党小组）须有{least}名及以上流动党员在同一地点")
    if any(r.temporary_branch_id for r in rows):
        _err("records", "所选流动党员中有人已编入临时党支部")
    name, place = (data.get("name") or "").strip(), (data.get("place") or "").strip()
    if not name or not place:
        _err("name", "请填写临时党支部名称和所在地")
    formed_on = _today(data.get("formed_on"))
    _check_date(formed_on, "formed_on", "成立日期")
    end_date = data.get("end_date")
    if end_date is None or end_date <= formed_on:
        _err("end_date", "请填写晚于成立日期的撤销日期（临时党支部随任务结束撤销）")
    if end_date < timezone.localdate():
        _err("end_date", f"撤销日期 {end_date:%Y-%m-%d} 已过：不能成立已到期的临时党支部")
    branch = TemporaryBranch.objects.create(
        organisation=org,
        name=name[:120],
        place=place[:120],
        formed_on=formed_on,
        end_date=end_date,
        secretary_name=(data.get("secretary_name") or "").strip()[:40],
        note=(data.get("note") or "").strip()[:200],
    )
    MobileRecord.objects.filter(pk__in=[r.pk for r in rows]).update(temporary_branch=branch)
    record_change(branch, ChangeLog.Action.CREATE, message=f"成立临时党支部（{len(rows)}名流动党员）")
    return branch


def _lock_branch(branch: TemporaryBranch) -> TemporaryBranch:
    return TemporaryBranch.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=branch.pk)


def _refuse_closed_or_expired(branch: TemporaryBranch, day: datetime.date) -> None:
    if branch.status == "closed":
        _err("status", f"“{branch.name}”已于 {branch.closed_on:%Y-%m-%d} 撤销，不能再编入党员")
    if branch.expired_on(day):
        _err("status", f"“{branch.name}”已过撤销日期 {branch.end_date:%Y-%m-%d}，不能再编入党员：请办理撤销，或另行成立临时党支部")


@transaction.atomic
def add_temporary_members(branch: TemporaryBranch, members, *, actor) -> TemporaryBranch:
    """More members of the forming organisation, away at the same place, join an active
    temporary branch (refused once it is past its end date or closed)."""
    branch = _lock_branch(branch)
    require_org_action(actor, branch.organisation, "change")
    _refuse_closed_or_expired(branch, timezone.localdate())
    ids = {getattr(m, "pk", m) for m in members}
    if not ids:
        _err("records", "请选择要编入的流动党员")
    rows = list(
        MobileRecord.objects.select_for_update(of=("self",))
        .select_related("member")
        .filter(member_id__in=ids, status="away", org_path__startswith=branch.organisation.path)
    )
    if len(rows) != len(ids):
        _err("records", "所选党员须都是组建党组织范围内、仍在外出中的流动党员（已发活动证）")
    taken = [r.member.name for r in rows if r.temporary_branch_id and r.temporary_branch_id != branch.pk]
    if taken:
        _err("records", f"{'、'.join(taken)}已编入其他临时党支部")
    fresh = [r for r in rows if r.temporary_branch_id != branch.pk]
    if not fresh:
        _err("records", "所选党员都已在该临时党支部")
    MobileRecord.objects.filter(pk__in=[r.pk for r in fresh]).update(temporary_branch=branch)
    record_change(branch, ChangeLog.Action.UPDATE, message=f"编入流动党员：{'、'.join(r.member.name for r in fresh)}")
    return branch


@transaction.atomic
def close_temporary_branch(branch: TemporaryBranch, *, actor, date=None, note: str = "") -> TemporaryBranch:
    """撤销 a temporary branch (the task is over, or it is past its end date): dated, with
    who closed it and why; its members' away records keep the link as history."""
    branch = _lock_branch(branch)
    require_org_action(actor, branch.organisation, "change")
    if branch.status == "closed":
        _err("status", f"“{branch.name}”已于 {branch.closed_on:%Y-%m-%d} 撤销，不能重复撤销")
    date = _today(date)
    _check_date(date, "date", "撤销日期")
    if date < branch.formed_on:
        _err("date", f"撤销日期不能早于成立日期 {branch.formed_on:%Y-%m-%d}")
    note = (note or "").strip() or (f"已过撤销日期 {branch.end_date:%Y-%m-%d}，到期撤销" if branch.end_date < date else "任务结束撤销")
    before = snapshot(branch)
    branch.status, branch.closed_on, branch.closed_by, branch.closed_note = "closed", date, _by(actor)[:150], note[:200]
    branch.save(update_fields=["status", "closed_on", "closed_by", "closed_note"])
    record_change(branch, ChangeLog.Action.UPDATE, before=before, message=f"撤销临时党支部：{note}")
    return branch


def close_expired_temporary_branches(*, actor, as_of=None) -> list[TemporaryBranch]:
    """Close every active temporary branch in the actor's scope whose end date has
    passed (the scheduled run: `python manage.py close_temporary_branches`). Each is
    closed in its own transaction; running it twice closes nothing more."""
    from apps.core.scoping import restrict

    as_of = as_of or timezone.localdate()
    due = restrict(TemporaryBranch.objects.filter(status="active", end_date__lt=as_of), actor, "change").order_by("end_date", "id")
    return [close_temporary_branch(b, actor=actor, date=as_of, note=f"已过撤销日期 {b.end_date:%Y-%m-%d}，到期自动撤销") for b in due]


@transaction.atomic
def record_host_report(registration: HostRegistration, data: dict, *, actor) -> HostReport:
    """The host organisation's yearly report on an incoming member to the home
    organisation (one per year; it counts as the member's yearly report at home)."""
    from apps.core.uniqueness import unique_messages

    registration = HostRegistration.objects.select_for_update(of=("self",)).select_related("record", "organisation").get(pk=registration.pk)
    require_org_action(actor, registration.organisation, "change")
    record = _lock_record(registration.record)
    date = _today(data.get("date"))
    _check_date(date, "date", "报告日期")
    if date < registration.registered_on:
        _err("date", f"报告日期不能早于流入地登记日期 {registration.registered_on:%Y-%m-%d}")
    raw = data.get("year")
    try:
        year = date.year if raw in (None, "") else int(raw)
    except (TypeError, ValueError):
        _err("year", f"年度“{raw}”应为四位年份")
    if not date.year - rules.HOST_REPORT_YEARS_BACK <= year <= date.year or year < registration.registered_on.year:
        _err("year", f"年度须在流入地登记当年（{registration.registered_on.year}年）至报告当年（{date.year}年）之间，填写的是 {year}")
    content = (data.get("content") or "").strip()
    if not content:
        _err("content", "请填写该党员在流入地参加组织生活、发挥作用的表现情况")
    message = ("year", f"{year}年度已报告过该党员的表现情况，每年一份")
    if HostReport.objects.filter(registration=registration, year=year).exists():
        _err(*message)
    with unique_messages(HostReport, {"mobility_host_report_once_a_year": message}):
        report = HostReport.objects.create(
            registration=registration, year=year, date=date, content=content[:500], recorded_by=_by(actor)[:150]
        )
    if record.status == "away":
        before = snapshot(record)
        record.last_report_on = max(date, record.last_report_on or date)
        record.next_due = next_due(record, rule_values())
        record.save()
        record_change(
            record,
            ChangeLog.Action.UPDATE,
            before=before,
            message=f"流入地“{registration.organisation}”{year}年度报告",
            org_path=record.org_path,
        )
    record_change(registration, ChangeLog.Action.UPDATE, message=f"{year}年度向流出地报告表现情况")
    return report


CARD_HELD_MESSAGE = "该党员持有一张未收回的非公企业党员证，须先收回原证才能发新证"


@transaction.atomic
def issue_non_public_card(member: Member, data: dict, *, actor) -> NonPublicCard:
    from apps.core.uniqueness import unique_messages

    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    if member.status not in member_codes.COUNTED_STATUSES:
        _err("member", f"该党员党籍状态为“{member.get_status_display()}”，不能发放非公企业党员证")
    number = (data.get("number") or "").strip()
    issued_by = (data.get("issued_by") or "").strip()
    if not number:
        _err("number", "请填写证号")
    if not issued_by:
        _err("issued_by", "请填写发证单位")
    date = _today(data.get("issued_on"))
    _check_date(date, "issued_on", "发证日期")
    unique = {"number": ("number", f"证号“{number}”已登记"), "mobility_one_held_card": ("member", CARD_HELD_MESSAGE)}
    with unique_messages(NonPublicCard, unique):
        card = NonPublicCard.objects.create(
            member=member, organisation=member.organisation, number=number[:30], issued_on=date, issued_by=issued_by[:120]
        )
    record_change(card, ChangeLog.Action.CREATE, message="登记非公企业党员证")
    return card


@transaction.atomic
def withdraw_non_public_card(card: NonPublicCard, *, actor, date=None) -> NonPublicCard:
    """The card is handed back (the member left the enterprise, moved, or the card is
    replaced): the register keeps it with the date it was withdrawn."""
    card = NonPublicCard.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=card.pk)
    require_org_action(actor, card.organisation, "change")
    if card.withdrawn_on:
        _err("withdrawn_on", f"证号“{card.number}”已于 {card.withdrawn_on:%Y-%m-%d} 收回，不能重复收回")
    date = _today(date)
    _check_date(date, "withdrawn_on", "收回日期")
    if date < card.issued_on:
        _err("withdrawn_on", f"收回日期不能早于发证日期 {card.issued_on:%Y-%m-%d}")
    before = snapshot(card)
    card.withdrawn_on = date
    card.save(update_fields=["withdrawn_on"])
    record_change(card, ChangeLog.Action.UPDATE, before=before, message=f"收回非公企业党员证 {card.number}")
    return card


# ── documents (full ID number on them: every generation is access-logged) ─────────────
def _log_reveal(actor, *, target: str, org_path: str, **detail) -> None:
    from apps.core.models import AccessLog

    real = None if getattr(actor, "is_system", False) else actor
    AccessLog.record(
        AccessLog.Kind.REVEAL_ID,
        user=real,
        target=target,
        org_path=org_path,
        username="" if real else _by(actor),
        **detail,
    )


@transaction.atomic
def letter_pdf(transfer: Transfer, *, actor) -> bytes:
    """The current 介绍信 of a transfer as PDF (three parts on one A4 page). Needs the
    “reveal” right on the sending organisation (the letter shows the full ID number)."""
    from . import pdf

    transfer = Transfer.objects.select_related("member", "organisation", "to_organisation").get(pk=transfer.pk)
    require_org_action(actor, transfer.organisation, "reveal")
    letter = transfer.letters.filter(void=False).order_by("-id").first()
    if letter is None or transfer.kind == "in":
        _err("status", "该转接尚未开具介绍信（转出方审批完成后开具）")
    member = transfer.member
    receipt_months = rule_values()["receipt_months"]
    facts = pdf.letter_facts(transfer, letter, member, member.reveal_id_number(), member.reveal_phone(), receipt_months)
    _log_reveal(
        actor,
        target=f"组织关系介绍信 {letter.serial}（{member.name}，#{member.pk}）",
        org_path=transfer.org_path,
        member_id=member.pk,
        document="transfer_letter",
        serial=letter.serial,
    )
    return pdf.transfer_letter(facts)


@transaction.atomic
def certificate_pdf(member: Member, *, actor) -> bytes:
    """The member's current 流动党员活动证 as PDF; refused for a member whose membership
    is suspended (停止党籍) or who holds no certificate."""
    from . import pdf

    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "reveal")
    if member.status not in rules.CERTIFICATE_STATUSES:
        _err("member", f"该党员党籍状态为“{member.get_status_display()}”，不能出具流动党员活动证")
    record = MobileRecord.objects.select_related("organisation").filter(member=member, status="away").order_by("-id").first()
    if record is None:
        _err("member", "该党员没有在用的流动党员活动证（外出前须先登记发证）")
    facts = pdf.certificate_facts(record, member, member.reveal_id_number())
    _log_reveal(
        actor,
        target=f"流动党员活动证 {record.certificate_no}（{member.name}，#{member.pk}）",
        org_path=record.org_path,
        member_id=member.pk,
        document="mobile_certificate",
        certificate_no=record.certificate_no,
    )
    return pdf.mobile_certificate(facts)
