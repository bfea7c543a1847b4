"""Every write of organisational life. Web views, the API, the CLI and the demo builder
call these; each owns its transaction, its validation (Chinese messages naming the field
and the rule), the scope check (require_org_action) and its audit entry (record_change).
Rules come from rules.py and the current RuleVersion, never literals here."""

from __future__ import annotations

import datetime
import os
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.core.signals import attendance_recorded
from apps.members.models import Member, MemberTransferHistory
from apps.orgs.models import CommitteeMember, Organisation

from . import rules
from .models import AbsenceCase, Attachment, Attendance, Exclusion, Meeting, RuleVersion


def _fail(field: str, message: str):
    raise ValidationError({field: [message]})


def _name(actor) -> str:
    return getattr(actor, "username", "") or str(actor)


def _today() -> datetime.date:
    return timezone.localdate()


# ── the rule table ──────────────────────────────────────────────────────────────────────
def current_version() -> RuleVersion:
    """The newest rule version (the data migration seeds the first)."""
    version = RuleVersion.objects.order_by("-id").first()
    if version is None:
        version = RuleVersion.objects.create(values=rules.defaults(), note="初始版本（《中国共产党支部工作条例（试行）》默认值）")
    return version


def _root() -> Organisation:
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None:
        _fail("values", "尚无组织树，不能修订规则")
    return root


@transaction.atomic
def save_rule_version(values: dict, *, note: str = "", actor) -> RuleVersion:
    """A new version of the editable rule values (county administrators: "configure").
    values: {"kinds": {code: {"frequency", "quorum", "study", "hours"}}, "warn_months", …};
    missing entries keep the current value."""
    require_org_action(actor, _root(), "configure")
    current = current_version()
    clean = {"kinds": {code: current.kind(code) for code in rules.KIND_DEFAULTS}}
    errors: dict[str, list[str]] = {}
    for code, given in (values.get("kinds") or {}).items():
        kind = rules.KIND_BY_CODE.get(code)
        if kind is None:
            errors.setdefault("kinds", []).append(f"没有会议类型“{code}”")
            continue
        entry = clean["kinds"][code]
        if "frequency" in given:
            if given["frequency"] not in rules.FREQUENCY_LABEL:
                errors[f"{code}_frequency"] = [f"{kind.label}的频次须为每月、每季度或每年"]
            entry["frequency"] = given["frequency"]
        if "quorum" in given:
            if given["quorum"] not in rules.QUORUMS:
                errors[f"{code}_quorum"] = [f"{kind.label}的法定人数规则无效"]
            entry["quorum"] = given["quorum"]
        if "study" in given:
            entry["study"] = bool(given["study"]) and bool(kind.study_form)
        if "hours" in given:
            try:
                hours = Decimal(str(given["hours"]))
            except ArithmeticError:
                hours = Decimal("-1")
            if not Decimal("0.5") <= hours <= rules.MAX_HOURS:
                errors[f"{code}_hours"] = [f"{kind.label}的默认时长应在0.5至{rules.MAX_HOURS}小时之间"]
            entry["hours"] = str(hours)
    for key, (low, high) in rules.GENERAL_LIMITS.items():
        raw = values.get(key, current.general(key))
        try:
            v = int(raw)
        except (TypeError, ValueError):
            errors[key] = [f"{rules.GENERAL_LABEL[key]}须为整数"]
            continue
        if not low <= v <= high:
            errors[key] = [f"{rules.GENERAL_LABEL[key]}应在{low}至{high}之间"]
        clean[key] = v
    if not errors and not clean["warn_months"] <= clean["escalate_months"] <= clean["exit_months"]:
        errors["exit_months"] = ["连续月数须满足：谈话提醒 ≤ 上报预警 ≤ 启动处置"]
    if errors:
        raise ValidationError(errors)
    now = {"kinds": {code: current.kind(code) for code in rules.KIND_DEFAULTS}, **{k: current.general(k) for k in rules.GENERAL_LIMITS}}
    if clean == now:
        _fail("values", "规则取值没有变化")
    version = RuleVersion.objects.create(
        values=clean, note=note or "修订组织生活规则", created_by=None if getattr(actor, "is_system", False) else actor
    )
    record_change(version, ChangeLog.Action.CREATE, message=note or "修订组织生活规则")
    return version


