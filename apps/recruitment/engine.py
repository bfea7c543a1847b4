"""THE development engine: reads the rule table (rules.STEPS + the current RuleVersion)
and decides what may happen next on a file, what is due, what is overdue, and refuses
anything else with a Chinese message naming the rule. Web, API, CLI and demo data all
take steps through `take_step`; nothing else writes DevelopmentStep rows.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.actors import as_user
from apps.core.audit import record_change, snapshot
from apps.core.dates import add_months, add_years
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError, can_act_on_org, require_org_action
from apps.members.idnumber import age_on

from . import rules
from .models import (
    DevelopmentFile,
    DevelopmentStep,
    FilePerson,
    FileTransfer,
    Holiday,
    PoliticalReview,
    RuleVersion,
    TrainingRecord,
    Vote,
)

# Cancelling probationary membership is not a sanction (党章第七条): its own ended status
# (not counted, ID number reusable), distinct from 退党/除名/开除.
CANCEL_STATUS = "cancelled_probation"
CANCEL_REASON = "取消预备党员资格（不属于党纪处分，党章第七条）"


# ---------------------------------------------------------------------------
# Rule versions


def current_version() -> RuleVersion:
    version = RuleVersion.objects.order_by("-id").first()
    if version is None:
        version = RuleVersion.objects.create(values=dict(rules.DEFAULTS), note="初始版本（2014年细则默认值）")
    return version


# ---------------------------------------------------------------------------
# Dates


def add_amount(d: datetime.date, n: int, unit: str) -> datetime.date:
    if unit == "years":
        return add_years(d, n)
    if unit == "months":
        return add_months(d, n)
    if unit == "workdays":
        return add_workdays(d, n)
    return d + datetime.timedelta(days=n)


def _calendar(start: datetime.date, end: datetime.date) -> dict:
    return dict(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def is_workday(d: datetime.date, calendar: dict | None = None) -> bool:
    calendar = _calendar(d, d) if calendar is None else calendar
    if d in calendar:
        return calendar[d]
    return d.weekday() < 5


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day counting from `start` (start itself counts when it is a
    working day): a 5-working-day notice starting Monday ends Friday."""
    calendar = _calendar(start, start + datetime.timedelta(days=n * 3 + 30))
    d = start
    counted = 0
    while True:
        if is_workday(d, calendar):
            counted += 1
            if counted >= n:
                return d
        d += datetime.timedelta(days=1)


def fmt(d) -> str:
    return d.strftime("%Y-%m-%d") if d else ""


# ---------------------------------------------------------------------------
# Reading a file


def taken_steps(file: DevelopmentFile) -> dict[str, DevelopmentStep]:
    """Current (not superseded) steps by code; uses the prefetched steps when present."""
    steps = file.steps.all()
    return {s.code: s for s in sorted(steps, key=lambda s: (s.date, s.id)) if not s.superseded}


def probation_end(file: DevelopmentFile, taken: dict, version: RuleVersion) -> datetime.date | None:
    meeting = taken.get("general_meeting")
    if meeting is None:
        return file.probation_end
    end = add_years(meeting.date, version.value("probation_years"))
    return add_months(end, file.extension_months) if file.extension_months else end


@dataclass
class Due:
    code: str
    number: int
    name: str
    earliest: datetime.date | None
    deadline: datetime.date | None
    overdue: bool = False
    blocked: str = ""  # why it cannot be taken yet (order), empty when available now
    performer: str = "branch"
    article: str = ""

    @property
    def performer_label(self):
        return "上级党委" if self.performer == "higher" else "党支部"


def _window(rule: rules.Step, taken: dict, version: RuleVersion, file: DevelopmentFile):
    values = version.all_values()
    earliest, deadline = None, None
    for iv in rule.intervals:
        base = taken.get(iv.after)
        if base is None:
            continue
        n, unit = iv.amount(values)
        limit = add_amount(base.date, n, unit)
        if iv.kind == "min":
            earliest = max(earliest, limit) if earliest else limit
        elif deadline is None or limit < deadline:
            deadline = limit
    if "probation_ended" in rule.checks:
        end = probation_end(file, taken, version)
        if end:
            earliest = max(earliest, end) if earliest else end
            if rule.code == "conversion_application" and deadline is None:
                deadline = add_months(end, 1)
    return earliest, deadline


