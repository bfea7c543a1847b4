"""Writes around the development engine: opening a file, the records of the five systems
(assessments, notices and objections, votes, training), plans, rule versions and the
holiday calendar. Each owns its transaction, scoping and audit entry; the rules
themselves (intervals, quorum, working days) are read from apps.recruitment.engine."""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from apps.core import crypto, text
from apps.core.actors import as_user, is_system
from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.core.uniqueness import unique_messages
from apps.members import codes as member_codes
from apps.members import idnumber
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import MEMBER_HOLDING_TYPES

from . import engine, rules
from .models import (
    Assessment,
    DevelopmentFile,
    DevelopmentPlan,
    Holiday,
    Objection,
    PublicNotice,
    RuleVersion,
    TrainingRecord,
    Vote,
)

FILE_FIELDS = (
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "occupation",
    "work_unit",
    "source",
    "organisation",
    "application_date",
)
FILE_LABELS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "phone": "联系电话",
    "education": "学历",
    "occupation": "职业",
    "work_unit": "工作单位",
    "source": "来源",
    "organisation": "负责党组织",
    "application_date": "递交入党申请书日期",
}
REQUIRED = ("name", "id_number", "education", "occupation", "organisation", "application_date")
CHOICES = {
    "sex": member_codes.SEX_CHOICES,
    "ethnicity": member_codes.ETHNICITY_CHOICES,
    "education": member_codes.EDUCATION_CHOICES,
    "occupation": member_codes.OCCUPATION_CHOICES,
    "source": rules.SOURCES,
}


ONE_ACTIVE_FILE = "该身份证号已有进行中的发展档案（一人一档）"
ONE_VOTE = "同一次支部大会对同一名对象只能表决一次（票决制）"
# The database holds these rules for concurrent writes; the loser gets the same message.
FILE_UNIQUE = {"devfile_one_active_per_person": ("id_number", ONE_ACTIVE_FILE)}
VOTE_UNIQUE = {"vote_one_per_candidate_meeting": ("meeting_date", ONE_VOTE)}
PLAN_UNIQUE = {"plan_unique_per_org_kind_year": ("start_year", "该组织该年度的同类发展计划已由他人同时保存，本次未保存，请刷新后核对")}
TRAINING_UNIQUE = {"training_once_per_class": ("files", "所选人员已由他人同时登记参加该培训班，本次未重复登记，请刷新后核对")}


def _audit_create(obj, message=""):
    record_change(obj, ChangeLog.Action.CREATE, message=message)


