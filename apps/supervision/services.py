"""Every write of leadership and standardisation. Each takes the acting user as the
required keyword `actor`, checks scope through apps.core.scoping, validates against
rules.py, answers bad input with a Chinese ValidationError naming the field and the rule,
and writes nothing then (transaction.atomic). Every change goes to the change history."""

import datetime
import random
import secrets
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import RoleAssignment
from apps.core import registry
from apps.core.audit import record_change, snapshot
from apps.core.models import ChangeLog
from apps.core.scoping import require_org_action
from apps.orgs.models import Organisation
from apps.orgs.rules import GRASSROOTS_TYPES

from . import rules
from .models import (
    CadreTraining,
    ChecklistItem,
    ChecklistVersion,
    ContactAssignment,
    ContactVisit,
    Inspection,
    InstructorPost,
    InstructorReport,
    ItemScore,
    ModelPoint,
    ModelPointProgress,
    MonthlyReport,
    Rectification,
    SpotCheckRound,
)
from .periods import month_end, period_label, period_range

TWO = Decimal("0.01")


def _name(actor) -> str:
    return str(getattr(actor, "display_name", "") or getattr(actor, "username", "") or actor)[:150]


def _q2(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


# ── contact duties (挂钩联系) ───────────────────────────────────────────────────────────
@transaction.atomic
def assign_contact(data: dict, *, actor) -> ContactAssignment:
    """A leader takes a contact point for a year. The higher committee assigns it
    (approve on the contacted organisation); the pattern (rules.CONTACT_KINDS) says which
    leaders hold which kind, of which organisations, how many."""
    org = data.get("organisation")
    if org is None:
        raise ValidationError({"organisation": ["请选择联系的党组织"]})
    require_org_action(actor, org, "approve")
    kind = rules.CONTACT_KIND_BY_CODE.get(data.get("kind") or "")
    if kind is None:
        raise ValidationError({"kind": ["联系类型不在挂钩联系规则之列"]})
    leader = data.get("leader")
    if leader is None:
        raise ValidationError({"leader": ["请选择联系领导"]})
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": ["年度须在 2000 至 2100 之间"]})
    roles = set(RoleAssignment.objects.current().filter(user=leader).values_list("role", flat=True))
    if not roles & kind.roles:
        allowed = "、".join(sorted(_role_label(r) for r in kind.roles))
        raise ValidationError({"leader": [f"“{kind.label}”只能由{allowed}担任，{leader}没有这些角色"]})
    if org.status != Organisation.Status.ACTIVE:
        raise ValidationError({"organisation": [f"“{org}”已撤销，不能作为联系点"]})
    if kind.org_types and org.org_type not in kind.org_types:
        raise ValidationError(
            {
                "organisation": [
                    f"“{kind.label}”的联系对象须为{_labels(kind.org_types, Organisation.OrgType)}，“{org}”是{org.get_org_type_display()}"
                ]
            }
        )
    if kind.unit_types and org.unit_type not in kind.unit_types:
        raise ValidationError(
            {
                "organisation": [
                    f"“{kind.label}”的联系对象须为{_labels(kind.unit_types, Organisation.UnitType)}单位的党组织，“{org}”是{org.get_unit_type_display()}"
                ]
            }
        )
    if kind.per_leader:
        held = ContactAssignment.objects.filter(leader=leader, kind=kind.code, year=year, ended_on__isnull=True).count()
        if held >= kind.per_leader:
            raise ValidationError({"kind": [f"每位领导每年“{kind.label}”至多{kind.per_leader}个，{leader}{year}年已有{held}个"]})
    duplicate = ValidationError({"organisation": [f"{leader}{year}年已联系“{org}”，不能重复登记"]})
    if ContactAssignment.objects.filter(leader=leader, organisation=org, year=year, ended_on__isnull=True).exists():
        raise duplicate
    try:
        with transaction.atomic():
            assignment = ContactAssignment.objects.create(
                leader=leader, kind=kind.code, organisation=org, year=year, note=(data.get("note") or "")[:200]
            )
    except IntegrityError:
        raise duplicate from None
    record_change(assignment, ChangeLog.Action.CREATE)
    return assignment


def _role_label(code: str) -> str:
    from apps.accounts.roles import ROLE_BY_CODE

    return ROLE_BY_CODE[code].label


def _labels(codes, choices) -> str:
    names = dict(choices.choices)
    return "/".join(str(names.get(c, c)) for c in sorted(codes))


@transaction.atomic
def end_contact(assignment: ContactAssignment, *, date: datetime.date, actor) -> ContactAssignment:
    require_org_action(actor, assignment.organisation, "approve")
    if assignment.ended_on:
        raise ValidationError({"date": ["该联系已结束"]})
    if date is None or date > timezone.localdate():
        raise ValidationError({"date": ["结束日期不能晚于今天"]})
    before = snapshot(assignment)
    assignment.ended_on = date
    assignment.save(update_fields=["ended_on"])
    record_change(assignment, ChangeLog.Action.UPDATE, before=before, message="结束挂钩联系")
    return assignment


@transaction.atomic
def record_visit(assignment: ContactAssignment, data: dict, *, actor) -> ContactVisit:
    """A visit or guidance at a contact point, recorded by the organisation visited (or
    above): a leader's own account is read-only."""
    require_org_action(actor, assignment.organisation, "change")
    errors = {}
    date = data.get("date")
    today = timezone.localdate()
    if not isinstance(date, datetime.date):
        errors["date"] = ["请填写日期"]
    elif date > today:
        errors["date"] = ["日期不能晚于今天"]
    elif date.year != assignment.year:
        errors["date"] = [f"该联系是{assignment.year}年度的，日期须在{assignment.year}年内"]
    elif assignment.ended_on and date > assignment.ended_on:
        errors["date"] = [f"该联系已于{assignment.ended_on:%Y-%m-%d}结束"]
    kind = data.get("kind") or "visit"
    if kind not in dict(rules.VISIT_KINDS):
        errors["kind"] = ["形式须为走访调研、工作指导、讲党课或参加组织生活"]
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = ["请填写走访或指导的内容"]
    if errors:
        raise ValidationError(errors)
    visit = ContactVisit.objects.create(
        assignment=assignment,
        organisation=assignment.organisation,
        date=date,
        kind=kind,
        content=content[:2000],
        problems=(data.get("problems") or "").strip()[:2000],
        guidance=(data.get("guidance") or "").strip()[:2000],
        recorded_by=_name(actor),
    )
    record_change(visit, ChangeLog.Action.CREATE)
    return visit


# ── the 十规范 checklist ────────────────────────────────────────────────────────────────
def current_checklist() -> ChecklistVersion:
    version = ChecklistVersion.objects.order_by("-number").first()
    if version is None:  # the data migration seeds version 1; a bare test database too
        version = seed_default_checklist()
    return version


def seed_default_checklist(note: str = "默认十规范（domain-rules §12）") -> ChecklistVersion:
    version = ChecklistVersion.objects.create(number=1, note=note, created_by="系统")
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            version=version, area=d.area, code=d.code, title=d.title, evidence=d.evidence, max_score=d.max_score, metric=d.metric, order=i
        )
        for i, d in enumerate(rules.DEFAULT_CHECKLIST)
    )
    return version


