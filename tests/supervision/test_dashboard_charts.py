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


def test_appraisal_and_orglife_declare_their_charts(tree):
    """The 民主评议 chart shows the grades, not the number appraised beside them; the
    组织生活 chart's labels are short (the table keeps the long ones)."""
    stats = party_statistics(tree["county"])
    year = stats["appraisal"]["year"]
    stats["appraisal"].update(
        {"appraised": 100, "graded": 100, "excellent": 20, "qualified": 70, "basically_qualified": 8, "unqualified": 2}
    )
    stats["appraisal"]["cases"].update({"open": 3, "overdue": 1})
    stats["orglife"].update({"orgs_due": 7, "orgs_lagging": 2, "theme_due": 4, "theme_done": 3})
    charts = {c["title"]: c for c in domain_charts(stats)}
    grades = charts[f"{year}年民主评议等次（人）"]
    assert grades["labels"] == ["优秀", "合格", "基本合格", "不合格"] and grades["values"] == [20, 70, 8, 2]
    assert charts["组织处置（件）"]["values"][:2] == [3, 1]
    assert not [c for c in charts.values() if 100 in c["values"]]  # the number appraised is no bar
    orglife = charts[f"{stats['orglife']['year']}年组织生活落实（个）"]
    assert orglife["values"] == [7, 2, 4, 3] and max(len(label) for label in orglife["labels"]) <= 10


def test_the_dashboard_computes_only_what_it_charts(tree):
    """party_statistics(charted=True): the sections that declare `charted` skip the
    figures no chart shows (quizzes, plans, absences) and the charts come out the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for branch in (b for pair in tree["branches"] for b in pair):
        make_member(branch)
    full = party_statistics(tree["county"])
    with CaptureQueriesContext(connection) as ctx:
        charted = party_statistics(tree["county"], charted=True)
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "education_quizattempt" not in sql and "orglife_attendance" not in sql
    assert domain_charts(charted) == domain_charts(full)
    assert charted["education"]["quiz_takers"] is None and charted["orglife"]["absent_warning"] is None
    assert full["education"]["quiz_takers"] == 0 and full["orglife"]["absent_warning"] == 0
