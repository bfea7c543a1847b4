"""Demo data: last year's democratic appraisal finished in every branch of the demo county
(plausible grade shares, 优秀 within ⅓ per branch), a few 不合格 members with open 限期改正
cases, one 除名 completed with its 5-year block, and a handful of 失联 members on the clock.

Generated history is written with bulk_create (the per-record audit entries of the services
are not written for it); the status changes go through apps.members.services."""

import datetime

from apps.core.actors import system_actor
from apps.members import services as member_services
from apps.members.demo import extension_id_number
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import BRANCH_TYPES

from . import rules
from .models import Appraisee, BranchAppraisal, Campaign, HandlingCase, RatingTally, VoteCast

BATCH = 5000
REPORTS = [
    "一年来支部认真落实“三会一课”制度，组织党员学习党的创新理论，带领党员在中心工作中发挥作用；存在的不足是组织生活形式还不够丰富。",
    "支部围绕乡村振兴开展主题党日活动，党员参与志愿服务；个别党员参加组织生活不够经常，下一步加强教育管理。",
]
SELF_TEXTS = [
    "本人能够按时参加组织生活，按月交纳党费，认真完成学习任务；不足是理论学习深度不够。",
    "一年来立足岗位做好本职工作，积极参加志愿服务；今后要进一步发挥先锋模范作用。",
    "能够遵守党的纪律，关心群众；存在学习不够系统的问题。",
]


def _grade(rng) -> str:
    x = rng.random()
    return rules.EXCELLENT if x < 0.22 else rules.QUALIFIED if x < 0.97 else rules.BASIC


