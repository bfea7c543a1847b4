"""Committee seats (班子成员): add a seat, end a seat. Audited, scoped, in a transaction.

Kept beside apps.orgs.services (owned by another engineer) until it is merged there."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.core.uniqueness import unique_messages

from . import rules
from .models import CommitteeMember, Organisation

ROLE_LABEL = dict(rules.COMMITTEE_ROLES)
SINGLE_ROLES = set(rules.SINGLE_COMMITTEE_ROLES)


@transaction.atomic
def add_committee_seat(org: Organisation, member, role: str, *, start_date: datetime.date | None = None, actor) -> CommitteeMember:
    require_org_action(actor, org, "change")
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if org.status != Organisation.Status.ACTIVE:
        errors.setdefault("organisation", []).append(f"“{org}”已撤销，不能调整班子成员")
    if role not in ROLE_LABEL:
        errors.setdefault("role", []).append(f"职务“{role}”不是有效取值")
    if member is None:
        errors.setdefault("member", []).append("党员为必填项")
    else:
        if not member.org_path.startswith(org.path):
            errors.setdefault("member", []).append(f"{member.name}不是“{org}”或其下级组织的党员")
        if not member.is_counted:
            errors.setdefault("member", []).append(f"{member.name}当前党籍状态为{member.get_status_display()}，不能担任班子成员")
    if start_date and start_date > today:
        errors.setdefault("start_date", []).append("任职日期不能晚于今天")
    current = org.committee.filter(end_date__isnull=True)
    single = f"该组织已有在任{ROLE_LABEL.get(role, role)}，请先办理离任"
    held = f"{getattr(member, 'name', '')}已在任{ROLE_LABEL.get(role, role)}"
    if role in SINGLE_ROLES and current.filter(role=role).exists():
        errors.setdefault("role", []).append(single)
    if member is not None and current.filter(member=member, role=role).exists():
        errors.setdefault("member", []).append(held)
    if errors:
        raise ValidationError(errors)
    unique = {"committee_one_current_single_role": ("role", single), "committee_member_role_current": ("member", held)}
    with unique_messages(CommitteeMember, unique):
        seat = CommitteeMember.objects.create(organisation=org, member=member, role=role, start_date=start_date or today)
    record_change(seat, ChangeLog.Action.CREATE, message=f"{org}：{member.name}任{ROLE_LABEL[role]}")
    return seat


@transaction.atomic
def end_committee_seat(seat: CommitteeMember, *, end_date: datetime.date | None = None, actor) -> CommitteeMember:
    seat = CommitteeMember.objects.select_for_update().select_related("organisation", "member").get(pk=seat.pk)
    require_org_action(actor, seat.organisation, "change")
    end_date = end_date or timezone.localdate()
    if seat.end_date:
        raise ValidationError({"end_date": [f"该职务已于 {seat.end_date:%Y-%m-%d} 离任"]})
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": ["离任日期不能晚于今天"]})
    if seat.start_date and end_date < seat.start_date:
        raise ValidationError({"end_date": [f"离任日期不能早于任职日期 {seat.start_date:%Y-%m-%d}"]})
    before = snapshot(seat)
    seat.end_date = end_date
    seat.save(update_fields=["end_date"])
    record_change(
        seat, ChangeLog.Action.UPDATE, before=before, message=f"{seat.organisation}：{seat.member.name}不再担任{ROLE_LABEL[seat.role]}"
    )
    return seat
