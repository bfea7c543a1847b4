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
    return {"notices": len(notices), "reads": len(reads), "feedback": len(rows)}
