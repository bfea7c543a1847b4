"""Member-development data for the demo county: `populate(root_org, rng, as_of)`, called
by the demo county builder after the base organisation tree and member registry exist.

Choices (seed report 一.1: "2001年以来全县共发展党员2603名 … 保持1100名左右的入党积极分子"):

* Members are NOT added here. The base county already holds the seed's 20,135 counted
  members; adding developed members would break that figure. Instead exactly 2,603
  existing counted members whose join_date ≥ 2001-01-01 are marked
  increase_method="developed" (bulk update; the base's probationary members are always
  among them, since they are being developed right now), and every other member who
  joined since 2001 is marked "other". So "developed since 2001" is 2,603 however it is
  counted (all statuses or counted statuses only).
* A sample of the developed full members gets a closed DevelopmentFile with the key
  step dates (application, activist, target, general meeting, approval, conversion).
* Every probationary member gets an active file with a consistent step history up to
  where they are now (probation), linked to the member record (same person).
* The pipeline of people who are not yet members: applicants, exactly 1,100 activists
  (with six-monthly assessments) and development targets, spread over the branches,
  some deliberately overdue so the to-do and 责任追究 lists have content.
* Plans: the county's three-year plan and each township committee's annual plan;
  the month's circular is published so lagging units appear on the key list.

Everything is bulk-inserted (no per-record service call): it is a synthetic load by the
system, recorded as one ChangeLog summary entry (on the county's three-year plan).
"""

from __future__ import annotations

import datetime

from apps.core import crypto
from apps.core.actors import system_actor
from apps.core.audit import record_change
from apps.core.dates import add_months, add_years
from apps.core.models import ChangeLog
from apps.members import codes as member_codes
from apps.members.idnumber import compose
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import BRANCH_TYPES

from . import engine
from .models import (
    Assessment,
    DevelopmentFile,
    DevelopmentPlan,
    DevelopmentStep,
    PoliticalReview,
    TrainingRecord,
)

DEVELOPED_SINCE_2001 = 2603
SINCE = datetime.date(2001, 1, 1)
ACTIVISTS = 1100
APPLICANTS = 420
TARGETS = 180
CLOSED_SAMPLE = 400
AREA = "350583"  # a different area code from the base registry: no ID clash
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢郭洪曾邱苏周颜"
GIVEN_M = "伟强军勇杰涛明超刚平辉鹏华建志文斌波宇浩峰磊海俊荣新忠龙德清福金水永春源"
GIVEN_F = "芳娜敏静丽艳娟秀霞桂英玉兰萍红燕梅琳婷雪慧晶莉凤珍月琴华美佳颖欣怡雅"
SOURCE_WEIGHTS = [
    ("returned_youth", 22),
    ("veteran", 8),
    ("non_public_backbone", 14),
    ("demobilised", 6),
    ("returned_educated_youth", 5),
    ("tech_talent", 9),
    ("wealth_leader", 9),
    ("returned_migrant", 12),
    ("mass_org", 10),
    ("other", 5),
]
EDUCATION_WEIGHTS = [("bachelor", 20), ("college", 28), ("secondary_vocational", 12), ("high_school", 25), ("junior_or_below", 15)]
OCCUPATION_WEIGHTS = [("farmer", 40), ("skilled_worker", 20), ("professional", 15), ("manager", 10), ("student", 5), ("other", 10)]