def validate_file_data(data: dict, *, today=None) -> dict:
    today = today or timezone.localdate()
    clean = {k: v for k, v in data.items() if k in FILE_FIELDS}
    errors: dict[str, list[str]] = {}

    def err(field, message):
        errors.setdefault(field, []).append(message)

    for f in REQUIRED:
        if clean.get(f) in (None, ""):
            err(f, f"{FILE_LABELS[f]}为必填项")
    for f, choices in CHOICES.items():
        value = clean.get(f)
        if value in (None, ""):
            continue
        by_label = {label: code for code, label in choices}
        value = by_label.get(value, value)
        if value not in {c for c, _ in choices}:
            err(f, f"{FILE_LABELS[f]}“{value}”不是有效取值")
        clean[f] = value
    clean["name"] = text.normalise_name(clean.get("name") or "")
    if clean["name"] and (problem := text.name_error(clean["name"])):
        err("name", problem)
    facts = None
    if clean.get("id_number"):
        try:
            facts = idnumber.parse(clean["id_number"], today=today)
            clean["id_number"] = facts.number
        except idnumber.IdNumberError as exc:
            err("id_number", str(exc))
    if facts:
        if clean.get("birth_date") and clean["birth_date"] != facts.birth_date:
            err("birth_date", f"出生日期与身份证号中的出生日期 {facts.birth_date:%Y-%m-%d} 不一致")
        clean["birth_date"] = facts.birth_date
        if clean.get("sex") and clean["sex"] != facts.sex:
            err("sex", f"性别与身份证号不一致：第17位为{'奇数（男）' if facts.sex == 'M' else '偶数（女）'}")
        clean["sex"] = facts.sex
        if DevelopmentFile.objects.filter(id_number_hash=crypto.blind_index(facts.number), status="active").exists():
            err("id_number", ONE_ACTIVE_FILE)
        if Member.objects.active().by_id_number(facts.number).exists():
            err("id_number", "该身份证号已有在册党员记录，不能再建立发展档案")
    org = clean.get("organisation")
    if isinstance(org, Organisation) and (org.status != "active" or org.org_type not in MEMBER_HOLDING_TYPES):
        err("organisation", "发展档案须由正常状态的党委、党总支或党支部负责")
    phone = clean.get("phone")
    if phone:
        phone = str(phone).strip()
        clean["phone"] = phone
        if not idnumber.is_ascii_digits(phone.replace("-", "")) or not 7 <= len(phone.replace("-", "")) <= 15:
            err("phone", "联系电话格式不正确：手机号11位，座机请带区号")
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def create_file(data: dict, *, actor, today=None) -> DevelopmentFile:
    """Open a development file with step 1 (递交入党申请书) taken on the application date."""
    clean = validate_file_data(data, today=today)
    require_org_action(actor, clean["organisation"], "change")
    f = DevelopmentFile(
        name=clean["name"],
        sex=clean["sex"],
        ethnicity=clean.get("ethnicity") or member_codes.HAN,
        birth_date=clean["birth_date"],
        education=clean["education"],
        occupation=clean["occupation"],
        work_unit=clean.get("work_unit") or "",
        source=clean.get("source") or "other",
        organisation=clean["organisation"],
        org_path=clean["organisation"].path,
    )
    number = clean["id_number"]
    f.id_number_enc, f.id_number_hash, f.id_number_masked = (
        crypto.encrypt(number),
        crypto.blind_index(number),
        crypto.mask_id_number(number),
    )
    phone = clean.get("phone") or ""
    f.phone_enc, f.phone_hash, f.phone_masked = crypto.encrypt(phone), crypto.blind_index(phone), crypto.mask_phone(phone)
    with unique_messages(DevelopmentFile, FILE_UNIQUE):
        f.save()
    _audit_create(f, "建立发展档案")
    engine.take_step(f, "apply", date=clean["application_date"], actor=actor, today=today)
    f.refresh_from_db()
    return f


@transaction.atomic
def update_file(file: DevelopmentFile, data: dict, *, actor) -> DevelopmentFile:
    """Correct the person's contact/education data (identity fields stay as opened)."""
    require_org_action(actor, file.organisation, "change")
    before = snapshot(file)
    for f in ("education", "occupation", "work_unit", "source"):
        if f in data and data[f] not in (None, ""):
            if f in CHOICES and data[f] not in {c for c, _ in CHOICES[f]}:
                raise ValidationError({f: [f"{FILE_LABELS[f]}“{data[f]}”不是有效取值"]})
            setattr(file, f, data[f])
    if data.get("phone"):
        phone = str(data["phone"]).strip()
        file.phone_enc, file.phone_hash, file.phone_masked = crypto.encrypt(phone), crypto.blind_index(phone), crypto.mask_phone(phone)
    file.save()
    record_change(file, ChangeLog.Action.UPDATE, before=before)
    return file


# ---------------------------------------------------------------------------
# 测评制


@transaction.atomic
def add_assessment(file, *, date, period, evaluator, score=None, comment="", actor) -> Assessment:
    file = DevelopmentFile.objects.select_related("organisation").get(pk=file.pk)
    require_org_action(actor, file.organisation, "change")
    errors = {}
    if date > timezone.localdate():
        errors["date"] = ["考察日期不能晚于今天"]
    if file.stage not in ("activist", "target", "probationary"):
        errors["date"] = ["考察测评适用于入党积极分子、发展对象和预备党员"]
    if evaluator not in dict(Assessment.Evaluator.choices):
        errors["evaluator"] = [f"测评类型“{evaluator}”不是有效取值"]
    if score is not None and not (0 <= score <= 100):
        errors["score"] = ["测评得分应在0至100之间"]
    if not period:
        errors["period"] = ["请填写考察期，如“2026上半年”"]
    if errors:
        raise ValidationError(errors)
    a = Assessment.objects.create(
        file=file, date=date, period=period, evaluator=evaluator, score=score, comment=comment, recorded_by=str(actor)
    )
    _audit_create(a)
    engine.refresh_state(DevelopmentFile.objects.prefetch_related("steps", "assessments").get(pk=file.pk))
    return a


