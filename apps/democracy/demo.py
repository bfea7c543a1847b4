"""Demo data for the democracy domain: a year of 党务公开 notices (county, township and
branch) with read receipts, and feedback raised by members and citizens, most answered
on time, a few answered late, a few open and overdue (escalated by escalate_feedback)."""

import datetime
import random

from django.db import transaction

from apps.members.models import Member
from apps.orgs.models import Organisation
from apps.recruitment.engine import add_workdays

from .models import Feedback, FeedbackCategory, Notice, NoticeCategory, NoticeRead

TITLES = {
    "dues": "上半年党费收缴情况公开",
    "development": "发展对象公示",
    "org_building": "支部委员会换届选举结果公开",
    "commendation": "七一表彰推荐对象公示",
    "decision": "村级重大事项决策结果公开",
}
SUBJECTS = ["活动室需要维修", "建议增加党员学习资料", "村道路灯不亮", "低保评定有疑问", "建议组织技能培训", "反映村务公开不及时"]


def populate(root: Organisation, rng: random.Random, as_of: datetime.date) -> dict:
    if Notice.objects.filter(org_path__startswith=root.path).exists():
        return {"skipped": True}
    with transaction.atomic():
        return _populate(root, rng, as_of)


def _populate(root, rng, as_of):
    cats = {c.code: c for c in NoticeCategory.objects.all()}
    branches = list(Organisation.objects.filter(path__startswith=root.path, org_type="branch").values("pk", "path")[:3000])
    notices = [
        Notice(
            organisation=root,
            org_path=root.path,
            title="全县党费收缴和使用情况通报",
            body="全县党费收缴、上缴和使用情况如下……",
            category=cats["dues"],
            audience="subtree",
            publish_on=as_of - datetime.timedelta(days=40),
            author="系统（示范数据）",
        )
    ]
    for b in rng.sample(branches, min(len(branches), max(1, len(branches) // 3))):
        code = rng.choice(list(TITLES))
        notices.append(
            Notice(
                organisation_id=b["pk"],
                org_path=b["path"],
                title=TITLES[code],
                body="根据有关规定，现将有关情况公开如下，欢迎党员群众监督。",
                category=cats[code],
                audience=rng.choice(["members", "public"]),
                publish_on=as_of - datetime.timedelta(days=rng.randint(0, 300)),
                author="系统（示范数据）",
            )
        )
    Notice.objects.bulk_create(notices, batch_size=2000)
    branch_notice = {n.org_path: n for n in Notice.objects.filter(org_path__startswith=root.path).exclude(org_path=root.path)}
    members = list(Member.objects.counted().filter(org_path__startswith=root.path).values("id", "org_path", "organisation_id"))
    reads = [
        NoticeRead(notice=branch_notice[m["org_path"]], member_id=m["id"])
        for m in members
        if m["org_path"] in branch_notice and rng.random() < 0.6
    ]
    NoticeRead.objects.bulk_create(reads, batch_size=5000)
    categories = list(FeedbackCategory.objects.filter(active=True))
    rows = []
    for m in rng.sample(members, min(len(members), max(1, len(members) // 200))):
        cat = rng.choice(categories)
        raised = as_of - datetime.timedelta(days=rng.randint(1, 300))
        due = add_workdays(raised + datetime.timedelta(days=1), cat.answer_days)
        roll = rng.random()
        answered = (
            None
            if roll < 0.08
            else (
                due + datetime.timedelta(days=rng.randint(1, 10)) if roll < 0.18 else raised + datetime.timedelta(days=rng.randint(1, 10))
            )
        )
        if answered and answered > as_of:
            answered = None
        citizen = rng.random() < 0.3
        rows.append(
            Feedback(
                organisation_id=m["organisation_id"],
                org_path=m["org_path"],
                origin_id=m["organisation_id"],
                origin_path=m["org_path"],
                raiser_id=None if citizen else m["id"],
                citizen_name="群众" + rng.choice("张王李赵陈") + rng.choice("某甲乙") if citizen else "",
                category=cat,
                subject=rng.choice(SUBJECTS),
                content="具体情况：……请组织上帮助解决。",
                raised_on=raised,
                due_on=due,
                status="answered" if answered else "open",
                answer="已研究并落实，结果如下……" if answered else "",
                answered_on=answered,
                answered_by="系统（示范数据）" if answered else "",
                answered_in_time=(answered <= due) if answered else None,
                recorded_by="系统（示范数据）",
            )
        )
    Feedback.objects.bulk_create(rows, batch_size=2000)
    return {"notices": len(notices), "reads": len(reads), "feedback": len(rows), **_participation(root, rng, as_of, members, branches)}


def _participation(root, rng, as_of, members, branches) -> dict:
    """One county consultation with opinions and its decision, a few open branch
    consultations, committee decision records, and rectification lists on the year's
    民主生活会/组织生活会 that orglife's demo recorded."""
    from apps.orglife.models import Meeting

    from .models import Consultation, Decision, LifeRectification, Opinion

    opened = as_of - datetime.timedelta(days=60)
    county = Consultation.objects.create(
        organisation=root,
        title="全县村级集体经济发展三年规划（征求意见稿）",
        text="为发展壮大村级集体经济，拟定三年规划，现向全县党员征求意见。",
        audience="subtree",
        opens_on=opened,
        deadline=opened + datetime.timedelta(days=20),
        status="decided",
        decision="吸收党员意见，修改规划中产业项目选址和收益分配条款后，经县委常委会研究通过。",
        decided_on=opened + datetime.timedelta(days=30),
        decided_by="系统（示范数据）",
        created_by="系统（示范数据）",
    )
    stances = ["agree"] * 6 + ["suggest"] * 3 + ["disagree"]
    opinions = []
    for m in rng.sample(members, min(len(members), max(1, len(members) // 50))):
        stance = rng.choice(stances)
        opinions.append(
            Opinion(
                consultation=county,
                member_id=m["id"],
                stance=stance,
                text=""
                if stance == "agree"
                else rng.choice(["建议项目选址充分听取村民意见", "收益分配应向困难群众倾斜", "建议分年度公开进度"]),
                anonymous=rng.random() < 0.3,
            )
        )
    Opinion.objects.bulk_create(opinions, batch_size=5000)
    open_ = [
        Consultation(
            organisation_id=b["pk"],
            org_path=b["path"],
            title="村集体冷库建设项目",
            text="拟使用村集体资金建设农产品冷库，请党员提出意见。",
            audience="members",
            opens_on=as_of - datetime.timedelta(days=3),
            deadline=as_of + datetime.timedelta(days=10),
            created_by="系统（示范数据）",
        )
        for b in rng.sample(branches, min(len(branches), 10))
    ]
    Consultation.objects.bulk_create(open_)
    decisions = []
    for b in rng.sample(branches, min(len(branches), max(1, len(branches) // 10))):
        total = rng.choice([3, 5, 7])
        present = total - rng.randint(0, (total - 1) // 2)
        against = rng.randint(0, 1)
        votes_for = present - against
        decisions.append(
            Decision(
                organisation_id=b["pk"],
                org_path=b["path"],
                topic=rng.choice(["村道硬化工程实施方案", "村集体资产出租", "年度困难群众救助名单", "村级公益事业建设项目"]),
                category=rng.choice(["major_matter", "project", "funds"]),
                proposed_by="支部书记",
                consulted="会前分别征求了支委、村委会成员和党员代表意见",
                decided_on=as_of - datetime.timedelta(days=rng.randint(5, 300)),
                members_total=total,
                members_present=present,
                votes_for=votes_for,
                votes_against=against,
                votes_abstain=0,
                result="passed" if votes_for * 2 > total else "failed",
                content="经支部委员会表决，同意实施，结果在党务公开栏公示。",
                recorded_by="系统（示范数据）",
            )
        )
    Decision.objects.bulk_create(decisions)
    meetings = list(
        Meeting.objects.filter(org_path__startswith=root.path, kind__in=("democratic_life", "life_meeting"), status="held")
        .values("pk", "organisation_id", "org_path", "held_on")
        .order_by("pk")[:400]
    )
    items = []
    for m in meetings:
        for problem, measure in rng.sample(
            [
                ("理论学习不够系统", "制定年度学习计划，每月集中学习一次"),
                ("联系服务群众不够经常", "每名党员联系3至5户群众，每季度至少走访一次"),
                ("批评与自我批评辣味不足", "开展谈心谈话，会前征求意见"),
                ("党费收缴不够及时", "每月5日前收缴，按季度公开"),
            ],
            2,
        ):
            deadline = m["held_on"] + datetime.timedelta(days=90)
            done = deadline < as_of and rng.random() < 0.8
            items.append(
                LifeRectification(
                    organisation_id=m["organisation_id"],
                    org_path=m["org_path"],
                    meeting_id=m["pk"],
                    problem=problem,
                    responsible="支部书记",
                    measure=measure,
                    deadline=deadline,
                    status="done" if done else "open",
                    done_on=deadline - datetime.timedelta(days=10) if done else None,
                    done_note="已按措施完成整改" if done else "",
                    recorded_by="系统（示范数据）",
                )
            )
    LifeRectification.objects.bulk_create(items, batch_size=2000)
    return {"consultations": 1 + len(open_), "opinions": len(opinions), "decisions": len(decisions), "rectifications": len(items)}
