import random

import pytest
from django.utils import timezone

from apps.supervision import demo, selectors, services
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
