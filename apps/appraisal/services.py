"""Every write of democratic appraisal and organisational handling. Web, API, CLI and the
demo call these; each owns its transaction, validation (Chinese messages naming the field
and the rule in apps.appraisal.rules), scope check and audit entry.

The membership-ending transitions (劝其退党 → withdrawn, 除名 → removed, 自行脱党除名 →
self_withdrawal) are made only by `take_step(..., "decided")` here, through
apps.members.services.change_status (status history kept)."""

from __future__ import annotations

import datetime
import itertools

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import can_act_on_org, require_org_action
from apps.core.uniqueness import unique_messages
from apps.members import services as member_services
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import BRANCH_TYPES
from apps.recruitment.engine import validate_vote, vote_outcome

from . import rules
from .models import (
    Appraisee,
    BranchAppraisal,
    Campaign,
    GoalSheet,
    HandlingCase,
    MemberPost,
    PostAssignment,
    PostReview,
    RatingTally,
    SupervisionRecord,
    TalentEntry,
    TalentStageChange,
    VoteCast,
)


def _fail(field: str, message: str):
    raise ValidationError({field: [message]})


def _today() -> datetime.date:
    return timezone.localdate()


def _date(value, field: str, label: str, *, required: bool = True) -> datetime.date | None:
    if value in (None, ""):
        if required:
            _fail(field, f"请填写{label}")
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            _fail(field, f"{label}须为日期（YYYY-MM-DD）")
    if value > _today():
        _fail(field, f"{label}不能晚于今天")
    return value


def _text(value, field: str, label: str, *, limit: int = 5000) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        _fail(field, f"请填写{label}")
    if len(text) > limit:
        _fail(field, f"{label}不能超过{limit}字")
    return text


# ── campaigns ─────────────────────────────────────────────────────────────────────────
PHASE_DATE_FIELDS = [
    ("report_by", "书记述职截止"),
    ("self_by", "个人自评截止"),
    ("peer_by", "党员互评截止"),
    ("rating_by", "民主测评截止"),
    ("proposal_by", "组织评定截止"),
    ("feedback_by", "结果反馈截止"),
]


def _plain_date(value, field, label):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        _fail(field, f"请填写{label}（YYYY-MM-DD）")


@transaction.atomic
def open_campaign(org: Organisation, data: dict, *, actor) -> Campaign:
    """Open the year's appraisal for org's subtree: one procedure per branch, every
    appraised member (probationary members too) listed in it."""
    require_org_action(actor, org, "approve")
    try:
        year = int(data.get("year"))
    except (TypeError, ValueError):
        _fail("year", "请填写年度")
    if not 2000 <= year <= _today().year + 1:
        _fail("year", f"年度须在2000至{_today().year + 1}之间")
    dates = {f: _plain_date(data.get(f), f, label) for f, label in PHASE_DATE_FIELDS}
    for (f1, l1), (f2, l2) in itertools.pairwise(PHASE_DATE_FIELDS):
        if dates[f2] < dates[f1]:
            _fail(f2, f"{l2}不能早于{l1}（评议环节依次进行：书记述职→自评→互评→测评→评定→反馈）")
    num = int(data.get("cap_numerator") or rules.EXCELLENT_CAP.numerator)
    den = int(data.get("cap_denominator") or rules.EXCELLENT_CAP.denominator)
    if not (0 < num < den <= 100):
        _fail("cap_numerator", "优秀比例上限须为小于1的正分数（一般不超过三分之一）")
    weight = data.get("rating_weight")
    weight = rules.RATING_WEIGHT if weight in (None, "") else int(weight)
    if not 0 <= weight <= 100:
        _fail("rating_weight", "民主测评权重须在0至100之间")
    branches = list(Organisation.objects.filter(path__startswith=org.path, org_type__in=BRANCH_TYPES, status=Organisation.Status.ACTIVE))
    if not branches:
        _fail("organisation", f"“{org.name}”下没有党支部，无法开展民主评议")
    taken = BranchAppraisal.objects.filter(campaign__year=year, organisation__in=branches).select_related("organisation").first()
    if taken is not None:
        _fail("year", f"“{taken.organisation.name}”已在{year}年的另一项民主评议中，每个支部每年评议一次")
    title = (data.get("title") or "").strip() or f"{year}年度民主评议党员"
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                organisation=org,
                year=year,
                title=title[:100],
                cap_numerator=num,
                cap_denominator=den,
                rating_weight=weight,
                opened_by=getattr(actor, "username", "") or str(actor),
                **dates,
            )
    except IntegrityError as exc:
        raise ValidationError({"year": [f"“{org.name}”{year}年的民主评议已经发起"]}) from exc
    members = list(
        Member.objects.filter(organisation__in=branches, status__in=rules.APPRAISED_STATUSES).values_list(
            "id", "organisation_id", "org_path", "member_type"
        )
    )
    sizes: dict[int, int] = {}
    for _id, org_id, _p, _t in members:
        sizes[org_id] = sizes.get(org_id, 0) + 1
    procs = BranchAppraisal.objects.bulk_create(
        [
            BranchAppraisal(
                campaign=campaign,
                organisation=b,
                org_path=b.path,
                peer_by_group=sizes.get(b.pk, 0) > rules.PEER_BY_GROUP_ABOVE,
            )
            for b in branches
        ]
    )
    by_org = {p.organisation_id: p for p in procs}
    Appraisee.objects.bulk_create(
        [
            Appraisee(branch=by_org[org_id], organisation_id=org_id, org_path=path, member_id=mid, year=year, member_type=mtype)
            for mid, org_id, path, mtype in members
        ],
        batch_size=2000,
    )
    record_change(campaign, ChangeLog.Action.CREATE, message=f"发起民主评议：{len(procs)}个支部，{len(members)}名党员参评")
    return campaign


def _lock(ba: BranchAppraisal) -> BranchAppraisal:
    return BranchAppraisal.objects.select_for_update().select_related("campaign", "organisation").get(pk=ba.pk)


def _require_phase(ba: BranchAppraisal, phase: str, what: str):
    if ba.phase != phase:
        _fail(
            "phase",
            f"{what}须在“{rules.PHASE_LABELS[phase]}”环节进行，该支部目前处于“{ba.get_phase_display()}”环节"
            f"（评议程序：书记述职→个人自评→党员互评→民主测评→组织评定→结果反馈）",
        )