def _require_configure(actor):
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None:
        raise ValidationError({"items": ["尚无组织树"]})
    require_org_action(actor, root, "configure")


@transaction.atomic
def save_checklist(items: list[dict], *, note: str = "", actor) -> ChecklistVersion:
    """A new version of the checklist (the old one stays, with the scores made by it)."""
    _require_configure(actor)
    errors: list[str] = []
    clean = []
    codes = set()
    metrics = {m.name for m in registry.org_metrics}
    for n, raw in enumerate(items, start=1):
        title = (raw.get("title") or "").strip()
        code = (raw.get("code") or "").strip()
        if not title and not code:
            continue  # an empty row of the form
        where = f"第{n}项"
        if not title:
            errors.append(f"{where}：请填写检查内容")
        if not code:
            errors.append(f"{where}：请填写编码")
        elif code in codes:
            errors.append(f"{where}：编码“{code}”重复")
        codes.add(code)
        try:
            area = int(raw.get("area"))
        except (TypeError, ValueError):
            area = 0
        if area not in rules.AREA_LABELS:
            errors.append(f"{where}：规范领域须为十个领域之一（1–10）")
        try:
            max_score = int(raw.get("max_score"))
        except (TypeError, ValueError):
            max_score = 0
        if not 1 <= max_score <= rules.MAX_ITEM_SCORE:
            errors.append(f"{where}：分值须为 1 至 {rules.MAX_ITEM_SCORE} 的整数")
        metric = (raw.get("metric") or "").strip()
        if metric and metric not in metrics:
            errors.append(f"{where}：数据指标“{metric}”没有登记")
        clean.append(
            dict(
                area=area,
                code=code,
                title=title[:200],
                evidence=(raw.get("evidence") or "").strip()[:200],
                max_score=max_score,
                metric=metric,
            )
        )
    if not clean:
        errors.append("检查表至少要有一项")
    if errors:
        raise ValidationError({"items": errors})
    current = current_checklist()
    old = [
        dict(area=i.area, code=i.code, title=i.title, evidence=i.evidence, max_score=i.max_score, metric=i.metric)
        for i in current.items.all()
    ]
    if old == clean:
        raise ValidationError({"items": ["检查表没有变化"]})
    try:
        with transaction.atomic():
            version = ChecklistVersion.objects.create(number=current.number + 1, note=(note or "修订检查表")[:200], created_by=_name(actor))
    except IntegrityError:
        raise ValidationError({"items": ["另一位管理员刚刚保存了新版本，请刷新后再改"]}) from None
    ChecklistItem.objects.bulk_create(ChecklistItem(version=version, order=i, **c) for i, c in enumerate(clean))
    record_change(version, ChangeLog.Action.CREATE, message=f"共{len(clean)}项，满分{sum(c['max_score'] for c in clean)}")
    return version


