"""The statistics table and export list each domain section's own rows
(StatsSection.rows): its sub-sections and labels, never a raw key, a year as a figure or
the word None."""

import datetime

import pytest
from django.urls import reverse

from apps.core import registry
from apps.stats.selectors import flat_rows, party_statistics
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def _members(tree):
    for branch in (b for pair in tree["branches"] for b in pair):
        make_member(branch)


def test_flat_rows_are_the_sections_own_rows(tree):
    _members(tree)
    stats = party_statistics(tree["county"])
    rows = flat_rows(stats)
    for section in registry.stats:
        if section.rows is not None and section.name in stats:
            own = [(s, label, "—" if n is None else n, "" if pct is None else pct) for s, label, n, pct in section.rows(stats)]
            assert own and all(r in rows for r in own), section.name
    year = datetime.date.today().year
    assert not [r for r in rows if r[1] in ("year", "年度") or r[2] == year]  # a period is not a figure
    assert not [r for r in rows if r[1].isascii() or None in r]


def test_statistics_page_shows_no_none(client, tree):
    _members(tree)
    client.force_login(make_user("county_admin", tree["county"]))
    html = client.get(reverse("stats:dashboard")).content.decode()
    assert "学时分布" in html  # education's own sub-section
    assert ">None<" not in html
