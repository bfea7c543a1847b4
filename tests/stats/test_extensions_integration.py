"""party_statistics with the real extension modules (发展党员, 党费): JSON-safe, labelled,
and the dashboard shows their headline cards."""

import datetime
import json
import random
from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from apps.dues import demo as dues_demo
from apps.stats.selectors import flat_rows, party_statistics
from tests.factories import make_member, make_user


def _county(tree):
    branches = [b for pair in tree["branches"] for b in pair]
    for i in range(12):
        make_member(
            branches[i % 4],
            occupation=["farmer", "professional", "retired"][i % 3],
            join_date=datetime.date(2010 + i, 7, 1),
            conversion_date=datetime.date(2011 + i, 7, 1),
            increase_method="developed" if i % 2 else "other",
        )
    dues_demo.populate(tree["county"], random.Random(5), datetime.date.today())


def test_cli_json_includes_development_and_dues(tree):
    _county(tree)
    out = StringIO()
    call_command("party_stats", "--json", "--org", tree["county"].code, stdout=out)
    data = json.loads(out.getvalue())
    assert data["members"]["total"] == 12
    assert data["development"]["developed_since"]["total"] == 6
    assert float(data["dues"]["collected"]) > 0 and "arrears_case" in data["dues"]


def test_flat_rows_use_chinese_labels(tree):
    _county(tree)
    rows = flat_rows(party_statistics(tree["county"]))
    sections = {r[0] for r in rows}
    assert "发展党员" in sections and "党费" in sections
    labels = {r[1] for r in rows if r[0] == "党费"}
    assert "本年已收党费（元）" in labels and "collected" not in labels
    assert ("发展党员·2001年以来发展党员", "合计", 6, "") in rows


def test_dashboard_shows_extension_cards(client, tree):
    _county(tree)
    client.force_login(make_user("county_admin", tree["county"]))
    html = client.get(reverse("stats:dashboard")).content.decode()
    assert "入党积极分子" in html and "党费按时交纳率" in html