# ── inspections ───────────────────────────────────────────────────────────────────────
def computed_scores(version: ChecklistVersion, orgs, year: int, quarter: int | None) -> dict[tuple[int, int], tuple]:
    """{(org id, item id): (score|None, computed, reason)} for every item of the version:
    the items whose metric is registered from data (one measure call per metric for all
    the organisations), the others left to the inspector."""
    items = list(version.items.all())
    org_ids = [o.pk for o in orgs]
    measured = {}
    for name in {i.metric for i in items if i.metric}:
        if name in registry.org_metrics:
            measured[name] = registry.org_metrics.get(name).measure(org_ids, year, quarter)
    out = {}
    for org_id in org_ids:
        for item in items:
            if not item.metric:
                out[(org_id, item.pk)] = (None, False, "")
            elif item.metric not in measured:
                out[(org_id, item.pk)] = (None, False, f"数据指标“{item.metric}”未接入，由检查人评分")
            elif org_id not in measured[item.metric]:
                out[(org_id, item.pk)] = (None, False, "本期没有可计算的数据，由检查人评分")
            else:
                share, reason = measured[item.metric][org_id]
                share = min(max(Decimal(str(share)), Decimal(0)), Decimal(1))
                score = _q2(share * item.max_score)
                out[(org_id, item.pk)] = (score, True, f"{reason}（{share * 100:.0f}% × {item.max_score}分 = {score}分）"[:400])
    return out


def _new_inspections(orgs, *, kind, year, quarter, version, round=None, inspector="", scores=None) -> list[Inspection]:
    """scores: computed_scores(...) already measured for these organisations (the demo)."""
    items = list(version.items.all())
    max_total = sum(i.max_score for i in items)
    scores = scores if scores is not None else computed_scores(version, orgs, year, quarter)
    created = Inspection.objects.bulk_create(
        Inspection(
            organisation=o,
            org_path=o.path,
            kind=kind,
            year=year,
            quarter=quarter,
            version=version,
            round=round,
            max_total=max_total,
            inspector=inspector,
        )
        for o in orgs
    )
    ItemScore.objects.bulk_create(
        ItemScore(
            inspection=insp, item=item, **dict(zip(("score", "computed", "reason"), scores[(insp.organisation_id, item.pk)], strict=True))
        )
        for insp in created
        for item in items
    )
    totals: dict[int, Decimal] = {}
    for (org_id, _item), (score, _c, _r) in scores.items():
        if score is not None:
            totals[org_id] = totals.get(org_id, Decimal(0)) + score
    for insp in created:
        insp.total = totals.get(insp.organisation_id, Decimal(0))
    Inspection.objects.bulk_update(created, ["total"])
    return created


def _check_period(year: int, quarter: int | None, field: str = "quarter"):
    start, _end = period_range(year, quarter)
    if start > timezone.localdate():
        raise ValidationError({field: [f"{period_label(year, quarter)}尚未开始"]})


@transaction.atomic
def start_self_check(org: Organisation, year: int, quarter: int, *, actor) -> Inspection:
    """The organisation's quarterly self-check against the current checklist: data items
    scored at once, the rest filled in by the organisation."""
    require_org_action(actor, org, "change")
    if org.org_type not in GRASSROOTS_TYPES:
        raise ValidationError({"org": [f"季度自查由基层党组织进行，“{org}”是{org.get_org_type_display()}"]})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": ["季度须为 1 至 4"]})
    _check_period(year, quarter)
    duplicate = ValidationError({"quarter": [f"“{org}”{period_label(year, quarter)}的自查已经开始，请打开它继续填写"]})
    if Inspection.objects.filter(organisation=org, kind=Inspection.Kind.SELF_CHECK, year=year, quarter=quarter).exists():
        raise duplicate
    try:
        with transaction.atomic():
            (inspection,) = _new_inspections(
                [org], kind=Inspection.Kind.SELF_CHECK, year=year, quarter=quarter, version=current_checklist(), inspector=_name(actor)
            )
    except IntegrityError:
        raise duplicate from None
    record_change(inspection, ChangeLog.Action.CREATE)
    return inspection


def _inspection_action(inspection: Inspection) -> str:
    """A self-check is the organisation's own; spot checks and evaluations the higher committee's."""
    return "change" if inspection.kind == Inspection.Kind.SELF_CHECK else "approve"


