"""Every write of the study archive and the training classes. Web views, the API, the CLI,
the demo builder and the attendance_recorded receiver call these; each owns its
transaction, its validation (Chinese messages naming the field and the rule), its scope
check (require_org_action) and its audit entry (record_change). Rules come from rules.py
and the current StudyRuleVersion, never from literals here."""

import datetime
import io
import random
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.core.uniqueness import unique_messages
from apps.members import codes as member_codes
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import rules
from .models import (
    ClassQuota,
    ClassSession,
    Courseware,
    EducationPlan,
    Enrolment,
    JointMeeting,
    PlanItem,
    Question,
    Quiz,
    QuizAttempt,
    StudyEntry,
    StudyReport,
    StudyRuleVersion,
    TrainingClass,
    Venue,
)


def _fail(field_name: str, message: str):
    raise ValidationError({field_name: [message]})


def _collect(errors: dict, field_name: str, message: str) -> None:
    errors.setdefault(field_name, []).append(message)


def _decimal(value, field_name: str, label: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        _fail(field_name, f"{label}“{value}”不是有效的数字")
    if not result.is_finite():
        _fail(field_name, f"{label}“{value}”不是有效的数字")
    return result


# ---------------------------------------------------------------- rules


def current_rules() -> StudyRuleVersion:
    """The newest rule version (the data migration seeds the first)."""
    version = StudyRuleVersion.objects.order_by("-id").first()
    if version is None:  # a database flushed by a test: re-seed the defaults
        version = StudyRuleVersion.objects.create(values=dict(rules.DEFAULTS), note="默认规则（2019–2023年全国党员教育培训工作规划）")
    return version


def _county_root(actor) -> Organisation:
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None:
        _fail("values", "尚未建立党组织，无法设置学时规则")
    return root


@transaction.atomic
def save_rules(values: dict, *, note: str = "", actor) -> StudyRuleVersion:
    """A county administrator saves a new version of the configurable amounts."""
    require_org_action(actor, _county_root(actor), "configure")
    errors: dict[str, list[str]] = {}
    clean = {}
    for setting in rules.SETTINGS:
        raw = values.get(setting.key, rules.DEFAULTS[setting.key])
        try:
            number = int(str(raw))
        except (TypeError, ValueError):
            _collect(errors, setting.key, f"{setting.label}“{raw}”不是整数")
            continue
        if not setting.minimum <= number <= setting.maximum:
            _collect(errors, setting.key, f"{setting.label}须在{setting.minimum}～{setting.maximum}{setting.unit}之间")
        clean[setting.key] = number
    if not errors and clean["half_day_hours"] > clean["full_day_hours"]:
        _collect(errors, "half_day_hours", "半天折算学时不能多于全天折算学时")
    if errors:
        raise ValidationError(errors)
    version = StudyRuleVersion.objects.create(values=clean, note=note[:200], created_by=getattr(actor, "pk", None) and actor)
    record_change(version, ChangeLog.Action.CREATE, message=note[:200] or "修订学时规则")
    return version


# ---------------------------------------------------------------- the study archive


@transaction.atomic
def add_entry(data: dict, *, actor) -> StudyEntry:
    """A branch enters a study record for one of its members by hand. Hours come from the
    counting rule (full day / half day / actual); above the rule's approval size the entry
    waits for the higher committee's approval and does not count until approved."""
    member: Member | None = data.get("member")
    if member is None:
        _fail("member", "党员为必填项")
    require_org_action(actor, member.organisation, "change")
    version = current_rules()
    values = version.all_values()
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if member.status not in member_codes.COUNTED_STATUSES:
        _collect(errors, "member", f"{member.name}当前党籍状态为{member.get_status_display()}，不能登记学习记录")
    day = data.get("date")
    if not isinstance(day, datetime.date):
        _collect(errors, "date", "学习日期为必填项")
    elif day > today:
        _collect(errors, "date", "学习日期不能晚于今天")
    form = data.get("form") or ""
    if form not in dict(rules.MANUAL_FORMS):
        _collect(errors, "form", f"学习形式“{form}”不能手工录入（培训班、考学的学时由考勤和成绩自动记入）")
    content = (data.get("content") or "").strip()
    if not content:
        _collect(errors, "content", "学习内容为必填项")
    duration = data.get("duration") or "actual"
    if duration not in dict(rules.DURATIONS):
        _collect(errors, "duration", f"时长“{duration}”不是有效取值")
    days = int(data.get("days") or 1)
    if days < 1:
        _collect(errors, "days", "天数至少为1天")
    actual = _decimal(data.get("hours") or 0, "hours", "学时")
    if duration == "actual" and actual <= 0:
        _collect(errors, "hours", "按实际学时计算时，学时须大于0")
    if actual < 0:
        _collect(errors, "hours", "学时不能为负数")
    score = data.get("score")
    if score not in (None, ""):
        score = _decimal(score, "score", "测试成绩")
        if not 0 <= score <= 100:
            _collect(errors, "score", "测试成绩须在0～100分之间")
    else:
        score = None
    if errors:
        raise ValidationError(errors)
    counted = rules.count_hours(duration, actual, values, days=days)
    if counted > values["max_entry_hours"]:
        _fail("hours", f"单条记录最多{values['max_entry_hours']}学时（学时规则），本条折算为{counted}学时")
    pending = counted > values["approval_hours"]
    entry = StudyEntry.objects.create(
        organisation=member.organisation,
        member=member,
        date=day,
        hours=counted,
        form=form,
        content=content[:200],
        organiser=(data.get("organiser") or member.organisation.name)[:120],
        participants=(data.get("participants") or "")[:200],
        reflection=data.get("reflection") or "",
        score=score,
        origin="manual",
        status=StudyEntry.Status.PENDING if pending else StudyEntry.Status.APPROVED,
        rule_version=version,
    )
    message = f"超过{values['approval_hours']}学时，待上级审批" if pending else ""
    record_change(entry, ChangeLog.Action.CREATE, message=message)
    return entry


@transaction.atomic
def decide_entry(entry: StudyEntry, *, approve: bool, note: str = "", actor) -> StudyEntry:
    """The higher committee approves or refuses a large hand-entered claim."""
    entry = StudyEntry.objects.select_for_update().select_related("organisation", "member").get(pk=entry.pk)
    require_org_action(actor, entry.organisation, "approve")
    if entry.status != StudyEntry.Status.PENDING:
        _fail("status", f"该记录已{entry.get_status_display()}，不能重复审批")
    if not approve and not note.strip():
        _fail("note", "不予认定时须填写审批意见（说明理由）")
    before = snapshot(entry)
    entry.status = StudyEntry.Status.APPROVED if approve else StudyEntry.Status.REJECTED
    entry.decided_by = actor if getattr(actor, "pk", None) else None
    entry.decided_at = timezone.now()
    entry.decision_note = note.strip()[:200]
    entry.save()
    record_change(entry, ChangeLog.Action.UPDATE, before=before, message=f"学时审批：{entry.get_status_display()}")
    return entry


@transaction.atomic
def credit_attendance(
    *,
    source,
    organisation: Organisation,
    date: datetime.date,
    hours,
    form: str,
    content: str,
    member_ids: Iterable[int],
    actor,
    origin: str = "attendance",
    organiser: str = "",
    training_class: TrainingClass | None = None,
    scores: dict | None = None,
) -> dict:
    """Credit everyone present at `source` (a model instance) with its hours: one approved
    entry per (source, member). A re-send replaces: members no longer listed lose the
    credit, the others' entries are updated, new ones added. Returns counts."""
    require_org_action(actor, organisation, "change")
    if source is None or getattr(source, "pk", None) is None:
        _fail("source", "学时来源记录必须已保存")
    if form not in rules.FORM_LABEL:
        _fail("form", f"学习形式“{form}”不是有效取值（{'、'.join(rules.FORM_LABEL)}）")
    counted = _decimal(hours, "hours", "学时")
    if counted < 0:
        _fail("hours", "学时不能为负数")
    values = (version := current_rules()).all_values()
    if counted > values["max_entry_hours"]:
        _fail("hours", f"单条记录最多{values['max_entry_hours']}学时（学时规则）")
    counted = rules.hours(counted)
    source_type = source._meta.label_lower
    ids = sorted({int(i) for i in member_ids})
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids).select_related("organisation")}
    missing = [i for i in ids if i not in members]
    if missing:
        _fail("member_ids", f"党员编号{'、'.join(map(str, missing[:10]))}不存在")
    existing = {e.member_id: e for e in StudyEntry.objects.select_for_update().filter(source_type=source_type, source_id=source.pk)}
    removed = [e for mid, e in existing.items() if mid not in members]
    for entry in removed:
        record_change(entry, ChangeLog.Action.DELETE, message="出勤名单更正，撤销学时")
    StudyEntry.objects.filter(pk__in=[e.pk for e in removed]).delete()
    created = updated = 0
    scores = scores or {}
    for mid, member in members.items():
        fields = dict(
            organisation=member.organisation,
            date=date,
            hours=counted,
            form=form,
            content=(content or "")[:200],
            organiser=(organiser or organisation.name)[:120],
            origin=origin,
            training_class=training_class,
            status=StudyEntry.Status.APPROVED,
            rule_version=version,
            score=scores.get(mid),
        )
        entry = existing.get(mid)
        if entry is None:
            try:
                with transaction.atomic():
                    entry = StudyEntry.objects.create(member=member, source_type=source_type, source_id=source.pk, **fields)
            except IntegrityError:
                raise ValidationError({"member_ids": [f"{member.name}的该次学时已由他人同时记入，本次未重复记入，请刷新后核对"]}) from None
            record_change(entry, ChangeLog.Action.CREATE, message=f"{rules.FORM_LABEL[form]}出勤记入学时")
            created += 1
        else:
            before = snapshot(entry)
            for k, v in fields.items():
                setattr(entry, k, v)
            entry.save()
            if snapshot(entry) != before:
                record_change(entry, ChangeLog.Action.UPDATE, before=before, message="出勤记录更新，学时随之更新")
                updated += 1
    return {"created": created, "updated": updated, "removed": len(removed)}


