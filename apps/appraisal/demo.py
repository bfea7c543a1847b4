"""Demo data: last year's democratic appraisal finished in every branch of the demo county
(plausible grade shares, 优秀 within ⅓ per branch), a few 不合格 members with open 限期改正
cases, one 除名 completed with its 5-year block, a handful of 失联 members on the clock, and
设岗定责 posts with 党员中心户 (and some 党员责任区) in the village branches.

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
from .models import Appraisee, BranchAppraisal, Campaign, HandlingCase, MemberPost, PostAssignment, PostReview, RatingTally, VoteCast

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
    posts = populate_posts(root_org, rng, as_of)
    return {"branches": len(procs), "appraised": len(appraisees), "cases": len(cases) + 1, "lost_contact": len(lost), **posts}


# ── 设岗定责 in the village branches ─────────────────────────────────────────────────────
POST_DUTIES = {
    "policy": "宣传党的方针政策和惠民政策，每月入户宣讲一次",
    "security": "参加村治安巡逻，排查矛盾纠纷，及时报告隐患",
    "environment": "负责责任路段和公共场所环境卫生的督促和保洁",
    "assistance": "结对帮扶困难群众，帮助解决生产生活实际困难",
    "mediation": "调解邻里、家庭矛盾纠纷，做好信访稳定工作",
    "prosperity": "带头发展特色产业，带动群众增收致富",
    "civility": "倡导移风易俗、文明乡风，参与评选“好家风”",
    "service": "为群众代办事项，收集反映群众意见建议",
}
REVIEW_TEXTS = {
    "excellent": "履职积极主动，群众评价好",
    "competent": "能够按要求履行岗位职责",
    "basic": "履职不够经常，需进一步加强",
}


def populate_posts(root_org: Organisation, rng, as_of: datetime.date) -> dict:
    """Posts in every village branch: two or three 设岗定责 posts and a 党员中心户 with the
    households it keeps in touch with (every fourth branch also a 党员责任区), members on
    them since last spring, and last year's second-half 评岗."""
    year = as_of.year - 1
    villages = list(
        Organisation.objects.filter(path__startswith=root_org.path, org_type__in=BRANCH_TYPES, unit_type="village", status="active")
        .order_by("path")
        .values_list("id", "path")
    )
    people: dict[int, list[int]] = {}
    for mid, org_id in (
        Member.objects.filter(organisation_id__in=[o for o, _p in villages], status="normal", join_date__lt=datetime.date(year, 1, 1))
        .order_by("organisation_id", "id")
        .values_list("id", "organisation_id")
    ):
        people.setdefault(org_id, []).append(mid)
    types = [c for c, _ in rules.POST_TYPE_CHOICES]
    set_up = datetime.date(year, 3, 1)
    posts, plan = [], []  # plan: (post index, [member ids])
    for i, (org_id, path) in enumerate(villages):
        pool = people.get(org_id, [])
        if len(pool) < 4:
            continue
        pool = rng.sample(pool, len(pool))
        for t in rng.sample(types, 2 + (i % 2)):
            take, pool = pool[: 1 + (len(pool) > 12)], pool[1 + (len(pool) > 12) :]
            posts.append(
                MemberPost(
                    organisation_id=org_id,
                    org_path=path,
                    kind="post",
                    post_type=t,
                    title=rules.POST_TYPE_LABELS[t],
                    duties=POST_DUTIES[t],
                    set_up_on=set_up,
                    created_by="demo",
                )
            )
            plan.append(take)
        households = rng.randint(8, 15)
        posts.append(
            MemberPost(
                organisation_id=org_id,
                org_path=path,
                kind="household",
                title=f"第{1 + i % 6}村民小组党员中心户",
                duties="联系周边农户，传达政策，收集意见，带头参加公益活动",
                coverage=f"第{1 + i % 6}村民小组{households}户",
                households=households,
                set_up_on=set_up,
                created_by="demo",
            )
        )
        plan.append(pool[:1])
        pool = pool[1:]
        if i % 4 == 0 and pool:
            posts.append(
                MemberPost(
                    organisation_id=org_id,
                    org_path=path,
                    kind="area",
                    title="村部周边党员责任区",
                    duties="负责区域内环境卫生、矛盾排查和政策宣传",
                    coverage="村部至主干道两侧",
                    set_up_on=set_up,
                    created_by="demo",
                )
            )
            plan.append(pool[:1])
    posts = MemberPost.objects.bulk_create(posts, batch_size=BATCH)
    assignments = [
        PostAssignment(
            post=p,
            member_id=mid,
            organisation_id=p.organisation_id,
            org_path=p.org_path,
            duties=p.duties[:60],
            start_on=datetime.date(year, 3, 5),
        )
        for p, mids in zip(posts, plan, strict=True)
        for mid in mids
    ]
    assignments = PostAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    reviews = []
    for a in assignments:
        x = rng.random()
        grade = "excellent" if x < 0.25 else "competent" if x < 0.95 else "basic"
        reviews.append(
            PostReview(
                assignment=a,
                organisation_id=a.organisation_id,
                org_path=a.org_path,
                year=year,
                half=2,
                grade=grade,
                fulfilment=REVIEW_TEXTS[grade],
                reviewed_on=datetime.date(year, 12, 20),
                reviewed_by="demo",
            )
        )
    PostReview.objects.bulk_create(reviews, batch_size=BATCH)
    return {"posts": len(posts), "post_holders": len(assignments)}
