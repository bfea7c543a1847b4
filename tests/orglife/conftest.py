import datetime

import pytest

from apps.core.actors import system_actor
from apps.members.models import Member
from apps.orglife import services
from apps.orgs.models import CommitteeMember
from tests.factories import make_member, make_user

CLI = system_actor("cli")


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def other_branch(tree):
    return tree["branches"][1][0]


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def outsider(other_branch):
    return make_user("branch_secretary", other_branch)


@pytest.fixture
def members(branch):
    """Four full members and one probationary member of the branch."""
    full = [make_member(branch) for _ in range(4)]
    prob = make_member(branch, member_type="probationary", conversion_date=None, join_date=datetime.date(2025, 3, 1))
    return [*full, prob]


def meeting(org, kind="theme_day", held_on=datetime.date(2025, 6, 10), actor=CLI, **extra):
    data = {"organisation": org, "kind": kind, "held_on": held_on, "topic": extra.pop("topic", "学习党章"), **extra}
    if kind == "theme_day":
        data.setdefault("theme", "重温入党誓词")
    if kind == "party_lecture":
        data.setdefault("lecturer", "王书记")
        data.setdefault("lecture_topic", "坚定理想信念")
    return services.create_meeting(data, actor=actor)


def seat(org, member, role=None, **kw):
    """Seat ``member`` on ``org``'s committee: the first seat is the secretary (one at a
    time, a database constraint), later ones ordinary 委员."""
    if role is None:
        taken = CommitteeMember.objects.filter(organisation=org, role="secretary", end_date__isnull=True).exists()
        role = "member" if taken else "secretary"
    return CommitteeMember.objects.create(organisation=org, member=member, role=role, **kw)


def set_status(member, status):
    Member.objects.filter(pk=member.pk).update(status=status)
    member.refresh_from_db()
    return member
