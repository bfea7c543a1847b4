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
from apps.core.uniqueness import unique_messages
from apps.members import codes as member_codes
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.recruitment.engine import add_workdays

from . import rules
from .models import Consultation, Decision, Feedback, FeedbackCategory, LifeRectification, Notice, NoticeCategory, NoticeRead, Opinion

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
    if not isinstance(category, NoticeCategory) or not category.active:
        _fail("category", "请选择启用中的公开类别")
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


# ── 重大决策征求意见 ─────────────────────────────────────────────────────────────────────
@transaction.atomic
def start_consultation(data: dict, *, actor) -> Consultation:
    """An organisation asks its members (or its subtree's) for opinions until a deadline."""
    org = data.get("organisation")
    if not isinstance(org, Organisation):
        _fail("organisation", "请选择征求意见的党组织")
    require_org_action(actor, org, "change")
    if data.get("audience") not in dict(rules.CONSULTATION_AUDIENCES):
        _fail("audience", f"征求范围须为：{'、'.join(dict(rules.CONSULTATION_AUDIENCES).values())}")
    opens_on = today()
    deadline = _date(data.get("deadline"), "deadline", "截止日期", allow_future=True)
    if deadline < opens_on:
        _fail("deadline", f"截止日期（{deadline}）不能早于今天")
    if (deadline - opens_on).days > rules.CONSULTATION_MAX_DAYS:
        _fail("deadline", f"征求意见期限最长{rules.CONSULTATION_MAX_DAYS}天（截止日期{deadline}超出）")
    c = Consultation(
        organisation=org,
        title=_text(data.get("title"), "title", "事项", 100),
        text=_text(data.get("text"), "text", "征求意见稿", 5000),
        audience=data["audience"],
        opens_on=opens_on,
        deadline=deadline,
        allow_anonymous=bool(data.get("allow_anonymous", True)),
        created_by=_name(actor),
    )
    c.save()
    record_change(c, CREATE)
    return c


@transaction.atomic
def submit_opinion(consultation: Consultation, data: dict, *, actor) -> Opinion:
    """A member gives their opinion (once; the DB constraint refuses a second, also when
    two arrive at the same time). Only members in the consultation's audience, while open."""
    from .selectors import consultations_for_member

    member_id = getattr(actor, "member_id", None)
    if not member_id or not consultations_for_member(member_id).filter(pk=consultation.pk).exists():
        _fail("consultation", "这项征求意见不是向您征求的")
    c = Consultation.objects.get(pk=consultation.pk)
    if c.status != Consultation.Status.OPEN or c.deadline < today():
        _fail("consultation", f"征求意见已于{c.deadline}截止，不能再提交")
    if data.get("stance") not in dict(rules.STANCES):
        _fail("stance", f"请选择态度：{'、'.join(dict(rules.STANCES).values())}")
    anonymous = bool(data.get("anonymous"))
    if anonymous and not c.allow_anonymous:
        _fail("anonymous", "这项征求意见不接受匿名意见")
    text = _text(data.get("text"), "text", "意见建议", 2000, required=data["stance"] != "agree")
    opinion = Opinion(consultation=c, member_id=member_id, stance=data["stance"], text=text, anonymous=anonymous)
    with unique_messages(Opinion, {"democracy_opinion_once": ("consultation", "您已对这项征求意见提交过意见，每人只能提交一次")}):
        opinion.save()
    record_change(opinion, CREATE)
    return opinion


@transaction.atomic
def decide_consultation(consultation: Consultation, *, decision: str, actor) -> Consultation:
    """The organisation records what it decided after the deadline; every respondent then
    sees it on their “征求意见” page (and as a to-do item for RESULT_TODO_DAYS)."""
    c = Consultation.objects.select_for_update().select_related("organisation").get(pk=consultation.pk)
    require_org_action(actor, c.organisation, "change")
    if c.status != Consultation.Status.OPEN:
        _fail("decision", f"已于{c.decided_on}登记决定结果")
    if c.deadline >= today():
        _fail("decision", f"征求意见截止（{c.deadline}）之后才能登记决定结果")
    before = snapshot(c)
    c.decision = _text(decision, "decision", "决定结果", 3000)
    c.status, c.decided_on, c.decided_by = Consultation.Status.DECIDED, today(), _name(actor)
    c.save()
    record_change(c, UPDATE, before=before, message="登记决定结果")
    return c


