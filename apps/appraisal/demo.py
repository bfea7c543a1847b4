"""Demo data: last year's democratic appraisal finished in every branch of the demo county
(plausible grade shares, 优秀 within ⅓ per branch), a few 不合格 members with open 限期改正
cases, one 除名 completed with its 5-year block, a handful of 失联 members on the clock, and
设岗定责 posts with 党员中心户 (and some 党员责任区) in the village branches, a few 三培养
talent-pool entries per township, 谈心谈话 / 重大事项报告 / 群众意见 records and the goal
sheets of the appraised members (last year's with the self-check).

Generated history is written with apps.core.bulk's plain INSERTs (COPY on PostgreSQL): the
ORM's bulk_create spent most of the builder's time preparing ~110k values one by one; the
per-record audit entries of the services are not written for it); the status changes go
through apps.members.services."""

import datetime

from apps.core import bulk
from apps.core.actors import system_actor
from apps.members import services as member_services
from apps.members.demo import extension_id_number
from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.orgs.rules import BRANCH_TYPES

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


def _free_extension_number(birth: datetime.date, sex: str) -> str:
    """An extension ID number of this birth date and sex that no member holds yet (a
    generated register may already use the first sequence numbers)."""
    from apps.core import crypto

    for n in range(99, -1, -1):
        number = extension_id_number(birth, sex, n)
        if not Member.objects.filter(id_number_hash=crypto.blind_index(number)).exists():
            return number
    raise ValueError("no free demo ID number for this birth date")


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
    procs = [
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
    ]
    bulk.insert(BranchAppraisal, procs, with_ids=True)
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
    bulk.insert(Appraisee, appraisees, with_ids=True, batch=BATCH)
    bulk.insert(VoteCast, voters, batch=BATCH)
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
    bulk.insert(RatingTally, tallies, batch=BATCH)
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
                "id_number": _free_extension_number(template.birth_date, template.sex),
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
    talents = populate_talents(root_org, rng, as_of)
    supervision = populate_supervision(root_org, rng, as_of)
    goals = populate_goals(root_org, rng, as_of, members)
    return {
        "branches": len(procs),
        "appraised": len(appraisees),
        "cases": len(cases) + 1,
        "lost_contact": len(lost),
        **posts,
        **talents,
        **supervision,
        **goals,
    }


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
    bulk.insert(MemberPost, posts, with_ids=True, batch=BATCH)
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
    bulk.insert(PostAssignment, assignments, with_ids=True, batch=BATCH)
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
    bulk.insert(PostReview, reviews, batch=BATCH)
    return {"posts": len(posts), "post_holders": len(assignments)}


# ── 三培养 talent pool ───────────────────────────────────────────────────────────────────
BACKBONE_NAMES = ["王富强", "陈春来", "刘建业", "张秀英", "李兴旺", "赵丰收", "黄振华", "周玉梅", "吴长青", "郑有才"]
BACKBONE_STRENGTHS = ["种植大户", "养殖能手", "农村电商", "返乡创业", "合作社带头人", "乡村医生", "退役军人", "农机手"]
TALENT_PLANS = {
    "member_to_backbone": "参加实用技术培训，结对一名致富带头人，承担一个党员岗位",
    "backbone_to_member": "支部委员结对联系，每季度谈心一次，邀请列席主题党日",
    "backbone_to_cadre": "跟班学习村务，参与矛盾调解和项目建设，年底组织考察",
}