# ---------------------------------------------------------------------------
# 公示制


@transaction.atomic
def create_notice(file, *, start_date, place="", purpose="target", actor) -> PublicNotice:
    file = DevelopmentFile.objects.select_related("organisation").get(pk=file.pk)
    require_org_action(actor, file.organisation, "change")
    if file.status != "active":
        raise ValidationError({"start_date": ["该发展档案已结束，不能发布公示"]})
    if purpose == "target" and file.stage != "activist":
        raise ValidationError({"purpose": ["“拟确定为发展对象”的公示只适用于入党积极分子"]})
    version = engine.current_version()
    n = version.value("notice_workdays")
    end = engine.add_workdays(start_date, n)
    notice = PublicNotice.objects.create(
        file=file, purpose=purpose, start_date=start_date, end_date=end, workdays=n, place=place, rule_version=version
    )
    _audit_create(notice, f"公示{n}个工作日，至{end:%Y-%m-%d}")
    return notice


@transaction.atomic
def add_objection(notice, *, received, content, actor) -> Objection:
    require_org_action(actor, notice.file.organisation, "change")
    if not content:
        raise ValidationError({"content": ["请填写反映内容"]})
    if received < notice.start_date:
        raise ValidationError({"received": [f"异议收到日期不能早于公示开始日期 {notice.start_date:%Y-%m-%d}"]})
    o = Objection.objects.create(notice=notice, received=received, content=content)
    _audit_create(o)
    return o


@transaction.atomic
def resolve_objection(objection, *, resolved, resolution, substantiated=False, actor) -> Objection:
    require_org_action(actor, objection.notice.file.organisation, "change")
    if not resolution:
        raise ValidationError({"resolution": ["请填写核查处理结果"]})
    if resolved < objection.received:
        raise ValidationError({"resolved": ["处理日期不能早于收到日期"]})
    before = snapshot(objection)
    objection.resolved, objection.resolution, objection.substantiated = resolved, resolution, substantiated
    objection.save()
    record_change(objection, ChangeLog.Action.UPDATE, before=before)
    return objection


# ---------------------------------------------------------------------------
# 票决制


# Which stage a general-meeting vote is about (票决制: steps 15 and 23).
VOTE_STAGE = {"admit": "target", "convert": "probationary", "extend": "probationary", "cancel": "probationary"}


@transaction.atomic
def record_vote(file, data: dict, *, actor) -> Vote:
    require_org_action(actor, file.organisation, "change")
    fields = ("should_attend", "present", "written_opinions", "yes", "no", "abstain")
    clean = {}
    errors = {}
    for f in fields:
        try:
            clean[f] = int(data.get(f) or 0)
            if clean[f] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[f] = [f"{Vote._meta.get_field(f).verbose_name}须为非负整数"]
    proposal = data.get("proposal")
    if proposal not in dict(Vote.PROPOSALS):
        errors["proposal"] = ["请选择表决事项"]
    elif VOTE_STAGE[proposal] != file.stage or file.status != file.Status.ACTIVE:
        errors["proposal"] = [
            f"“{dict(Vote.PROPOSALS)[proposal]}”须由支部大会对{dict(rules.FILE_STAGES)[VOTE_STAGE[proposal]]}表决（第{15 if proposal == 'admit' else 23}步），"
            f"该档案目前处于“{file.get_stage_display()}”{'' if file.status == file.Status.ACTIVE else '且已结束'}"
        ]
    meeting_date = data.get("meeting_date")
    if not isinstance(meeting_date, datetime.date):
        errors["meeting_date"] = ["请填写会议日期"]
    elif meeting_date > timezone.localdate():
        errors["meeting_date"] = ["会议日期不能晚于今天"]
    if errors:
        raise ValidationError(errors)
    clean["passed"] = data.get("passed") in (True, "true", "True", "1", "on", 1)
    engine.validate_vote(clean)
    if Vote.objects.filter(file=file, meeting_date=meeting_date).exists():
        raise ValidationError({"meeting_date": [ONE_VOTE]})
    with unique_messages(Vote, VOTE_UNIQUE):
        vote = Vote.objects.create(file=file, proposal=proposal, meeting_date=meeting_date, recorded_by=str(actor), **clean)
    _audit_create(vote)
    return vote


