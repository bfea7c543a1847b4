"""The 党内统计 page's chart of the organisations one level below: each bar opens that
organisation's statistics on the same reference date (static/js/chart-drill.js), and
only organisations inside the user's scope are charted."""

import json
import re

from django.urls import reverse

from tests.factories import make_member, make_user


def _charts(html: str) -> dict:
    return json.loads(re.search(r'<script id="stats-data" type="application/json">(.*?)</script>', html, re.S).group(1))


def test_children_chart_links_each_unit_with_the_reference_date(client, tree):
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][0][1])
    make_member(tree["branches"][1][0])
    client.force_login(make_user("county_admin", tree["county"]))
    html = client.get(reverse("stats:dashboard"), {"org": tree["county"].pk, "as_of": "2026-01-31"}).content.decode()
    assert 'id="chart-children"' in html and "js/chart-drill.js" in html
    children = _charts(html)["children"]
    assert children["labels"] == [c.short_name or c.name for c in tree["committees"]]
    assert children["values"] == [2, 1]
    assert children["urls"] == [f"{reverse('stats:dashboard')}?org={c.pk}&as_of=2026-01-31" for c in tree["committees"]]


def test_children_chart_stays_inside_scope(client, tree):
    township = tree["committees"][0]
    client.force_login(make_user("committee_organiser", township))
    html = client.get(reverse("stats:dashboard")).content.decode()
    children = _charts(html)["children"]
    assert children["urls"] == [
        f"{reverse('stats:dashboard')}?org={b.pk}&as_of=" + children["urls"][0].split("as_of=")[1] for b in tree["branches"][0]
    ]
    assert all(f"org={b.pk}&" not in u for b in tree["branches"][1] for u in children["urls"])
    # another township's statistics (where its bars would lead) are a 404 for this user
    assert client.get(reverse("stats:dashboard"), {"org": tree["committees"][1].pk}).status_code == 404


def test_a_branch_without_units_below_has_no_chart(client, tree):
    branch = tree["branches"][0][0]
    client.force_login(make_user("branch_secretary", branch))
    html = client.get(reverse("stats:dashboard"), {"org": branch.pk}).content.decode()
    assert 'id="chart-children"' not in html
    assert _charts(html)["children"] == {"labels": [], "values": [], "urls": []}