def populate_talents(root_org: Organisation, rng, as_of: datetime.date) -> dict:
    """A few 三培养 entries per township: in two or three of its village branches a member
    on 把党员培养成骨干, a non-member backbone on 把骨干培养成党员 and a young member on 把党员
    骨干培养成村干部, each with a mentor of the branch, begun last year and moved a stage or
    two since (with the stage history); one in twelve already closed."""
    year = as_of.year - 1
    townships = list(
        Organisation.objects.filter(path__startswith=root_org.path, depth=root_org.depth + 1, org_type="committee")
        .order_by("path")
        .values_list("path", flat=True)
    )
    villages = list(
        Organisation.objects.filter(path__startswith=root_org.path, org_type__in=BRANCH_TYPES, unit_type="village", status="active")
        .order_by("path")
        .values_list("id", "path")
    )
    chosen = []
    for t in townships:
        under = [v for v in villages if v[1].startswith(t)]
        chosen.extend(rng.sample(under, min(len(under), 2 + rng.randint(0, 1))))
    people: dict[int, list[tuple]] = {}
    for mid, org_id, name, mtype, birth in (
        Member.objects.filter(organisation_id__in=[o for o, _p in chosen], status="normal", join_date__lt=datetime.date(year, 1, 1))
        .order_by("organisation_id", "id")
        .values_list("id", "organisation_id", "name", "member_type", "birth_date")
    ):
        people.setdefault(org_id, []).append((mid, name, mtype, birth))
    entries, plans = [], []
    for i, (org_id, path) in enumerate(chosen):
        pool = [p for p in people.get(org_id, []) if p[2] == "full"]
        if len(pool) < 5:
            continue
        pool = rng.sample(pool, len(pool))
        mentors, pool = pool[:2], pool[2:]
        young = sorted(pool, key=lambda p: p[3], reverse=True)
        subjects = [
            ("member_to_backbone", pool[0]),
            ("backbone_to_member", None),
            ("backbone_to_cadre", young[0] if young[0] != pool[0] else young[1]),
        ]
        for j, (track, person) in enumerate(subjects):
            rule = rules.TALENT_TRACK[track]
            start = datetime.date(year, 1 + rng.randint(0, 8), 1 + rng.randint(0, 27))
            moves = rng.randint(0, len(rule.stages) - 1)
            entries.append(
                TalentEntry(
                    organisation_id=org_id,
                    org_path=path,
                    track=track,
                    member_id=person[0] if person else None,
                    name=person[1] if person else BACKBONE_NAMES[(i + j) % len(BACKBONE_NAMES)],
                    strengths=rng.choice(BACKBONE_STRENGTHS),
                    stage=rule.stages[moves][0],
                    mentor_id=mentors[j % 2][0],
                    start_on=start,
                    plan=TALENT_PLANS[track],
                    created_by="demo",
                )
            )
            plans.append((start, moves, (i * 3 + j) % 12 == 11))
    entries = TalentEntry.objects.bulk_create(entries, batch_size=BATCH)
    changes = []
    closed = 0
    for e, (start, moves, close) in zip(entries, plans, strict=True):
        stages = [c for c, _l in e.track_rule.stages]
        on = start
        changes.append(TalentStageChange(entry=e, on=on, before="", after=stages[0], note="列入人才库", changed_by="demo"))
        for k in range(1, moves + 1):
            on = min(on + datetime.timedelta(days=60 + rng.randint(0, 60)), as_of)
            changes.append(TalentStageChange(entry=e, on=on, before=stages[k - 1], after=stages[k], changed_by="demo"))
        if close:
            e.status, e.outcome, e.closed_on = TalentEntry.Status.CLOSED, "achieved", min(on + datetime.timedelta(days=30), as_of)
            closed += 1
    TalentStageChange.objects.bulk_create(changes, batch_size=BATCH)
    TalentEntry.objects.bulk_update([e for e in entries if e.status == TalentEntry.Status.CLOSED], ["status", "outcome", "closed_on"])
    return {"talents": len(entries), "talents_closed": closed}


# ── 监督管理 and 目标管理 ──────────────────────────────────────────────────────────────────
TALK_TOPICS = [
    "了解思想、工作和家庭情况，听取对支部工作的意见",
    "谈学习体会和发挥作用的打算",
    "谈参加组织生活和交纳党费情况，提醒按时参加",
    "了解外出务工情况，叮嘱保持与党组织联系",
]
TALK_FOLLOW_UPS = ["", "", "协调解决子女入学问题", "帮助联系技能培训", "已转告村委会研究"]
REPORT_TEXTS = {
    "marriage": "本人登记结婚",
    "abroad": "拟因私赴新加坡探亲，时间约两周",
    "business": "配偶在本村开办农家乐",
    "residence": "外出到厦门务工，居住地变更",
}
OPINION_TEXTS = ["群众反映该党员带头参与村道保洁，表现突出", "群众反映该党员长期不参加村里集体活动"]
CHECK_TEXTS = {
    "achieved": "对照年初目标逐条落实：按时参加组织生活、完成学习学时、参与志愿服务，目标全部完成。",
    "mostly": "大部分目标完成，联系群众办实事次数不够，明年改进。",
    "partly": "外出时间较长，参加组织生活和学习不够经常，部分目标未完成。",
}


def _day(rng, year: int, as_of: datetime.date, months=range(1, 13)) -> datetime.date:
    d = datetime.date(year, rng.choice(list(months)), 1 + rng.randint(0, 27))
    return min(d, as_of)