@transaction.atomic
def record_report(ba: BranchAppraisal, *, report, on, actor) -> BranchAppraisal:
    ba = _lock(ba)
    require_org_action(actor, ba.organisation, "change")
    _require_phase(ba, "report", "书记述职")
    before = snapshot(ba)
    ba.report = _text(report, "report", "书记述职报告")
    ba.report_on = _date(on, "report_on", "述职日期")
    ba.phase = "self"
    ba.save(update_fields=["report", "report_on", "phase"])
    record_change(ba, ChangeLog.Action.UPDATE, before=before, message="书记述职，进入个人自评")
    return ba


@transaction.atomic
def advance(ba: BranchAppraisal, *, actor) -> BranchAppraisal:
    """Close the self-assessment, the peer assessment or the rating and move on. The
    report, the proposal and the feedback move on by being recorded."""
    ba = _lock(ba)
    require_org_action(actor, ba.organisation, "change")
    if ba.phase not in ("self", "peer", "rating"):
        what = {"report": "请先记录书记述职", "proposal": "请记录组织评定结果", "feedback": "请记录结果反馈"}
        _fail("phase", what.get(ba.phase, "该支部的民主评议已完成"))
    before = snapshot(ba)
    ba.phase = rules.next_phase(ba.phase)
    if ba.phase == "rating":
        ids = list(ba.appraisees.values_list("id", flat=True))
        RatingTally.objects.bulk_create([RatingTally(appraisee_id=i, grade=g) for i in ids for g, _ in rules.GRADES])
    ba.save(update_fields=["phase"])
    record_change(ba, ChangeLog.Action.UPDATE, before=before, message=f"进入“{ba.get_phase_display()}”环节")
    return ba


@transaction.atomic
def submit_self_assessment(appraisee: Appraisee, *, text, actor) -> Appraisee:
    """The member writes their own self-assessment (a branch worker may enter a paper one)."""
    a = Appraisee.objects.select_for_update().select_related("branch", "organisation").get(pk=appraisee.pk)
    if getattr(actor, "member_id", None) != a.member_id:
        require_org_action(actor, a.organisation, "change")
    _require_phase(a.branch, "self", "个人自评")
    before = snapshot(a)
    a.self_assessment = _text(text, "self_assessment", "个人自评", limit=3000)
    a.self_submitted_on = _today()
    a.save(update_fields=["self_assessment", "self_submitted_on"])
    record_change(a, ChangeLog.Action.UPDATE, before=before, message="提交个人自评")
    return a


@transaction.atomic
def record_peer_opinion(appraisee: Appraisee, *, text, actor) -> Appraisee:
    a = Appraisee.objects.select_for_update().select_related("branch", "organisation").get(pk=appraisee.pk)
    require_org_action(actor, a.organisation, "change")
    _require_phase(a.branch, "peer", "党员互评")
    before = snapshot(a)
    a.peer_opinion = _text(text, "peer_opinion", "互评意见", limit=3000)
    a.save(update_fields=["peer_opinion"])
    record_change(a, ChangeLog.Action.UPDATE, before=before, message="记录互评意见")
    return a


def rater_refusal(ba: BranchAppraisal, member: Member | None) -> str:
    """Why this member may not rate in the branch ('' when they may)."""
    if member is None:
        return "只有本支部党员本人可以参加民主测评"
    if member.organisation_id != ba.organisation_id or member.status not in rules.APPRAISED_STATUSES:
        return "只有本支部在册党员可以参加民主测评"
    if member.member_type not in rules.RATER_MEMBER_TYPES:
        return "预备党员没有表决权，不参加民主测评投票（党章第七条）"
    return ""


def check_excellent_cap(count: int, appraised: int, cap, field: str, who: str) -> None:
    allowed = rules.cap_count(appraised, cap)
    if count > allowed:
        _fail(
            field,
            f"{who}“优秀”{count}名，超过上限：优秀一般不超过参评党员的{cap.numerator}/{cap.denominator}"
            f"（参评{appraised}人，至多{allowed}名）",
        )


@transaction.atomic
def cast_ballot(ba: BranchAppraisal, grades: dict, *, actor) -> None:
    """每人一票: the member rates every other appraisee of the branch. What is stored: that
    the member has voted (VoteCast) and one more vote on each grade's counter (RatingTally)
    — never a row joining the voter to a grade."""
    ba = BranchAppraisal.objects.select_related("campaign").get(pk=ba.pk)
    voter = Member.objects.filter(pk=getattr(actor, "member_id", None)).first()
    refusal = rater_refusal(ba, voter)
    if refusal:
        _fail("voter", refusal)
    _require_phase(ba, "rating", "民主测评")
    appraisees = dict(ba.appraisees.values_list("id", "member_id"))
    own = {aid for aid, mid in appraisees.items() if mid == voter.pk}
    clean: dict[int, str] = {}
    for key, grade in (grades or {}).items():
        try:
            aid = int(key)
        except (TypeError, ValueError):
            _fail("grades", "测评票中有无法识别的参评党员")
        if aid in own:
            _fail("grades", "不能给本人评定等次（民主测评由其他党员评价）")
        if aid not in appraisees:
            _fail("grades", "测评票中有不属于本支部本次评议的党员")
        if grade not in rules.GRADE_LABELS:
            _fail("grades", f"等次须为{'、'.join(rules.GRADE_LABELS.values())}之一")
        clean[aid] = grade
    missing = set(appraisees) - own - set(clean)
    if missing:
        _fail("grades", f"请对每名参评党员评定等次（还有{len(missing)}名未评）")
    excellent = sum(1 for g in clean.values() if g == rules.EXCELLENT)
    check_excellent_cap(excellent, len(appraisees), ba.campaign.cap, "grades", "本票评定")
    try:
        with transaction.atomic():
            cast = VoteCast.objects.create(branch=ba, voter=voter, organisation_id=ba.organisation_id, org_path=ba.org_path)
    except IntegrityError as exc:
        raise ValidationError({"voter": ["您已参加本次民主测评，每人只能投一票"]}) from exc
    for grade, _label in rules.GRADES:
        ids = sorted(aid for aid, g in clean.items() if g == grade)
        if ids:
            RatingTally.objects.filter(appraisee_id__in=ids, grade=grade).update(votes=F("votes") + 1)
    record_change(cast, ChangeLog.Action.CREATE, message="参加民主测评（投票内容不记录）")