def _d(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _pick(rng, weighted):
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


class _Builder:
    def __init__(self, rng, as_of, version):
        self.rng, self.as_of, self.version = rng, as_of, version
        self.files: list[DevelopmentFile] = []
        self.steps: list[tuple[int, str, datetime.date, dict]] = []  # (file index, code, date, data)
        self.assessments: list[tuple[int, datetime.date, str]] = []
        self.reviews: list[tuple[int, datetime.date]] = []
        self.used_ids: set[str] = set()
        self.seq = 0

    def person(self, org, *, age_range=(20, 42)):
        rng = self.rng
        sex = "F" if rng.random() < 0.3 else "M"
        while True:
            birth = _d(rng, add_years(self.as_of, -age_range[1]), add_years(self.as_of, -age_range[0]))
            self.seq += 1
            number = compose(AREA, birth, self.seq % 500, sex)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_F if sex == "F" else GIVEN_M) for _ in range(rng.choice((1, 2))))
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        f = DevelopmentFile(
            name=name,
            sex=sex,
            birth_date=birth,
            ethnicity=member_codes.HAN if rng.random() > 0.012 else "畲族",
            education=_pick(rng, EDUCATION_WEIGHTS),
            occupation=_pick(rng, OCCUPATION_WEIGHTS),
            source=_pick(rng, SOURCE_WEIGHTS),
            organisation=org,
            org_path=org.path,
            id_number_enc=crypto.encrypt(number),
            id_number_hash=crypto.blind_index(number),
            id_number_masked=crypto.mask_id_number(number),
            phone_enc=crypto.encrypt(phone),
            phone_hash=crypto.blind_index(phone),
            phone_masked=crypto.mask_phone(phone),
        )
        return f

    def add(self, f) -> int:
        self.files.append(f)
        return len(self.files) - 1

    def step(self, i, code, date, **data):
        if date <= self.as_of:
            self.steps.append((i, code, date, data))
            return True
        return False


def _chain_before_target(b: _Builder, i: int, f: DevelopmentFile, application, activist, *, cultivate_until=None):
    """Steps 1–5 (and the assessments of step 6) for an activist since `activist`."""
    rng = b.rng
    b.step(i, "apply", application)
    b.step(
        i,
        "talk",
        application + datetime.timedelta(days=rng.randint(5, 25)),
        talker="支部书记",
        talker_role="secretary",
        summary="了解入党动机",
    )
    b.step(i, "activist", activist, recommendation="mass_org" if f.source == "mass_org" else "member", decided_by="committee")
    b.step(i, "activist_filed", activist + datetime.timedelta(days=rng.randint(3, 15)))
    b.step(i, "contacts", activist + datetime.timedelta(days=rng.randint(3, 15)), contacts=[])
    end = cultivate_until or b.as_of
    d = add_months(activist, 6)
    n = 0
    while d <= end and d <= b.as_of:
        n += 1
        b.assessments.append((i, d - datetime.timedelta(days=rng.randint(0, 10)), f"第{n}次半年考察"))
        d = add_months(d, 6)
    f.activist_date = activist
    f.application_date = application


def _admission_chain(b: _Builder, i: int, f: DevelopmentFile, target, meeting):
    """Steps 7–15 ending with the general meeting on `meeting`."""
    rng = b.rng
    b.step(i, "cultivate", target - datetime.timedelta(days=rng.randint(5, 15)))
    b.step(i, "target", target, decided_by="committee")
    b.step(i, "target_filed", target + datetime.timedelta(days=3))
    b.step(i, "introducers", target + datetime.timedelta(days=5), introducers=[])
    review = target + datetime.timedelta(days=rng.randint(10, 20))
    if b.step(i, "political_review", review, conclusion="pass", summary="政治审查合格"):
        b.reviews.append((i, review))
    b.step(i, "training", target + datetime.timedelta(days=rng.randint(21, 30)), days=3, hours=24, provider="县委党校")
    if meeting:
        b.step(i, "branch_review", meeting - datetime.timedelta(days=12), summary="同意提交预审")
        b.step(i, "pre_review", meeting - datetime.timedelta(days=8), result="pass", summary="预审合格")
        b.step(i, "form", meeting - datetime.timedelta(days=4))
        b.step(i, "general_meeting", meeting)
    f.target_date = target