def on_attendance_recorded(sender, *, source, organisation, date, hours, form, content, member_ids, actor, **kwargs):
    """Receiver of apps.core.signals.attendance_recorded (connected in ready())."""
    credit_attendance(
        source=source,
        organisation=organisation,
        date=date,
        hours=hours,
        form=form,
        content=content,
        member_ids=member_ids,
        actor=actor,
        origin="attendance",
    )


# ---------------------------------------------------------------- training classes

LEVEL_ORG_TYPES = {
    "county": {"county_committee"},
    "township": {"committee"},
    "branch": {"committee", "general_branch", "branch", "joint_branch", "temporary_branch"},
}


@transaction.atomic
def create_class(data: dict, *, actor) -> TrainingClass:
    org: Organisation | None = data.get("organisation")
    if org is None:
        _fail("organisation", "举办组织为必填项")
    require_org_action(actor, org, "change")
    errors: dict[str, list[str]] = {}
    level, kind = data.get("level") or "", data.get("kind") or "general"
    if level not in dict(rules.CLASS_LEVELS):
        _collect(errors, "level", f"层级“{level}”不是有效取值")
    elif org.org_type not in LEVEL_ORG_TYPES[level]:
        _collect(errors, "level", f"{dict(rules.CLASS_LEVELS)[level]}的培训班须由相应层级的组织举办，“{org}”是{org.get_org_type_display()}")
    if kind not in dict(rules.CLASS_KINDS):
        _collect(errors, "kind", f"类别“{kind}”不是有效取值")
    elif kind == rules.ROTATION_KIND and level != rules.ROTATION_LEVEL:
        _collect(errors, "kind", "书记轮训由县委党校举办（层级须为县委党校）")
    title = (data.get("title") or "").strip()
    if not title:
        _collect(errors, "title", "班次名称为必填项")
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, datetime.date):
        _collect(errors, "start_date", "开班日期为必填项")
    if not isinstance(end, datetime.date):
        _collect(errors, "end_date", "结业日期为必填项")
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        _collect(errors, "end_date", "结业日期不能早于开班日期")
    if errors:
        raise ValidationError(errors)
    cls = TrainingClass.objects.create(
        organisation=org, title=title[:120], level=level, kind=kind, start_date=start, end_date=end, plan=data.get("plan") or ""
    )
    record_change(cls, ChangeLog.Action.CREATE)
    return cls


def _class_for_update(cls: TrainingClass, actor) -> TrainingClass:
    cls = TrainingClass.objects.select_for_update().select_related("organisation").get(pk=cls.pk)
    require_org_action(actor, cls.organisation, "change")
    if cls.status == TrainingClass.Status.FINISHED:
        _fail("training_class", f"“{cls.title}”已结业，不能再修改")
    return cls


@transaction.atomic
def add_session(cls: TrainingClass, data: dict, *, actor) -> ClassSession:
    cls = _class_for_update(cls, actor)
    values = current_rules().all_values()
    errors: dict[str, list[str]] = {}
    day = data.get("date")
    if not isinstance(day, datetime.date):
        _collect(errors, "date", "日期为必填项")
    elif not cls.start_date <= day <= cls.end_date:
        _collect(errors, "date", f"课程日期须在培训班期间（{cls.start_date}～{cls.end_date}）")
    topic, lecturer = (data.get("topic") or "").strip(), (data.get("lecturer") or "").strip()
    if not topic:
        _collect(errors, "topic", "课程为必填项")
    if not lecturer:
        _collect(errors, "lecturer", "授课人为必填项")
    duration = data.get("duration") or "actual"
    if duration not in dict(rules.DURATIONS):
        _collect(errors, "duration", f"时长“{duration}”不是有效取值")
    actual = _decimal(data.get("hours") or 0, "hours", "学时")
    if actual < 0:
        _collect(errors, "hours", "学时不能为负数")
    elif duration == "actual" and actual == 0:
        _collect(errors, "hours", "按实际学时计算时，学时须大于0")
    if errors:
        raise ValidationError(errors)
    counted = rules.count_hours(duration, actual, values)
    if counted > values["full_day_hours"]:
        _fail("hours", f"一次课程最多按全天{values['full_day_hours']}学时计算（学时规则），多天课程请分次登记")
    session = ClassSession.objects.create(
        training_class=cls, date=day, topic=topic[:200], lecturer=lecturer[:60], duration=duration, hours=counted
    )
    record_change(session, ChangeLog.Action.CREATE)
    return session


@transaction.atomic
def set_quota(cls: TrainingClass, organisation: Organisation, seats: int, *, actor) -> ClassQuota | None:
    """The places an organisation's subtree may fill (0 removes the quota)."""
    cls = _class_for_update(cls, actor)
    if organisation is None:
        _fail("organisation", "名额单位为必填项")
    if not organisation.path.startswith(cls.organisation.path):
        _fail("organisation", f"名额单位须是“{cls.organisation}”或其下级组织")
    if seats is None or int(seats) < 0:
        _fail("seats", "名额不能为负数")
    seats = int(seats)
    enrolled = Enrolment.objects.filter(training_class=cls, quota_org=organisation).count()
    if seats < enrolled:
        _fail("seats", f"“{organisation}”已报名{enrolled}人，名额不能少于已报名人数")
    quota = ClassQuota.objects.filter(training_class=cls, organisation=organisation).first()
    if seats == 0:
        if quota:
            record_change(quota, ChangeLog.Action.DELETE)
            quota.delete()
        return None
    if quota is None:
        quota = ClassQuota.objects.create(training_class=cls, organisation=organisation, seats=seats)
        record_change(quota, ChangeLog.Action.CREATE)
    else:
        before = snapshot(quota)
        quota.seats = seats
        quota.save()
        record_change(quota, ChangeLog.Action.UPDATE, before=before)
    return quota