@transaction.atomic
def propose_grades(ba: BranchAppraisal, grades: dict, *, meeting_date, actor) -> BranchAppraisal:
    """The committee / general meeting sets each member's grade (优秀 within the cap)."""
    from .selectors import proposal_rows

    ba = _lock(ba)
    require_org_action(actor, ba.organisation, "change")
    _require_phase(ba, "proposal", "组织评定")
    rows = proposal_rows(ba)
    clean = {}
    for row in rows:
        a = row["appraisee"]
        grade = (grades or {}).get(a.pk) or (grades or {}).get(str(a.pk))
        if grade not in rules.GRADE_LABELS:
            _fail("grades", f"请为{a.member.name}评定等次（{'、'.join(rules.GRADE_LABELS.values())}）")
        clean[a.pk] = (grade, row["score"])
    excellent = sum(1 for g, _s in clean.values() if g == rules.EXCELLENT)
    check_excellent_cap(excellent, len(rows), ba.campaign.cap, "grades", "组织评定")
    meeting = _date(meeting_date, "meeting_date", "评定会议日期")
    before = snapshot(ba)
    for row in rows:
        a = row["appraisee"]
        a.proposed_grade, a.score = clean[a.pk]
    Appraisee.objects.bulk_update([r["appraisee"] for r in rows], ["proposed_grade", "score"], batch_size=1000)
    ba.meeting_date = meeting
    ba.phase = "feedback"
    ba.save(update_fields=["meeting_date", "phase"])
    record_change(ba, ChangeLog.Action.UPDATE, before=before, message=f"组织评定：{len(rows)}人，优秀{excellent}人")
    return ba


@transaction.atomic
def feed_back(ba: BranchAppraisal, *, on, actor) -> BranchAppraisal:
    """The grades are fed back to each member and become the result in force."""
    ba = _lock(ba)
    require_org_action(actor, ba.organisation, "change")
    _require_phase(ba, "feedback", "结果反馈")
    before = snapshot(ba)
    ba.feedback_on = _date(on, "feedback_on", "反馈日期")
    if ba.meeting_date and ba.feedback_on < ba.meeting_date:
        _fail("feedback_on", "反馈日期不能早于评定会议日期")
    ba.appraisees.update(final_grade=F("proposed_grade"))
    ba.phase = "done"
    ba.save(update_fields=["feedback_on", "phase"])
    record_change(ba, ChangeLog.Action.UPDATE, before=before, message="评议结果已反馈本人")
    return ba


# ── organisational handling ───────────────────────────────────────────────────────────
@transaction.atomic
def open_case(member: Member, *, kind: str, source: str, source_note: str, on=None, actor) -> HandlingCase:
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    if kind not in rules.CASE_KIND:
        _fail("kind", f"处置方式须为{'、'.join(k.label for k in rules.CASE_KINDS)}之一")
    if member.status not in ("normal", "mobile", "lost_contact", "suspended"):
        _fail("member", f"{member.name}已{member.get_status_display()}，不能立案处置")
    note = _text(source_note, "source_note", "案由", limit=300)
    opened = _date(on or _today(), "opened_on", "立案日期")
    if HandlingCase.objects.filter(member=member, status=HandlingCase.Status.OPEN).exists():
        _fail("member", f"{member.name}已有一件办理中的组织处置，一名党员同时只办理一件")
    try:
        with transaction.atomic():
            case = HandlingCase.objects.create(
                member=member,
                organisation=member.organisation,
                kind=kind,
                source=(source or "manual")[:40],
                source_note=note,
                opened_on=opened,
            )
    except IntegrityError as exc:
        raise ValidationError({"member": [f"{member.name}已有一件办理中的组织处置，一名党员同时只办理一件"]}) from exc
    record_change(case, ChangeLog.Action.CREATE, message=f"立案：{case.get_kind_display()}")
    return case


def _last_date(case: HandlingCase):
    return max(d for d in (case.opened_on, case.filed_on, case.talk_on, case.meeting_date, case.approved_on, case.decided_on) if d)


def _int(data, field, label) -> int:
    try:
        value = int(data.get(field))
    except (TypeError, ValueError):
        _fail(field, f"{label}须为非负整数")
    if value < 0:
        _fail(field, f"{label}须为非负整数")
    return value