def populate(root_org, rng, as_of: datetime.date) -> dict:
    from .holidays import load as load_holidays

    load_holidays()  # the State Council calendar (already there after migrate: a no-op then)
    version = engine.current_version()
    branches = list(
        Organisation.objects.filter(path__startswith=root_org.path, org_type__in=BRANCH_TYPES, status="active").order_by("path")
    )
    if not branches:
        return {}
    b = _Builder(rng, as_of, version)

    # --- 1. Exactly 2,603 members developed since 2001 (no member added) -------------------
    since_2001 = Member.objects.filter(org_path__startswith=root_org.path, join_date__gte=SINCE)
    counted = list(since_2001.filter(status__in=member_codes.COUNTED_STATUSES).values_list("pk", "member_type").order_by("pk"))
    probationary = [pk for pk, t in counted if t == "probationary"]
    full = [pk for pk, t in counted if t != "probationary"]
    chosen = set(probationary) | set(rng.sample(full, max(0, min(len(full), DEVELOPED_SINCE_2001 - len(probationary)))))
    since_2001.update(increase_method="other")
    Member.objects.filter(pk__in=chosen).update(increase_method="developed")

    # --- 2. Closed files for a sample of the developed full members -------------------------
    sample_ids = [pk for pk in sorted(chosen) if pk not in set(probationary)]
    sample_ids = rng.sample(sample_ids, min(CLOSED_SAMPLE, len(sample_ids)))
    members = list(Member.objects.filter(pk__in=sample_ids + probationary).select_related("organisation").order_by("pk"))
    app_updates = []
    for m in members:
        f = DevelopmentFile(
            name=m.name,
            sex=m.sex,
            ethnicity=m.ethnicity,
            birth_date=m.birth_date,
            id_number_enc=m.id_number_enc,
            id_number_hash=m.id_number_hash,
            id_number_masked=m.id_number_masked,
            phone_enc=m.phone_enc,
            phone_hash=m.phone_hash,
            phone_masked=m.phone_masked,
            education=m.education,
            occupation=m.occupation,
            work_unit=m.work_unit,
            source=_pick(rng, SOURCE_WEIGHTS),
            organisation=m.organisation,
            org_path=m.org_path,
            member=m,
        )
        meeting = m.join_date
        target = meeting - datetime.timedelta(days=rng.randint(45, 120))
        activist = add_years(target, -1) - datetime.timedelta(days=rng.randint(5, 200))
        adult = add_years(m.birth_date, 18) + datetime.timedelta(days=1)
        application = max(adult, min(m.application_date or activist, activist - datetime.timedelta(days=rng.randint(30, 120))))
        if application >= activist:  # very young at joining: keep the order, start at 18
            activist = application + datetime.timedelta(days=30)
        if m.application_date != application:
            m.application_date = application
            app_updates.append(m)
        i = b.add(f)
        approval = min(meeting + datetime.timedelta(days=rng.randint(15, 60)), as_of)
        f.admission_date, f.approval_date = meeting, approval
        f.probation_end = add_years(meeting, 1)
        if m.member_type == "probationary":
            f.stage, f.status = "probationary", "active"
            _chain_before_target(b, i, f, application, activist, cultivate_until=target)
            _admission_chain(b, i, f, target, meeting)
            b.step(i, "higher_talk", meeting + datetime.timedelta(days=(approval - meeting).days // 2))
            b.step(i, "approval", approval, result="approve")
            b.step(i, "approval_filed", approval + datetime.timedelta(days=7))
            b.step(i, "placement", approval + datetime.timedelta(days=3))
            b.step(i, "oath", approval + datetime.timedelta(days=rng.randint(5, 25)))
            b.step(i, "probation_education", approval + datetime.timedelta(days=90), summary="表现良好")
        else:
            f.stage, f.status = "full", "closed"
            f.application_date, f.activist_date, f.target_date = application, activist, target
            f.conversion_date = m.conversion_date
            f.closed_date = m.conversion_date or approval
            f.closed_reason = "材料已归档（历史档案）"
            for code, date in (
                ("apply", application),
                ("activist", activist),
                ("target", target),
                ("general_meeting", meeting),
                ("approval", approval),
                ("conversion_approval", m.conversion_date),
            ):
                if date:
                    b.step(i, code, date)
    Member.objects.bulk_update(app_updates, ["application_date"], batch_size=1000)

    # --- 3. The pipeline: applicants, 1,100 activists, development targets --------------------
    def branch():
        return rng.choice(branches)

    for _ in range(APPLICANTS):
        f = b.person(branch())
        application = _d(rng, as_of - datetime.timedelta(days=300), as_of - datetime.timedelta(days=2))
        i = b.add(f)
        f.stage, f.application_date = "applicant", application
        b.step(i, "apply", application)
        if rng.random() < 0.9:
            b.step(
                i,
                "talk",
                application + datetime.timedelta(days=rng.randint(5, 28)),
                talker="支部书记",
                talker_role="secretary",
                summary="谈话",
            )
    for _ in range(ACTIVISTS):
        f = b.person(branch())
        activist = _d(rng, as_of - datetime.timedelta(days=720), as_of - datetime.timedelta(days=10))
        application = activist - datetime.timedelta(days=rng.randint(60, 400))
        f.birth_date = min(f.birth_date, add_years(application, -18) - datetime.timedelta(days=1))
        i = b.add(f)
        f.stage = "activist"
        _chain_before_target(b, i, f, application, activist)
        if add_years(activist, 1) <= as_of and rng.random() < 0.6:
            b.step(i, "cultivate", add_years(activist, 1) - datetime.timedelta(days=rng.randint(1, 20)))
    for _ in range(TARGETS):
        f = b.person(branch())
        target = _d(rng, as_of - datetime.timedelta(days=240), as_of - datetime.timedelta(days=5))
        activist = add_years(target, -1) - datetime.timedelta(days=rng.randint(1, 200))
        application = activist - datetime.timedelta(days=rng.randint(60, 400))
        f.birth_date = min(f.birth_date, add_years(application, -18) - datetime.timedelta(days=1))
        i = b.add(f)
        f.stage = "target"
        _chain_before_target(b, i, f, application, activist, cultivate_until=target)
        _admission_chain(b, i, f, target, None)
    # Birth dates changed above: recompute the ID numbers from the final birth dates.
    for f in b.files:
        if f.member_id is None:
            number = None
            while number is None or number in b.used_ids:
                b.seq += 1
                number = compose(AREA, f.birth_date, b.seq % 500, f.sex)
            b.used_ids.add(number)
            f.id_number_enc, f.id_number_hash, f.id_number_masked = (
                crypto.encrypt(number),
                crypto.blind_index(number),
                crypto.mask_id_number(number),
            )

    # --- 4. Bulk insert -------------------------------------------------------------------------
    DevelopmentFile.objects.bulk_create(b.files, batch_size=1000)
    from .rules import STEP_BY_CODE

    DevelopmentStep.objects.bulk_create(
        [
            DevelopmentStep(
                file=b.files[i],
                code=code,
                number=STEP_BY_CODE[code].number,
                date=date,
                performer_name="示范县历史数据" if b.files[i].status == "closed" else "支部书记",
                performer_role="上级党委" if STEP_BY_CODE[code].performer == "higher" else "党支部",
                organisation_id=b.files[i].organisation_id,
                rule_version=version,
                data=data,
            )
            for i, code, date, data in b.steps
        ],
        batch_size=2000,
    )
    Assessment.objects.bulk_create(
        [
            Assessment(
                file=b.files[i],
                date=d,
                period=label,
                evaluator=rng.choice(("mass", "member")),
                score=rng.randint(75, 98),
                comment="表现良好",
                recorded_by="支部",
            )
            for i, d, label in b.assessments
            if d <= as_of
        ],
        batch_size=2000,
    )
    PoliticalReview.objects.bulk_create(
        [
            PoliticalReview(file=b.files[i], date=d, conclusion="pass", summary="政治审查合格", valid_until=add_years(d, 1))
            for i, d in b.reviews
        ]
    )
    # Activist training classes (1–2 a year at county level): education classes of the kind
    # 入党积极分子培训班 (one class mechanism) with a session a day; the ones over by as_of
    # have completed (结业), so their days and hours count toward step 11.
    from apps.education.models import ClassSession
    from apps.education.models import TrainingClass as EducationClass

    classes, sessions = [], []
    for year in (as_of.year - 1, as_of.year):
        for n, month in ((1, 4), (2, 10)):
            start = datetime.date(year, month, 10)
            end = start + datetime.timedelta(days=2)
            if end <= as_of:
                over = end < as_of
                classes.append(
                    EducationClass(
                        organisation=root_org,
                        org_path=root_org.path,
                        title=f"{year}年第{n}期入党积极分子培训班",
                        level="county",
                        kind="activist",
                        start_date=start,
                        end_date=end,
                        status="finished" if over else "open",
                        finished_on=end if over else None,
                    )
                )
    EducationClass.objects.bulk_create(classes)
    for c in classes:
        for day in range(3):
            sessions.append(
                ClassSession(
                    training_class=c,
                    date=c.start_date + datetime.timedelta(days=day),
                    topic=("党的基本理论", "党章党规党纪", "入党动机与党员义务")[day],
                    lecturer="县委党校",
                    duration="full_day",
                    hours=8,
                    attendance_taken=c.status == "finished",
                )
            )
    ClassSession.objects.bulk_create(sessions)
    records = []
    activist_files = [f for f in b.files if f.stage == "activist"]
    for c in classes:
        for f in rng.sample(activist_files, min(120, len(activist_files))):
            if f.activist_date and f.activist_date <= c.start_date:
                records.append(TrainingRecord(file=f, training_class=c, date=c.end_date, provider=root_org.name))
    TrainingRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)

    # --- 5. Next step and deadline of each active file (3 queries + one bulk update) ------------
    active = list(
        DevelopmentFile.objects.filter(org_path__startswith=root_org.path, status="active").prefetch_related("steps", "assessments")
    )
    for f in active:
        items = engine.due_steps(f, as_of, version=version)
        f.next_step = items[0].code if items else ""
        deadlines = [d.deadline for d in items if d.deadline]
        f.next_deadline = min(deadlines) if deadlines else None
    DevelopmentFile.objects.bulk_update(active, ["next_step", "next_deadline"], batch_size=1000)

    # --- 6. Plans and the month's circular -----------------------------------------------------
    townships = list(
        Organisation.objects.filter(path__startswith=root_org.path, depth=root_org.depth + 1, org_type="committee").order_by("path")
    )
    plans = [
        DevelopmentPlan(
            organisation=root_org,
            kind="three_year",
            start_year=as_of.year - 1,
            end_year=as_of.year + 1,
            total=540,
            women=160,
            youth=300,
            high_school_plus=420,
            college_plus=200,
            farmers=180,
            non_public=90,
            note="县委三年发展党员工作规划",
        )
    ]
    for t in townships:
        total = rng.randint(2, 8)
        plans.append(
            DevelopmentPlan(
                organisation=t,
                kind="annual",
                start_year=as_of.year,
                end_year=as_of.year,
                total=total,
                women=max(1, total // 3),
                youth=total // 2,
                high_school_plus=total * 3 // 4,
                college_plus=total // 3,
                farmers=total // 3,
                non_public=total // 6,
                note="年度发展党员计划",
            )
        )
    DevelopmentPlan.objects.bulk_create(plans)
    county_plan = DevelopmentPlan.objects.get(organisation=root_org, kind="three_year", start_year=as_of.year - 1)
    from .services import publish_circular

    publish_circular(root_org, as_of.year, as_of.month, actor=system_actor("demo"))

    summary = {
        "developed_since_2001": len(chosen),
        "files": len(b.files),
        "activists": ACTIVISTS,
        "applicants": APPLICANTS,
        "targets": TARGETS,
        "probationary_files": len(probationary),
        "closed_files": len(sample_ids),
        "steps": len(b.steps),
    }
    # One summary history entry for the bulk load (on the county plan, so the base
    # county's single organisation entry stays single).
    record_change(county_plan, ChangeLog.Action.CREATE, message=f"示范县发展党员数据：{summary}", org_path=root_org.path)
    return summary
