import os
import time

import pytest
from hypothesis import HealthCheck, settings

from tests.factories import make_tree

# Property tests judge the product, not the machine: on two cores shared with another test
# worker (CI) or other engineers, generating inputs can be slow, and Hypothesis's timing
# checks (too_slow, the per-example deadline) then fail a test whose property holds
# (tests/members/test_idnumber.py did so once under load). Tests that set their own
# settings keep them.
settings.register_profile("dangjian", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("dangjian")

# The product's "today" is timezone.localdate() in TIME_ZONE (Asia/Shanghai); tests that
# write datetime.date.today() must mean the same day, also between 16:00 and 24:00 UTC,
# when the two differ on a machine set to UTC.
os.environ["TZ"] = "Asia/Shanghai"
time.tzset()


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
