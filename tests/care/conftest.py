import datetime

import pytest

from apps.care.models import CareOccasion
from apps.core.actors import system_actor
from tests.factories import make_member, make_user

D = datetime.date
CLI = system_actor("cli")


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
def outsider(other_branch):
    return make_user("branch_secretary", other_branch)


@pytest.fixture
def organiser(committee):
    return make_user("committee_organiser", committee)


@pytest.fixture
def admin(tree):
    return make_user("county_admin", tree["county"])


@pytest.fixture
def member(branch):
    return make_member(branch)


def occasion(code):
    return CareOccasion.objects.get(code=code)