# ── 集体决策记录 ───────────────────────────────────────────────────────────────────────
def _count(data, field, label) -> int:
    raw = data.get(field)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        _fail(field, f"{label}须为整数（现为“{raw}”）")
    if value < 0 or value > 999:
        _fail(field, f"{label}须在0到999之间（现为{value}）")
    return value


@transaction.atomic
def record_decision(data: dict, *, actor) -> Decision:
    """集体领导、个别酝酿、会议决定: the meeting must have more than half of the committee
    present; the matter passes when the votes for exceed half of the members who should
    attend (票决制); the result is computed, never typed."""
    from apps.orglife.models import Meeting
    from apps.orglife.rules import KIND_BY_CODE

    org = data.get("organisation")
    if not isinstance(org, Organisation):
        _fail("organisation", "请选择决策的党组织")
    require_org_action(actor, org, "change")
    if data.get("category") not in dict(rules.DECISION_CATEGORIES):
        _fail("category", "请选择事项类别")
    total = _count(data, "members_total", "应到委员")
    present = _count(data, "members_present", "实到委员")
    votes = {f: _count(data, f, label) for f, label in (("votes_for", "赞成"), ("votes_against", "反对"), ("votes_abstain", "弃权"))}
    if total < 1:
        _fail("members_total", "应到委员至少1人")
    if present > total:
        _fail("members_present", f"实到委员（{present}）不能多于应到委员（{total}）")
    if present * 2 <= total:
        _fail("members_present", f"实到委员{present}人未超过应到{total}人的半数，会议不能作出决定")
    if sum(votes.values()) > present:
        _fail("votes_for", f"赞成、反对、弃权合计{sum(votes.values())}票，超过实到委员{present}人")
    meeting = data.get("meeting")
    if meeting is not None:
        # only the organisation's own meeting (so inside the actor's scope, checked above)
        if not isinstance(meeting, Meeting) or meeting.organisation_id != org.pk:
            _fail("meeting", f"决策会议须是“{org.name}”自己的会议记录，不能选其他组织的会议")
        if meeting.kind not in rules.DECISION_MEETING_KINDS or meeting.status != Meeting.Status.HELD:
            kinds = "、".join(KIND_BY_CODE[c].label for c in rules.DECISION_MEETING_KINDS)
            _fail("meeting", f"“{meeting}”不是已召开的{kinds}，不能作为决策会议")
        decided_on = meeting.held_on
    else:
        decided_on = _date(data.get("decided_on"), "decided_on", "会议日期")
    consultation = data.get("consultation")
    if consultation is not None:
        if not isinstance(consultation, Consultation) or consultation.organisation_id != org.pk:
            _fail("consultation", f"关联的征求意见须是“{org.name}”发起的，不能选其他组织的征求意见")
        if consultation.opens_on > decided_on:
            _fail("consultation", f"征求意见“{consultation}”于{consultation.opens_on}才开始，晚于会议日期（{decided_on}）")
    notice_start = data.get("notice_start")
    notice_end = None
    if notice_start:
        notice_start = _date(notice_start, "notice_start", "公示开始", allow_future=True)
        if notice_start < decided_on:
            _fail("notice_start", f"公示开始不能早于会议日期（{decided_on}）")
        notice_end = add_workdays(notice_start, rules.NOTICE_WORKDAYS)
    d = Decision(
        organisation=org,
        topic=_text(data.get("topic"), "topic", "议题", 100),
        category=data["category"],
        proposed_by=_text(data.get("proposed_by"), "proposed_by", "提议人", 60),
        consulted=_text(data.get("consulted"), "consulted", "个别酝酿情况", 300),
        consultation=consultation,
        meeting=meeting,
        decided_on=decided_on,
        members_total=total,
        members_present=present,
        **votes,
        result=Decision.Result.PASSED if votes["votes_for"] * 2 > total else Decision.Result.FAILED,
        content=_text(data.get("content"), "content", "决定内容", 3000),
        notice_start=notice_start or None,
        notice_end=notice_end,
        recorded_by=_name(actor),
    )
    d.save()
    record_change(d, CREATE)
    return d


