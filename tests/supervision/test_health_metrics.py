"""The health score's metrics of other domains that the dashboard, the health page and the
十规范 computed items ask about many organisations at once: 节日走访慰问 (care_visits),
三包结对 (care_pairing) and 意见反馈按期答复 (feedback_on_time). Each is a fixed number of
grouped queries whatever the number of organisations asked about — including more than
SQLite's expression depth of 1000 (an OR of one LIKE per organisation failed there)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import registry
from apps.orgs.models import Organisation
from apps.supervision import selectors
from tests.factories import make_member, make_org, make_user

NAMES = ("care_visits", "care_pairing", "feedback_on_time")


def _bulk_branches(parent: Organisation, n: int) -> list[Organisation]:
    """n branches under parent written in one statement (the service's per-row tree
    bookkeeping would make a thousand of them slow); paths as treebeard numbers them."""
    parent.refresh_from_db()
    last = Organisation.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
    start = (Organisation._str2int(last.path[-Organisation.steplen :]) if last else 0) + 1
    rows = [
        Organisation(
            path=parent.path + Organisation._int2str(start + i).rjust(Organisation.steplen, "0"),
            depth=parent.depth + 1,
            numchild=0,
            name=f"批量第{i}党支部",
            code=f"BULK{i:05d}",
            org_type="branch",
            unit_type="other",
        )
        for i in range(n)
    ]
    Organisation.objects.bulk_create(rows, batch_size=500)
    Organisation.objects.filter(pk=parent.pk).update(numchild=parent.numchild + n)
    return list(Organisation.objects.filter(code__startswith="BULK").order_by("path"))


def _queries(metric, ids, year, quarter) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        result = metric.measure(ids, year, quarter)
    return len(ctx.captured_queries), result


@pytest.mark.parametrize("name", NAMES)
def test_metric_fixed_queries_at_two_sizes_and_past_sqlites_expression_depth(tree, name, this_quarter):
    metric = registry.org_metrics.get(name)
    year, quarter = this_quarter
    small_ids = [o.pk for o in tree["branches"][0]]
    small, result = _queries(metric, small_ids, year, quarter)
    assert set(result) == set(small_ids)  # every organisation measured (nothing to do counts)
    many = _bulk_branches(tree["committees"][1], 1100)
    ids = small_ids + [o.pk for o in many]
    large, result = _queries(metric, ids, year, quarter)
    assert large == small, f"{name}: {small} queries for 2 organisations, {large} for {len(ids)}"
    assert set(result) == set(ids)
    for share, reason in result.values():
        assert 0 <= share <= 1 and reason


def test_care_visits_counted_only_in_each_organisations_own_subtree(tree, this_quarter):
    """One range over the common ancestor's subtree: a row under one unit is not credited
    to its sibling, and a unit's subtree sums its branches."""
    from apps.care.models import CareOccasion, ChecklistItem

    year, _q = this_quarter
    a, b = tree["branches"][0]
    member = make_member(a)
    occasion = CareOccasion.objects.filter(kind="seasonal").first() or CareOccasion.objects.create(
        code="test-seasonal", name="测试节日走访", kind="seasonal"
    )
    ChecklistItem.objects.create(
        organisation=a, member=member, occasion=occasion, year=year, reasons="困难党员", done_on=datetime.date(year, 1, 5)
    )
    metric = registry.org_metrics.get("care_visits")
    ids = [a.pk, b.pk, tree["committees"][0].pk, tree["committees"][1].pk]
    result = metric.measure(ids, year, None)
    assert result[a.pk][0] == 1.0 and "已完成1人次" in result[a.pk][1]
    assert result[tree["committees"][0].pk][0] == 1.0
    assert "尚未生成" in result[b.pk][1] and "尚未生成" in result[tree["committees"][1].pk][1]


def test_health_and_dashboard_with_every_registered_metric_fixed_queries(client, tree, this_quarter, django_assert_max_num_queries):
    """Every metric registered (no stand-in): the health of the units and the dashboard
    cost the same number of queries with 2 townships as with 6."""
    year, quarter = this_quarter
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    client.get(reverse("supervision:dashboard"))  # warm (session, registry, rule versions)
    units = selectors.child_units(tree["county"])
    with CaptureQueriesContext(connection) as small_health:
        selectors.health(units, year, quarter)
    cache.clear()
    with CaptureQueriesContext(connection) as small_page:
        assert client.get(reverse("supervision:dashboard")).status_code == 200
    for n in range(4):
        township = make_org(tree["county"], org_type="committee", name=f"新增第{n}镇党委")
        for _ in range(2):
            make_member(make_org(township))
    units = selectors.child_units(tree["county"])
    assert len(units) >= 6
    with django_assert_max_num_queries(len(small_health.captured_queries)):
        selectors.health(units, year, quarter)
    cache.clear()
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        assert client.get(reverse("supervision:dashboard")).status_code == 200