@transaction.atomic
def enrol(cls: TrainingClass, member: Member, *, actor) -> Enrolment:
    """Enrol a member. When the class has quotas, the member's organisation must lie under
    one with a free place (the nearest quota organisation counts)."""
    cls = _class_for_update(cls, actor)
    if cls.kind in rules.RECRUITMENT_KINDS:
        _fail(
            "member",
            f"“{cls.title}”是{cls.get_kind_display()}，学员是入党积极分子和发展对象，请在发展党员的“积极分子培训班”页登记参训人员",
        )
    if member is None:
        _fail("member", "学员为必填项")
    if member.status not in member_codes.COUNTED_STATUSES:
        _fail("member", f"{member.name}当前党籍状态为{member.get_status_display()}，不能报名")
    if not member.org_path.startswith(cls.organisation.path):
        _fail("member", f"{member.name}不是“{cls.organisation}”所属的党员，不能报名本班")
    if Enrolment.objects.filter(training_class=cls, member=member).exists():
        _fail("member", f"{member.name}已报名本班")
    quota_org = None
    quotas = list(ClassQuota.objects.filter(training_class=cls).select_related("organisation"))
    if quotas:
        under = [q for q in quotas if member.org_path.startswith(q.organisation.path)]
        if not under:
            _fail("member", f"{member.name}所在组织没有本班名额")
        quota = max(under, key=lambda q: len(q.organisation.path))
        taken = Enrolment.objects.filter(training_class=cls, quota_org=quota.organisation).count()
        if taken >= quota.seats:
            _fail("member", f"“{quota.organisation}”的{quota.seats}个名额已满")
        quota_org = quota.organisation
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                training_class=cls, member=member, organisation=member.organisation, class_org=cls.organisation, quota_org=quota_org
            )
    except IntegrityError:
        _fail("member", f"{member.name}已报名本班")
    record_change(enrolment, ChangeLog.Action.CREATE)
    return enrolment


@transaction.atomic
def record_session_attendance(session: ClassSession, member_ids: Iterable[int], *, actor, hours=None) -> dict:
    """Who attended a session: each is credited the session's hours (or fewer: `hours`,
    never more) in their study archive; a second call replaces the first."""
    session = ClassSession.objects.select_related("training_class__organisation").get(pk=session.pk)
    cls = _class_for_update(session.training_class, actor)
    ids = {int(i) for i in member_ids}
    enrolled = set(Enrolment.objects.filter(training_class=cls, member_id__in=ids).values_list("member_id", flat=True))
    strangers = ids - enrolled
    if strangers:
        names = list(Member.objects.filter(pk__in=strangers).values_list("name", flat=True)[:5]) or sorted(strangers)[:5]
        _fail("member_ids", f"{'、'.join(map(str, names))}未报名本班，不能登记出勤")
    credited = session.hours if hours in (None, "") else _decimal(hours, "hours", "学时")
    if credited < 0:
        _fail("hours", "学时不能为负数")
    if credited > session.hours:
        _fail("hours", f"出勤学时不能超过本次课程的{session.hours}学时")
    result = credit_attendance(
        source=session,
        organisation=cls.organisation,
        date=session.date,
        hours=credited,
        form="training",
        content=f"{cls.title}：{session.topic}",
        member_ids=ids,
        actor=actor,
        origin="class",
        organiser=cls.organisation.name,
        training_class=cls,
    )
    if not session.attendance_taken:
        ClassSession.objects.filter(pk=session.pk).update(attendance_taken=True)
    _refresh_attended(cls)
    return result


def _refresh_attended(cls: TrainingClass) -> None:
    sums = dict(
        StudyEntry.objects.filter(training_class=cls, source_type="education.classsession")
        .values("member_id")
        .annotate(h=Sum("hours"))
        .values_list("member_id", "h")
    )
    enrolments = list(Enrolment.objects.filter(training_class=cls))
    for e in enrolments:
        e.attended_hours = sums.get(e.member_id) or 0
    Enrolment.objects.bulk_update(enrolments, ["attended_hours"])


@transaction.atomic
def finish_class(cls: TrainingClass, *, actor, on: datetime.date | None = None) -> dict:
    """Close the class: enrolments with enough attendance (completion_percent of the
    curriculum's hours) complete and get a certificate number; the others do not."""
    cls = _class_for_update(cls, actor)
    on = on or timezone.localdate()
    total = ClassSession.objects.filter(training_class=cls).aggregate(h=Sum("hours"))["h"] or Decimal(0)
    if total == 0:
        _fail("training_class", "本班尚未登记课程，不能结业")
    # A class of 入党积极分子/发展对象 has no member enrolments and so no per-session member
    # attendance; its completion (结业) is what the recruitment step check reads.
    if cls.kind not in rules.RECRUITMENT_KINDS and ClassSession.objects.filter(training_class=cls, attendance_taken=False).exists():
        _fail("training_class", "还有课程未登记考勤，请先登记后再办理结业")
    percent = current_rules().all_values()["completion_percent"]
    _refresh_attended(cls)
    before = snapshot(cls)
    completed = 0
    enrolments = list(Enrolment.objects.filter(training_class=cls).order_by("id"))
    for e in enrolments:
        if e.attended_hours * 100 >= total * percent:
            completed += 1
            e.status = Enrolment.Status.COMPLETED
            e.certificate_no = f"{cls.start_date:%Y}-{cls.pk:04d}-{completed:03d}"
        else:
            e.status = Enrolment.Status.NOT_COMPLETED
    Enrolment.objects.bulk_update(enrolments, ["status", "certificate_no"])
    cls.status, cls.finished_on = TrainingClass.Status.FINISHED, on
    cls.save()
    record_change(cls, ChangeLog.Action.UPDATE, before=before, message=f"结业：{completed}人结业，{len(enrolments) - completed}人未结业")
    return {"completed": completed, "not_completed": len(enrolments) - completed}


# ---------------------------------------------------------------- 述学述评


def _is_secretary(member: Member, on: datetime.date) -> bool:
    from apps.orgs.models import CommitteeMember

    return (
        CommitteeMember.objects.filter(member=member, role=rules.SECRETARY_ROLE, organisation__org_type__in=rules.CADRE_ORG_TYPES)
        .filter(start_date__lte=on)
        .exclude(end_date__lt=datetime.date(on.year, 1, 1))
        .exists()
    )


@transaction.atomic
def submit_report(member: Member, year: int, text: str, *, actor) -> StudyReport:
    """The member (or the branch for them) submits the year's study report; it may be
    revised until it is graded."""
    if member is None:
        _fail("member", "党员为必填项")
    if getattr(actor, "member_id", None) != member.pk:
        require_org_action(actor, member.organisation, "change")
    today = timezone.localdate()
    text = (text or "").strip()
    if not isinstance(year, int) or not today.year - rules.REPORT_YEARS_BACK <= year <= today.year:
        _fail("year", f"只能提交{today.year - rules.REPORT_YEARS_BACK}年或{today.year}年的述学报告")
    if len(text) < rules.REPORT_MIN_CHARS:
        _fail("text", f"述学报告至少{rules.REPORT_MIN_CHARS}字（现有{len(text)}字）")
    if len(text) > rules.REPORT_MAX_CHARS:
        _fail("text", f"述学报告最多{rules.REPORT_MAX_CHARS}字（现有{len(text)}字）")
    report = StudyReport.objects.select_for_update().filter(member=member, year=year).first()
    if report is not None:
        if report.status == StudyReport.Status.GRADED:
            _fail("text", f"{year}年述学报告已评议，不能再修改")
        before = snapshot(report)
        report.text = text
        report.save()
        record_change(report, ChangeLog.Action.UPDATE, before=before)
        return report
    try:
        with transaction.atomic():
            report = StudyReport.objects.create(organisation=member.organisation, member=member, year=year, text=text)
    except IntegrityError:
        _fail("year", f"{member.name}的{year}年述学报告已由他人同时提交，请刷新后修改")
    record_change(report, ChangeLog.Action.CREATE)
    return report


