import datetime

import pytest

from apps.appraisal import services
from apps.core.actors import system_actor
from tests.factories import make_member, make_user

SYS = system_actor("cli")


def phase_dates(year=2025):
    return {
        "year": year,
        "report_by": datetime.date(year, 11, 10),
        "self_by": datetime.date(year, 11, 20),
        "peer_by": datetime.date(year, 11, 30),
        "rating_by": datetime.date(year, 12, 10),
        "proposal_by": datetime.date(year, 12, 20),
        "feedback_by": datetime.date(year, 12, 31),
    }


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def other_branch(tree):
    return tree["branches"][1][0]


@pytest.fixture
def committee(tree):
    return tree["committees"][0]


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def organiser(committee):
    return make_user("committee_organiser", committee)


@pytest.fixture
def outsider(other_branch):
    return make_user("branch_secretary", other_branch)


@pytest.fixture
def members(branch):
    """Six full members and one probationary member of the branch, each with an account."""
    out = []
    for i in range(7):
        kind = {"member_type": "probationary", "conversion_date": None} if i == 6 else {}
        m = make_member(branch, **kind)
        m.user = make_user("member", branch, member=m)
        out.append(m)
    return out


@pytest.fixture
def campaign(committee, members):
    return services.open_campaign(committee, phase_dates(), actor=SYS)


def branch_proc(campaign, branch):
    return campaign.branches.get(organisation=branch)


def to_phase(ba, phase):
    """Walk a branch's procedure up to `phase` as the system actor."""
    from apps.appraisal.models import BranchAppraisal

    order = ["report", "self", "peer", "rating", "proposal"]
    ba = BranchAppraisal.objects.get(pk=ba.pk)
    while ba.phase != phase:
        if ba.phase == "report":
            ba = services.record_report(ba, report="一年来支部工作情况", on=datetime.date(2025, 11, 5), actor=SYS)
        elif ba.phase in ("self", "peer", "rating"):
            ba = services.advance(ba, actor=SYS)
        else:
            raise AssertionError(f"cannot walk from {ba.phase} (order {order})")
    return ba