@transaction.atomic
def save_scores(inspection: Inspection, scores: dict, *, note: str = "", submit: bool = False, actor) -> Inspection:
    """scores: {item id: {"score": text, "evidence": text}} for the items scored by hand.
    Items scored from data are not edited here. Submitting needs every item scored."""
    require_org_action(actor, inspection.organisation, _inspection_action(inspection))
    if inspection.kind == Inspection.Kind.YEAR_END:
        raise ValidationError({"scores": ["年终考评由自查和抽查得分计算，不能逐项评分"]})
    if inspection.status == Inspection.Status.SUBMITTED:
        raise ValidationError({"scores": ["该检查已提交，不能再修改"]})
    before = snapshot(inspection)
    rows = list(inspection.scores.select_related("item"))
    errors = []
    for row in rows:
        raw = scores.get(row.item_id) or scores.get(str(row.item_id)) or {}
        if row.computed:
            continue
        text = str(raw.get("score") or "").strip()
        row.evidence = str(raw.get("evidence") or "").strip()[:400]
        if text == "":
            row.score = None
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            errors.append(f"“{row.item.title}”的得分须为数字")
            continue
        if not value.is_finite() or not Decimal(0) <= value <= row.item.max_score:
            errors.append(f"“{row.item.title}”的得分须在 0 至 {row.item.max_score} 分之间")
            continue
        row.score = _q2(value)
    if submit:
        missing = [r.item.title for r in rows if r.score is None]
        if missing and not errors:
            errors.append("提交前每一项都要评分，尚未评分：" + "、".join(missing))
    if errors:
        raise ValidationError({"scores": errors})
    ItemScore.objects.bulk_update(rows, ["score", "evidence"])
    inspection.total = sum((r.score for r in rows if r.score is not None), Decimal(0))
    inspection.note = (note or "").strip()[:2000]
    fields = ["total", "note"]
    if submit:
        inspection.status = Inspection.Status.SUBMITTED
        inspection.submitted_at = timezone.now()
        inspection.inspector = _name(actor)
        fields += ["status", "submitted_at", "inspector"]
    inspection.save(update_fields=fields)
    record_change(inspection, ChangeLog.Action.UPDATE, before=before, message="提交" if submit else "保存评分")
    return inspection


def townships_of(org: Organisation) -> list[Organisation]:
    """The units a spot-check sample is drawn per: the committees one level below a county
    organisation, or the organisation itself when it is a township committee."""
    if org.org_type in ("committee", "general_branch") or org.depth > 1:
        return [org]
    children = list(
        Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1, status=Organisation.Status.ACTIVE)
        .exclude(org_type="party_group")
        .order_by("path")
    )
    return children or [org]


def draw_sample(org: Organisation, year: int, quarter: int, seed: str, per_township: int) -> list[Organisation]:
    """The sample: per township, `per_township` grassroots organisations drawn by a
    generator seeded with (seed, year, quarter, township code); the same seed and tree
    draw the same sample on any machine."""
    townships = townships_of(org)
    prefix = min(t.path for t in townships)[: org.depth * Organisation.steplen]
    candidates = list(
        Organisation.objects.filter(
            path__startswith=prefix, status=Organisation.Status.ACTIVE, org_type__in=rules.SPOT_CHECK_ORG_TYPES
        ).order_by("path")
    )
    sample = []
    for t in townships:
        pool = [c for c in candidates if c.path.startswith(t.path)]
        rng = random.Random(f"{seed}|{year}|{quarter}|{t.code}")
        sample.extend(sorted(rng.sample(pool, min(per_township, len(pool))), key=lambda o: o.path))
    return sample


@transaction.atomic
def start_spot_check(
    org: Organisation, year: int, quarter: int, *, seed: str = "", per_township: int | None = None, actor
) -> SpotCheckRound:
    """A township or the county draws its sample for the quarter and opens an
    inspection for each organisation drawn. The seed is recorded (a blank one is made up),
    so the draw can be repeated and checked."""
    require_org_action(actor, org, "approve")
    if org.org_type not in ("county_committee", "committee", "general_branch"):
        raise ValidationError({"org": [f"抽查由县委或乡镇党委组织，“{org}”是{org.get_org_type_display()}"]})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": ["季度须为 1 至 4"]})
    _check_period(year, quarter)
    n = rules.SPOT_CHECK_DEFAULT_PER_TOWNSHIP if per_township in (None, "") else per_township
    if not isinstance(n, int) or not 1 <= n <= rules.SPOT_CHECK_MAX_PER_TOWNSHIP:
        raise ValidationError({"per_township": [f"每个乡镇抽取数须为 1 至 {rules.SPOT_CHECK_MAX_PER_TOWNSHIP}"]})
    seed = (seed or "").strip()[:40] or secrets.token_hex(6)
    duplicate = ValidationError({"quarter": [f"“{org}”{period_label(year, quarter)}已经抽查过一轮"]})
    if SpotCheckRound.objects.filter(organisation=org, year=year, quarter=quarter).exists():
        raise duplicate
    sample = draw_sample(org, year, quarter, seed, n)
    if not sample:
        raise ValidationError({"org": [f"“{org}”下没有可抽查的基层党组织"]})
    try:
        with transaction.atomic():
            rnd = SpotCheckRound.objects.create(
                organisation=org,
                year=year,
                quarter=quarter,
                seed=seed,
                per_township=n,
                sample=[o.pk for o in sample],
                created_by=_name(actor),
            )
    except IntegrityError:
        raise duplicate from None
    _new_inspections(sample, kind=Inspection.Kind.SPOT_CHECK, year=year, quarter=quarter, version=current_checklist(), round=rnd)
    record_change(rnd, ChangeLog.Action.CREATE, message=f"抽中{len(sample)}个组织，种子 {seed}")
    return rnd


