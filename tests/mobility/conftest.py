import pytest

from apps.core.actors import system_actor
from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def sibling(tree):
    """Another branch under the same committee."""
    return tree["branches"][0][1]


@pytest.fixture
def far_branch(tree):
    """A branch under the other committee."""
    return tree["branches"][1][0]


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def organiser(tree):
    return make_user("committee_organiser", tree["committees"][0])


@pytest.fixture
def far_secretary(far_branch):
    return make_user("branch_secretary", far_branch)


@pytest.fixture
def admin(tree):
    return make_user("county_admin", tree["county"])


@pytest.fixture
def member(branch):
    return make_member(branch)


@pytest.fixture
def system():
    return system_actor("cli")