@transaction.atomic
def take_step(case: HandlingCase, step: str, data: dict, *, actor) -> HandlingCase:
    """Record the case's next step (§5 order: 备案 → 谈话 → 支部大会表决 → 上级审批 → 决定
    [→ 限期改正期满考察]); a step out of order is refused."""
    case = HandlingCase.objects.select_for_update().select_related("organisation", "member").get(pk=case.pk)
    require_org_action(actor, case.organisation, "change")
    if case.status != HandlingCase.Status.OPEN:
        _fail("step", "该处置已结案")
    expected = case.next_step
    if step != expected:
        label = rules.STEP_LABELS.get(step, step)
        _fail("step", f"“{label}”不能现在办理：须先完成“{rules.STEP_LABELS[expected]}”（组织处置按备案、谈话、表决、审批、决定的顺序进行）")
    data = data or {}
    before = snapshot(case)
    field = {"filed": "filed_on", "talked": "talk_on", "voted": "meeting_date", "approved": "approved_on", "decided": "decided_on"}
    on = None
    if step in field:
        on = _date(data.get(field[step]), field[step], rules.STEP_LABELS[step] + "日期")
        if on < _last_date(case):
            _fail(field[step], f"{rules.STEP_LABELS[step]}日期不能早于上一环节（{_last_date(case):%Y-%m-%d}）")
    message = rules.STEP_LABELS[step]
    if step == "filed":
        case.filed_on = on
        parent = Organisation.objects.filter(path=case.organisation.path[: -Organisation.steplen]).first()
        case.filed_with = (data.get("filed_with") or (parent.name if parent else "")).strip()[:100]
        if not case.filed_with:
            _fail("filed_with", "请填写备案的基层党委")
    elif step == "talked":
        case.talk_on = on
        case.talk_notes = _text(data.get("talk_notes"), "talk_notes", "谈话情况")
    elif step == "voted":
        clean = {
            f: _int(data, f, lbl)
            for f, lbl in (
                ("should_attend", "应到人数"),
                ("present", "实到人数"),
                ("yes", "赞成票"),
                ("no", "反对票"),
                ("abstain", "弃权票"),
            )
        }
        quorum, passes = vote_outcome(clean["should_attend"], clean["present"], clean["yes"])
        if clean["should_attend"] > 0 and not quorum:
            _fail(
                "present",
                f"实到有表决权的党员须超过应到人数的半数方能表决（与发展党员票决同一规则）：应到{clean['should_attend']}人，"
                f"实到{clean['present']}人，至少须{clean['should_attend'] // 2 + 1}人",
            )
        validate_vote({**clean, "written_opinions": 0, "passed": passes})
        case.meeting_date = on
        for f, v in clean.items():
            setattr(case, f, v)
        case.defence = (data.get("defence") or "").strip()[:3000]
        if not passes:
            case.status, case.closed_on, case.outcome = HandlingCase.Status.CLOSED, on, ""
            message = f"支部大会表决未通过（赞成{clean['yes']}票，须超过应到{clean['should_attend']}人的半数），结案"
    elif step == "approved":
        require_org_action(actor, case.organisation, "approve")
        case.approved_on = on
        case.approved_by = getattr(actor, "username", "") or str(actor)
        case.approval_note = (data.get("approval_note") or "").strip()[:300]
    elif step == "decided":
        if not case.approved_on:
            _fail("step", "未经上级党组织批准，不能作出处置决定")
        case.decided_on = on
        case.letter_no = _text(data.get("letter_no"), "letter_no", "决定文号", limit=60)
        rule = case.kind_rule
        if case.kind == rules.CORRECTION:
            deadline = data.get("deadline") or rules.add_months(on, rules.CORRECTION_DEFAULT_MONTHS)
            deadline = _plain_date(deadline, "deadline", "改正期限")
            latest = rules.add_months(on, rules.CORRECTION_MAX_MONTHS)
            if deadline <= on:
                _fail("deadline", "改正期限须晚于决定日期")
            if deadline > latest:
                _fail(
                    "deadline",
                    f"限期改正期限一般为{rules.CORRECTION_DEFAULT_MONTHS}个月，最长不超过{rules.CORRECTION_MAX_MONTHS}个月"
                    f"（不得晚于{latest:%Y-%m-%d}）",
                )
            case.deadline = deadline
        else:
            member_services.change_status(
                case.member,
                rule.ends_membership,
                date=on,
                reason=f"组织处置：{rule.label}（{case.letter_no}）",
                actor=actor,
                engine="appraisal",
            )
            case.rejoin_blocked_until = rules.add_months(on, 12 * rules.REJOIN_BLOCK_YEARS)
            case.id_number_hash = case.member.id_number_hash
            case.status, case.closed_on, case.outcome = HandlingCase.Status.CLOSED, on, ""
            message = f"作出{rule.label}决定（{case.letter_no}），党籍状态已变更；{case.rejoin_blocked_until:%Y-%m-%d}前不得重新入党"
    elif step == "concluded":
        on = _date(data.get("closed_on"), "closed_on", "考察日期")
        if on < case.deadline:
            _fail("closed_on", f"期满考察须在改正期限（{case.deadline:%Y-%m-%d}）届满后进行")
        outcome = data.get("outcome")
        if outcome not in dict(rules.OUTCOMES):
            _fail("outcome", "请选择考察结果：已改正，或逾期未改正")
        case.outcome, case.status, case.closed_on = outcome, HandlingCase.Status.CLOSED, on
        message = f"期满考察：{dict(rules.OUTCOMES)[outcome]}"
    case.step = step
    case.save()
    record_change(case, ChangeLog.Action.UPDATE, before=before, message=message)
    if step == "concluded" and case.outcome == "not_corrected":
        open_case(
            case.member,
            kind=rules.ADVISED,
            source="correction_overdue",
            source_note=f"限期改正（{case.letter_no}）期满仍未改正",
            on=on,
            actor=actor,
        )
    return case


def rejoin_block(id_number_hash: str, on: datetime.date | None = None) -> HandlingCase | None:
    """The case that bars this person from rejoining on that date (5 years after 劝退/除名)."""
    on = on or _today()
    if not id_number_hash:
        return None
    return HandlingCase.objects.filter(id_number_hash=id_number_hash, rejoin_blocked_until__gt=on).order_by("-rejoin_blocked_until").first()


@transaction.atomic
def suspend_lost_contact(member: Member, *, on, actor) -> Member:
    """失联满6个月 → 停止党籍 (党员教育管理工作条例 第24条), through the member service."""
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    on = _date(on, "date", "停止党籍日期")
    if member.status != "lost_contact":
        _fail("status", f"{member.name}不是失联党员，不能停止党籍")
    due = rules.add_months(member.status_since, rules.LOST_CONTACT_SUSPEND_MONTHS)
    if on < due:
        _fail("date", f"失联满{rules.LOST_CONTACT_SUSPEND_MONTHS}个月方可停止党籍（{due:%Y-%m-%d}起）")
    return member_services.change_status(member, "suspended", date=on, reason="失联满6个月，停止党籍", actor=actor, engine="appraisal")


# ── 设岗定责: posts, the members on them, 评岗 ─────────────────────────────────────────────
POST_UNIQUE = {"appraisal_post_title_unique": ("title", "本支部已有同名的在用岗位，请换一个名称")}
ASSIGNMENT_UNIQUE = {"appraisal_post_member_once": ("member", "该党员已在这个岗位上")}
REVIEW_UNIQUE = {"appraisal_post_review_once_per_period": ("half", "该党员这一期间的评岗已经登记，每期评岗一次")}


def _who(actor) -> str:
    return getattr(actor, "username", "") or str(actor)