# ---------------------------------------------------------------------------
# Training


# The organisation type decides the level of the education class (县委党校, 乡镇党校, 基层).
CLASS_LEVEL_BY_ORG_TYPE = {"county_committee": "county", "committee": "township"}


@transaction.atomic
def create_training_class(data: dict, *, actor):
    """Open a 入党积极分子培训班 / 发展对象培训班: an education training class of that kind
    (apps.education, one class mechanism) whose curriculum is `days` sessions, one a day
    from the opening date, sharing `hours`. Its trainees are enrolled with `enrol`; the
    class's days and hours count toward step 11 once education records it as completed."""
    from apps.education import rules as education_rules
    from apps.education import services as education

    org = data.get("organisation")
    if org is None:
        raise ValidationError({"organisation": ["举办组织为必填项"]})
    require_org_action(actor, org, "change")
    errors = {}
    kind = data.get("kind") or "activist"
    if kind not in education_rules.RECRUITMENT_KINDS:
        errors["kind"] = [f"类别“{kind}”不是入党积极分子培训班或发展对象培训班"]
    start, end = data.get("start_date"), data.get("end_date")
    days, hours = int(data.get("days") or 0), int(data.get("hours") or 0)
    if days < 1:
        errors["days"] = ["天数至少为1天（每天登记一次课程）"]
    elif isinstance(start, datetime.date) and isinstance(end, datetime.date) and end >= start and days > (end - start).days + 1:
        errors["days"] = [f"天数不能超过开班到结业的{(end - start).days + 1}天"]
    if hours < 0:
        errors["hours"] = ["学时不能为负数"]
    if errors:
        raise ValidationError(errors)
    cls = education.create_class(
        {
            "organisation": org,
            "title": (data.get("name") or "").strip(),
            "level": CLASS_LEVEL_BY_ORG_TYPE.get(org.org_type, "branch"),
            "kind": kind,
            "start_date": start,
            "end_date": end,
            "plan": data.get("plan") or "",
        },
        actor=actor,
    )
    each = (Decimal(hours) / days).quantize(Decimal("0.1"), rounding=ROUND_DOWN) if hours else None
    for i in range(days):
        session = {"date": start + datetime.timedelta(days=i), "topic": f"{cls.title}（第{i + 1}天）", "lecturer": org.name[:60]}
        if each is None:
            session["duration"] = "full_day"
        else:
            session["duration"] = "actual"
            session["hours"] = Decimal(hours) - each * (days - 1) if i == days - 1 else each
        try:
            education.add_session(cls, session, actor=actor)
        except ValidationError as exc:
            raise ValidationError({"hours": [f"第{i + 1}天：{'；'.join(exc.messages)}"]}) from exc
    return cls


