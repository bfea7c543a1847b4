import datetime

import pytest
from django.utils import timezone

from apps.core import registry
from tests.factories import make_org, make_user


@pytest.fixture
def county(tree):
    return tree["county"]


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def other_branch(tree):
    return tree["branches"][1][0]


@pytest.fixture
def admin(county):
    return make_user("county_admin", county)


@pytest.fixture
def leader(county):
    return make_user("county_leader", county, display_name="县长甲")


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def other_secretary(other_branch):
    return make_user("branch_secretary", other_branch)


@pytest.fixture
def organiser(tree):
    return make_user("committee_organiser", tree["committees"][0])


@pytest.fixture
def village(tree):
    return make_org(tree["committees"][0], org_type="branch", unit_type="village", name="示范村党支部")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def this_quarter(today):
    return today.year, (today.month - 1) // 3 + 1


@pytest.fixture
def fixed_metric():
    """A metric under test control: {org id: (share, reason)} set by the test."""
    values: dict = {}
    registry.org_metrics.register(
        registry.OrgMetric("test.fixed", "测试指标", lambda ids, y, q: {i: values[i] for i in ids if i in values})
    )
    yield values
    registry.org_metrics.unregister("test.fixed")


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def only_fixed_metric(fixed_metric):
    """The fixed metric alone in the registry (other domains' metrics left out)."""
    saved = registry.org_metrics._entries
    registry.org_metrics._entries = {"test.fixed": saved["test.fixed"]}
    yield fixed_metric
    registry.org_metrics._entries = saved