@transaction.atomic
def create_post(org: Organisation, data: dict, *, actor) -> MemberPost:
    """Set up a post in a branch (设岗定责), or register a 党员示范岗 / 党员责任区 / 党员中心户."""
    require_org_action(actor, org, "change")
    if org.org_type not in BRANCH_TYPES or org.status != Organisation.Status.ACTIVE:
        _fail("organisation", "党员岗位设在正常运转的党支部（设岗定责以支部为单位）")
    kind = rules.POST_KIND.get(data.get("kind") or "")
    if kind is None:
        _fail("kind", f"类别须为{'、'.join(k.label for k in rules.POST_KINDS)}之一")
    post_type = data.get("post_type") or ""
    if kind.needs_type and post_type not in rules.POST_TYPE_LABELS:
        _fail("post_type", f"设岗定责须选择岗位类型（{'、'.join(rules.POST_TYPE_LABELS.values())}）")
    if not kind.needs_type:
        post_type = ""
    title = (data.get("title") or "").strip() or rules.POST_TYPE_LABELS.get(post_type, "")
    if not title:
        _fail("title", f"请填写{kind.label}的名称")
    if len(title) > 60:
        _fail("title", "名称不能超过60字")
    duties = _text(data.get("duties"), "duties", "岗位职责", limit=2000)
    coverage = (data.get("coverage") or "").strip()
    if kind.needs_coverage and not coverage:
        _fail("coverage", f"{kind.label}须写明覆盖的区域或联系的农户")
    if len(coverage) > 200:
        _fail("coverage", "覆盖区域或联系农户不能超过200字")
    households = None
    if kind.needs_households:
        try:
            households = int(data.get("households"))
        except (TypeError, ValueError):
            _fail("households", "请填写党员中心户联系的户数")
        if not rules.HOUSEHOLDS_MIN <= households <= rules.HOUSEHOLDS_MAX:
            _fail("households", f"党员中心户联系户数须在{rules.HOUSEHOLDS_MIN}至{rules.HOUSEHOLDS_MAX}户之间（一般联系10户左右）")
    on = _date(data.get("set_up_on") or _today(), "set_up_on", "设立日期")
    with unique_messages(MemberPost, POST_UNIQUE):
        post = MemberPost.objects.create(
            organisation=org,
            kind=kind.code,
            post_type=post_type,
            title=title,
            duties=duties,
            coverage=coverage,
            households=households,
            set_up_on=on,
            created_by=_who(actor),
        )
    record_change(post, ChangeLog.Action.CREATE, message=f"设立{kind.label}：{title}")
    return post


@transaction.atomic
def end_post(post: MemberPost, *, on, actor) -> MemberPost:
    """Close a post; the members on it leave it the same day."""
    post = MemberPost.objects.select_for_update().select_related("organisation").get(pk=post.pk)
    require_org_action(actor, post.organisation, "change")
    if post.ended_on:
        _fail("ended_on", f"该岗位已于{post.ended_on:%Y-%m-%d}撤销")
    on = _date(on, "ended_on", "撤销日期")
    if on < post.set_up_on:
        _fail("ended_on", f"撤销日期不能早于设立日期（{post.set_up_on:%Y-%m-%d}）")
    before = snapshot(post)
    post.ended_on = on
    post.save(update_fields=["ended_on"])
    post.assignments.filter(end_on__isnull=True).update(end_on=on)
    record_change(post, ChangeLog.Action.UPDATE, before=before, message="撤销岗位")
    return post


@transaction.atomic
def assign_member(post: MemberPost, member: Member, *, duties, start_on=None, actor) -> PostAssignment:
    """定岗定责: a member of the branch takes a post with the duties named."""
    post = MemberPost.objects.select_for_update().select_related("organisation").get(pk=post.pk)
    require_org_action(actor, post.organisation, "change")
    if post.ended_on:
        _fail("post", f"该岗位已于{post.ended_on:%Y-%m-%d}撤销，不能再安排党员")
    member = Member.objects.get(pk=member.pk)
    if member.organisation_id != post.organisation_id:
        _fail("member", f"{member.name}不是{post.organisation.name}的党员：岗位由本支部党员承担")
    if member.status not in rules.POST_HOLDER_STATUSES:
        _fail("member", f"{member.name}目前{member.get_status_display()}，不能上岗（在岗党员须党籍状态正常或流动）")
    duties = _text(duties, "duties", "承担职责", limit=300)
    start = _date(start_on or _today(), "start_on", "上岗日期")
    if start < post.set_up_on:
        _fail("start_on", f"上岗日期不能早于岗位设立日期（{post.set_up_on:%Y-%m-%d}）")
    holders = post.assignments.filter(end_on__isnull=True)
    rule = post.kind_rule
    if rule.max_holders is not None and holders.exclude(member=member).count() >= rule.max_holders:
        _fail("member", f"一个{rule.label}同时由{rule.max_holders}名党员承担，请先办理原承担党员离岗")
    if holders.filter(member=member).exists():
        _fail("member", f"{member.name}已在这个岗位上")
    held = PostAssignment.objects.filter(member=member, end_on__isnull=True).count()
    if held >= rules.MAX_POSTS_PER_MEMBER:
        _fail("member", f"{member.name}已承担{held}个岗位，每名党员同时至多{rules.MAX_POSTS_PER_MEMBER}个（责任明确，不搞挂名）")
    with unique_messages(PostAssignment, ASSIGNMENT_UNIQUE):
        a = PostAssignment.objects.create(post=post, member=member, organisation=post.organisation, duties=duties, start_on=start)
    record_change(a, ChangeLog.Action.CREATE, message=f"{member.name}上岗：{post.title}")
    return a


@transaction.atomic
def end_assignment(assignment: PostAssignment, *, on, actor) -> PostAssignment:
    a = PostAssignment.objects.select_for_update().select_related("organisation", "member").get(pk=assignment.pk)
    require_org_action(actor, a.organisation, "change")
    if a.end_on:
        _fail("end_on", f"{a.member.name}已于{a.end_on:%Y-%m-%d}离岗")
    on = _date(on, "end_on", "离岗日期")
    if on < a.start_on:
        _fail("end_on", f"离岗日期不能早于上岗日期（{a.start_on:%Y-%m-%d}）")
    before = snapshot(a)
    a.end_on = on
    a.save(update_fields=["end_on"])
    record_change(a, ChangeLog.Action.UPDATE, before=before, message="离岗")
    return a


