"""The organisational-life section of the statistics registry: annual and monthly figures
from a fixed number of aggregate queries over the subtree."""

import datetime

import pytest

from apps.core import registry
from apps.orglife import services, stats
from apps.orglife.models import Meeting
from tests.factories import make_member, make_org

from .conftest import CLI, meeting

D = datetime.date
pytestmark = pytest.mark.django_db
AS_OF = D(2025, 7, 20)


def test_annual_and_monthly_figures(tree, members):
    a, a2 = tree["branches"][0]
    make_member(a2)
    for month in (1, 2, 7):
        services.record_attendance(meeting(a, held_on=D(2025, month, 10)), [{"member": members[0].pk, "status": "absent"}], actor=CLI)
    services.record_attendance(meeting(a2, held_on=D(2025, 6, 10)), [], actor=CLI)
    services.record_attendance(meeting(a, kind="party_lecture", held_on=D(2025, 7, 12)), [], actor=CLI)
    s = stats.contribute(tree["committees"][0], AS_OF)["orglife"]
    assert s["meetings"] == 5 and s["by_kind"]["主题党日"] == 4 and s["by_kind"]["党课"] == 1
    assert s["month"] == 7 and s["month_meetings"] == 2
    assert (s["theme_due"], s["theme_done"]) == (2, 1)  # a held July's theme day, a2 did not
    assert s["by_month"] == {"1月": 1, "2月": 1, "3月": 0, "4月": 0, "5月": 0, "6月": 1, "7月": 2}
    # the probationary member (joined March) is not due in January and February; one absent each time
    should = 4 + 4 + 5 + 1 + 5
    present = 3 + 3 + 4 + 1 + 5
    assert s["attendance_rate"] == round(100 * present / should, 1)
    totals = [(m.present + m.elsewhere, m.should_attend) for m in Meeting.objects.all()]
    assert (sum(p for p, _ in totals), sum(x for _, x in totals)) == (present, should)
    assert s["orgs_lagging"] >= 1
    cards = {c[0]: c[1] for c in stats.cards({"orglife": s})}
    assert cards["7月已开展主题党日的党支部"] == "1/2"
    rows = {(r[0], r[1]): r[2] for r in stats.rows({"orglife": s})}
    assert rows[("组织生活", "本月召开组织生活会议（次）")] == 2 and rows[("组织生活·月度会议次数", "6月")] == 1
    assert any(section.name == "orglife" for section in registry.stats)


def test_figures_cost_the_same_queries_for_a_bigger_subtree(tree, django_assert_max_num_queries):
    county = tree["county"]
    with django_assert_max_num_queries(12) as few:
        stats.contribute(county, AS_OF)
    first = len(few.captured_queries)
    c2 = tree["committees"][1]
    for i in range(5):
        org = make_org(c2, name=f"统计新增{i}党支部")
        x = make_member(org)
        services.record_attendance(meeting(org, held_on=D(2025, 7, 3)), [{"member": x.pk, "status": "absent"}], actor=CLI)
    with django_assert_max_num_queries(first):
        s = stats.contribute(county, AS_OF)["orglife"]
    assert s["month_meetings"] == 5 and s["theme_done"] == 5
