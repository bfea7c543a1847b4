import random

import pytest
from django.utils import timezone

from apps.supervision import demo, rules, selectors, services
from apps.supervision.models import ContactAssignment, Inspection, MonthlyReport, SpotCheckRound
from tests.factories import make_org, make_user

pytestmark = pytest.mark.django_db


def test_demo_builds_a_year_and_is_reproducible(tree):
    county = tree["county"]
    village = make_org(tree["committees"][0], org_type="branch", unit_type="village")
    make_org(tree["committees"][1], org_type="branch", unit_type="village")
    make_user("county_leader", county)
    today = timezone.localdate()
    result = demo.populate(county, random.Random(5), today)  # 2 committees + 6 branches self-check
    assert result["assignments"] >= 3 and result["self_checks"] == 8 * ((today.month - 1) // 3 + 1)
    assert ContactAssignment.objects.filter(organisation=village).exists()
    rnd = SpotCheckRound.objects.get()
    assert rnd.sample == [o.pk for o in services.draw_sample(county, rnd.year, rnd.quarter, rnd.seed, rnd.per_township)]
    assert Inspection.objects.filter(kind="year_end").exists()
    assert MonthlyReport.objects.filter(organisation__in=tree["committees"]).count() >= 12
    assert selectors.ranking(county, today.year)
    assert demo.populate(county, random.Random(5), today) == {"skipped": True}


def test_demo_leader_login_gets_the_pattern_and_a_todo(tree):
    county = tree["county"]
    for committee in tree["committees"]:
        make_org(committee, org_type="branch", unit_type="village")
    make_org(tree["committees"][0], org_type="branch", unit_type="state_enterprise")
    make_org(tree["committees"][1], org_type="branch", unit_type="non_public_enterprise")
    leader = make_user("county_leader", county, username="leader")
    today = timezone.localdate()
    result = demo.populate_leader_login(county, random.Random(3), today)
    mine = ContactAssignment.objects.filter(leader=leader, year=today.year)
    assert sorted(mine.values_list("kind", flat=True)) == sorted(rules.LEADER_PATTERN)
    assert result == {"assignments": 5, "visits": mine.count() * ((today.month - 1) // 3 + 1) - 2}
    # two points not yet visited this quarter: on the leader's to-do and home figures
    assert selectors.contact_gaps(leader, today).count() == 2
    assert selectors.pattern_gaps(leader, today.year, list(mine)) == []
    titles = [t.title for t in selectors.todo_items(leader)]
    assert sum("本季度尚未走访" in t for t in titles) == 2
    assert demo.populate_leader_login(county, random.Random(3), today) == {"skipped": True}


def test_demo_leader_login_skipped_without_the_login(tree):
    assert demo.populate_leader_login(tree["county"], random.Random(3), timezone.localdate()) == {"skipped": True}