@transaction.atomic
def grade_report(report: StudyReport, *, grade: str, comment: str = "", actor) -> StudyReport:
    """The branch comments and grades a member's report; a secretary's report is graded by
    the higher committee (approve right). Nobody grades their own report."""
    report = StudyReport.objects.select_for_update().select_related("member", "organisation").get(pk=report.pk)
    secretary = _is_secretary(report.member, datetime.date(report.year, 12, 31))
    require_org_action(actor, report.organisation, "approve" if secretary else "change")
    if getattr(actor, "member_id", None) == report.member_id:
        _fail("grade", "不能评议本人的述学报告")
    if grade not in dict(rules.REPORT_GRADES):
        _fail("grade", f"评议等次“{grade}”不是有效取值（{'、'.join(label for _c, label in rules.REPORT_GRADES)}）")
    comment = (comment or "").strip()
    if not comment:
        _fail("comment", "评议意见为必填项")
    before = snapshot(report)
    report.status = StudyReport.Status.GRADED
    report.grade = grade
    report.comment = comment[:500]
    report.reviewer_level = "higher" if secretary else "branch"
    report.graded_by = actor if getattr(actor, "pk", None) else None
    report.graded_at = timezone.now()
    report.save()
    record_change(report, ChangeLog.Action.UPDATE, before=before, message=f"述学述评：{report.get_grade_display()}")
    return report


# ---------------------------------------------------------------- 考学: the question bank


def _clean_question(data: dict, *, prefix: str = "") -> tuple[dict, dict]:
    """Validate one question (from the form, the API or a workbook row): (clean, errors)."""
    errors: dict[str, list[str]] = {}

    def bad(field_name, message):
        _collect(errors, field_name, f"{prefix}{message}")

    kind = data.get("kind") or ""
    kind = rules.QUESTION_KIND_BY_LABEL.get(kind, kind)
    if kind not in dict(rules.QUESTION_KINDS):
        bad("kind", f"题型“{kind}”不是有效取值（{'、'.join(label for _c, label in rules.QUESTION_KINDS)}）")
    category = str(data.get("category") or "").strip()
    if not category:
        bad("category", "分类为必填项")
    elif len(category) > 40:
        bad("category", "分类最多40字")
    difficulty = str(data.get("difficulty") or "medium").strip()
    difficulty = rules.DIFFICULTY_BY_LABEL.get(difficulty, difficulty)
    if difficulty not in dict(rules.DIFFICULTIES):
        bad("difficulty", f"难度“{difficulty}”不是有效取值（容易、中等、困难）")
    text = str(data.get("text") or "").strip()
    if not text:
        bad("text", "题干为必填项")
    elif len(text) > 500:
        bad("text", "题干最多500字")
    if kind == "truefalse":
        options = list(rules.TRUE_FALSE_OPTIONS)
    else:
        options = [str(o).strip() for o in (data.get("options") or []) if str(o or "").strip()]
        if not rules.MIN_OPTIONS <= len(options) <= rules.MAX_OPTIONS:
            bad("options", f"选择题须有{rules.MIN_OPTIONS}～{rules.MAX_OPTIONS}个选项（现有{len(options)}个）")
        elif any(len(o) > 200 for o in options):
            bad("options", "每个选项最多200字")
        elif len(set(options)) != len(options):
            bad("options", "选项不能重复")
    raw = data.get("answer")
    if isinstance(raw, list | tuple):
        raw = "".join(str(r) for r in raw)
    raw = str(raw or "").upper().replace(",", "").replace("，", "").replace(" ", "").replace("、", "")
    if kind == "truefalse":
        raw = {"对": "A", "正确": "A", "√": "A", "T": "A", "错": "B", "错误": "B", "×": "B", "F": "B"}.get(raw, raw)
    answer = "".join(sorted(set(raw)))
    letters = rules.LETTERS[: len(options)]
    if not answer:
        bad("answer", "没有正确答案：每道题至少有一个正确选项")
    elif any(ch not in letters for ch in answer):
        bad("answer", f"正确答案“{raw}”不在选项{letters[:1]}～{letters[-1:]}之中")
    elif kind in ("single", "truefalse") and len(answer) != 1:
        bad("answer", f"{dict(rules.QUESTION_KINDS)[kind]}只能有一个正确答案（现为{answer}）")
    explanation = str(data.get("explanation") or "").strip()[:500]
    clean = dict(kind=kind, category=category, difficulty=difficulty, text=text, options=options, answer=answer, explanation=explanation)
    return clean, errors


QUESTION_UNIQUE = {"question_text_once_per_bank": ("text", "本题库已有相同题干的试题")}


@transaction.atomic
def add_question(organisation: Organisation, data: dict, *, actor) -> Question:
    """Add a question to an organisation's bank."""
    if organisation is None:
        _fail("organisation", "题库所属组织为必填项")
    require_org_action(actor, organisation, "change")
    clean, errors = _clean_question(data)
    if errors:
        raise ValidationError(errors)
    if Question.objects.filter(organisation=organisation, text=clean["text"]).exists():
        _fail("text", "本题库已有相同题干的试题")
    with unique_messages(Question, QUESTION_UNIQUE):
        q = Question.objects.create(organisation=organisation, **clean)
    record_change(q, ChangeLog.Action.CREATE)
    return q


def question_answered_count(question: Question) -> int:
    """How many handed-in or running attempts drew this question. A quiz draws from its
    organisation's bank and those above it, so only quizzes in the question's subtree can
    have drawn it. PostgreSQL answers with a JSON containment filter; elsewhere the ids are
    read and counted in Python (one query)."""
    from django.db import connection

    attempts = QuizAttempt.objects.filter(quiz__org_path__startswith=question.org_path)
    if connection.vendor == "postgresql":
        return attempts.filter(question_ids__contains=[question.pk]).count()
    return sum(1 for ids in attempts.values_list("question_ids", flat=True).iterator() if question.pk in (ids or []))


# Fields that decide how an attempt is marked: not changed once the question was answered.
MARKING_FIELDS = ("kind", "text", "options", "answer")


@transaction.atomic
def update_question(question: Question, data: dict, *, actor) -> Question:
    question = _for_change(Question, question, actor)
    clean, errors = _clean_question(data)
    if errors:
        raise ValidationError(errors)
    used = question_answered_count(question)
    changed = [f for f in MARKING_FIELDS if clean[f] != getattr(question, f)]
    if used and changed:
        labels = "、".join(str(Question._meta.get_field(f).verbose_name) for f in changed)
        _fail(
            changed[0],
            f"本题已在{used}份答卷中作答，不能修改{labels}（会改变已交答卷的成绩）；请停用本题，另行录入新题",
        )
    if Question.objects.filter(organisation=question.organisation, text=clean["text"]).exclude(pk=question.pk).exists():
        _fail("text", "本题库已有相同题干的试题")
    before = snapshot(question)
    for key, value in clean.items():
        setattr(question, key, value)
    with unique_messages(Question, QUESTION_UNIQUE):
        question.save()
    record_change(question, ChangeLog.Action.UPDATE, before=before)
    return question


@transaction.atomic
def delete_question(question: Question, *, actor) -> None:
    question = _for_change(Question, question, actor)
    used = question_answered_count(question)
    if used:
        _fail("question", f"本题已在{used}份答卷中作答，不能删除（答卷要保留原题）；请改为停用，停用后不再抽入新试卷")
    record_change(question, ChangeLog.Action.DELETE, before=snapshot(question))
    question.delete()


@transaction.atomic
def set_question_active(question: Question, active: bool, *, actor) -> Question:
    """Retire a question from future papers (or bring it back); attempts keep it."""
    question = Question.objects.select_for_update().select_related("organisation").get(pk=question.pk)
    require_org_action(actor, question.organisation, "change")
    before = snapshot(question)
    question.active = bool(active)
    question.save()
    record_change(question, ChangeLog.Action.UPDATE, before=before, message="启用试题" if active else "停用试题")
    return question