def populate(root_org: Organisation, rng, as_of: datetime.date):
    actor = system_actor("demo")
    year = as_of.year - 1
    d = lambda m, day: datetime.date(year, m, day)  # noqa: E731
    campaign = Campaign.objects.create(
        organisation=root_org,
        org_path=root_org.path,
        year=year,
        title=f"{year}年度民主评议党员",
        report_by=d(11, 15),
        self_by=d(11, 30),
        peer_by=d(12, 10),
        rating_by=d(12, 20),
        proposal_by=d(12, 28),
        feedback_by=datetime.date(year + 1, 1, 15),
        opened_by="demo",
    )
    branches = list(Organisation.objects.filter(path__startswith=root_org.path, org_type__in=BRANCH_TYPES))
    procs = BranchAppraisal.objects.bulk_create(
        [
            BranchAppraisal(
                campaign=campaign,
                organisation=b,
                org_path=b.path,
                phase="done",
                report=REPORTS[i % len(REPORTS)],
                report_on=d(11, 10),
                meeting_date=d(12, 26),
                feedback_on=datetime.date(year + 1, 1, 10),
            )
            for i, b in enumerate(branches)
        ],
        batch_size=BATCH,
    )
    by_org = {p.organisation_id: p for p in procs}
    members = list(
        Member.objects.filter(organisation_id__in=list(by_org), status__in=rules.APPRAISED_STATUSES, join_date__lte=d(10, 1))
        .order_by("organisation_id", "id")
        .values_list("id", "organisation_id", "org_path", "member_type")
    )
    per_branch: dict[int, list] = {}
    for row in members:
        per_branch.setdefault(row[1], []).append(row)
    appraisees, voters = [], []
    unqualified_pool = []
    for org_id, rows in per_branch.items():
        cap = rules.cap_count(len(rows), rules.EXCELLENT_CAP)
        grades = [_grade(rng) for _ in rows]
        excellent = [i for i, g in enumerate(grades) if g == rules.EXCELLENT]
        for i in excellent[cap:]:
            grades[i] = rules.QUALIFIED
        for (mid, _o, path, mtype), grade in zip(rows, grades, strict=True):
            a = Appraisee(
                branch=by_org[org_id],
                organisation_id=org_id,
                org_path=path,
                member_id=mid,
                year=year,
                member_type=mtype,
                self_assessment=SELF_TEXTS[mid % len(SELF_TEXTS)],
                self_submitted_on=d(11, 20 + mid % 10),
                proposed_grade=grade,
                final_grade=grade,
            )
            appraisees.append(a)
            if grade == rules.BASIC and len(unqualified_pool) < 40:
                unqualified_pool.append(a)
            if mtype in rules.RATER_MEMBER_TYPES:
                voters.append(VoteCast(branch=by_org[org_id], organisation_id=org_id, org_path=path, voter_id=mid))
    # a few 不合格 (the rest of the pool stays 基本合格)
    unqualified = unqualified_pool[:: max(1, len(unqualified_pool) // 8)][:8]
    for a in unqualified:
        a.proposed_grade = a.final_grade = rules.UNQUALIFIED
    Appraisee.objects.bulk_create(appraisees, batch_size=BATCH)
    VoteCast.objects.bulk_create(voters, batch_size=BATCH)
    # tallies: the branch's voters spread around the final grade (only non-zero counters)
    n_voters: dict[int, int] = {}
    for v in voters:
        n_voters[v.organisation_id] = n_voters.get(v.organisation_id, 0) + 1
    order = [g for g, _ in rules.GRADES]
    tallies = []
    for a in appraisees:
        total = max(n_voters.get(a.organisation_id, 0) - (1 if a.member_type in rules.RATER_MEMBER_TYPES else 0), 0)
        if not total:
            continue
        main = order.index(a.final_grade)
        near = order[main - 1] if main > 0 else order[main + 1]
        main_votes = total - int(total * rng.uniform(0.05, 0.35))
        tallies.append(RatingTally(appraisee_id=a.pk, grade=a.final_grade, votes=main_votes))
        if total - main_votes:
            tallies.append(RatingTally(appraisee_id=a.pk, grade=near, votes=total - main_votes))
    RatingTally.objects.bulk_create(tallies, batch_size=BATCH)
    # open 限期改正 for the 不合格 members
    decided = datetime.date(year + 1, 1, 20) if datetime.date(year + 1, 1, 20) <= as_of else as_of
    cases = []
    for i, a in enumerate(unqualified):
        cases.append(
            HandlingCase(
                member_id=a.member_id,
                organisation_id=a.organisation_id,
                org_path=a.org_path,
                kind=rules.CORRECTION,
                source="appraisal",
                source_note=f"{year}年民主评议为“不合格”",
                opened_on=decided - datetime.timedelta(days=12),
                step="decided" if i % 3 else "talked",
                filed_on=decided - datetime.timedelta(days=10),
                filed_with="乡镇党委",
                talk_on=decided - datetime.timedelta(days=8),
                talk_notes="指出存在的问题，提出改正要求，本人表示接受",
                **(
                    {
                        "meeting_date": decided - datetime.timedelta(days=5),
                        "should_attend": 20,
                        "present": 17,
                        "yes": 15,
                        "no": 1,
                        "abstain": 1,
                        "approved_on": decided - datetime.timedelta(days=2),
                        "approved_by": "demo",
                        "decided_on": decided,
                        "letter_no": f"党支〔{year + 1}〕{i + 1}号",
                        "deadline": rules.add_months(decided, rules.CORRECTION_DEFAULT_MONTHS),
                    }
                    if i % 3
                    else {}
                ),
            )
        )
    HandlingCase.objects.bulk_create(cases)
    busy = {a.member_id for a in unqualified}
    # one 除名 completed, through the member service, with its 5-year block
    removed = (
        Member.objects.filter(org_path__startswith=root_org.path, status="normal", member_type="full")
        .exclude(pk__in=busy)
        .order_by("id")[len(members) // 3 : len(members) // 3 + 1]
    )
    for template in removed:
        # A member of their own (not one of the seed's 20,135): the county's figures stay the
        # seed's, and the removal still goes through the member service and its engine.
        on = as_of - datetime.timedelta(days=60)
        m = member_services.create_member(
            {
                "name": "于德旺",
                "sex": template.sex,
                "birth_date": template.birth_date,
                "id_number": extension_id_number(template.birth_date, template.sex, 99),
                "organisation": template.organisation,
                "join_date": template.join_date,
                "conversion_date": template.conversion_date,
                "occupation": template.occupation,
                "member_type": "full",
                "education": template.education,
            },
            actor=actor,
            today=as_of,
        )
        member_services.change_status(
            m, "removed", date=on, reason=f"组织处置：除名（党支〔{as_of.year}〕除1号）", actor=actor, engine="appraisal"
        )
        HandlingCase.objects.create(
            member=m,
            organisation_id=m.organisation_id,
            kind=rules.REMOVAL,
            source="manual",
            source_note="连续6个月不参加党的组织生活、不交纳党费、不做党所分配的工作",
            opened_on=on - datetime.timedelta(days=75),
            status=HandlingCase.Status.CLOSED,
            step="decided",
            filed_on=on - datetime.timedelta(days=70),
            filed_with="乡镇党委",
            talk_on=on - datetime.timedelta(days=60),
            talk_notes="多次谈话，本人拒不改正",
            meeting_date=on - datetime.timedelta(days=30),
            should_attend=24,
            present=21,
            yes=19,
            no=1,
            abstain=1,
            defence="本人未到会，书面表示无异议",
            approved_on=on - datetime.timedelta(days=10),
            approved_by="demo",
            decided_on=on,
            letter_no=f"党支〔{as_of.year}〕除1号",
            closed_on=on,
            rejoin_blocked_until=rules.add_months(on, 12 * rules.REJOIN_BLOCK_YEARS),
            id_number_hash=m.id_number_hash,
        )
        busy.add(m.pk)
    # a handful of 失联 members on the clock (3 to 9 months)
    lost = list(
        Member.objects.filter(org_path__startswith=root_org.path, status="normal", member_type="full")
        .exclude(pk__in=busy)
        .order_by("-id")[:6]
    )
    for i, m in enumerate(lost):
        since = rules.add_months(as_of, -(3 + i))
        member_services.change_status(
            m, "lost_contact", date=since, reason="外出务工，多次联系未果", lost_contact_reason="migrant_work", actor=actor
        )
    return {"branches": len(procs), "appraised": len(appraisees), "cases": len(cases) + 1, "lost_contact": len(lost)}