@transaction.atomic
def review_post(assignment: PostAssignment, data: dict, *, actor) -> PostReview:
    """评岗: the branch grades how the member fulfilled the post in a half-year."""
    a = PostAssignment.objects.select_related("organisation", "member", "post").get(pk=assignment.pk)
    require_org_action(actor, a.organisation, "change")
    try:
        year, half = int(data.get("year")), int(data.get("half"))
    except (TypeError, ValueError):
        _fail("year", "请填写评岗的年度和期间（上半年/下半年）")
    if half not in dict(rules.REVIEW_PERIODS):
        _fail("half", "评岗期间须为上半年或下半年")
    if not 2000 <= year <= _today().year:
        _fail("year", f"评岗年度须在2000至{_today().year}之间")
    grade = data.get("grade")
    if grade not in rules.POST_GRADE_LABELS:
        _fail("grade", f"评岗等次须为{'、'.join(rules.POST_GRADE_LABELS.values())}之一")
    fulfilment = _text(data.get("fulfilment"), "fulfilment", "履职情况", limit=2000)
    on = _date(data.get("reviewed_on") or _today(), "reviewed_on", "评岗日期")
    start = rules.review_period_start(year, half)
    if on < start:
        _fail("reviewed_on", f"{year}年{dict(rules.REVIEW_PERIODS)[half]}的评岗日期不能早于{start:%Y-%m-%d}")
    if a.start_on > rules.review_period_end(year, half):
        _fail("half", f"{a.member.name}于{a.start_on:%Y-%m-%d}上岗，这一期间尚未在岗")
    if a.end_on and a.end_on < start:
        _fail("half", f"{a.member.name}已于{a.end_on:%Y-%m-%d}离岗，这一期间不在岗")
    with unique_messages(PostReview, REVIEW_UNIQUE):
        review = PostReview.objects.create(
            assignment=a,
            organisation=a.organisation,
            year=year,
            half=half,
            grade=grade,
            fulfilment=fulfilment,
            reviewed_on=on,
            reviewed_by=_who(actor),
        )
    record_change(review, ChangeLog.Action.CREATE, message=f"评岗：{a.member.name} {review.get_grade_display()}")
    return review


# ── 监督管理: 重大事项报告, 谈心谈话, 听取群众意见 ─────────────────────────────────────────────
CONTENT_LABELS = {"major_report": "报告的事项", "heart_to_heart_talk": "谈话主题和内容", "public_opinion": "群众意见"}


@transaction.atomic
def record_supervision(member: Member, data: dict, *, actor) -> SupervisionRecord:
    """Record a 重大事项报告 by the member, a 谈心谈话 with them, or an opinion of the masses
    about them (rules.SUPERVISION_KINDS). A talk is closed when recorded; a report is
    closed with the branch's answer, an opinion once verified (conclude_supervision)."""
    member = Member.objects.select_related("organisation").get(pk=member.pk)
    require_org_action(actor, member.organisation, "change")
    kind = rules.SUPERVISION_KIND.get(data.get("kind") or "")
    if kind is None:
        _fail("kind", f"类别须为{'、'.join(k.label for k in rules.SUPERVISION_KINDS)}之一")
    if member.status not in ("normal", "mobile", "lost_contact", "suspended"):
        _fail("member", f"{member.name}已{member.get_status_display()}，不再登记监督管理记录")
    on = _date(data.get("on"), "on", "日期")
    matter = data.get("matter") or ""
    if kind.matters and matter not in dict(kind.matters):
        _fail("matter", f"请选择{kind.matter_label}：{'、'.join(label for _c, label in kind.matters)}")
    if not kind.matters:
        matter = ""
    content = _text(data.get("content"), "content", CONTENT_LABELS[kind.code], limit=3000)
    counterpart = data.get("counterpart") if kind.needs_counterpart else None
    if kind.needs_counterpart:
        if counterpart is None:
            _fail("counterpart", "谈心谈话须登记谈话双方：请选择谈话人")
        counterpart = Member.objects.select_related("organisation").get(pk=counterpart.pk)
        if counterpart.pk == member.pk:
            _fail("counterpart", "谈话人与谈话对象不能是同一名党员")
        if not can_act_on_org(actor, counterpart.organisation, "view"):
            _fail("counterpart", "谈话人须是您管理范围内的党员")
    record = SupervisionRecord.objects.create(
        organisation=member.organisation,
        kind=kind.code,
        member=member,
        counterpart=counterpart,
        on=on,
        matter=matter,
        content=content,
        follow_up=(data.get("follow_up") or "").strip()[:2000],
        status=SupervisionRecord.Status.CLOSED if kind.closes_on_record else SupervisionRecord.Status.OPEN,
        closed_on=on if kind.closes_on_record else None,
        recorded_by=_who(actor),
    )
    record_change(record, ChangeLog.Action.CREATE, message=f"登记{kind.label}：{member.name}")
    return record


@transaction.atomic
def conclude_supervision(record: SupervisionRecord, data: dict, *, actor) -> SupervisionRecord:
    """Close a report with the branch's answer, or an opinion with its verification (属实 /
    部分属实 need the handling written down)."""
    r = SupervisionRecord.objects.select_for_update().select_related("organisation", "member").get(pk=record.pk)
    require_org_action(actor, r.organisation, "change")
    if r.status != SupervisionRecord.Status.OPEN:
        _fail("status", f"该记录已于{r.closed_on:%Y-%m-%d}办结")
    kind = r.kind_rule
    before = snapshot(r)
    follow_up = (data.get("follow_up") or "").strip()
    if kind.needs_verification:
        verification = data.get("verification")
        if verification not in rules.VERIFICATION_LABELS:
            _fail("verification", "群众意见须核实后办结：请选择核实结果（属实、部分属实、不属实）")
        if verification in rules.VERIFIED_NEEDS_OUTCOME and not follow_up:
            _fail(
                "follow_up",
                f"群众意见核实为“{rules.VERIFICATION_LABELS[verification]}”的，须写明处理结果（谈话提醒、批评教育、组织处置等）",
            )
        r.verification = verification
    elif not follow_up:
        _fail("follow_up", "请填写党组织对所报告事项的答复或处理意见")
    if len(follow_up) > 2000:
        _fail("follow_up", "处理情况不能超过2000字")
    on = _date(data.get("closed_on") or _today(), "closed_on", "办结日期")
    if on < r.on:
        _fail("closed_on", f"办结日期不能早于登记的日期（{r.on:%Y-%m-%d}）")
    r.follow_up = follow_up
    r.status, r.closed_on = SupervisionRecord.Status.CLOSED, on
    r.save(update_fields=["verification", "follow_up", "status", "closed_on"])
    record_change(r, ChangeLog.Action.UPDATE, before=before, message=f"{kind.label}办结")
    return r