def year_end_parts(self_checks: list[Inspection], spot_checks: list[Inspection]) -> tuple[Decimal, dict]:
    """The year-end score (percent, 2 decimals) and its breakdown: each part is the average
    percentage of its submitted inspections (each against its own checklist version's full
    marks), combined with rules.YEAR_END_WEIGHTS; a part missing leaves the other alone."""

    def pct(i):
        return Decimal(i.total) * 100 / Decimal(i.max_total) if i.max_total else Decimal(0)

    parts = {}
    for key, rows in (("self_check", self_checks), ("spot_check", spot_checks)):
        if rows:
            parts[key] = {
                "average": str(_q2(sum((pct(i) for i in rows), Decimal(0)) / len(rows))),
                "count": len(rows),
                "items": [
                    {"id": i.pk, "quarter": i.quarter, "total": str(i.total), "max": str(i.max_total), "version": i.version_id}
                    for i in rows
                ],
            }
    if not parts:
        return Decimal(0), {"parts": {}, "reason": "全年没有已提交的自查或抽查"}
    if len(parts) == 2:
        w = rules.YEAR_END_WEIGHTS
        total = _q2(Decimal(parts["self_check"]["average"]) * w["self_check"] + Decimal(parts["spot_check"]["average"]) * w["spot_check"])
        reason = (
            f"自查平均{parts['self_check']['average']}分×{w['self_check']} + 抽查平均{parts['spot_check']['average']}分×{w['spot_check']}"
        )
    else:
        key = next(iter(parts))
        total = Decimal(parts[key]["average"])
        reason = f"{'自查' if key == 'self_check' else '抽查'}平均{total}分（全年无{'抽查' if key == 'self_check' else '自查'}，按一项计）"
    return total, {"parts": parts, "reason": reason, "weights": {k: str(v) for k, v in rules.YEAR_END_WEIGHTS.items()}}


@transaction.atomic
def evaluate_year(org: Organisation, year: int, *, actor) -> list[Inspection]:
    """Year-end evaluation of every grassroots organisation under org that has submitted
    inspections in the year: computed again each time (the latest figures count)."""
    require_org_action(actor, org, "approve")
    if not 2000 <= year <= timezone.localdate().year:
        raise ValidationError({"year": ["年度须为今年或以前的年份"]})
    done = list(
        Inspection.objects.filter(
            org_path__startswith=org.path,
            year=year,
            status=Inspection.Status.SUBMITTED,
            kind__in=[Inspection.Kind.SELF_CHECK, Inspection.Kind.SPOT_CHECK],
        ).select_related("organisation")
    )
    if not done:
        raise ValidationError({"year": [f"“{org}”{year}年没有已提交的自查或抽查，无法考评"]})
    by_org: dict[int, list] = {}
    for i in done:
        by_org.setdefault(i.organisation_id, []).append(i)
    existing = {
        i.organisation_id: i for i in Inspection.objects.filter(organisation_id__in=list(by_org), kind=Inspection.Kind.YEAR_END, year=year)
    }
    version = current_checklist()
    out = []
    for org_id, rows in by_org.items():
        total, breakdown = year_end_parts(
            [i for i in rows if i.kind == Inspection.Kind.SELF_CHECK], [i for i in rows if i.kind == Inspection.Kind.SPOT_CHECK]
        )
        insp = existing.get(org_id)
        if insp is None:
            insp = Inspection(organisation=rows[0].organisation, kind=Inspection.Kind.YEAR_END, year=year, version=version)
            before = None
        else:
            before = snapshot(insp)
        insp.total, insp.max_total, insp.breakdown = total, Decimal(100), breakdown
        insp.status, insp.submitted_at, insp.inspector = Inspection.Status.SUBMITTED, timezone.now(), _name(actor)
        insp.save()
        record_change(
            insp, ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE, before=before, message=breakdown["reason"][:255]
        )
        out.append(insp)
    return out


