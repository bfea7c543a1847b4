"""Building development files at a given point of the journey through the services."""

import datetime

from apps.core.actors import system_actor
from apps.members.idnumber import compose
from apps.recruitment import engine, services
from tests.factories import make_member

D = datetime.date
_seq = iter(range(1, 100000))


def applicant_data(org, **overrides):
    n = next(_seq)
    sex = overrides.pop("sex", "F" if n % 2 else "M")
    birth = overrides.pop("birth_date", D(1995, 3, 1) + datetime.timedelta(days=n % 3000))  # adult on 2023-01-10 whatever n
    data = {
        "name": overrides.pop("name", "林" + "晓明华丽芳强"[n % 6] + "春夏秋冬"[n % 4]),
        "sex": sex,
        "birth_date": birth,
        "id_number": compose("350525", birth, 300 + n % 190, sex),
        "education": "college",
        "occupation": "farmer",
        "source": "returned_youth",
        "organisation": org,
        "phone": "13900001111",
        "application_date": D(2023, 1, 10),
    }
    data.update(overrides)
    return data


def new_file(org, **overrides):
    return services.create_file(applicant_data(org, **overrides), actor=system_actor("cli"))


# The journey's dates (each respects every interval of the rule table).
PLAN = [
    ("talk", D(2023, 1, 20), {"talker": "王书记", "talker_role": "secretary", "summary": "了解入党动机"}),
    ("activist", D(2023, 3, 1), {"recommendation": "member", "decided_by": "committee"}),
    ("activist_filed", D(2023, 3, 10), {}),
    ("contacts", D(2023, 3, 10), "contacts"),
    ("cultivate", D(2024, 3, 5), {}),
    ("target", D(2024, 3, 15), {"decided_by": "committee"}),
    ("target_filed", D(2024, 3, 20), {}),
    ("introducers", D(2024, 3, 20), "introducers"),
    ("political_review", D(2024, 4, 1), {"conclusion": "pass", "summary": "政治合格"}),
    ("training", D(2024, 4, 10), {"days": 3, "hours": 24, "provider": "县委党校"}),
    ("branch_review", D(2024, 4, 15), {"summary": "同意"}),
    ("pre_review", D(2024, 4, 20), {"result": "pass", "summary": "预审合格"}),
    ("form", D(2024, 4, 25), {}),
    ("general_meeting", D(2024, 5, 10), {}),
    ("higher_talk", D(2024, 5, 20), {"talker": "李组织员", "summary": "谈话"}),
    ("approval", D(2024, 6, 1), {"result": "approve"}),
    ("approval_filed", D(2024, 6, 10), {}),
    ("placement", D(2024, 6, 5), {}),
    ("oath", D(2024, 6, 20), {}),
    ("probation_education", D(2024, 12, 1), {"summary": "表现良好"}),
    ("conversion_application", D(2025, 5, 10), {}),
    ("conversion_meeting", D(2025, 5, 15), {"outcome": "convert"}),
    ("conversion_approval", D(2025, 6, 1), {"result": "approve"}),
    ("archive", D(2025, 6, 10), {"archived_items": "申请书、志愿书、政审材料、转正申请、考察材料"}),
]
PLAN_DATE = {code: d for code, d, _ in PLAN}


def full_members(org, n=2):
    return [make_member(org) for _ in range(n)]


def before_step(file, code, *, branch_user=None, higher_user=None, people=None, prepare=True):
    """Run the journey up to (not including) `code`, adding the records each step needs."""
    from apps.recruitment import rules

    org = file.organisation
    people = people or full_members(org)
    for step_code, date, data in PLAN:
        if step_code == code:
            if prepare:
                _prepare(file, step_code, date)
            return file
        _prepare(file, step_code, date)
        if data == "contacts":
            data = {"contacts": [people[0].pk]}
        elif data == "introducers":
            data = {"introducers": [p.pk for p in people[:2]]}
        user = (higher_user if rules.STEP_BY_CODE[step_code].performer == "higher" else branch_user) or system_actor("cli")
        engine.take_step(file, step_code, date=date, actor=user, data=data)
        file.refresh_from_db()
    return file


def _prepare(file, code, date):
    if code == "cultivate":
        services.add_assessment(file, date=D(2023, 9, 1), period="2023下半年", evaluator="member", score=90, actor=system_actor("cli"))
        services.add_assessment(file, date=D(2024, 3, 1), period="2024上半年", evaluator="mass", score=88, actor=system_actor("cli"))
    elif code == "target":
        services.create_notice(file, start_date=D(2024, 3, 4), place="村务公开栏", actor=system_actor("cli"))
    elif code == "general_meeting":
        services.record_vote(
            file,
            {"proposal": "admit", "meeting_date": date, "should_attend": 10, "present": 8, "yes": 7, "no": 1, "abstain": 0, "passed": True},
            actor=system_actor("cli"),
        )
    elif code == "conversion_meeting":
        services.record_vote(
            file,
            {
                "proposal": "convert",
                "meeting_date": date,
                "should_attend": 10,
                "present": 9,
                "yes": 9,
                "no": 0,
                "abstain": 0,
                "passed": True,
            },
            actor=system_actor("cli"),
        )