@transaction.atomic
def enrol(training_class, files, *, actor) -> int:
    """Enrol development files in an education class of a recruitment kind. The class's
    days and hours count toward step 11 once it has completed (engine.training_credit)."""
    from apps.education import rules as education_rules
    from apps.education.models import TrainingClass

    # under a row lock, as education's own writes to the class (结业 cannot race an enrolment)
    training_class = TrainingClass.objects.select_for_update().select_related("organisation").get(pk=training_class.pk)
    if training_class.kind not in education_rules.RECRUITMENT_KINDS:
        raise ValidationError({"files": [f"“{training_class.title}”不是入党积极分子培训班或发展对象培训班，不能登记发展档案"]})
    if training_class.status == "finished":
        raise ValidationError({"files": [f"“{training_class.title}”已结业，不能再登记参训人员"]})
    added = 0
    for f in files:
        require_org_action(actor, f.organisation, "change")
        if not f.org_path.startswith(training_class.org_path):
            raise ValidationError({"files": [f"{f.name}不属于举办组织“{training_class.organisation}”，不能参加本班"]})
        if f.status != DevelopmentFile.Status.ACTIVE or f.stage not in ("activist", "target"):
            raise ValidationError({"files": [f"{f.name}不是入党积极分子或发展对象，不能登记参训"]})
        if TrainingRecord.objects.filter(file=f, training_class=training_class).exists():
            continue
        with unique_messages(TrainingRecord, TRAINING_UNIQUE):
            r = TrainingRecord.objects.create(
                file=f, training_class=training_class, date=training_class.end_date, provider=str(training_class.organisation)
            )
        _audit_create(r)
        added += 1
    return added


def trainee_counts(class_ids) -> dict[int, int]:
    """Development files enrolled per education class (registered with
    apps.education.trainees; one query)."""
    return dict(
        TrainingRecord.objects.filter(training_class_id__in=class_ids)
        .values("training_class_id")
        .annotate(n=Count("id"))
        .values_list("training_class_id", "n")
    )


# ---------------------------------------------------------------------------
# Plans


PLAN_TARGETS = ("total", "women", "youth", "high_school_plus", "college_plus", "farmers", "non_public")


@transaction.atomic
def save_plan(data: dict, *, actor) -> DevelopmentPlan:
    org = data.get("organisation")
    kind = data.get("kind")
    errors = {}
    if not isinstance(org, Organisation):
        errors["organisation"] = ["请选择党组织"]
    if kind not in dict(DevelopmentPlan.Kind.choices):
        errors["kind"] = ["请选择计划类型"]
    try:
        start = int(data.get("start_year"))
    except (TypeError, ValueError):
        errors["start_year"] = ["请填写起始年度"]
        start = 0
    targets = {}
    for f in PLAN_TARGETS:
        try:
            targets[f] = int(data.get(f) or 0)
            if targets[f] < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors[f] = [f"{DevelopmentPlan._meta.get_field(f).verbose_name}须为非负整数"]
    if errors:
        raise ValidationError(errors)
    if any(targets[f] > targets["total"] for f in PLAN_TARGETS if f != "total"):
        raise ValidationError({"total": ["分项目标不能超过发展总数"]})
    if kind == "three_year" and org.depth != 1:
        raise ValidationError({"kind": ["三年规划由县委制定"]})
    require_org_action(actor, org, "configure" if kind == "three_year" else "change")
    end = start + 2 if kind == "three_year" else start
    plan = DevelopmentPlan.objects.filter(organisation=org, kind=kind, start_year=start).first()
    before = snapshot(plan) if plan else None
    plan = plan or DevelopmentPlan(organisation=org, kind=kind, start_year=start)
    plan.end_year = end
    plan.note = data.get("note", "") or ""
    for f, v in targets.items():
        setattr(plan, f, v)
    with unique_messages(DevelopmentPlan, PLAN_UNIQUE):
        plan.save()
    record_change(plan, ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE, before=before)
    return plan


# ---------------------------------------------------------------------------
# Rule settings and the holiday calendar (county administrator: "configure")


def _require_configure(actor):
    if is_system(actor):  # the whole tree, even before there is one (loading the calendar)
        return
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None:
        raise ValidationError({"values": ["尚无组织树"]})
    require_org_action(actor, root, "configure")