# ── 目标管理 ──────────────────────────────────────────────────────────────────────────────
GOAL_UNIQUE = {"appraisal_goal_sheet_once_per_year": ("year", "该党员这一年度的目标已经制定")}


def _own_or_change(actor, member: Member) -> None:
    """A member acts on their own sheet; anyone else needs the change action on the branch."""
    if getattr(actor, "member_id", None) != member.pk:
        require_org_action(actor, member.organisation, "change")


@transaction.atomic
def set_goals(member: Member, *, year, own_goals="", actor) -> GoalSheet:
    """目标管理: the member's goals for a year, from the rules of their categories (copied,
    so a later change of the rules leaves this sheet as set) plus their own."""
    member = Member.objects.select_related("organisation").prefetch_related("categories").get(pk=member.pk)
    _own_or_change(actor, member)
    if member.status not in rules.APPRAISED_STATUSES:
        _fail("member", f"{member.name}目前{member.get_status_display()}，不制定年度目标")
    try:
        year = int(year)
    except (TypeError, ValueError):
        _fail("year", "请填写年度")
    this = _today().year
    if not this - 1 <= year <= this + 1:
        _fail("year", f"年度目标只能为{this - 1}至{this + 1}年制定")
    own = (own_goals or "").strip()
    if len(own) > 1000:
        _fail("own_goals", "本人补充目标不能超过1000字")
    goals = rules.goals_for(sorted(c.code for c in member.categories.all()))
    with unique_messages(GoalSheet, GOAL_UNIQUE):
        sheet = GoalSheet.objects.create(
            member=member, organisation=member.organisation, year=year, goals=goals, own_goals=own, created_by=_who(actor)
        )
    record_change(sheet, ChangeLog.Action.CREATE, message=f"制定{year}年度目标")
    return sheet


@transaction.atomic
def check_goals(sheet: GoalSheet, *, text, grade, actor) -> GoalSheet:
    """The year-end self-check (from December of the goal year): what was done, and how far."""
    s = GoalSheet.objects.select_for_update().select_related("member", "organisation").get(pk=sheet.pk)
    _own_or_change(actor, s.member)
    start = datetime.date(s.year, rules.GOAL_SELF_CHECK_FROM_MONTH, 1)
    if _today() < start:
        _fail("self_check", f"年终自查自{start:%Y-%m-%d}起进行")
    if grade not in rules.GOAL_CHECK_LABELS:
        _fail("check_grade", f"完成情况须为{'、'.join(rules.GOAL_CHECK_LABELS.values())}之一")
    before = snapshot(s)
    s.self_check = _text(text, "self_check", "年终自查", limit=3000)
    s.check_grade, s.checked_on = grade, _today()
    s.save(update_fields=["self_check", "check_grade", "checked_on"])
    record_change(s, ChangeLog.Action.UPDATE, before=before, message=f"年终自查：{s.get_check_grade_display()}")
    return s


# ── 三培养: the talent pool ──────────────────────────────────────────────────────────────
TALENT_UNIQUE = {
    "appraisal_talent_open_once_per_track": ("member", "该党员已在此培养方向的人才库中（培养中），同一方向只能有一条在培养记录")
}


def _talent_track(code) -> rules.TalentTrack:
    track = rules.TALENT_TRACK.get(code or "")
    if track is None:
        _fail("track", f"培养方向须为{'、'.join(t.label for t in rules.TALENT_TRACKS)}之一")
    return track


def _mentor(mentor, actor, *, person: Member | None, exclude_entry=None) -> Member:
    if mentor is None:
        _fail("mentor", "请选择培养联系人（导师）")
    mentor = Member.objects.select_related("organisation").get(pk=mentor.pk)
    if person is not None and mentor.pk == person.pk:
        _fail("mentor", "培养联系人不能是培养对象本人")
    if mentor.status != "normal" or mentor.member_type != "full":
        _fail(
            "mentor",
            f"培养联系人须为党籍正常的正式党员：{mentor.name}当前为{mentor.get_status_display()}、{mentor.get_member_type_display()}",
        )
    if not can_act_on_org(actor, mentor.organisation, "view"):
        _fail("mentor", "培养联系人须是您管理范围内的党员")
    load = TalentEntry.objects.filter(mentor=mentor, status=TalentEntry.Status.OPEN)
    if exclude_entry is not None:
        load = load.exclude(pk=exclude_entry.pk)
    if load.count() >= rules.TALENT_MENTOR_MAX:
        _fail("mentor", f"一名培养联系人同时联系培养不超过{rules.TALENT_MENTOR_MAX}人：{mentor.name}已联系{rules.TALENT_MENTOR_MAX}人")
    return mentor