def available_steps(file: DevelopmentFile, on: datetime.date | None = None, *, version=None) -> list[Due]:
    """Steps whose prerequisites are all done and which are not yet taken."""
    return [d for d in _pending(file, on, version) if not d.blocked]


def _pending(file, on, version):
    on = on or timezone.localdate()
    version = version or current_version()
    if file.status != DevelopmentFile.Status.ACTIVE:
        return []
    taken = taken_steps(file)
    result = []
    for rule in rules.STEPS:
        if rule.code in taken:
            continue
        missing = [p for p in rule.prerequisites if p not in taken]
        earliest, deadline = _window(rule, taken, version, file)
        blocked = "、".join(f"第{rules.STEP_BY_CODE[p].number}步" for p in missing)
        result.append(
            Due(
                rule.code,
                rule.number,
                rule.name,
                earliest,
                deadline,
                bool(deadline and deadline < on and not missing),
                f"待完成{blocked}" if missing else "",
                rule.performer,
                rule.article,
            )
        )
    return result


def due_steps(file: DevelopmentFile, on: datetime.date | None = None, *, version=None) -> list[Due]:
    """Available steps with their earliest date and deadline, plus the six-monthly
    assessment of an activist (测评制) when one is due."""
    on = on or timezone.localdate()
    version = version or current_version()
    items = available_steps(file, on, version=version)
    if file.status == DevelopmentFile.Status.ACTIVE and file.stage == "activist" and file.activist_date:
        last = max([a.date for a in file.assessments.all()] or [file.activist_date])
        next_due = add_months(last, version.value("assessment_every_months"))
        items.append(Due("assessment", 6, "培养考察（半年测评）", None, next_due, next_due < on, "", "branch", "细则第十一条"))
    return sorted(items, key=lambda d: (d.deadline or datetime.date.max, d.number))


def overdue(file: DevelopmentFile, on: datetime.date | None = None, *, version=None) -> list[Due]:
    on = on or timezone.localdate()
    return [d for d in due_steps(file, on, version=version) if d.deadline and d.deadline < on]


def flowchart(file: DevelopmentFile, on: datetime.date | None = None) -> list[dict]:
    """All 25 steps in order: done (date, who), due/overdue (earliest, deadline), waiting."""
    on = on or timezone.localdate()
    version = current_version()
    taken = taken_steps(file)
    pending = {d.code: d for d in _pending(file, on, version)}
    history = [s for s in file.steps.all() if s.superseded]
    rows = []
    for rule in rules.STEPS:
        step = taken.get(rule.code)
        row = {"rule": rule, "step": step, "earlier": [s for s in history if s.code == rule.code]}
        if step:
            row["state"] = "done"
        elif rule.code in pending:
            d = pending[rule.code]
            row.update(earliest=d.earliest, deadline=d.deadline, blocked=d.blocked)
            row["state"] = "overdue" if d.overdue else ("waiting" if d.blocked else "due")
        else:
            row["state"] = "closed"
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# Checking and taking a step


def _err(field: str, message: str):
    raise ValidationError({field: [message]})


def _parse_data(rule: rules.Step, data: dict) -> dict:
    clean = {}
    errors = {}
    for f in rule.fields:
        value = data.get(f.name)
        if value in (None, "", []):
            if f.required:
                errors.setdefault(f.name, []).append(f"第{rule.number}步“{rule.name}”须填写{f.label}")
            if f.kind == "bool":
                clean[f.name] = False
            continue
        if f.kind == "int":
            try:
                value = int(value)
            except (TypeError, ValueError):
                errors.setdefault(f.name, []).append(f"{f.label}须为整数")
                continue
            if value < 0:
                errors.setdefault(f.name, []).append(f"{f.label}不能为负数")
        elif f.kind == "bool":
            value = value in (True, "true", "True", "1", "on", 1)
        elif f.kind == "choice":
            allowed = {c for c, _ in f.choices}
            by_label = {label: c for c, label in f.choices}
            value = by_label.get(value, value)
            if value not in allowed:
                errors.setdefault(f.name, []).append(f"{f.label}“{value}”不是有效取值")
        elif f.kind == "members":
            if isinstance(value, (str, int)):
                value = [v for v in str(value).replace("，", ",").split(",") if v.strip()]
            try:
                value = [int(v) for v in value]
            except (TypeError, ValueError):
                errors.setdefault(f.name, []).append(f"{f.label}须为党员编号")
                continue
        else:
            value = str(value).strip()
        clean[f.name] = value
    for extra in ("late_reason", "extension_reason", "performer_name", "performer_role"):
        if data.get(extra) and extra not in clean:
            clean[extra] = str(data[extra]).strip()
    if errors:
        raise ValidationError(errors)
    return clean