# ── 生活会整改清单 ─────────────────────────────────────────────────────────────────────
@transaction.atomic
def add_rectification(meeting, data: dict, *, actor) -> LifeRectification:
    """A problem raised (criticism, self-examination) at a 民主生活会/组织生活会 recorded by
    orglife, with who rectifies it, how and by when."""
    require_org_action(actor, meeting.organisation, "change")
    if meeting.kind not in rules.LIFE_MEETING_KINDS:
        _fail("meeting", f"“{meeting}”不是民主生活会或组织生活会")
    if meeting.status != "held":
        _fail("meeting", "生活会尚未召开，不能登记整改事项")
    deadline = _date(data.get("deadline"), "deadline", "整改时限", allow_future=True)
    if deadline < meeting.held_on:
        _fail("deadline", f"整改时限不能早于生活会日期（{meeting.held_on}）")
    r = LifeRectification(
        organisation=meeting.organisation,
        meeting=meeting,
        problem=_text(data.get("problem"), "problem", "查摆问题/批评意见", 300),
        responsible=_text(data.get("responsible"), "responsible", "责任人", 60),
        measure=_text(data.get("measure"), "measure", "整改措施", 300),
        deadline=deadline,
        recorded_by=_name(actor),
    )
    r.save()
    record_change(r, CREATE)
    return r


@transaction.atomic
def complete_rectification(rectification: LifeRectification, *, note: str, done_on=None, actor) -> LifeRectification:
    r = LifeRectification.objects.select_for_update().select_related("organisation", "meeting").get(pk=rectification.pk)
    require_org_action(actor, r.organisation, "change")
    if r.status == LifeRectification.Status.DONE:
        _fail("done_note", f"已于{r.done_on}完成整改")
    done_on = _date(done_on or today(), "done_on", "完成日期")
    if done_on < r.meeting.held_on:
        _fail("done_on", f"完成日期不能早于生活会日期（{r.meeting.held_on}）")
    before = snapshot(r)
    r.done_note = _text(note, "done_note", "整改情况", 300)
    r.status, r.done_on = LifeRectification.Status.DONE, done_on
    r.save()
    record_change(r, UPDATE, before=before, message="整改完成")
    return r


# ── 反馈类别与答复时限、党务公开类别 (rule tables the county edits) ─────────────────────
def save_feedback_category(category, data: dict, *, actor) -> FeedbackCategory:
    """Add or edit a feedback category and its answer time limit in working days
    (configure right). A new limit applies to matters raised (or escalated) from then on."""
    from apps.core import ruletables

    def fill(c, d):
        c.name = ruletables.clean_name(d.get("name"), "名称", 40)
        c.answer_days = ruletables.clean_int(d.get("answer_days"), "answer_days", "答复时限（工作日）", low=1, high=rules.MAX_ANSWER_DAYS)
        c.active = bool(d.get("active", True))

    return ruletables.save_row(FeedbackCategory, category, data, fill, what="反馈类别", actor=actor)


def save_notice_category(category, data: dict, *, actor) -> NoticeCategory:
    """Add or edit a 党务公开 category (configure right); a disabled one keeps its notices."""
    from apps.core import ruletables

    def fill(c, d):
        c.name = ruletables.clean_name(d.get("name"), "名称", 40)
        c.active = bool(d.get("active", True))

    return ruletables.save_row(NoticeCategory, category, data, fill, what="党务公开类别", actor=actor)