# ── who should attend ───────────────────────────────────────────────────────────────────
def members_on(org: Organisation, on: datetime.date):
    """Members whose formal membership sat in `org` on the date (probationary members
    included): today's members who had joined and had not moved in later, plus those who
    have moved out since. One query."""
    moved_in_later = MemberTransferHistory.objects.filter(to_org=org, date__gt=on).values("member_id")
    moved_out_later = MemberTransferHistory.objects.filter(from_org=org, date__gt=on).values("member_id")
    still = Q(status__in=rules.CALLED_STATUSES) | Q(status_since__gt=on)
    here = (Q(organisation=org) & ~Q(pk__in=moved_in_later)) | Q(pk__in=moved_out_later)
    return Member.objects.filter(here, still, join_date__lte=on).exclude(status="suspended")


def due_members(org: Organisation, kind: rules.Kind, on: datetime.date):
    """The members called to a meeting of `kind` held by `org` on the date."""
    if kind.attendees == rules.GROUP:
        return Member.objects.filter(party_group=org, status__in=rules.CALLED_STATUSES, join_date__lte=on)
    if kind.attendees in (rules.COMMITTEE, rules.LEADERSHIP):
        seats = CommitteeMember.objects.filter(organisation=org).filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gt=on)
        )
        return Member.objects.filter(pk__in=seats.values("member_id"), status__in=rules.CALLED_STATUSES)
    return members_on(org, on)