# ── rectification ─────────────────────────────────────────────────────────────────────
@transaction.atomic
def add_rectification(inspection: Inspection, data: dict, *, actor) -> Rectification:
    require_org_action(actor, inspection.organisation, _inspection_action(inspection))
    errors = {}
    problem = (data.get("problem") or "").strip()
    if not problem:
        errors["problem"] = ["请写明存在的问题"]
    deadline = data.get("deadline")
    today = timezone.localdate()
    if not isinstance(deadline, datetime.date):
        errors["deadline"] = ["请填写整改期限"]
    elif deadline < today:
        errors["deadline"] = ["整改期限不能早于今天"]
    if errors:
        raise ValidationError(errors)
    rect = Rectification.objects.create(
        organisation=inspection.organisation,
        inspection=inspection,
        problem=problem[:400],
        measure=(data.get("measure") or "").strip()[:400],
        deadline=deadline,
    )
    record_change(rect, ChangeLog.Action.CREATE)
    return rect


@transaction.atomic
def complete_rectification(rect: Rectification, data: dict, *, actor) -> Rectification:
    require_org_action(actor, rect.organisation, "change")
    if rect.status == Rectification.Status.DONE:
        raise ValidationError({"done_on": ["该整改事项已经完成"]})
    errors = {}
    done_on = data.get("done_on")
    if not isinstance(done_on, datetime.date):
        errors["done_on"] = ["请填写完成日期"]
    elif done_on > timezone.localdate():
        errors["done_on"] = ["完成日期不能晚于今天"]
    elif done_on < rect.created_at.date():
        errors["done_on"] = ["完成日期不能早于登记日期"]
    note = (data.get("done_note") or "").strip()
    if not note:
        errors["done_note"] = ["请写明整改情况"]
    if errors:
        raise ValidationError(errors)
    before = snapshot(rect)
    rect.status, rect.done_on, rect.done_note = Rectification.Status.DONE, done_on, note[:400]
    rect.save(update_fields=["status", "done_on", "done_note"])
    record_change(rect, ChangeLog.Action.UPDATE, before=before, message="整改完成")
    return rect


# ── monthly report upward ─────────────────────────────────────────────────────────────
def assemble_sections(org: Organisation, year: int, month: int) -> list[dict]:
    """Every domain's part of the month's report, from data (registry.report_sections)."""
    out = []
    for section in registry.report_sections:
        figures = section.figures(org, year, month) or []
        out.append({"name": section.name, "title": section.title, "figures": [[str(label), _plain(value)] for label, value in figures]})
    return out


def _plain(value):
    return value if isinstance(value, (int, float, str)) or value is None else str(value)


def report_due(year: int, month: int) -> datetime.date:
    nxt = month_end(year, month) + datetime.timedelta(days=1)
    return nxt.replace(day=rules.REPORT_DUE_DAY)


@transaction.atomic
def save_report(org: Organisation, year: int, month: int, data: dict, *, submit: bool = False, actor) -> MonthlyReport:
    """Save (and optionally submit upward) the organisation's report for the month. The
    data part is assembled at submission and kept as submitted."""
    require_org_action(actor, org, "change")
    today = timezone.localdate()
    if datetime.date(year, month, 1) > today:
        raise ValidationError({"month": [f"{year}年{month}月尚未开始，不能报告"]})
    report = MonthlyReport.objects.select_for_update().filter(organisation=org, year=year, month=month).first()
    if report is not None and report.status == MonthlyReport.Status.SUBMITTED:
        raise ValidationError({"month": [f"{year}年{month}月的报告已经提交，不能再修改"]})
    texts = {f: (data.get(f) or "").strip()[:4000] for f in ("work_done", "problems", "next_plan")}
    if submit and not texts["work_done"]:
        raise ValidationError({"work_done": ["提交前请填写本月主要工作"]})
    before = snapshot(report) if report else None
    if report is None:
        try:
            with transaction.atomic():
                report = MonthlyReport.objects.create(organisation=org, year=year, month=month, **texts)
        except IntegrityError:
            raise ValidationError({"month": [f"{year}年{month}月的报告刚由他人创建，请刷新后再填写"]}) from None
    else:
        for f, v in texts.items():
            setattr(report, f, v)
    if submit:
        report.sections = assemble_sections(org, year, month)
        report.status = MonthlyReport.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.submitted_by = _name(actor)
        report.on_time = today <= report_due(year, month)
    report.save()
    record_change(
        report, ChangeLog.Action.UPDATE if before else ChangeLog.Action.CREATE, before=before, message="提交月报告" if submit else ""
    )
    return report


# ── typical model points (示范点) ──────────────────────────────────────────────────────
def _text(data, field, label, errors, *, required=True, limit=2000):
    value = (data.get(field) or "").strip()
    if required and not value:
        errors[field] = [f"请填写{label}"]
    return value[:limit]


