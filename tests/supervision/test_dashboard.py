"""The leaders' dashboard with drill-down and the 大屏: scope, content, query counts."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import make_member, make_org, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_figures():
    cache.clear()
    yield
    cache.clear()


def _data(html: str) -> dict:
    return json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_drill_down_county_township_branch(client, tree):
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][0][1])
    make_member(tree["branches"][1][0])
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    html = client.get(reverse("supervision:dashboard")).content.decode()
    data = _data(html)
    # the county: its two townships, members per township, each bar a link one level down
    assert data["units"]["members"] == [2, 1]
    township = tree["committees"][0]
    assert data["units"]["urls"][0].endswith(f"?org={township.pk}")
    html = client.get(data["units"]["urls"][0]).content.decode()
    assert _data(html)["units"]["members"] == [1, 1]  # its two branches
    assert "中共测试县委员会</a> ›" in html  # the way back up
    branch = tree["branches"][0][0]
    html = client.get(reverse("supervision:dashboard"), {"org": branch.pk}).content.decode()
    assert _data(html)["units"]["labels"] == [] and "测试第1镇党委</a> ›" in html
    assert _data(html)["sections"]  # charts of the registered statistics sections


def test_screen_is_full_screen_refreshing_and_local(client, tree):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    html = client.get(reverse("supervision:screen")).content.decode()
    assert '<meta http-equiv="refresh"' in html and "党建工作大屏" in html
    assert "/static/vendor/echarts/echarts.min.js" in html and "http://" not in html.replace("http-equiv", "")
    assert "https://" not in html


def test_scope_404_and_breadcrumb_stops_at_the_users_top(client, tree):
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    client.force_login(secretary)
    for name in ("supervision:dashboard", "supervision:screen"):
        assert client.get(reverse(name), {"org": tree["branches"][1][0].pk}).status_code == 404
        assert client.get(reverse(name), {"org": tree["county"].pk}).status_code == 404
    html = client.get(reverse("supervision:dashboard")).content.decode()
    assert "中共测试县委员会" not in html  # an ancestor outside the user's scope is not offered


@pytest.mark.parametrize("name", ["supervision:dashboard", "supervision:screen"])
def test_fixed_number_of_queries_at_two_sizes(client, tree, name, only_fixed_metric, django_assert_max_num_queries):
    """The dashboard's own cost is fixed (the health metrics reduced to a fixed one; with
    every registered metric: tests/supervision/test_health_metrics.py)."""
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    client.get(reverse(name))  # warm caches (session, registry)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200
    for c in tree["committees"]:
        for _ in range(3):
            b = make_org(c)
            make_member(b)
    make_org(tree["county"], org_type="committee", name="新设镇党委")
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_figures_cached_per_organisation_scope_checked_first(client, tree, django_assert_max_num_queries):
    admin = make_user("county_admin", tree["county"])
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    client.force_login(admin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        first = _data(client.get(reverse("supervision:dashboard")).content.decode())
    with django_assert_max_num_queries(len(cold.captured_queries) // 3):
        again = _data(client.get(reverse("supervision:dashboard")).content.decode())
    assert again == first
    # the county's cached figures are not a way around scope
    client.force_login(secretary)
    assert client.get(reverse("supervision:dashboard"), {"org": tree["county"].pk}).status_code == 404