@transaction.atomic
def add_talent(data: dict, *, actor) -> TalentEntry:
    """Put a person in a branch's 三培养 talent pool: a member (把党员培养成骨干、把党员骨干
    培养成村干部; the branch is theirs) or a non-member backbone (把骨干培养成党员; the chosen
    branch), with a mentor and the first stage of the track."""
    track = _talent_track(data.get("track"))
    member = data.get("member")
    if track.needs_member:
        if member is None:
            _fail("member", f"“{track.label}”的培养对象须为党员：请选择党员")
        member = Member.objects.select_related("organisation").get(pk=member.pk)
        org = member.organisation
        if member.status not in rules.TALENT_MEMBER_STATUSES:
            _fail("member", f"{member.name}当前党籍状态为{member.get_status_display()}，不能列入人才库")
        if track.cadre and member.member_type != "full":
            _fail("member", f"“{track.label}”的培养对象须为正式党员：{member.name}为预备党员")
        name = member.name
    else:
        if member is not None:
            _fail("member", f"“{track.label}”的培养对象是尚未入党的骨干：请填写姓名，不选择党员")
        org = data.get("organisation")
        if org is None:
            _fail("organisation", "请选择负责培养的党支部")
        name = _text(data.get("name"), "name", "姓名", limit=40)
    require_org_action(actor, org, "change")
    if org.org_type not in BRANCH_TYPES or org.status != Organisation.Status.ACTIVE:
        _fail("organisation", "人才库按党支部建立：请选择在册的党支部")
    start_on = _date(data.get("start_on"), "start_on", "列入日期")
    if member is not None and member.join_date and start_on < member.join_date and track.needs_member:
        _fail("start_on", f"列入日期不能早于{member.name}的入党日期 {member.join_date:%Y-%m-%d}")
    if member is not None and TalentEntry.objects.filter(member=member, track=track.code, status=TalentEntry.Status.OPEN).exists():
        _fail("member", TALENT_UNIQUE["appraisal_talent_open_once_per_track"][1])
    mentor = _mentor(data.get("mentor"), actor, person=member)
    first = track.stages[0][0]
    with unique_messages(TalentEntry, TALENT_UNIQUE):
        entry = TalentEntry.objects.create(
            organisation=org,
            track=track.code,
            member=member,
            name=name,
            phone=(data.get("phone") or "").strip()[:20],
            strengths=(data.get("strengths") or "").strip()[:100],
            stage=first,
            mentor=mentor,
            start_on=start_on,
            plan=(data.get("plan") or "").strip()[:2000],
            created_by=_who(actor),
        )
    TalentStageChange.objects.create(entry=entry, on=start_on, before="", after=first, note="列入人才库", changed_by=_who(actor))
    record_change(entry, ChangeLog.Action.CREATE, message=f"列入三培养人才库（{track.label}）：{name}")
    return entry


def _open_entry(entry: TalentEntry, actor) -> TalentEntry:
    e = TalentEntry.objects.select_for_update(of=("self",)).select_related("organisation", "member", "mentor").get(pk=entry.pk)
    require_org_action(actor, e.organisation, "change")
    if e.status != TalentEntry.Status.OPEN:
        _fail("status", f"该培养记录已于{e.closed_on:%Y-%m-%d}结束（{e.outcome_label}），不能再修改")
    return e


@transaction.atomic
def update_talent(entry: TalentEntry, data: dict, *, actor) -> TalentEntry:
    """Edit an open entry: the mentor, strengths, phone, the plan (the stage only through
    change_talent_stage, which keeps its history)."""
    e = _open_entry(entry, actor)
    before = snapshot(e)
    if "stage" in data and data["stage"] != e.stage:
        _fail("stage", "培养阶段请通过“调整培养阶段”变更，以保留变更记录")
    if "mentor" in data:
        e.mentor = _mentor(data["mentor"], actor, person=e.member, exclude_entry=e)
    if not e.member_id and "name" in data:
        e.name = _text(data.get("name"), "name", "姓名", limit=40)
    for field, limit in (("phone", 20), ("strengths", 100), ("plan", 2000)):
        if field in data:
            setattr(e, field, (data.get(field) or "").strip()[:limit])
    e.save()
    record_change(e, ChangeLog.Action.UPDATE, before=before, message=f"修改三培养人才库记录：{e.name}")
    return e


def _last_change_on(e: TalentEntry) -> datetime.date:
    last = e.stage_changes.order_by("-on", "-id").values_list("on", flat=True).first()
    return max(last or e.start_on, e.start_on)


@transaction.atomic
def change_talent_stage(entry: TalentEntry, stage: str, *, on, note: str = "", actor) -> TalentEntry:
    """Move an open entry to another stage of its track (forward or back), kept in
    TalentStageChange with who, when, before and after."""
    e = _open_entry(entry, actor)
    stages = dict(e.track_rule.stages)
    if stage not in stages:
        _fail("stage", f"“{e.track_rule.label}”的培养阶段为{'、'.join(stages.values())}")
    if stage == e.stage:
        _fail("stage", f"已处于“{stages[stage]}”阶段")
    on = _date(on, "on", "变更日期")
    last = _last_change_on(e)
    if on < last:
        _fail("on", f"变更日期不能早于上次变更（或列入）日期 {last:%Y-%m-%d}")
    before = snapshot(e)
    TalentStageChange.objects.create(entry=e, on=on, before=e.stage, after=stage, note=(note or "").strip()[:300], changed_by=_who(actor))
    old = e.stage
    e.stage = stage
    e.save(update_fields=["stage"])
    record_change(e, ChangeLog.Action.UPDATE, before=before, message=f"培养阶段：{stages[old]} → {stages[stage]}")
    return e


@transaction.atomic
def close_talent(entry: TalentEntry, outcome: str, *, on, note: str = "", actor) -> TalentEntry:
    """End an entry with its outcome (培养成功 in the track's words, 终止培养 with the reason,
    调离或迁出)."""
    e = _open_entry(entry, actor)
    if outcome not in rules.TALENT_OUTCOME_LABELS:
        _fail("outcome", f"培养结果须为{'、'.join(label for _c, label in rules.TALENT_OUTCOMES)}之一")
    on = _date(on, "on", "结束日期")
    last = _last_change_on(e)
    if on < last:
        _fail("on", f"结束日期不能早于上次变更（或列入）日期 {last:%Y-%m-%d}")
    note = (note or "").strip()
    if outcome in rules.TALENT_OUTCOME_NEEDS_NOTE and not note:
        _fail("note", f"{rules.TALENT_OUTCOME_LABELS[outcome]}须写明原因")
    before = snapshot(e)
    e.status = TalentEntry.Status.CLOSED
    e.outcome = outcome
    e.outcome_note = note[:300]
    e.closed_on = on
    e.save(update_fields=["status", "outcome", "outcome_note", "closed_on"])
    record_change(e, ChangeLog.Action.UPDATE, before=before, message=f"结束培养：{e.outcome_label}")
    return e