@transaction.atomic
def designate_point(data: dict, *, actor) -> ModelPoint:
    """The higher committee designates an organisation for cultivation as a model point."""
    org = data.get("organisation")
    if org is None:
        raise ValidationError({"organisation": ["请选择培育的党组织"]})
    require_org_action(actor, org, "approve")
    errors = {}
    if data.get("category") not in dict(rules.MODEL_POINT_CATEGORIES):
        errors["category"] = ["类别须为农村、社区、机关、国有企业、非公有制企业、学校或其他"]
    theme = _text(data, "theme", "创建主题", errors, limit=120)
    plan = _text(data, "plan", "培育计划", errors, limit=4000)
    day = data.get("designated_on")
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        errors["designated_on"] = ["确定日期须填写，且不能晚于今天"]
    if org.org_type not in GRASSROOTS_TYPES:
        errors["organisation"] = [f"示范点须为基层党组织，“{org}”是{org.get_org_type_display()}"]
    if errors:
        raise ValidationError(errors)
    duplicate = ValidationError({"organisation": [f"“{org}”已是示范点或正在培育，不能重复确定"]})
    if ModelPoint.objects.filter(organisation=org).exclude(status=ModelPoint.Status.REVOKED).exists():
        raise duplicate
    try:
        with transaction.atomic():
            point = ModelPoint.objects.create(organisation=org, category=data["category"], theme=theme, plan=plan, designated_on=day)
    except IntegrityError:
        raise duplicate from None
    record_change(point, ChangeLog.Action.CREATE)
    return point


@transaction.atomic
def record_point_progress(point: ModelPoint, data: dict, *, actor) -> ModelPointProgress:
    """The organisation reports progress, with an experience material when it has one."""
    require_org_action(actor, point.organisation, "change")
    if point.status == ModelPoint.Status.REVOKED:
        raise ValidationError({"content": ["该示范点已取消培育"]})
    errors = {}
    content = _text(data, "content", "进展情况", errors)
    day = data.get("date")
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        errors["date"] = ["日期须填写，且不能晚于今天"]
    elif day < point.designated_on:
        errors["date"] = [f"日期不能早于确定为示范点的日期（{point.designated_on:%Y-%m-%d}）"]
    upload = data.get("material")
    if upload:
        if upload.size > rules.ATTACHMENT_MAX_BYTES:
            errors["material"] = [f"经验材料不能超过{rules.ATTACHMENT_MAX_BYTES // 1024 // 1024}MB"]
        elif not upload.name.lower().endswith(rules.ATTACHMENT_SUFFIXES):
            errors["material"] = ["经验材料只能是 PDF、JPG、PNG 或 Word 文件"]
    if errors:
        raise ValidationError(errors)
    entry = ModelPointProgress.objects.create(
        point=point, organisation=point.organisation, date=day, content=content, material=upload or "", recorded_by=_name(actor)
    )
    record_change(entry, ChangeLog.Action.CREATE)
    return entry


@transaction.atomic
def review_point(point: ModelPoint, data: dict, *, actor) -> ModelPoint:
    """The higher committee reviews a point: named (accepted), cultivation continued, or revoked."""
    require_org_action(actor, point.organisation, "approve")
    decision = data.get("decision")
    errors = {}
    if decision not in dict(rules.MODEL_POINT_DECISIONS):
        errors["decision"] = ["请选择验收结论：验收通过、继续培育或取消培育"]
    note = _text(data, "review_note", "验收意见", errors, limit=400)
    if point.status != ModelPoint.Status.CULTIVATING:
        errors["decision"] = [f"该示范点{point.get_status_display()}，不能再验收"]
    elif decision == "accepted" and not point.progress.exists():
        errors["decision"] = ["尚无培育进展记录，不能验收通过"]
    if errors:
        raise ValidationError(errors)
    before = snapshot(point)
    point.review_note, point.reviewed_on, point.reviewed_by = note, timezone.localdate(), _name(actor)
    if decision == "accepted":
        point.status = ModelPoint.Status.ACCEPTED
    elif decision == "revoked":
        point.status = ModelPoint.Status.REVOKED
    point.save()
    record_change(point, ChangeLog.Action.UPDATE, before=before, message=dict(rules.MODEL_POINT_DECISIONS)[decision])
    return point


# ── 党建指导员 ─────────────────────────────────────────────────────────────────────────
@transaction.atomic
def send_instructor(data: dict, *, actor) -> InstructorPost:
    org = data.get("organisation")
    if org is None:
        raise ValidationError({"organisation": ["请选择派驻的党组织"]})
    require_org_action(actor, org, "approve")
    errors = {}
    name = _text(data, "name", "指导员姓名", errors, limit=40)
    sent_by = _text(data, "sent_by", "选派单位", errors, limit=120)
    start = data.get("start_date")
    if not isinstance(start, datetime.date) or start > timezone.localdate():
        errors["start_date"] = ["派驻日期须填写，且不能晚于今天"]
    if org.unit_type not in rules.INSTRUCTOR_UNIT_TYPES:
        errors["organisation"] = [f"党建指导员派驻非公有制企业或社会组织的党组织，“{org}”是{org.get_unit_type_display()}"]
    if errors:
        raise ValidationError(errors)
    duplicate = ValidationError({"name": [f"{name}已派驻“{org}”，不能重复登记"]})
    if InstructorPost.objects.filter(organisation=org, name=name, end_date__isnull=True).exists():
        raise duplicate
    try:
        with transaction.atomic():
            post = InstructorPost.objects.create(organisation=org, name=name, sent_by=sent_by, start_date=start)
    except IntegrityError:
        raise duplicate from None
    record_change(post, ChangeLog.Action.CREATE)
    return post