def active_exclusions(member_ids, on: datetime.date) -> dict[int, Exclusion]:
    rows = Exclusion.objects.filter(member_id__in=list(member_ids), starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    return {e.member_id: e for e in rows.order_by("starts_on")}


# ── meetings ────────────────────────────────────────────────────────────────────────────
MEETING_FIELDS = (
    "kind",
    "status",
    "held_on",
    "start_time",
    "end_time",
    "place",
    "host",
    "recorder",
    "topic",
    "content",
    "minutes",
    "resolutions",
    "lecturer",
    "lecture_topic",
    "theme",
    "has_vote",
    "is_election",
)


def _hours(meeting: Meeting, version: RuleVersion) -> Decimal:
    if meeting.start_time and meeting.end_time:
        start = datetime.datetime.combine(meeting.held_on, meeting.start_time)
        end = datetime.datetime.combine(meeting.held_on, meeting.end_time)
        minutes = Decimal((end - start).seconds // 60)
        return (minutes / 60 * 2).quantize(Decimal("1"), ROUND_HALF_UP) / 2  # to the half hour
    return Decimal(version.kind(meeting.kind)["hours"])


def _validate_meeting(meeting: Meeting, org: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    kind = rules.KIND_BY_CODE.get(meeting.kind)
    today = _today()
    if kind is None:
        errors["kind"] = ["请选择会议类型"]
    elif org.org_type not in kind.applies_to:
        errors["kind"] = [f"{org.get_org_type_display()}不召开“{kind.label}”（适用于：{'、'.join(_type_labels(kind.applies_to))}）"]
    if meeting.status not in Meeting.Status.values:
        errors["status"] = ["状态须为计划或已召开"]
    if meeting.held_on is None:
        errors["held_on"] = ["请填写会议日期"]
    else:
        if meeting.status == Meeting.Status.HELD and meeting.held_on > today:
            errors["held_on"] = [f"日期{meeting.held_on:%Y-%m-%d}在今天之后，不能登记为已召开（可登记为计划）"]
        if org.founded_on and meeting.held_on < org.founded_on:
            errors["held_on"] = [f"日期{meeting.held_on:%Y-%m-%d}早于{org.name}的成立日期{org.founded_on:%Y-%m-%d}"]
        if org.dissolved_on and meeting.held_on > org.dissolved_on:
            errors["held_on"] = [f"日期{meeting.held_on:%Y-%m-%d}晚于{org.name}的撤销日期{org.dissolved_on:%Y-%m-%d}"]
    if meeting.start_time and meeting.end_time and meeting.end_time <= meeting.start_time:
        errors["end_time"] = ["结束时间须晚于开始时间"]
    if not (meeting.topic or "").strip():
        errors["topic"] = ["请填写议题"]
    if kind is not None and kind.needs_lecture and meeting.status == Meeting.Status.HELD:
        if not meeting.lecturer.strip():
            errors["lecturer"] = ["党课须填写授课人"]
        if not meeting.lecture_topic.strip():
            errors["lecture_topic"] = ["党课须填写党课题目"]
    if kind is not None and kind.needs_theme and not meeting.theme.strip():
        errors["theme"] = ["主题党日须填写活动主题"]
    if errors:
        raise ValidationError(errors)


def _type_labels(types) -> list[str]:
    return rules.type_labels(types)


@transaction.atomic
def create_meeting(data: dict, *, actor) -> Meeting:
    """A meeting record. data: organisation and the MEETING_FIELDS. Attendance is recorded
    separately (record_attendance) once the meeting is held."""
    org = data.get("organisation")
    if org is None:
        _fail("organisation", "请选择党组织")
    require_org_action(actor, org, "change")
    version = current_version()
    meeting = Meeting(organisation=org, rule_version=version, created_by=_name(actor))
    for f in MEETING_FIELDS:
        if f in data and data[f] is not None:
            setattr(meeting, f, data[f])
    _validate_meeting(meeting, org)
    meeting.hours = _hours(meeting, version)
    meeting.save()
    record_change(meeting, ChangeLog.Action.CREATE)
    return meeting


@transaction.atomic
def update_meeting(meeting: Meeting, data: dict, *, actor) -> Meeting:
    require_org_action(actor, meeting.organisation, "change")
    meeting = Meeting.objects.select_for_update().select_related("organisation", "rule_version").get(pk=meeting.pk)
    before = snapshot(meeting)
    old_date, old_kind = meeting.held_on, meeting.kind
    for f in MEETING_FIELDS:
        if f in data and data[f] is not None:
            setattr(meeting, f, data[f])
    if meeting.attendance_taken and (meeting.held_on != old_date or meeting.kind != old_kind):
        if meeting.kind != old_kind:
            _fail("kind", "已登记出席情况的会议不能改变会议类型（应到人员随类型而定），请新建会议记录")
        if meeting.held_on.replace(day=1) != old_date.replace(day=1):
            _fail("held_on", "已登记出席情况的会议不能改到其他月份（应到人员随日期而定），请新建会议记录")
    if meeting.attendance_taken and meeting.status != Meeting.Status.HELD:
        _fail("status", "已登记出席情况的会议不能改回计划状态")
    _validate_meeting(meeting, meeting.organisation)
    meeting.hours = _hours(meeting, meeting.rule_version)
    meeting.counted = meeting.status == Meeting.Status.HELD and meeting.attendance_taken and meeting.quorum_met is not False
    meeting.save()
    if meeting.held_on != old_date:
        Attendance.objects.filter(meeting=meeting).update(month=meeting.held_on.replace(day=1))
    record_change(meeting, ChangeLog.Action.UPDATE, before=before)
    if meeting.attendance_taken:
        _send_study(meeting, actor)
    return meeting


# ── attendance ──────────────────────────────────────────────────────────────────────────
def _mark(raw) -> dict:
    if not isinstance(raw, dict):
        _fail("attendance", "出席情况格式错误")
    try:
        member_id = int(raw.get("member") or raw.get("member_id"))
    except (TypeError, ValueError):
        _fail("attendance", "出席情况须指明党员")
    status = raw.get("status") or rules.PRESENT
    return {
        "member_id": member_id,
        "status": status,
        "reason": str(raw.get("reason") or "").strip()[:200],
        "host_org": str(raw.get("host_org") or "").strip()[:120],
    }


@transaction.atomic
def record_attendance(meeting: Meeting, marks, *, actor) -> Meeting:
    """Who should attend is generated from the organisation's members on the meeting's
    date (approved exclusions in force then are listed as 不列入应到); `marks` lists only
    the exceptions — [{"member": id, "status": "leave"|"absent"|"elsewhere"|"present",
    "reason": …, "host_org": …}] — everyone else is present. The quorum is checked:
    a meeting below it is recorded but flagged and not counted as held. Replaces any
    earlier record; sends attendance_recorded for a kind that counts as study."""
    require_org_action(actor, meeting.organisation, "change")
    meeting = Meeting.objects.select_for_update().select_related("organisation", "rule_version").get(pk=meeting.pk)
    before = snapshot(meeting)
    org, kind, version = meeting.organisation, meeting.kind_rule, meeting.rule_version
    if meeting.status != Meeting.Status.HELD or meeting.held_on > _today():
        _fail("attendance", "会议尚未召开，不能登记出席情况")
    parsed = [_mark(m) for m in (marks or [])]
    seen: set[int] = set()
    due = {m.pk: m for m in due_members(org, kind, meeting.held_on).only("id", "name", "status", "member_type")}
    names = {}
    strangers = [p["member_id"] for p in parsed if p["member_id"] not in due]
    if strangers:
        names = dict(Member.objects.filter(pk__in=strangers).values_list("pk", "name"))
    errors: list[str] = []
    by_member: dict[int, dict] = {}
    for p in parsed:
        mid = p["member_id"]
        if mid in seen:
            who = due[mid].name if mid in due else names.get(mid, f"编号{mid}")
            errors.append(f"{who}被重复登记，每人只能登记一次")
            continue
        seen.add(mid)
        if mid not in due:
            errors.append(
                f"{names.get(mid, f'编号{mid}的人员')}在{meeting.held_on:%Y-%m-%d}不是{org.name}{rules.ATTENDEE_LABEL[kind.attendees]}，不能登记出席情况"
            )
            continue
        status = p["status"]
        name = due[mid].name
        if status not in (rules.PRESENT, rules.LEAVE, rules.ABSENT, rules.ELSEWHERE):
            errors.append(f"{name}的出席情况无效（应为出席、请假、缺席或在流入地参加）")
        elif status == rules.LEAVE and not p["reason"]:
            errors.append(f"{name}请假须填写事由")
        elif status == rules.ELSEWHERE:
            if due[mid].status not in rules.ELSEWHERE_STATUSES:
                errors.append(f"{name}不是流动党员，不能登记为在流入地参加")
            elif not p["host_org"]:
                errors.append(f"{name}在流入地参加须填写参加活动的党组织名称")
        by_member[mid] = p
    if errors:
        raise ValidationError({"attendance": errors})
    excluded = active_exclusions(due.keys(), meeting.held_on)
    month = meeting.held_on.replace(day=1)
    rows = []
    for mid in due:
        if mid in excluded:
            ex = excluded[mid]
            rows.append(
                Attendance(
                    meeting=meeting, organisation=org, member_id=mid, month=month, status=rules.EXCLUDED, reason=ex.get_reason_display()
                )
            )
            continue
        p = by_member.get(mid, {"status": rules.PRESENT, "reason": "", "host_org": ""})
        rows.append(
            Attendance(
                meeting=meeting,
                organisation=org,
                member_id=mid,
                month=month,
                status=p["status"],
                reason=p["reason"] if p["status"] in (rules.LEAVE, rules.ABSENT) else "",
                host_org=p["host_org"] if p["status"] == rules.ELSEWHERE else "",
            )
        )
    Attendance.objects.filter(meeting=meeting).delete()
    for r in rows:
        r.sync_paths()
    try:
        with transaction.atomic():
            Attendance.objects.bulk_create(rows)
    except IntegrityError:
        _fail("attendance", "同一人员被重复登记（可能有他人同时保存），请刷新后重试")
    _apply_counts(meeting, rows, due, version)
    meeting.save()
    record_change(meeting, ChangeLog.Action.UPDATE, before=before, message=_summary(meeting))
    _send_study(meeting, actor, [r.member_id for r in rows if r.status == rules.PRESENT])
    return meeting


def _apply_counts(meeting: Meeting, rows, due: dict, version: RuleVersion) -> None:
    counts = {s: 0 for s, _ in rules.ATTENDANCE_CHOICES}
    for r in rows:
        counts[r.status] += 1
    meeting.attendance_taken = True
    meeting.excluded = counts[rules.EXCLUDED]
    meeting.should_attend = len(rows) - meeting.excluded
    meeting.present = counts[rules.PRESENT]
    meeting.elsewhere = counts[rules.ELSEWHERE]
    meeting.on_leave = counts[rules.LEAVE]
    meeting.absent = counts[rules.ABSENT]
    base, present = quorum_base(meeting, rows, due)
    meeting.quorum_met = rules.quorum_met(present, base, quorum_rule(meeting, version))
    meeting.counted = meeting.quorum_met is not False


def quorum_rule(meeting: Meeting, version: RuleVersion | None = None) -> str:
    version = version or meeting.rule_version
    return rules.ELECTION_QUORUM if meeting.is_election else version.kind(meeting.kind)["quorum"]


def quorum_base(meeting: Meeting, rows, due: dict) -> tuple[int, int]:
    """(should, present) for the quorum: at a meeting of all members only members with a
    vote count (full members; probationary members attend without a vote); at a committee
    every member of it. Excluded members are not due; attending elsewhere is not present."""
    voting_only = meeting.kind_rule.attendees in (rules.MEMBERS, rules.GROUP)
    should = present = 0
    for r in rows:
        if r.status == rules.EXCLUDED:
            continue
        if voting_only and due[r.member_id].member_type != "full":
            continue
        should += 1
        present += r.status == rules.PRESENT
    return should, present


def _summary(meeting: Meeting) -> str:
    text = f"登记出席：应到{meeting.should_attend}人，实到{meeting.present}人，流入地参加{meeting.elsewhere}人，请假{meeting.on_leave}人，缺席{meeting.absent}人"
    if meeting.quorum_met is False:
        text += "；未达到法定人数，不计入召开次数，所作决定无效"
    return text


def _send_study(meeting: Meeting, actor, member_ids=None) -> None:
    """Tell the study archive who attended a meeting that counts as study (the kind's
    data). A re-send after a change replaces the earlier credit (see apps.core.signals)."""
    if not meeting.rule_version.counts_as_study(meeting.kind) or not meeting.attendance_taken:
        return
    if member_ids is None:
        member_ids = list(meeting.attendance.filter(status=rules.PRESENT).values_list("member_id", flat=True))
    topic = meeting.lecture_topic or meeting.theme or meeting.topic
    attendance_recorded.send(
        sender=Meeting,
        source=meeting,
        organisation=meeting.organisation,
        date=meeting.held_on,
        hours=meeting.hours,
        form=meeting.kind_rule.study_form,
        content=f"{meeting.get_kind_display()}：{topic}",
        member_ids=list(member_ids),
        actor=actor,
    )


@transaction.atomic
def quick_theme_day(
    org: Organisation, *, held_on: datetime.date, theme: str, absent: list, leave: dict | None = None, photo=None, place: str = "", actor
) -> Meeting:
    """The phone screen: this month's 主题党日 of the branch (opened if recorded, else
    created), everyone present except the ticked absentees (with a reason: on leave),
    an optional photo. One call, one transaction."""
    require_org_action(actor, org, "change")
    leave = leave or {}
    meeting = (
        Meeting.objects.filter(organisation=org, kind="theme_day", held_on__year=held_on.year, held_on__month=held_on.month)
        .order_by("held_on", "id")
        .first()
    )
    data = {"kind": "theme_day", "status": Meeting.Status.HELD, "held_on": held_on, "theme": theme, "topic": theme, "place": place}
    if meeting is None:
        meeting = create_meeting({"organisation": org, **data}, actor=actor)
    else:
        meeting = update_meeting(meeting, {k: v for k, v in data.items() if v not in ("", None) and k != "kind"}, actor=actor)
    marks = []
    for raw in absent or []:
        mid = int(raw)
        reason = str(leave.get(mid) or leave.get(str(mid)) or "").strip()
        marks.append({"member": mid, "status": rules.LEAVE if reason else rules.ABSENT, "reason": reason})
    meeting = record_attendance(meeting, marks, actor=actor)
    if photo is not None:
        add_attachment(meeting, photo, kind="photo", actor=actor)
    return meeting


# ── attachments ─────────────────────────────────────────────────────────────────────────
@transaction.atomic
def add_attachment(meeting: Meeting, upload, *, kind: str = "photo", actor) -> Attachment:
    require_org_action(actor, meeting.organisation, "change")
    limit_mb = meeting.rule_version.general("max_upload_mb")
    name = os.path.basename(getattr(upload, "name", "") or "")
    if kind not in dict(rules.ATTACHMENT_CHOICES):
        _fail("kind", "附件类别无效")
    if not name:
        _fail("file", "请选择要上传的文件")
    if not name.lower().endswith(rules.ATTACHMENT_EXTENSIONS):
        _fail("file", f"文件“{name}”的类型不允许上传（允许：{'、'.join(e.lstrip('.') for e in rules.ATTACHMENT_EXTENSIONS)}）")
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        _fail("file", f"文件“{name}”是空文件")
    if size > limit_mb * 1024 * 1024:
        _fail("file", f"文件“{name}”大小{size / 1024 / 1024:.1f}MB，超过{limit_mb}MB的上限")
    att = Attachment(meeting=meeting, kind=kind, name=name[:200], size=size, uploaded_by=_name(actor))
    att.file.save(name, upload, save=False)
    att.save()
    record_change(att, ChangeLog.Action.CREATE)
    return att


# ── exclusions ──────────────────────────────────────────────────────────────────────────
@transaction.atomic
def create_exclusion(member: Member, data: dict, *, actor) -> Exclusion:
    """Leave a member out of "should attend" for a period, as approved (dated) by the
    organisation that decided it."""
    org = member.organisation
    require_org_action(actor, org, "change")
    errors: dict[str, list[str]] = {}
    reason = data.get("reason")
    starts_on, ends_on, approved_on = data.get("starts_on"), data.get("ends_on"), data.get("approved_on")
    approved_by = str(data.get("approved_by") or "").strip()
    if reason not in rules.EXCLUSION_LABEL:
        errors["reason"] = [f"请选择情形（{'、'.join(rules.EXCLUSION_LABEL.values())}）"]
    if starts_on is None:
        errors["starts_on"] = ["请填写起始日期"]
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = ["截止日期不能早于起始日期"]
    if not approved_by:
        errors["approved_by"] = ["须填写批准的党组织（不列入应到须经组织批准）"]
    if approved_on is None:
        errors["approved_on"] = ["须填写批准日期"]
    elif approved_on > _today():
        errors["approved_on"] = ["批准日期不能晚于今天"]
    if member.status not in rules.CALLED_STATUSES:
        errors["member"] = [f"{member.name}的党籍状态为“{member.get_status_display()}”，无需登记"]
    if not errors:
        overlapping = Exclusion.objects.filter(member=member).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        if ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=ends_on)
        if overlapping.exists():
            errors["starts_on"] = [f"{member.name}在这段时间已有不列入应到的登记，请先修改原登记的截止日期"]
    if errors:
        raise ValidationError(errors)
    ex = Exclusion.objects.create(
        organisation=org,
        member=member,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        approved_by=approved_by[:120],
        approved_on=approved_on,
        note=str(data.get("note") or "")[:200],
        recorded_by=_name(actor),
    )
    record_change(ex, ChangeLog.Action.CREATE)
    return ex


@transaction.atomic
def end_exclusion(exclusion: Exclusion, ends_on: datetime.date, *, actor) -> Exclusion:
    require_org_action(actor, exclusion.organisation, "change")
    if ends_on is None:
        _fail("ends_on", "请填写截止日期")
    if ends_on < exclusion.starts_on:
        _fail("ends_on", f"截止日期不能早于起始日期{exclusion.starts_on:%Y-%m-%d}")
    before = snapshot(exclusion)
    exclusion.ends_on = ends_on
    exclusion.save(update_fields=["ends_on"])
    record_change(exclusion, ChangeLog.Action.UPDATE, before=before)
    return exclusion


# ── the branch's case at 6 months without party life ──────────────────────────────────
def open_absence_cases(org: Organisation, *, as_of: datetime.date | None = None, actor) -> int:
    """Open a case for every member of org's subtree (by their current organisation) at
    `exit_months` consecutive months without party life and without good reason who has no
    open case and no case for the same run (first month) yet. Idempotent; for the daily
    command, the demo and the 缺席提醒 page's button. Returns how many were opened."""
    from . import compliance

    require_org_action(actor, org, "change")
    as_of = as_of or _today()
    version = current_version()
    rows = [
        r
        for r in compliance.absence_queryset(
            Attendance.objects.filter(org_path__startswith=org.path), as_of, version.general("exit_months")
        )
        if (r["org_path"] or "").startswith(org.path)
    ]
    if not rows:
        return 0
    ids = [r["member_id"] for r in rows]
    cases = AbsenceCase.objects.filter(member_id__in=ids)
    busy = set(cases.filter(status=AbsenceCase.Status.OPEN).values_list("member_id", flat=True))
    runs = set(cases.values_list("member_id", "first_month"))
    opened = 0
    for r in rows:
        if r["member_id"] in busy or (r["member_id"], r["first_month"]) in runs:
            continue
        try:
            with transaction.atomic():
                case = AbsenceCase.objects.create(
                    member_id=r["member_id"],
                    organisation_id=r["organisation_id"],
                    org_path=r["org_path"],
                    opened_on=as_of,
                    first_month=r["first_month"],
                    months=r["months"],
                )
                record_change(
                    case, ChangeLog.Action.CREATE, message=f"连续{r['months']}个月无正当理由不参加组织生活，开启处置，待支部大会决定"
                )
        except IntegrityError:  # opened concurrently by another run
            continue
        opened += 1
    return opened


@transaction.atomic
def decide_absence_case(
    case: AbsenceCase, *, decision: str, meeting_date, note: str = "", actor, today: datetime.date | None = None
) -> AbsenceCase:
    """Record the general meeting's decision. The member's status is not changed here:
    提交组织处置 leaves the member to the exit handling (组织处置), which alone removes."""
    require_org_action(actor, case.organisation, "change")
    case = AbsenceCase.objects.select_for_update().select_related("organisation", "member").get(pk=case.pk)
    if case.status != AbsenceCase.Status.OPEN:
        _fail("status", "该处置已记录支部大会决定，不能重复决定")
    if decision not in rules.CASE_DECISION_LABEL:
        _fail("decision", f"请选择支部大会的决定（{'、'.join(rules.CASE_DECISION_LABEL.values())}）")
    if isinstance(meeting_date, str):
        try:
            meeting_date = datetime.date.fromisoformat(meeting_date)
        except ValueError:
            _fail("meeting_date", f"支部大会日期“{meeting_date}”格式错误，应为 YYYY-MM-DD")
    if not meeting_date:
        _fail("meeting_date", "请填写支部大会日期")
    if meeting_date > (today or _today()):
        _fail("meeting_date", f"支部大会日期{meeting_date:%Y-%m-%d}晚于今天")
    if meeting_date < case.opened_on:
        _fail("meeting_date", f"支部大会日期{meeting_date:%Y-%m-%d}早于立案日期{case.opened_on:%Y-%m-%d}")
    note = str(note or "").strip()
    if decision in rules.CASE_DISMISSED and not note:
        _fail("note", f"决定“{rules.CASE_DECISION_LABEL[decision]}”须在决定说明中写明理由")
    before = snapshot(case)
    case.status, case.decision, case.meeting_date = AbsenceCase.Status.DECIDED, decision, meeting_date
    case.decision_note, case.decided_by = note[:300], _name(actor)
    case.save()
    record_change(case, ChangeLog.Action.UPDATE, before=before, message=f"记录支部大会决定：{rules.CASE_DECISION_LABEL[decision]}")
    return case