def populate_supervision(root_org: Organisation, rng, as_of: datetime.date) -> dict:
    """谈心谈话 in nine branches in ten, last year and this year (the secretary, or another
    committee member, with two to five members each year: they count for organisational
    life's 谈心谈话 frequency), about one member in a hundred reporting a 重大事项 (the
    recent ones still open: the branch's to-do), and a few opinions of the masses,
    verified. Plain INSERTs (apps.core.bulk)."""
    from apps.orgs.models import CommitteeMember

    branches = list(
        Organisation.objects.filter(path__startswith=root_org.path, org_type__in=BRANCH_TYPES, status="active")
        .order_by("path")
        .values_list("id", "path")
    )
    seats: dict[int, int] = {}
    for org_id, member_id, role in (
        CommitteeMember.objects.filter(organisation__path__startswith=root_org.path, end_date__isnull=True)
        .order_by("organisation_id", "role", "id")
        .values_list("organisation_id", "member_id", "role")
    ):
        if role == "secretary" or org_id not in seats:
            seats[org_id] = member_id
    people: dict[int, list[int]] = {}
    for mid, org_id in (
        Member.objects.filter(org_path__startswith=root_org.path, status__in=("normal", "mobile"), join_date__lt=as_of)
        .order_by("organisation_id", "id")
        .values_list("id", "organisation_id")
    ):
        people.setdefault(org_id, []).append(mid)
    records = []

    def add(org_id, path, kind, member_id, on, content, **extra):
        records.append(
            SupervisionRecord(
                organisation_id=org_id, org_path=path, kind=kind, member_id=member_id, on=on, content=content, recorded_by="demo", **extra
            )
        )

    recent = as_of - datetime.timedelta(days=rules.REPORT_ANSWER_DAYS)
    for org_id, path in branches:
        pool = people.get(org_id, [])
        if len(pool) < 3:
            continue
        talker = seats.get(org_id) or pool[0]
        others = [m for m in pool if m != talker]
        talks = rng.random() < 0.9
        for year in (as_of.year - 1, as_of.year):
            if not talks or (year == as_of.year and as_of.month < 3):
                continue
            months = range(1, 13) if year < as_of.year else range(1, as_of.month + 1)
            for mid in rng.sample(others, min(len(others), rng.randint(2, 5))):
                on = _day(rng, year, as_of, months)
                add(
                    org_id,
                    path,
                    "heart_to_heart_talk",
                    mid,
                    on,
                    rng.choice(TALK_TOPICS),
                    counterpart_id=talker,
                    follow_up=rng.choice(TALK_FOLLOW_UPS),
                    status=SupervisionRecord.Status.CLOSED,
                    closed_on=on,
                )
        for mid in pool:
            if rng.random() < 0.01:
                matter = rng.choice(list(REPORT_TEXTS))
                on = as_of - datetime.timedelta(days=rng.randint(1, 360))
                done = on < recent or rng.random() < 0.5
                add(
                    org_id,
                    path,
                    "major_report",
                    mid,
                    on,
                    REPORT_TEXTS[matter],
                    matter=matter,
                    follow_up="支部已阅知并提出要求" if done else "",
                    status=SupervisionRecord.Status.CLOSED if done else SupervisionRecord.Status.OPEN,
                    closed_on=min(on + datetime.timedelta(days=7), as_of) if done else None,
                )
        if rng.random() < 0.05:
            mid = rng.choice(pool)
            good = rng.random() < 0.6
            on = as_of - datetime.timedelta(days=rng.randint(10, 300))
            add(
                org_id,
                path,
                "public_opinion",
                mid,
                on,
                OPINION_TEXTS[0 if good else 1],
                matter=rng.choice(["forum", "visit", "box"]),
                verification="true" if good else "partly",
                follow_up="予以表扬" if good else "支部谈话提醒，本人表示改正",
                status=SupervisionRecord.Status.CLOSED,
                closed_on=min(on + datetime.timedelta(days=15), as_of),
            )
    bulk.insert(SupervisionRecord, records, batch=BATCH)
    kinds: dict[str, int] = {}
    for r in records:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    return {f"supervision_{k}": n for k, n in kinds.items()}


def populate_goals(root_org: Organisation, rng, as_of: datetime.date, members: list[tuple]) -> dict:
    """Last year's goal sheet of every appraised member (`members`: id, organisation, path,
    member type), from the goals of their categories, with the year-end self-check; this
    year's sheets for the members of about half the branches. Plain INSERTs (apps.core.bulk)."""
    from apps.members.models import MemberCategory

    year = as_of.year - 1
    categories: dict[int, list[str]] = {}
    for mid, code in MemberCategory.objects.filter(member__org_path__startswith=root_org.path).values_list("member_id", "code"):
        categories.setdefault(mid, []).append(code)
    goals_of: dict[tuple, list[str]] = {}
    this_year_orgs = {org_id for _m, org_id, _p, _t in members if org_id % 2 == 0}
    sheets = []
    check_day = datetime.date(year, 12, 20)
    for mid, org_id, path, _mtype in members:
        key = tuple(sorted(categories.get(mid, ())))
        goals = goals_of.get(key)
        if goals is None:
            goals = goals_of[key] = rules.goals_for(key)
        x = rng.random()
        grade = "achieved" if x < 0.7 else "mostly" if x < 0.95 else "partly"
        sheets.append(
            {
                "member_id": mid,
                "organisation_id": org_id,
                "org_path": path,
                "year": year,
                "goals": goals,
                "self_check": CHECK_TEXTS[grade],
                "check_grade": grade,
                "checked_on": check_day,
                "created_by": "demo",
            }
        )
        if org_id in this_year_orgs:
            sheets.append(
                {"member_id": mid, "organisation_id": org_id, "org_path": path, "year": as_of.year, "goals": goals, "created_by": "demo"}
            )
    bulk.insert_dicts(GoalSheet, sheets, batch=BATCH)
    return {"goal_sheets": len(sheets)}