def _full_members(ids, actor, label, article, *, exactly=None, at_most=None, on=None):
    from apps.members.models import Member
    from apps.members.services import under_probation_sanction

    ids = list(dict.fromkeys(ids))
    if exactly is not None and len(ids) != exactly:
        _err("introducers", f"{label}须为{exactly}名正式党员（{article}），当前为{len(ids)}名")
    if at_most is not None and not (1 <= len(ids) <= at_most):
        _err("contacts", f"{label}须为1至{at_most}名正式党员（{article}），当前为{len(ids)}名")
    qs = Member.objects.filter(pk__in=ids)
    qs = qs.restrict(actor, "view")
    found = {m.pk: m for m in qs}
    field = "introducers" if exactly else "contacts"
    sanctioned = under_probation_sanction(found, on) if on is not None else set()
    for pk in ids:
        m = found.get(pk)
        if m is None:
            _err(field, f"{label}：编号 {pk} 的党员不存在或不在您的管理范围内")
        if m.member_type != "full":
            _err(field, f"{label}须为正式党员（{article}）：{m.name}是预备党员")
        if m.pk in sanctioned:
            _err(field, f"{label}不得由受留党察看处分、尚未恢复党员权利的党员担任（{article}）：{m.name}")
        if m.status != "normal":
            _err(field, f"{label}须为党籍状态正常的正式党员（{article}，受留党察看处分者不得担任）：{m.name}当前为{m.get_status_display()}")
    return [found[pk] for pk in ids]