def _read_question_rows(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        _fail("file", "文件无法读取：请上传题库模板格式的Excel文件（.xlsx）")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    missing = [c for c in ("题型", "分类", "题干", "正确答案") if c not in header]
    if missing:
        _fail("file", f"第1行表头缺少“{'、'.join(missing)}”列（请使用题库模板）")
    col = {name: i for i, name in enumerate(header) if name}
    out = []
    for n, row in enumerate(rows, start=2):
        cells = list(row) + [None] * (len(header) - len(row))
        if not any(c not in (None, "") for c in cells):
            continue
        if len(out) >= rules.MAX_IMPORT_ROWS:
            _fail("file", f"一次最多导入{rules.MAX_IMPORT_ROWS}道题，请分批导入")

        def get(name, cells=cells):
            i = col.get(name)
            value = cells[i] if i is not None and i < len(cells) else None
            return "" if value is None else str(value).strip()

        options = [get(f"选项{letter}") for letter in rules.LETTERS[:6]]
        while options and not options[-1]:
            options.pop()
        out.append(
            (
                n,
                {
                    "kind": get("题型"),
                    "category": get("分类"),
                    "difficulty": get("难度") or "中等",
                    "text": get("题干"),
                    "options": options,
                    "answer": get("正确答案"),
                    "explanation": get("解析"),
                },
            )
        )
    wb.close()
    return out


@transaction.atomic
def import_questions(organisation: Organisation, data: bytes, *, actor) -> int:
    """Import a question-bank workbook (columns rules.QUESTION_COLUMNS) into an
    organisation's bank. Every bad row is reported by row number; one bad row and
    nothing is written."""
    if organisation is None:
        _fail("organisation", "题库所属组织为必填项")
    require_org_action(actor, organisation, "change")
    rows = _read_question_rows(data)
    if not rows:
        _fail("file", "文件中没有试题")
    problems: list[str] = []
    clean_rows = []
    seen: dict[str, int] = {}
    existing = set(
        Question.objects.filter(organisation=organisation, text__in=[r["text"] for _n, r in rows if r["text"]]).values_list(
            "text", flat=True
        )
    )
    for n, raw in rows:
        clean, errors = _clean_question(raw, prefix=f"第{n}行：")
        for messages_ in errors.values():
            problems.extend(messages_)
        if not errors:
            if clean["text"] in existing:
                problems.append(f"第{n}行：本题库已有相同题干的试题")
            elif clean["text"] in seen:
                problems.append(f"第{n}行：题干与第{seen[clean['text']]}行重复")
            else:
                seen[clean["text"]] = n
                clean_rows.append(clean)
    if problems:
        more = f"（另有{len(problems) - 50}处错误未列出）" if len(problems) > 50 else ""
        raise ValidationError({"file": [*problems[:50], *([more] if more else []), "未导入任何试题，请修改后重新上传"]})
    with unique_messages(Question, QUESTION_UNIQUE):
        created = Question.objects.bulk_create([Question(organisation=organisation, org_path=organisation.path, **c) for c in clean_rows])
    record_change(organisation, ChangeLog.Action.UPDATE, message=f"导入题库{len(created)}道试题")
    return len(created)


# ---------------------------------------------------------------- 考学: quizzes and attempts


def bank_for(organisation: Organisation):
    """The active questions a quiz of `organisation` draws from: its own bank and the banks
    of the organisations above it (the county's bank serves every township and branch)."""
    return Question.objects.filter(org_path__in=Organisation.ancestor_paths(organisation.path), active=True)


@transaction.atomic
def create_quiz(data: dict, *, actor) -> Quiz:
    org: Organisation | None = data.get("organisation")
    if org is None:
        _fail("organisation", "举办组织为必填项")
    require_org_action(actor, org, "change")
    quiz = Quiz.objects.create(organisation=org, **_quiz_fields(org, data))
    record_change(quiz, ChangeLog.Action.CREATE)
    return quiz


# What decides how a paper is drawn and marked: not changed once someone has started.
QUIZ_PAPER_FIELDS = ("draw", "time_limit", "attempts_allowed", "pass_score", "hours")


@transaction.atomic
def update_quiz(quiz: Quiz, data: dict, *, actor) -> Quiz:
    """Change a quiz. Once a member has started it, only its name and dates may change
    (the paper rules decide marks already given)."""
    quiz = _for_change(Quiz, quiz, actor)
    fields = _quiz_fields(quiz.organisation, data)
    started = QuizAttempt.objects.filter(quiz=quiz).count()
    changed = [f for f in QUIZ_PAPER_FIELDS if fields[f] != getattr(quiz, f)]
    if started and changed:
        labels = "、".join(str(Quiz._meta.get_field(f).verbose_name) for f in changed)
        _fail(changed[0], f"已有{started}份答卷，不能修改{labels}（会改变已作答党员的试卷和成绩），只能修改名称和日期")
    before = snapshot(quiz)
    for key, value in fields.items():
        setattr(quiz, key, value)
    quiz.save()
    record_change(quiz, ChangeLog.Action.UPDATE, before=before)
    return quiz


@transaction.atomic
def delete_quiz(quiz: Quiz, *, actor) -> None:
    quiz = _for_change(Quiz, quiz, actor)
    started = QuizAttempt.objects.filter(quiz=quiz).count()
    if started:
        _fail("quiz", f"“{quiz.title}”已有{started}份答卷，不能删除（成绩已记入学习档案）；如需提前结束，请把截止日期改为今天")
    record_change(quiz, ChangeLog.Action.DELETE, before=snapshot(quiz))
    quiz.delete()


def _quiz_fields(org: Organisation, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if not title:
        _collect(errors, "title", "考学名称为必填项")
    opens, closes = data.get("opens_on"), data.get("closes_on")
    if not isinstance(opens, datetime.date):
        _collect(errors, "opens_on", "开始日期为必填项")
    if not isinstance(closes, datetime.date):
        _collect(errors, "closes_on", "截止日期为必填项")
    if isinstance(opens, datetime.date) and isinstance(closes, datetime.date) and closes < opens:
        _collect(errors, "closes_on", "截止日期不能早于开始日期")

    def number(key, label, low, high):
        try:
            value = int(str(data.get(key)))
        except (TypeError, ValueError):
            _collect(errors, key, f"{label}须为整数")
            return None
        if not low <= value <= high:
            _collect(errors, key, f"{label}须在{low}～{high}之间")
        return value

    time_limit = number("time_limit", "答题时限（分钟）", 1, rules.MAX_TIME_LIMIT)
    attempts = number("attempts_allowed", "作答次数", 1, rules.MAX_QUIZ_ATTEMPTS)
    pass_score = number("pass_score", "合格分数", 0, 100)
    hours = _decimal(data.get("hours") if data.get("hours") not in (None, "") else 0, "hours", "合格记入学时")
    if hours < 0:
        _collect(errors, "hours", "合格记入学时不能为负数")
    elif hours > rules.MAX_QUIZ_HOURS:
        _collect(errors, "hours", f"一次考学最多记入{rules.MAX_QUIZ_HOURS}学时")
    draw_raw = data.get("draw") or {}
    draw: dict[str, int] = {}
    for category, n in dict(draw_raw).items():
        category = str(category).strip()
        try:
            n = int(str(n))
        except (TypeError, ValueError):
            _collect(errors, "draw", f"分类“{category}”的抽题数“{n}”不是整数")
            continue
        if n < 0:
            _collect(errors, "draw", f"分类“{category}”的抽题数不能为负数")
        elif n and category:
            draw[category] = n
    total = sum(draw.values())
    if "draw" not in errors:
        if not total:
            _collect(errors, "draw", "抽题规则至少抽取1道题")
        elif total > rules.MAX_QUIZ_QUESTIONS:
            _collect(errors, "draw", f"一份试卷最多{rules.MAX_QUIZ_QUESTIONS}道题（现为{total}道）")
        else:
            available = dict(
                bank_for(org)
                .filter(category__in=list(draw))
                .order_by()
                .values("category")
                .annotate(n=Count("id"))
                .values_list("category", "n")
            )
            for category, n in draw.items():
                if available.get(category, 0) < n:
                    _collect(errors, "draw", f"题库分类“{category}”只有{available.get(category, 0)}道启用的试题，不够抽取{n}道")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title[:120],
        "draw": draw,
        "time_limit": time_limit,
        "attempts_allowed": attempts,
        "pass_score": pass_score,
        "hours": rules.hours(hours),
        "opens_on": opens,
        "closes_on": closes,
    }


def _acting_member(actor) -> Member:
    member_id = getattr(actor, "member_id", None)
    if not member_id:
        _fail("member", "只有党员本人可以参加考学（您的账号没有关联党员档案）")
    return Member.objects.select_related("organisation").get(pk=member_id)


def quiz_open_to(quiz: Quiz, member: Member, today: datetime.date) -> str | None:
    """Why the member may not take the quiz now (None: they may)."""
    if not member.org_path.startswith(quiz.org_path):
        return f"“{quiz.title}”面向“{quiz.organisation}”的党员，您不在其中"
    if member.status not in member_codes.COUNTED_STATUSES:
        return f"当前党籍状态为{member.get_status_display()}，不能参加考学"
    if today < quiz.opens_on:
        return f"“{quiz.title}”{quiz.opens_on}开始"
    if today > quiz.closes_on:
        return f"“{quiz.title}”已于{quiz.closes_on}截止"
    return None


@transaction.atomic
def start_attempt(quiz: Quiz, *, actor) -> QuizAttempt:
    """The member starts (or resumes) an attempt: a paper drawn at random from the bank by
    the quiz's rule, with a deadline. An unfinished attempt still in time is resumed; a
    new one needs an attempt left."""
    member = _acting_member(actor)
    quiz = Quiz.objects.select_related("organisation").get(pk=quiz.pk)
    now = timezone.now()
    why = quiz_open_to(quiz, member, timezone.localdate())
    if why:
        _fail("quiz", why)
    # lock the member's attempts of this quiz: two phones starting at once get one paper
    Member.objects.select_for_update().filter(pk=member.pk).first()
    attempts = list(QuizAttempt.objects.filter(quiz=quiz, member=member).order_by("number"))
    for a in attempts:
        if a.submitted_at is None and a.deadline > now:
            return a
    if len(attempts) >= quiz.attempts_allowed:
        _fail("quiz", f"“{quiz.title}”每人可作答{quiz.attempts_allowed}次，您已用完")
    bank = bank_for(quiz.organisation)
    ids: list[int] = []
    rng = random.SystemRandom()
    by_category: dict[str, list[int]] = {}
    for qid, category in bank.filter(category__in=list(quiz.draw)).order_by("id").values_list("id", "category"):
        by_category.setdefault(category, []).append(qid)
    for category, n in quiz.draw.items():
        pool = by_category.get(category, [])
        if len(pool) < int(n):
            _fail("quiz", f"题库分类“{category}”的启用试题不够抽取{n}道，请联系举办组织")
        ids.extend(rng.sample(pool, int(n)))
    attempt = QuizAttempt.objects.create(
        organisation=member.organisation,
        quiz=quiz,
        member=member,
        number=len(attempts) + 1,
        question_ids=ids,
        started_at=now,
        deadline=now + datetime.timedelta(minutes=quiz.time_limit),
    )
    record_change(attempt, ChangeLog.Action.CREATE, message=f"开始第{attempt.number}次作答")
    return attempt


@transaction.atomic
def submit_attempt(attempt: QuizAttempt, answers: dict, *, actor) -> QuizAttempt:
    """The member hands in the paper: marked here against the bank (the page never had the
    key); refused after the time limit or when already handed in. On passing, the quiz's
    hours go into the study archive once per quiz (the best score is kept)."""
    attempt = QuizAttempt.objects.select_for_update().select_related("quiz", "member__organisation").get(pk=attempt.pk)
    if getattr(actor, "member_id", None) != attempt.member_id:
        _fail("answers", "只能由党员本人作答提交")
    if attempt.submitted_at is not None:
        _fail("answers", f"本次答卷已于{timezone.localtime(attempt.submitted_at):%Y-%m-%d %H:%M}提交，不能重复提交")
    now = timezone.now()
    if now > attempt.deadline + datetime.timedelta(seconds=rules.QUIZ_GRACE_SECONDS):
        _fail(
            "answers",
            f"已超过答题时限（{attempt.quiz.time_limit}分钟，截至{timezone.localtime(attempt.deadline):%H:%M}），本次答卷不予接受",
        )
    ids = [int(i) for i in attempt.question_ids]
    allowed = set(ids)
    given: dict[str, str] = {}
    for key, value in dict(answers or {}).items():
        if not str(key).isdigit() or int(key) not in allowed:
            _fail("answers", f"试题编号“{key}”不在本次试卷中")
        if isinstance(value, list | tuple):
            value = "".join(str(v) for v in value)
        value = "".join(sorted(set(str(value or "").upper())))
        if any(ch not in rules.LETTERS for ch in value):
            _fail("answers", f"第{ids.index(int(key)) + 1}题的答案“{value}”不是有效选项")
        given[str(int(key))] = value
    key = dict(Question.objects.filter(pk__in=ids).values_list("pk", "answer"))
    kinds = dict(Question.objects.filter(pk__in=ids).values_list("pk", "kind"))
    correct = sum(1 for qid in ids if qid in key and rules.mark(kinds[qid], key[qid], given.get(str(qid), "")))
    quiz = attempt.quiz
    before = snapshot(attempt)
    attempt.answers = given
    attempt.submitted_at = now
    attempt.correct = correct
    attempt.score = rules.quiz_score(correct, len(ids))
    attempt.passed = attempt.score >= quiz.pass_score
    best = (
        QuizAttempt.objects.filter(quiz=quiz, member_id=attempt.member_id, is_best=True).exclude(pk=attempt.pk).select_for_update().first()
    )
    if best is None or attempt.score > best.score:
        if best is not None:
            QuizAttempt.objects.filter(pk=best.pk).update(is_best=False)
        attempt.is_best = True
    attempt.save()
    record_change(attempt, ChangeLog.Action.UPDATE, before=before, message=f"交卷：{attempt.score}分{'，合格' if attempt.passed else ''}")
    if attempt.passed and attempt.is_best:
        _credit_quiz(attempt, quiz)
    return attempt


def _credit_quiz(attempt: QuizAttempt, quiz: Quiz) -> StudyEntry:
    """One study entry per quiz and member (the constraint study_entry_one_credit_per_source):
    a better later attempt updates its score, never adds hours."""
    member = attempt.member
    version = current_rules()
    fields = dict(
        organisation=member.organisation,
        date=timezone.localdate(attempt.submitted_at),
        hours=rules.hours(min(quiz.hours, version.all_values()["max_entry_hours"])),
        form="quiz",
        content=f"考学：{quiz.title}"[:200],
        organiser=quiz.organisation.name[:120],
        origin="quiz",
        score=attempt.score,
        status=StudyEntry.Status.APPROVED,
        rule_version=version,
    )
    entry = StudyEntry.objects.select_for_update().filter(source_type="education.quiz", source_id=quiz.pk, member=member).first()
    if entry is None:
        try:
            with transaction.atomic():
                entry = StudyEntry.objects.create(member=member, source_type="education.quiz", source_id=quiz.pk, **fields)
        except IntegrityError:
            _fail("answers", "该次考学的学时已记入，请刷新后查看")
        record_change(entry, ChangeLog.Action.CREATE, message="考学合格记入学时")
        return entry
    before = snapshot(entry)
    entry.score, entry.date = attempt.score, fields["date"]
    entry.save()
    record_change(entry, ChangeLog.Action.UPDATE, before=before, message="考学成绩提高，更新成绩")
    return entry


# ---------------------------------------------------------------- education plans

PLAN_UNIQUE = {"education_plan_once_per_org_kind_year": ("start_year", "该组织本年度已有同类计划")}


@transaction.atomic
def create_plan(data: dict, *, actor) -> EducationPlan:
    """An organisation's annual plan (one year) or mid-term plan (up to MIDTERM_MAX_YEARS)."""
    org: Organisation | None = data.get("organisation")
    if org is None:
        _fail("organisation", "制定计划的组织为必填项")
    require_org_action(actor, org, "change")
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or "annual"
    if kind not in dict(rules.PLAN_KINDS):
        _collect(errors, "kind", f"计划类型“{kind}”不是有效取值")
    title = (data.get("title") or "").strip()
    if not title:
        _collect(errors, "title", "计划名称为必填项")
    try:
        start = int(data.get("start_year"))
        end = int(data.get("end_year") or start)
    except (TypeError, ValueError):
        _fail("start_year", "起始年度须为四位年份")
    if not 2000 <= start <= 2100:
        _collect(errors, "start_year", "起始年度须为四位年份")
    if kind == "annual" and end != start:
        _collect(errors, "end_year", "年度计划的截止年度须与起始年度相同")
    elif end < start:
        _collect(errors, "end_year", "截止年度不能早于起始年度")
    elif end - start + 1 > rules.MIDTERM_MAX_YEARS:
        _collect(errors, "end_year", f"中期规划最长{rules.MIDTERM_MAX_YEARS}年")
    if errors:
        raise ValidationError(errors)
    if EducationPlan.objects.filter(organisation=org, kind=kind, start_year=start).exists():
        _fail("start_year", f"“{org}”{start}年已有{dict(rules.PLAN_KINDS)[kind]}")
    with unique_messages(EducationPlan, PLAN_UNIQUE):
        plan = EducationPlan.objects.create(
            organisation=org, kind=kind, title=title[:120], start_year=start, end_year=end, note=data.get("note") or ""
        )
    record_change(plan, ChangeLog.Action.CREATE)
    return plan


@transaction.atomic
def update_plan(plan: EducationPlan, data: dict, *, actor) -> EducationPlan:
    """Change a plan's name, note and (mid-term) last year; its kind, organisation and
    first year stay (they identify the plan). Items must stay inside the years."""
    plan = _for_change(EducationPlan, plan, actor)
    title = (data.get("title") or "").strip()
    if not title:
        _fail("title", "计划名称为必填项")
    try:
        end = int(data.get("end_year") or plan.start_year)
    except (TypeError, ValueError):
        _fail("end_year", "截止年度须为四位年份")
    if plan.kind == "annual" and end != plan.start_year:
        _fail("end_year", "年度计划的截止年度须与起始年度相同")
    if end < plan.start_year:
        _fail("end_year", "截止年度不能早于起始年度")
    if end - plan.start_year + 1 > rules.MIDTERM_MAX_YEARS:
        _fail("end_year", f"中期规划最长{rules.MIDTERM_MAX_YEARS}年")
    outside = plan.items.filter(year__gt=end).count()
    if outside:
        _fail("end_year", f"有{outside}个计划项目在{end}年以后，请先修改或删除这些项目")
    before = snapshot(plan)
    plan.title, plan.end_year, plan.note = title[:120], end, data.get("note") or ""
    plan.save()
    record_change(plan, ChangeLog.Action.UPDATE, before=before)
    return plan


@transaction.atomic
def delete_plan(plan: EducationPlan, *, actor) -> int:
    """Delete a plan and its items; each item's before-image stays in the history."""
    plan = _for_change(EducationPlan, plan, actor)
    items = list(plan.items.select_related("plan"))
    for item in items:
        record_change(item, ChangeLog.Action.DELETE, before=snapshot(item))
    record_change(plan, ChangeLog.Action.DELETE, before=snapshot(plan))
    plan.delete()
    return len(items)


@transaction.atomic
def add_plan_item(plan: EducationPlan, data: dict, *, actor) -> PlanItem:
    plan = EducationPlan.objects.select_for_update().select_related("organisation").get(pk=plan.pk)
    require_org_action(actor, plan.organisation, "change")
    item = PlanItem.objects.create(plan=plan, **_plan_item_fields(plan, data))
    record_change(item, ChangeLog.Action.CREATE)
    return item


@transaction.atomic
def update_plan_item(item: PlanItem, data: dict, *, actor) -> PlanItem:
    item = PlanItem.objects.select_for_update().select_related("plan__organisation").get(pk=item.pk)
    require_org_action(actor, item.plan.organisation, "change")
    fields = _plan_item_fields(item.plan, data)
    before = snapshot(item)
    for key, value in fields.items():
        setattr(item, key, value)
    item.save()
    record_change(item, ChangeLog.Action.UPDATE, before=before)
    return item


def _plan_item_fields(plan: EducationPlan, data: dict) -> dict:
    errors: dict[str, list[str]] = {}

    def integer(key, label):
        try:
            return int(str(data.get(key)))
        except (TypeError, ValueError):
            _collect(errors, key, f"{label}须为整数")
            return None

    year = integer("year", "年度") if data.get("year") not in (None, "") else plan.start_year
    month = integer("month", "月份")
    if year is not None and not plan.start_year <= year <= plan.end_year:
        _collect(errors, "year", f"年度须在计划期内（{plan.start_year}～{plan.end_year}年）")
    if month is not None and not 1 <= month <= 12:
        _collect(errors, "month", "月份须在1～12之间")
    topic = (data.get("topic") or "").strip()
    if not topic:
        _collect(errors, "topic", "主题为必填项")
    audience, level, form = data.get("audience") or "all", data.get("level") or "branch", data.get("form") or "collective_study"
    if audience not in dict(rules.PLAN_AUDIENCES):
        _collect(errors, "audience", f"对象“{audience}”不是有效取值")
    if level not in dict(rules.CLASS_LEVELS):
        _collect(errors, "level", f"层级“{level}”不是有效取值")
    if form not in rules.FORM_LABEL:
        _collect(errors, "form", f"学习形式“{form}”不是有效取值")
    hours = _decimal(data.get("hours") if data.get("hours") not in (None, "") else 0, "hours", "计划学时")
    limit = current_rules().all_values()["max_entry_hours"]
    if hours <= 0:
        _collect(errors, "hours", "计划学时须大于0")
    elif hours > limit:
        _collect(errors, "hours", f"一个计划项目最多{limit}学时（学时规则“单条记录最多学时”）")
    cls = data.get("training_class")
    if cls is not None:
        if not cls.org_path.startswith(plan.org_path):
            _collect(errors, "training_class", f"培训班“{cls.title}”不是“{plan.organisation}”或其下级组织举办的")
        elif year is not None and cls.start_date.year != year:
            _collect(errors, "training_class", f"培训班“{cls.title}”在{cls.start_date.year}年开班，与计划年度{year}年不符")
    if errors:
        raise ValidationError(errors)
    return {
        "year": year,
        "month": month,
        "topic": topic[:200],
        "audience": audience,
        "level": level,
        "form": "training" if cls is not None else form,
        "hours": rules.hours(hours),
        "training_class": cls,
    }


@transaction.atomic
def remove_plan_item(item: PlanItem, *, actor) -> None:
    item = PlanItem.objects.select_related("plan__organisation").get(pk=item.pk)
    require_org_action(actor, item.plan.organisation, "change")
    record_change(item, ChangeLog.Action.DELETE, before=snapshot(item))
    item.delete()


# ---------------------------------------------------------------- venues, courseware, joint meetings

VENUE_UNIQUE = {"venue_name_once_per_org": ("name", "本组织已登记同名的学习阵地")}
COURSEWARE_UNIQUE = {"courseware_title_once_per_org": ("title", "本组织课件库已有同名课件")}


def _resource_org(data: dict, actor) -> Organisation:
    org = data.get("organisation")
    if org is None:
        _fail("organisation", "所属组织为必填项")
    require_org_action(actor, org, "change")
    return org


def _venue_fields(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or ""
    if kind not in dict(rules.VENUE_KINDS):
        _collect(errors, "kind", f"类型“{kind}”不是有效取值（{'、'.join(label for _c, label in rules.VENUE_KINDS)}）")
    name = (data.get("name") or "").strip()
    if not name:
        _collect(errors, "name", "名称为必填项")
    for key, label in (("area", "面积"), ("seats", "座位数")):
        value = data.get(key)
        if value not in (None, "") and int(value) < 0:
            _collect(errors, key, f"{label}不能为负数")
    investment = data.get("investment")
    if investment not in (None, ""):
        investment = _decimal(investment, "investment", "投入")
        if investment < 0:
            _collect(errors, "investment", "投入不能为负数")
    else:
        investment = None
    opened = data.get("opened_on")
    if isinstance(opened, datetime.date) and opened > timezone.localdate():
        _collect(errors, "opened_on", "启用日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "name": name[:120],
        "address": (data.get("address") or "")[:200],
        "area": data.get("area") or None,
        "seats": data.get("seats") or None,
        "equipment": (data.get("equipment") or "")[:200],
        "investment": investment,
        "opened_on": opened or None,
    }


@transaction.atomic
def add_venue(data: dict, *, actor) -> Venue:
    org = _resource_org(data, actor)
    fields = _venue_fields(data)
    if Venue.objects.filter(organisation=org, name=fields["name"]).exists():
        _fail("name", "本组织已登记同名的学习阵地")
    with unique_messages(Venue, VENUE_UNIQUE):
        venue = Venue.objects.create(organisation=org, **fields)
    record_change(venue, ChangeLog.Action.CREATE)
    return venue


def _for_change(model, obj, actor):
    """The row again under a lock, after the scope check on its organisation (the caller
    found it in scope; this refuses an actor who may only view it)."""
    obj = model.objects.select_for_update().select_related("organisation").get(pk=obj.pk)
    require_org_action(actor, obj.organisation, "change")
    return obj


@transaction.atomic
def update_venue(venue: Venue, data: dict, *, actor) -> Venue:
    venue = _for_change(Venue, venue, actor)
    fields = _venue_fields(data)
    if Venue.objects.filter(organisation=venue.organisation, name=fields["name"]).exclude(pk=venue.pk).exists():
        _fail("name", "本组织已登记同名的学习阵地")
    before = snapshot(venue)
    for key, value in fields.items():
        setattr(venue, key, value)
    with unique_messages(Venue, VENUE_UNIQUE):
        venue.save()
    record_change(venue, ChangeLog.Action.UPDATE, before=before)
    return venue


@transaction.atomic
def delete_venue(venue: Venue, *, actor) -> None:
    venue = _for_change(Venue, venue, actor)
    record_change(venue, ChangeLog.Action.DELETE, before=snapshot(venue))
    venue.delete()


def _courseware_fields(data: dict, *, has_file: bool) -> dict:
    errors: dict[str, list[str]] = {}
    title = (data.get("title") or "").strip()
    if not title:
        _collect(errors, "title", "课件名称为必填项")
    try:
        minutes = int(str(data.get("minutes")))
    except (TypeError, ValueError):
        minutes = None
        _collect(errors, "minutes", "时长须为整数分钟")
    if minutes is not None and not 1 <= minutes <= rules.MAX_COURSEWARE_MINUTES:
        _collect(errors, "minutes", f"时长须在1～{rules.MAX_COURSEWARE_MINUTES}分钟之间")
    link = (data.get("link") or "").strip()
    if link.lower().startswith(("javascript:", "data:")):
        _collect(errors, "link", "内网地址须为 http(s) 地址或文件路径")
    elif not link and not has_file:
        _collect(errors, "link", "请填写内网地址或上传课件文件（二者至少一项）")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title[:200],
        "category": (data.get("category") or "").strip()[:40],
        "minutes": minutes,
        "link": link[:500],
        "speaker": (data.get("speaker") or "").strip()[:60],
    }


def check_courseware_file(upload) -> str:
    """The extension of an acceptable courseware file, or a Chinese ValidationError on
    the field `file`: too big, a type not allowed, or content not matching the name."""
    allowed = "、".join(sorted(rules.COURSEWARE_TYPES))
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if upload.size is not None and upload.size > rules.COURSEWARE_MAX_BYTES:
        _fail("file", f"课件文件“{name}”大小为{rules.size_text(upload.size)}，超过上限{rules.size_text(rules.COURSEWARE_MAX_BYTES)}")
    if extension not in rules.COURSEWARE_TYPES:
        _fail("file", f"课件文件“{name}”的类型不允许，只能上传 {allowed} 文件")
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if not rules.courseware_type_ok(extension, head):
        label = rules.COURSEWARE_TYPES[extension][0]
        _fail("file", f"课件文件“{name}”的内容不是{label}（扩展名与文件内容不符），只能上传 {allowed} 文件")
    return extension


def _drop_file_on_commit(name: str) -> None:
    """Remove a stored file once the transaction that dropped it has committed."""
    if name:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def add_courseware(data: dict, *, actor) -> Courseware:
    org = _resource_org(data, actor)
    upload = data.get("file") or None
    fields = _courseware_fields(data, has_file=upload is not None)
    if upload is not None:
        check_courseware_file(upload)
    if Courseware.objects.filter(organisation=org, title=fields["title"]).exists():
        _fail("title", "本组织课件库已有同名课件")
    item = Courseware(organisation=org, **fields)
    if upload is not None:
        item.file_name, item.file_size = upload.name[:200], upload.size
        item.file.save(upload.name, upload, save=False)  # written to storage in chunks
    _save_courseware(item, new_file=upload is not None)
    record_change(item, ChangeLog.Action.CREATE)
    return item


def _save_courseware(item: Courseware, *, new_file: bool) -> None:
    """Save; when a concurrent duplicate title refuses the row, the file just stored is
    removed again (nothing half-saved)."""
    try:
        with unique_messages(Courseware, COURSEWARE_UNIQUE):
            item.save()
    except ValidationError:
        if new_file:
            from django.core.files.storage import default_storage

            default_storage.delete(item.file.name)
        raise


@transaction.atomic
def update_courseware(item: Courseware, data: dict, *, actor, remove_file: bool = False) -> Courseware:
    """Change a courseware item; a new file replaces the old one, `remove_file` drops it
    (a link must then be given). The replaced file is deleted after the commit."""
    item = _for_change(Courseware, item, actor)
    upload = data.get("file") or None
    keeps_file = bool(item.file) and not remove_file
    fields = _courseware_fields(data, has_file=upload is not None or keeps_file)
    if upload is not None:
        check_courseware_file(upload)
    if Courseware.objects.filter(organisation=item.organisation, title=fields["title"]).exclude(pk=item.pk).exists():
        _fail("title", "本组织课件库已有同名课件")
    before = snapshot(item)
    old_name = item.file.name
    for key, value in fields.items():
        setattr(item, key, value)
    if upload is not None:
        item.file_name, item.file_size = upload.name[:200], upload.size
        item.file.save(upload.name, upload, save=False)
    elif remove_file:
        item.file, item.file_name, item.file_size = "", "", None
    _save_courseware(item, new_file=upload is not None)
    record_change(item, ChangeLog.Action.UPDATE, before=before)
    if old_name and old_name != item.file.name:
        _drop_file_on_commit(old_name)
    return item


@transaction.atomic
def delete_courseware(item: Courseware, *, actor) -> None:
    item = _for_change(Courseware, item, actor)
    record_change(item, ChangeLog.Action.DELETE, before=snapshot(item))
    name = item.file.name
    item.delete()
    _drop_file_on_commit(name)


@transaction.atomic
def add_joint_meeting(data: dict, *, actor) -> JointMeeting:
    org = _resource_org(data, actor)
    errors: dict[str, list[str]] = {}
    day = data.get("date")
    if not isinstance(day, datetime.date):
        _collect(errors, "date", "日期为必填项")
    elif day > timezone.localdate():
        _collect(errors, "date", "会议日期不能晚于今天")
    for key, label in (("topic", "议题"), ("attendees", "参加单位和人员"), ("decisions", "议定事项")):
        if not (data.get(key) or "").strip():
            _collect(errors, key, f"{label}为必填项")
    if errors:
        raise ValidationError(errors)
    meeting = JointMeeting.objects.create(
        organisation=org,
        date=day,
        topic=data["topic"].strip()[:200],
        attendees=data["attendees"].strip()[:500],
        decisions=data["decisions"].strip(),
    )
    record_change(meeting, ChangeLog.Action.CREATE)
    return meeting