@transaction.atomic
def save_rule_version(values: dict, *, note="", actor) -> RuleVersion:
    _require_configure(actor)
    current = engine.current_version().all_values()
    clean = dict(current)
    errors = {}
    for key, raw in values.items():
        s = rules.SETTING_BY_KEY.get(key)
        if s is None:
            continue
        try:
            v = int(raw)
        except (TypeError, ValueError):
            errors[key] = [f"{s.label}须为整数"]
            continue
        if not s.minimum <= v <= s.maximum:
            errors[key] = [f"{s.label}应在{s.minimum}至{s.maximum}{rules.UNIT_LABEL[s.unit]}之间"]
        clean[key] = v
    if clean["approval_max_months"] < clean["approval_months"]:
        errors["approval_max_months"] = ["审批延长后的最长期限不能短于审批期限"]
    if errors:
        raise ValidationError(errors)
    if clean == current:
        raise ValidationError({"values": ["规则取值没有变化"]})
    version = RuleVersion.objects.create(values=clean, note=note or "修订规则取值", created_by=as_user(actor))
    _audit_create(version, note)
    # Deadlines shown in lists and to-do items follow the new limits at once.
    engine.refresh_all()
    return version


@transaction.atomic
def save_holiday(*, date, is_workday=False, name="", actor) -> Holiday:
    _require_configure(actor)
    h, created = Holiday.objects.get_or_create(date=date, defaults={"is_workday": is_workday, "name": name})
    before = None if created else snapshot(h)
    h.is_workday, h.name = is_workday, name
    h.source = Holiday.Source.MANUAL  # an administrator's row: reloading the official calendar keeps it
    h.save()
    record_change(h, ChangeLog.Action.CREATE if created else ChangeLog.Action.UPDATE, before=before)
    return h


def load_official_holidays(*, actor):
    """Load the years of the State Council calendar (the chinesecalendar package the
    system ships) not loaded yet: the button on the rule settings page. An administrator's
    rows are kept; each year loaded is recorded in the change log."""
    from . import holidays

    _require_configure(actor)
    return holidays.load(audit=True)


@transaction.atomic
def delete_holiday(holiday: Holiday, *, actor) -> None:
    _require_configure(actor)
    record_change(holiday, ChangeLog.Action.DELETE, before=snapshot(holiday))
    holiday.delete()


# ---------------------------------------------------------------------------
# Monthly circular (月通报) and the key-management list of lagging units


@transaction.atomic
def publish_circular(org, year: int, month: int, *, actor) -> dict:
    """Issue the month's circular: units behind plan go on (or stay on) the
    key-management list; listed units that caught up come off it this month."""
    from . import selectors
    from .models import LaggingUnit

    require_org_action(actor, org, "approve")
    report = selectors.monthly_report(org, year, month)
    month_date = datetime.date(year, month, 1)
    for row in report["rows"]:
        open_flag = LaggingUnit.objects.filter(organisation=row["org"], cleared_month__isnull=True).first()
        if row["lagging"] and open_flag is None:
            lu = LaggingUnit.objects.create(
                organisation=row["org"], flagged_month=month_date, behind_by=row["behind"], note="月通报列为滞后单位"
            )
            _audit_create(lu)
        elif row["lagging"]:
            open_flag.behind_by = row["behind"]
            open_flag.save(update_fields=["behind_by"])
        elif open_flag is not None and open_flag.flagged_month <= month_date:
            before = snapshot(open_flag)
            open_flag.cleared_month = month_date
            open_flag.behind_by = 0
            open_flag.save(update_fields=["cleared_month", "behind_by"])
            record_change(open_flag, ChangeLog.Action.UPDATE, before=before, message="已赶上计划进度，移出重点管理")
    return selectors.monthly_report(org, year, month)


@transaction.atomic
def add_attachment(file, upload, *, description="", step=None, actor):
    from .models import Attachment

    require_org_action(actor, file.organisation, "change")
    if upload.size > 20 * 1024 * 1024:
        raise ValidationError({"attachment": ["附件不能超过20MB"]})
    name = upload.name.lower()
    if not name.endswith((".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx")):
        raise ValidationError({"attachment": ["附件只能是 PDF、JPG、PNG 或 Word 文件"]})
    a = Attachment.objects.create(file=file, step=step, upload=upload, description=description)
    _audit_create(a)
    return a
