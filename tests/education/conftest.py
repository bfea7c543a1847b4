import datetime

import pytest

from apps.core.actors import system_actor
from apps.orgs.committee import add_committee_seat
from tests.factories import make_member, make_user


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
def organiser(tree):
    return make_user("committee_organiser", tree["committees"][0])


@pytest.fixture
def admin(tree):
    return make_user("county_admin", tree["county"])


@pytest.fixture
def outsider(other_branch):
    return make_user("branch_secretary", other_branch)


@pytest.fixture
def cli():
    return system_actor("cli")


@pytest.fixture
def member(branch):
    return make_member(branch)


def seat(org, member, role="secretary", start=datetime.date(2020, 1, 1)):
    return add_committee_seat(org, member, role, start_date=start, actor=system_actor("cli"))
