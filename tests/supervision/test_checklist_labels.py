"""The 十规范 checklist names each data-scored item's figure, not its code."""

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_checklist_names_the_metric(client, tree):
    client.force_login(make_user("county_admin", tree["county"]))
    html = client.get(reverse("supervision:checklist")).content.decode()
    assert "数据：党员学时达标" in html and "数据：education_hours" not in html