def _check(name, file, rule, date, data, taken, version, actor):
    values = version.all_values()
    if name == "age":
        age = age_on(file.birth_date, date)
        if age < rules.MIN_AGE:
            _err("date", f"申请入党须年满{rules.MIN_AGE}周岁（党章第一条），申请日 {fmt(date)} 申请人{age}周岁")
    elif name == "application_checks":
        # Other domains' bars to applying (出党后5年内不得重新入党 …), through the registry:
        # the engine does not know which domain refuses, only the reason it gives.
        from apps.core import registry

        for entry in registry.application_checks:
            reason = entry.refusal(file.id_number_hash, date)
            if reason:
                _err("id_number", reason)
    elif name == "contacts":
        _full_members(data["contacts"], actor, "培养联系人", "细则第十条", at_most=2)
    elif name == "introducers":
        _full_members(data["introducers"], actor, "入党介绍人", "细则第十四条", exactly=2, on=date)
    elif name == "assessments":
        start = taken["activist"].date
        months = (date.year - start.year) * 12 + date.month - start.month - (1 if date.day < start.day else 0)
        every = values["assessment_every_months"]
        needed = max(1, months // every)
        have = sum(1 for a in file.assessments.all() if start <= a.date <= date)
        if have < needed:
            _err(
                "assessments",
                f"培养教育考察须每{every}个月考察一次（细则第十一条）：自 {fmt(start)} 至 {fmt(date)} 应有{needed}次考察记录，现有{have}次",
            )
    elif name == "target_assessment":
        # 测评制: members' and the masses' opinions are heard before listing a target.
        window = add_months(date, -values["assessment_every_months"])
        if not any(a.evaluator in ("mass", "member") and window <= a.date <= date for a in file.assessments.all()):
            _err(
                "assessments",
                f"确定发展对象前须听取党员和群众意见（测评制，细则第十三条）：{fmt(window)} 至 {fmt(date)} 之间没有党员或群众测评记录",
            )
    elif name == "notice":
        notices = [n for n in file.notices.all() if n.purpose == "target"]
        if not notices:
            _err("notice", f"确定发展对象前须公示（细则第十三条、公示制），公示期不少于{values['notice_workdays']}个工作日；请先发布公示")
        notice = max(notices, key=lambda n: (n.start_date, n.id))
        if notice.end_date >= date:
            _err(
                "date",
                f"公示期至 {fmt(notice.end_date)} 结束（公示制），最早可于 {fmt(notice.end_date + datetime.timedelta(days=1))} 确定为发展对象",
            )
        objections = list(notice.objections.all())
        if any(o.resolved is None for o in objections):
            _err("notice", "公示期间收到的异议尚未核查处理完毕（公示制），不能办理下一步")
        if any(o.substantiated for o in objections):
            _err("notice", "公示反映的问题经核查属实（公示制），不能确定为发展对象")
    elif name == "training":
        days, hours, pending = training_credit(file)
        days += int(data.get("days") or 0)
        hours += int(data.get("hours") or 0)
        need_days, need_hours = values["training_min_days"], values["training_min_hours"]
        if days < need_days and hours < need_hours:
            waiting = f"；{'、'.join(f'“{t}”' for t in pending)}尚未结业，结业后计入" if pending else ""
            _err("hours", f"发展对象集中培训不少于{need_days}天或{need_hours}学时（细则第十六条），现累计{days}天、{hours}学时{waiting}")
    elif name == "political_review_ok":
        review = _latest_review(file)
        if review is None or review.conclusion != "pass":
            _err("political_review", "政治审查结论不合格或缺失（细则第十五条），不能继续发展")
    elif name == "political_review_valid":
        review = _latest_review(file)
        if review is None or review.conclusion != "pass":
            _err("political_review", "政治审查结论不合格或缺失（细则第十五条），不能接收为预备党员")
        if review.valid_until < date:
            _err(
                "political_review",
                f"政治审查结论有效期至 {fmt(review.valid_until)}（有效期{values['political_review_valid_years']}年，细则第十五条），已过期，须重新政审",
            )
    elif name == "pre_review":
        if data.get("leaving_within_3_months"):
            _err("leaving_within_3_months", "发展对象3个月内将离开工作、学习单位的，不进行预审（细则第十八条），应转接培养考察材料")
    elif name == "pre_review_passed":
        if taken["pre_review"].data.get("result") != "pass":
            _err("pre_review", "上级党委预审未通过（细则第十八条），不能发放和填写《入党志愿书》")
    elif name.startswith("vote:"):
        _require_vote(file, name.split(":", 1)[1], date)
    elif name == "probation_ended":
        end = probation_end(file, taken, version)
        if end and date < end:
            _err("date", f"{rule.phrase}须在预备期满后（党章第七条），预备期满日期为 {fmt(end)}")
    elif name == "conversion_vote":
        outcome = data["outcome"]
        if outcome == "extend":
            months = data.get("extension_months")
            if file.extension_months:
                _err("outcome", "预备期只能延长一次（党章第七条），该预备党员已延长过预备期")
            if not months or not (rules.EXTENSION_MIN_MONTHS <= months <= rules.EXTENSION_MAX_MONTHS):
                _err("extension_months", f"延长预备期须为{rules.EXTENSION_MIN_MONTHS}至{rules.EXTENSION_MAX_MONTHS}个月（党章第七条）")
        _require_vote(file, outcome, date)
    else:  # pragma: no cover - a rule-table typo
        raise KeyError(name)


# A failed pre-review (预审不通过) is kept as history and marked superseded, so the
# higher committee can review again later. A political review that failed or whose
# validity has lapsed may be repeated before the general meeting (the failed/lapsed one
# stays as history); until then the later steps name the problem.
NEGATIVE_RESULTS = {"pre_review": ("result", "fail")}


def retake_allowed(file, code, date) -> bool:
    if code == "political_review":
        review = _latest_review(file)
        lapsed = review is not None and (review.conclusion != "pass" or review.valid_until < date)
        return lapsed and "general_meeting" not in taken_steps(file)
    return False


def _latest_review(file):
    reviews = sorted(file.political_reviews.all(), key=lambda r: (r.date, r.id))
    return reviews[-1] if reviews else None


def _require_vote(file, proposal, date):
    label = dict(Vote.PROPOSALS)[proposal]
    votes = [v for v in file.votes.all() if v.proposal == proposal and v.meeting_date == date]
    if not votes:
        _err("vote", f"“{label}”须经支部大会表决（票决制），请先录入 {fmt(date)} 的表决结果")
    if not votes[0].passed:
        _err("vote", f"支部大会 {fmt(date)} 对“{label}”的表决未获通过（票决制）")


def _check_intervals(rule, date, data, taken, version):
    values = version.all_values()
    notes = []
    for iv in rule.intervals:
        base = taken.get(iv.after)
        if base is None:
            continue
        after = rules.STEP_BY_CODE[iv.after]
        n, unit = iv.amount(values)
        limit = add_amount(base.date, n, unit)
        article = iv.article or rule.article
        if iv.kind == "min" and date < limit:
            if n == 0:
                _err("date", f"{rule.phrase}的日期不得早于{after.phrase}的日期 {fmt(base.date)}（{article}）")
            _err("date", f"{rule.phrase}须在{after.phrase}满{rules.amount_text(n, unit)}后（{article}），最早可于 {fmt(limit)}")
        if iv.kind == "max" and date > limit:
            message = f"{rule.phrase}须在{after.phrase}后{rules.amount_text(n, unit)}内完成（{article}），最晚应于 {fmt(limit)}"
            if iv.soft and data.get(iv.reason_field):
                notes.append(f"逾期办理（{message}），原因：{data[iv.reason_field]}")
                continue
            if iv.soft:
                label = "延长审批的原因" if iv.reason_field == "extension_reason" else "逾期原因"
                message += f"；确需延后的须记录{label}"
            _err(iv.reason_field if iv.soft else "date", message)
    return notes


def check_step(file, code, *, date, actor, data=None, today=None):
    """Validate one step without writing; returns (rule, clean data, notes, version)."""
    if code not in rules.STEP_BY_CODE:
        _err("code", f"步骤“{code}”不存在")
    rule = rules.STEP_BY_CODE[code]
    today = today or timezone.localdate()
    version = current_version()
    if rule.performer == "higher":
        if not can_act_on_org(actor, file.organisation, "approve"):
            raise ScopeError(f"第{rule.number}步“{rule.name}”须由上级党委办理（需要审批权限），您没有“{file.organisation}”的审批权限")
    else:
        require_org_action(actor, file.organisation, "change")
    if file.status != DevelopmentFile.Status.ACTIVE:
        _err("status", f"该发展档案{file.get_status_display()}，不能再办理步骤")
    if not isinstance(date, datetime.date):
        _err("date", "请填写有效的日期")
    if date > today:
        _err("date", f"第{rule.number}步“{rule.name}”的日期不能晚于今天")
    taken = taken_steps(file)
    if code in taken and not retake_allowed(file, code, date):
        _err("code", f"第{rule.number}步“{rule.name}”已于 {fmt(taken[code].date)} 办理")
    missing = [rules.STEP_BY_CODE[p] for p in rule.prerequisites if p not in taken]
    if missing:
        names = "、".join(f"第{p.number}步“{p.name}”" for p in missing)
        _err("code", f"须先完成{names}，才能办理第{rule.number}步“{rule.name}”")
    clean = _parse_data(rule, data or {})
    notes = _check_intervals(rule, date, clean, taken, version)
    for name in rule.checks:
        _check(name, file, rule, date, clean, taken, version, actor)
    return rule, clean, notes, version


def training_credit(file) -> tuple[int, int, list[str]]:
    """(days, hours, titles of classes not yet completed) of a file's training: records
    entered with step 11 as entered; places in education training classes (one class
    mechanism) with the class's days and hours, counted only once education records the
    class as completed (结业). One query for the classes."""
    from apps.education.selectors import class_credits

    records = list(file.trainings.all())
    credits = class_credits({t.training_class_id for t in records if t.training_class_id})
    days = hours = 0
    pending = []
    for t in records:
        if t.training_class_id is None:
            days, hours = days + t.days, hours + t.hours
            continue
        credit = credits.get(t.training_class_id)
        if credit is None:
            continue
        if credit.finished:
            days, hours = days + credit.days, hours + int(credit.hours)
        else:
            pending.append(credit.title)
    return days, hours, pending


def _fresh(file):
    return (
        DevelopmentFile.objects.select_for_update(of=("self",))
        .select_related("organisation", "member")
        .prefetch_related("steps", "assessments", "notices__objections", "votes", "political_reviews", "trainings")
        .get(pk=file.pk)
    )


@transaction.atomic
def take_step(file, code, *, date, actor, data=None, notes="", today=None) -> DevelopmentStep:
    """Record a step after every rule check; apply its effects; audit it."""
    file = _fresh(file)
    rule, clean, late_notes, version = check_step(file, code, date=date, actor=actor, data=data, today=today)
    before = snapshot(file)
    performer_name = clean.pop("performer_name", "") or str(actor)
    performer_role = clean.pop("performer_role", "")
    previous = taken_steps(file).get(code)
    if previous is not None:  # a permitted retake: the earlier step stays as history
        DevelopmentStep.objects.filter(pk=previous.pk).update(superseded=True)
    step = DevelopmentStep.objects.create(
        file=file,
        code=code,
        number=rule.number,
        date=date,
        performed_by=as_user(actor),
        performer_name=performer_name[:60],
        performer_role=performer_role[:60],
        approved_by=as_user(actor) if rule.performer == "higher" else None,
        organisation=file.organisation,
        rule_version=version,
        data=clean,
        notes="\n".join([notes, *late_notes]).strip(),
    )
    _reload_steps(file)
    for effect in rule.effects:
        _apply_effect(effect, file, step, clean, actor, version)
    _people(file, rule, clean, date)
    negative = NEGATIVE_RESULTS.get(code)
    if negative and clean.get(negative[0]) == negative[1]:
        DevelopmentStep.objects.filter(pk=step.pk).update(superseded=True)
        step.superseded = True
        _reload_steps(file)
    refresh_state(file, version=version)
    record_change(step, ChangeLog.Action.CREATE, message=f"第{rule.number}步 {rule.name}")
    record_change(file, ChangeLog.Action.UPDATE, before=before, message=f"办理第{rule.number}步 {rule.name}")
    return step


def _people(file, rule, clean, date):
    roles = {"contacts": "contact", "introducers": "introducer"}
    if rule.code in roles and clean.get(rule.code):
        for pk in dict.fromkeys(clean[rule.code]):
            person = FilePerson.objects.create(file=file, member_id=pk, role=roles[rule.code], since=date)
            record_change(person, ChangeLog.Action.CREATE, org_path=file.org_path)


def _apply_effect(effect, file, step, clean, actor, version):
    date = step.date
    if effect.startswith("stage:"):
        stage = effect.split(":", 1)[1]
        if stage == "applicant":
            file.application_date = date
        elif stage == "activist":
            file.stage, file.activist_date = "activist", date
        elif stage == "target":
            file.stage, file.target_date = "target", date
        elif stage == "admission":
            file.admission_date = date
            file.probation_end = add_years(date, version.value("probation_years"))
    elif effect == "political_review":
        review = PoliticalReview.objects.create(
            file=file,
            date=date,
            conclusion=clean["conclusion"],
            summary=clean.get("summary", ""),
            valid_until=add_years(date, version.value("political_review_valid_years")),
        )
        record_change(review, ChangeLog.Action.CREATE, org_path=file.org_path)
        file._prefetched_objects_cache.pop("political_reviews", None)
    elif effect == "training":
        if clean.get("days") or clean.get("hours"):
            record = TrainingRecord.objects.create(
                file=file, date=date, days=clean.get("days") or 0, hours=clean.get("hours") or 0, provider=clean.get("provider", "")
            )
            record_change(record, ChangeLog.Action.CREATE, org_path=file.org_path)
    elif effect == "pre_review":
        pass
    elif effect == "approval":
        if clean["result"] == "approve":
            file.stage = "probationary"
            file.approval_date = date
            file.member = _create_member(file, actor)
        else:
            _close(file, DevelopmentFile.Status.CANCELLED, date, "上级党委不批准接收为预备党员")
    elif effect == "conversion":
        _conversion(file, step, clean, actor)
    elif effect == "archive":
        _close(file, DevelopmentFile.Status.CLOSED, date, "材料已归档")
    file.save()


def _close(file, status, date, reason):
    file.status = status
    file.closed_date = date
    file.closed_reason = reason
    file.next_step = ""
    file.next_deadline = None


def _create_member(file, actor):
    from apps.members.services import create_member

    data = {
        "name": file.name,
        "sex": file.sex,
        "ethnicity": file.ethnicity,
        "birth_date": file.birth_date,
        "id_number": file.reveal_id_number(),
        "education": file.education,
        "occupation": file.occupation,
        "work_unit": file.work_unit,
        "phone": file.reveal_phone(),
        "application_date": file.application_date,
        "join_date": file.admission_date,
        "member_type": "probationary",
        "increase_method": "developed",
        "organisation": file.organisation,
    }
    try:
        return create_member(data, actor=actor)
    except ValidationError as exc:
        detail = "；".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
        _err("member", f"建立预备党员记录失败：{detail}")


def _conversion(file, step, clean, actor):
    from apps.members.services import change_status, update_member

    meeting = taken_steps(file).get("conversion_meeting")
    outcome = meeting.data.get("outcome")
    date = step.date
    if clean["result"] != "approve":
        # The higher committee did not approve the branch resolution: the branch discusses again.
        DevelopmentStep.objects.filter(pk__in=[meeting.pk, step.pk]).update(superseded=True)
        _reload_steps(file)
        return
    if outcome == "convert":
        end = file.probation_end
        update_member(file.member, {"member_type": "full", "conversion_date": end}, actor=actor, engine="recruitment")
        file.stage = "full"
        file.conversion_date = end
    elif outcome == "extend":
        months = int(meeting.data["extension_months"])
        file.extension_months = months
        file.probation_end = add_months(file.probation_end, months)
        repeatable = [r.code for r in rules.STEPS if r.repeatable_on_extension]
        file.steps.filter(code__in=repeatable, superseded=False).update(superseded=True)
        _reload_steps(file)
    elif outcome == "cancel":
        change_status(file.member, CANCEL_STATUS, date=date, reason=CANCEL_REASON, actor=actor, engine="recruitment")
        _close(file, DevelopmentFile.Status.CANCELLED, date, CANCEL_REASON)


def _reload_steps(file):
    cache = getattr(file, "_prefetched_objects_cache", {})
    cache.pop("steps", None)


def refresh_state(file, *, version=None, on=None):
    """Keep the file's next step and nearest deadline (list filters and to-do read them)."""
    if file.status != DevelopmentFile.Status.ACTIVE:
        file.next_step, file.next_deadline = "", None
    else:
        items = due_steps(file, on, version=version)
        file.next_step = items[0].code if items else ""
        deadlines = [d.deadline for d in items if d.deadline]
        file.next_deadline = min(deadlines) if deadlines else None
    DevelopmentFile.objects.filter(pk=file.pk).update(next_step=file.next_step, next_deadline=file.next_deadline)


# ---------------------------------------------------------------------------
# Votes (票决制)


def vote_outcome(should_attend: int, present: int, yes: int) -> tuple[bool, bool]:
    """(quorum, passed): quorum when present > ½ of 应到; passed when yes > ½ of 应到."""
    quorum = present * 2 > should_attend
    return quorum, quorum and yes * 2 > should_attend


def validate_vote(d: dict) -> None:
    errors = {}
    should, present, written = d["should_attend"], d["present"], d.get("written_opinions", 0)
    yes, no, abstain = d["yes"], d["no"], d["abstain"]
    if should <= 0:
        errors["should_attend"] = ["应到有表决权的正式党员人数须大于0"]
    if present > should:
        errors["present"] = [f"实到人数（{present}）不能超过应到人数（{should}）"]
    if written > should - present:
        errors["written_opinions"] = [f"书面意见只能来自未到会的党员（至多{max(should - present, 0)}份）"]
    if yes + no + abstain > present + written:
        errors["yes"] = [f"赞成、反对、弃权合计（{yes + no + abstain}）不能超过实到人数与书面意见之和（{present + written}）"]
    if errors:
        raise ValidationError(errors)
    quorum, passes = vote_outcome(should, present, yes)
    if d.get("passed") and not quorum:
        raise ValidationError(
            {
                "present": [
                    f"实到有表决权的正式党员须超过应到人数的半数方能开会（票决制）：应到{should}人，实到{present}人，至少须{should // 2 + 1}人"
                ]
            }
        )
    if d.get("passed") and not passes:
        raise ValidationError(
            {
                "yes": [
                    f"赞成票须超过应到会有表决权正式党员的半数（票决制）：应到{should}人，赞成{yes}票，至少须{should // 2 + 1}票，不能作出通过的决议"
                ]
            }
        )
    if not d.get("passed") and passes:
        raise ValidationError({"passed": ["表决结果已达到通过要求（赞成票超过应到人数半数），决议应记为通过"]})


# ---------------------------------------------------------------------------
# Transfer


@transaction.atomic
def transfer_file(file, to_org, *, actor, date=None, reason="") -> DevelopmentFile:
    """Move a file to another organisation with the person; every step and date stays,
    so time already served (e.g. the activist year) carries over."""
    from apps.members.services import move_member
    from apps.orgs.rules import MEMBER_HOLDING_TYPES

    date = date or timezone.localdate()
    file = DevelopmentFile.objects.select_for_update(of=("self",)).select_related("organisation", "member").get(pk=file.pk)
    require_org_action(actor, file.organisation, "change")
    require_org_action(actor, to_org, "change")
    if to_org.pk == file.organisation_id:
        _err("organisation", "目标组织与当前负责组织相同")
    if to_org.status != "active" or to_org.org_type not in MEMBER_HOLDING_TYPES:
        _err("organisation", f"“{to_org}”不能接收发展档案：须为正常状态的党委、党总支或党支部")
    if file.status != DevelopmentFile.Status.ACTIVE:
        _err("status", f"该发展档案{file.get_status_display()}，不能转接")
    before = snapshot(file)
    from_org = file.organisation
    version = current_version()
    transfer = FileTransfer.objects.create(
        file=file,
        from_org=from_org,
        to_org=to_org,
        date=date,
        valid_until=date + datetime.timedelta(days=version.value("transfer_valid_days")),
        reason=reason,
        by=str(actor),
    )
    record_change(transfer, ChangeLog.Action.CREATE, org_path=from_org.path)
    file.organisation = to_org
    file.org_path = to_org.path
    file.save(update_fields=["organisation", "org_path", "updated_at"])
    if file.member_id and file.member.organisation_id != to_org.pk:
        move_member(file.member, to_org, date=date, reason=f"发展档案转接：{reason}", actor=actor)
    record_change(file, ChangeLog.Action.UPDATE, before=before, message=f"发展档案转接：{from_org} → {to_org}")
    return file


def refresh_all(queryset=None, *, batch: int = 1000, on=None) -> int:
    """Recompute next step and deadline of active files (after a rule version changes the
    limits): a constant number of queries per batch. Returns how many files changed."""
    version = current_version()
    qs = (queryset if queryset is not None else DevelopmentFile.objects.all()).filter(status=DevelopmentFile.Status.ACTIVE)
    changed = 0
    last_id = 0
    while True:
        files = list(qs.filter(pk__gt=last_id).order_by("pk").prefetch_related("steps", "assessments")[:batch])
        if not files:
            return changed
        updates = []
        for f in files:
            items = due_steps(f, on, version=version)
            step = items[0].code if items else ""
            deadlines = [d.deadline for d in items if d.deadline]
            deadline = min(deadlines) if deadlines else None
            if (step, deadline) != (f.next_step, f.next_deadline):
                f.next_step, f.next_deadline = step, deadline
                updates.append(f)
        DevelopmentFile.objects.bulk_update(updates, ["next_step", "next_deadline"])
        changed += len(updates)
        last_id = files[-1].pk