@transaction.atomic
def record_instructor_report(post: InstructorPost, data: dict, *, actor) -> InstructorReport:
    require_org_action(actor, post.organisation, "change")
    errors = {}
    content = _text(data, "content", "工作情况", errors)
    day = data.get("date")
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        errors["date"] = ["日期须填写，且不能晚于今天"]
    elif day < post.start_date:
        errors["date"] = [f"日期不能早于派驻日期（{post.start_date:%Y-%m-%d}）"]
    if errors:
        raise ValidationError(errors)
    report = InstructorReport.objects.create(
        post=post,
        organisation=post.organisation,
        date=day,
        content=content,
        problems=(data.get("problems") or "").strip()[:2000],
        recorded_by=_name(actor),
    )
    record_change(report, ChangeLog.Action.CREATE)
    return report


# ── 四训: training of party-work cadres ───────────────────────────────────────────────
@transaction.atomic
def record_cadre_training(data: dict, *, actor) -> CadreTraining:
    """A 四训 session held by `organisation` (change on it): its kind and, for 普训, the
    meeting it was held at (rules.CADRE_TRAINING_KINDS), date, content, hours, and the
    attendees, every one a member of the organisation's subtree. The attendees' hours go
    to their study archive (education, through apps.core.signals.attendance_recorded)."""
    from apps.core.signals import attendance_recorded
    from apps.members import codes
    from apps.members.models import Member

    org = data.get("organisation")
    if org is None:
        raise ValidationError({"organisation": ["请选择举办培训的党组织"]})
    require_org_action(actor, org, "change")
    errors = {}
    kind = rules.CADRE_TRAINING_KIND_BY_CODE.get(data.get("kind") or "")
    if kind is None:
        errors["kind"] = ["类别须为例会培训、专训、轮训或普训"]
    occasion = (data.get("occasion") or "").strip()
    if kind is not None and kind.occasions and occasion not in kind.occasions:
        errors["occasion"] = [f"{kind.label}须在{'、'.join(kind.occasions)}上开展，请选择会议"]
    elif kind is not None and not kind.occasions:
        occasion = ""
    day = data.get("date")
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        errors["date"] = ["日期须填写，且不能晚于今天"]
    title = _text(data, "title", "培训内容", errors, limit=200)
    try:
        hours = Decimal(str(data.get("hours") if data.get("hours") not in (None, "") else "x"))
        if not hours.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        hours = None
        errors["hours"] = ["请填写学时（数字）"]
    if hours is not None and not Decimal("0.5") <= hours <= rules.CADRE_TRAINING_MAX_HOURS:
        errors["hours"] = [f"学时须在 0.5 至 {rules.CADRE_TRAINING_MAX_HOURS} 之间"]
    raw_ids = data.get("attendees") or []
    try:
        ids = sorted({int(getattr(i, "pk", i)) for i in raw_ids})
    except (TypeError, ValueError):
        ids = []
        errors["attendees"] = ["参训人员须为党员编号"]
    if not ids and "attendees" not in errors:
        errors["attendees"] = ["请选择参训人员"]
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids).only("id", "name", "org_path", "status")}
    outside = [str(i) for i in ids if i not in members or not members[i].org_path.startswith(org.path)]
    if outside and "attendees" not in errors:
        errors["attendees"] = [f"参训人员须为“{org}”及其下级组织的党员，编号{'、'.join(outside[:10])}不是"]
    ended = [m.name for m in members.values() if m.status in codes.ENDED_STATUSES]
    if ended and "attendees" not in errors:
        errors["attendees"] = [f"{'、'.join(ended[:10])}已不在党员队伍中，不能参训"]
    if errors:
        raise ValidationError(errors)
    training = CadreTraining.objects.create(
        organisation=org,
        kind=kind.code,
        occasion=occasion,
        date=day,
        title=title,
        venue=(data.get("venue") or "").strip()[:120],
        hours=_q2(hours).quantize(Decimal("0.1")),
        attendee_count=len(ids),
        recorded_by=_name(actor),
    )
    training.attendees.set(ids)
    record_change(training, ChangeLog.Action.CREATE, message=f"参训{len(ids)}人")
    attendance_recorded.send(
        sender=CadreTraining,
        source=training,
        organisation=org,
        date=day,
        hours=training.hours,
        form=kind.study_form,
        content=f"{kind.label}：{title}"[:200],
        member_ids=ids,
        actor=actor,
    )
    return training
