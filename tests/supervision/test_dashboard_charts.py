"""The dashboard's section charts compare like with like: a section's own charts where it
declares them (education: the study-hour distribution, not the year as a bar), otherwise
its counts in one unit, without totals, rates or averages beside them."""

import datetime

import pytest

from apps.stats.selectors import party_statistics
from apps.supervision.dashboard import domain_charts
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_charts_show_no_year_total_or_rate(tree):
    for branch in (b for pair in tree["branches"] for b in pair):
        make_member(branch)
        make_member(branch)
    stats = party_statistics(tree["county"])
    charts = {c["title"]: c for c in domain_charts(stats)}
    year = datetime.date.today().year
    assert charts[f"{year}年党员学时分布"]["values"][0] == 8  # nobody has studied yet
    assert "学习教育" not in charts  # education declares its charts
    for chart in charts.values():
        assert len(chart["labels"]) >= 2 and any(chart["values"]), chart
        assert year not in chart["values"], chart
        assert not [label for label in chart["labels"] if "合计" in label or "率" in label or label in ("year", "年度")], chart
    assert charts["基层党组织"]["labels"] == [i["label"] for i in stats["organisations"]["by_level"]][: len(charts["基层党组织"]["labels"])]
