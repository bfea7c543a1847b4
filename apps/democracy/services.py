"""Writes of the democracy domain (feedback channel, 党务公开). Each takes the required
keyword `actor`, checks scope, validates with Chinese messages, audits every change."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.members import codes as member_codes
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.recruitment.engine import add_workdays

from . import rules
from .models import Feedback, FeedbackCategory, Notice, NoticeCategory, NoticeRead

CREATE, UPDATE = ChangeLog.Action.CREATE, ChangeLog.Action.UPDATE


def _fail(field, message):
    raise ValidationError({field: [message]})


def _name(actor) -> str:
    return getattr(actor, "username", "") or str(actor)


def today():
    return timezone.localdate()


def _text(value, field, label, max_length, *, required=True) -> str:
    text = (value or "").strip()
    if required and not text:
        _fail(field, f"{label}不能为空")
    if len(text) > max_length:
        _fail(field, f"{label}最多{max_length}个字（现{len(text)}字）")
    return text


def _date(value, field, label, *, allow_future=False) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value or "").strip())
        except ValueError:
            _fail(field, f"{label}“{value}”不是有效日期（格式：2026-07-01）")
    if value.year < 2000:
        _fail(field, f"{label}“{value}”早于2000年")
    if not allow_future and value > today():
        _fail(field, f"{label}不能晚于今天（{value}）")
    return value


# ── feedback channel ─────────────────────────────────────────────────────────────────
def _category(category) -> FeedbackCategory:
    if not isinstance(category, FeedbackCategory) or not category.active:
        _fail("category", "请选择启用中的反馈类别")
    return category


@transaction.atomic
def raise_feedback(data: dict, *, actor) -> Feedback:
    """A member raises a matter (their own account), or a branch records a citizen's.
    It goes to the chosen responsible organisation: the member's own or one above it
    (default: the member's branch; a citizen's: the recording branch)."""
    category = _category(data.get("category"))
    raised_on = today()
    citizen = (data.get("citizen_name") or "").strip()
    if citizen:
        origin = data.get("origin")
        if origin is None:
            _fail("origin", "请选择受理的党组织")
        require_org_action(actor, origin, "change")
        raiser = None
        citizen = _text(citizen, "citizen_name", "群众姓名", 40)
    else:
        member_id = getattr(actor, "member_id", None)
        if not member_id:
            _fail("citizen_name", "代群众提出时请填写群众姓名；党员本人请用自己的账号提出")
        raiser = Member.objects.select_related("organisation").get(pk=member_id)
        if raiser.status not in member_codes.COUNTED_STATUSES:
            _fail("raiser", f"党籍状态为“{raiser.get_status_display()}”，不能提出")
        origin = raiser.organisation
    target = data.get("organisation") or origin
    if not origin.path.startswith(target.path):
        _fail("organisation", f"“{target}”不是“{origin}”或其上级组织：反馈只能提交给本组织或上级组织")
    fb = Feedback(
        organisation=target,
        origin=origin,
        origin_path=origin.path,
        raiser=raiser,
        citizen_name=citizen,
        category=category,
        subject=_text(data.get("subject"), "subject", "标题", 100),
        content=_text(data.get("content"), "content", "内容", 3000),
        raised_on=raised_on,
        due_on=add_workdays(raised_on + datetime.timedelta(days=1), category.answer_days),
        recorded_by=_name(actor),
    )
    fb.save()
    record_change(fb, CREATE)
    return fb


@transaction.atomic
def answer_feedback(feedback: Feedback, *, answer: str, actor) -> Feedback:
    """Only the responsible organisation (change right on it) answers; the raiser sees it."""
    fb = Feedback.objects.select_for_update().select_related("organisation").get(pk=feedback.pk)
    require_org_action(actor, fb.organisation, "change")
    if fb.status != Feedback.Status.OPEN:
        _fail("answer", f"该反馈已于{fb.answered_on}答复")
    before = snapshot(fb)
    fb.answer = _text(answer, "answer", "答复", 3000)
    fb.answered_on, fb.answered_by = today(), _name(actor)
    fb.answered_in_time = fb.answered_on <= fb.due_on
    fb.status = Feedback.Status.ANSWERED
    fb.save()
    record_change(fb, UPDATE, before=before, message="答复" + ("" if fb.answered_in_time else "（超期）"))
    return fb


@transaction.atomic
def escalate_overdue(*, as_of=None, actor) -> int:
    """Move every open feedback past its due date to the next organisation up, with a new
    due date (the category's working days from the escalation). The county top stays."""
    as_of = as_of or today()
    moved = 0
    rows = (
        Feedback.objects.select_for_update()
        .filter(status=Feedback.Status.OPEN, due_on__lt=as_of)
        .select_related("organisation", "category")
    )
    for fb in rows:
        parent = Organisation.objects.get_parent(fb.organisation)
        if parent is None:
            continue
        require_org_action(actor, parent, "change")
        before = snapshot(fb)
        fb.escalations = [
            *fb.escalations,
            {"on": as_of.isoformat(), "from": fb.organisation.name, "to": parent.name, "due": fb.due_on.isoformat()},
        ]
        fb.organisation, fb.level = parent, fb.level + 1
        fb.due_on = add_workdays(as_of + datetime.timedelta(days=1), fb.category.answer_days)
        fb.save()
        record_change(fb, UPDATE, before=before, message=f"超期未答复，上交{parent.name}")
        moved += 1
    return moved


# ── 党务公开 ────────────────────────────────────────────────────────────────────────────
@transaction.atomic
def publish_notice(data: dict, *, actor) -> Notice:
    org = data.get("organisation")
    if not isinstance(org, Organisation):
        _fail("organisation", "请选择发布组织")
    require_org_action(actor, org, "change")  # the audience is this organisation's: inside the author's scope
    category = data.get("category")
    if not isinstance(category, NoticeCategory):
        _fail("category", "请选择公开类别")
    if data.get("audience") not in dict(rules.AUDIENCES):
        _fail("audience", f"公开范围须为：{'、'.join(dict(rules.AUDIENCES).values())}")
    publish_on = _date(data.get("publish_on") or today(), "publish_on", "公开日期", allow_future=True)
    withdraw_on = data.get("withdraw_on")
    if withdraw_on:
        withdraw_on = _date(withdraw_on, "withdraw_on", "撤下日期", allow_future=True)
        if withdraw_on < publish_on:
            _fail("withdraw_on", f"撤下日期不能早于公开日期（{publish_on}）")
    notice = Notice(
        organisation=org,
        title=_text(data.get("title"), "title", "标题", 100),
        body=_text(data.get("body"), "body", "内容", 5000),
        category=category,
        audience=data["audience"],
        publish_on=publish_on,
        withdraw_on=withdraw_on or None,
        author=_name(actor),
    )
    notice.save()
    record_change(notice, CREATE)
    return notice


@transaction.atomic
def withdraw_notice(notice: Notice, *, on=None, actor) -> Notice:
    n = Notice.objects.select_for_update().get(pk=notice.pk)
    require_org_action(actor, n.organisation, "change")
    on = _date(on or today(), "withdraw_on", "撤下日期", allow_future=True)
    if on < n.publish_on:
        _fail("withdraw_on", f"撤下日期不能早于公开日期（{n.publish_on}）")
    if n.withdraw_on and n.withdraw_on <= today():
        _fail("withdraw_on", f"已于{n.withdraw_on}撤下")
    before = snapshot(n)
    n.withdraw_on = on
    n.save(update_fields=["withdraw_on"])
    record_change(n, UPDATE, before=before, message="撤下")
    return n


def mark_read(notice: Notice, *, actor) -> bool:
    """The member's read receipt (idempotent). Only for a notice addressed to them."""
    from .selectors import notices_for_member

    member_id = getattr(actor, "member_id", None)
    if not member_id or not notices_for_member(member_id).filter(pk=notice.pk).exists():
        _fail("notice", "这条公开事项不是发给您的")
    try:
        with transaction.atomic():
            _, created = NoticeRead.objects.get_or_create(notice=notice, member_id=member_id)
    except IntegrityError:
        return False
    return created
