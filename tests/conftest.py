import os
import time

import pytest

from tests.factories import make_tree

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
