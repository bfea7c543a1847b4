"""Issue 19 in a real browser: the leaders' dashboard drilled down by clicking a
township's bar, the 大屏 (local assets only, large type, refreshing), and on a phone
(390 px) a branch secretary recording a county leader's contact visit and scoring the
branch's quarterly self-check."""

import pytest
from django.utils import timezone

from apps.core.actors import system_actor
from apps.supervision import services
from apps.supervision.models import ContactVisit, Inspection
from tests.factories import make_member, make_tree, make_user

from .conftest import login
from .test_registry import shot

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # the navigated page, not the gap between documents
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _bar_centre(page, element_id: str, index: int) -> dict:
    """Page coordinates of bar `index` of the ECharts chart in #element_id."""
    return page.evaluate(
        """([id, i]) => {
            const el = document.getElementById(id);
            const chart = echarts.getInstanceByDom(el);
            const opt = chart.getOption();
            const value = opt.series[0].data[i];
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, [i, value / 2]);
            const box = el.getBoundingClientRect();
            return {x: box.left + x, y: box.top + y};
        }""",
        [element_id, index],
    )


@pytest.mark.django_db(transaction=True)
def test_dashboard_drill_down_and_the_big_screen(live_server, page):
    tree = make_tree()
    for branch in tree["branches"][0]:
        make_member(branch)
    make_member(tree["branches"][1][0])
    make_user("county_admin", tree["county"], username="sv_admin")
    external = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) or r.url.startswith("data:") else external.append(r.url))
    login(page, "sv_admin", PASSWORD)
    page.goto(f"{live_server.url}/supervision/dashboard/")
    page.wait_for_selector("#chart-units canvas")
    shot(page, "supervision-dashboard-county")
    # click the first township's bar: the dashboard of that township
    township = tree["committees"][0]
    point = _bar_centre(page, "chart-units", 0)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/supervision/dashboard/?org={township.pk}")
    assert township.name in page.inner_text("h1")
    page.wait_for_selector("#chart-units canvas")
    # and one level further down, then back up by the path
    page.click(f"text={tree['branches'][0][0].name}")
    page.wait_for_url("**/supervision/dashboard/?org=*")
    assert tree["branches"][0][0].name in page.inner_text("h1")
    page.click(f".drill-path >> text={tree['county'].short_name or tree['county'].name}")
    assert tree["county"].name in page.inner_text("h1")
    # the 大屏: refreshing, large type, drill-down on it too, nothing from another host
    page.click("text=大屏展示")
    page.wait_for_selector("#chart-units canvas")
    assert page.get_attribute('meta[http-equiv="refresh"]', "content") == "300"
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.screen-stat .num')).fontSize)")
    assert size >= 56  # readable at 3 m
    shot(page, "supervision-screen")
    point = _bar_centre(page, "chart-units", 1)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/supervision/screen/?org={tree['committees'][1].pk}")
    assert external == []


def _column_point(page, element_id: str, index: int, horizontal: bool = False) -> dict:
    """Page coordinates inside category `index`'s band of the chart in #element_id, near
    the value axis' far end: where no bar is drawn when the value is small or zero."""
    return page.evaluate(
        """([id, i, horizontal]) => {
            const el = document.getElementById(id);
            const chart = echarts.getInstanceByDom(el);
            const box = el.getBoundingClientRect();
            const opt = chart.getOption();
            const max = Math.max(...opt.series[0].data.map(v => v || 0), 1);
            const at = chart.convertToPixel({seriesIndex: 0}, horizontal ? [max * 0.97, i] : [i, max * 0.97]);
            return {x: box.left + at[0], y: box.top + at[1]};
        }""",
        [element_id, index, horizontal],
    )


@pytest.mark.django_db(transaction=True)
def test_a_click_in_a_units_column_drills_down_even_without_a_bar(live_server, page):
    """A township with no members has no bar: its column still opens it, on the leaders'
    dashboard and on the 党内统计 page (horizontal chart of the organisations below), where
    the reference date is kept."""
    tree = make_tree()
    for _ in range(4):
        make_member(tree["branches"][0][0])
    make_user("county_admin", tree["county"], username="sv_admin2")
    login(page, "sv_admin2", PASSWORD)
    empty = tree["committees"][1]
    page.goto(f"{live_server.url}/supervision/dashboard/")
    page.wait_for_selector("#chart-units canvas")
    assert page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-units')).getOption().series[0].data[1]") == 0
    point = _column_point(page, "chart-units", 1)
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/supervision/dashboard/?org={empty.pk}")
    assert empty.name in page.inner_text("h1")

    day = timezone.localdate().replace(day=1).isoformat()
    page.goto(f"{live_server.url}/stats/?org={tree['county'].pk}&as_of={day}")
    page.wait_for_selector("#chart-children svg")
    shot(page, "stats-children-chart")
    labels = page.evaluate("echarts.getInstanceByDom(document.getElementById('chart-children')).getOption().yAxis[0].data")
    assert labels == [c.short_name or c.name for c in tree["committees"]]
    # the pointer over a row says it can be clicked
    page.locator("#chart-children").scroll_into_view_if_needed()
    point = _column_point(page, "chart-children", 1, horizontal=True)
    page.mouse.move(point["x"], point["y"])
    assert page.evaluate("([x, y]) => getComputedStyle(document.elementFromPoint(x, y)).cursor", [point["x"], point["y"]]) == "pointer"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(f"**/stats/?org={empty.pk}&as_of={day}")
    assert empty.name in page.inner_text("h1")


@pytest.mark.django_db(transaction=True)
def test_secretary_records_a_visit_and_scores_the_self_check_on_a_phone(live_server, phone_page):
    page = phone_page
    tree = make_tree()
    branch = tree["branches"][0][0]
    make_member(branch)
    cadre = make_user("county_admin", tree["county"], display_name="组织部科长")
    assignment = services.assign_contact(
        {"leader": cadre, "kind": "section_point", "organisation": branch, "year": timezone.localdate().year}, actor=system_actor("cli")
    )
    make_user("branch_secretary", branch, username="sv_sec")
    login(page, "sv_sec", PASSWORD)

    # the visit
    page.goto(f"{live_server.url}/supervision/contacts/{assignment.pk}/")
    _no_sideways_scroll(page)
    # the date field comes filled with today (an ISO value: a phone's date picker shows nothing otherwise)
    assert page.input_value("input[name=date]") == timezone.localdate().isoformat()
    page.fill("textarea[name=content]", "科长到支部调研，指导规范三会一课记录")
    page.fill("textarea[name=guidance]", "会议记录当场签字")
    page.click("form button[type=submit]:has-text('登记')")
    page.wait_for_selector("text=已登记走访记录")
    assert ContactVisit.objects.filter(assignment=assignment, guidance="会议记录当场签字").exists()
    _no_sideways_scroll(page)

    # the quarterly self-check: started, every manual item scored, submitted
    today = timezone.localdate()
    insp = services.start_self_check(branch, today.year, (today.month - 1) // 3 + 1, actor=system_actor("cli"))
    page.goto(f"{live_server.url}/supervision/inspections/{insp.pk}/")
    _no_sideways_scroll(page)
    inputs = page.locator("input[name^=score-]")
    assert inputs.count() >= 1
    inputs.first.fill("999")
    page.click("button[name=submit]")
    page.wait_for_selector("text=分之间")  # the rule, named, nothing saved
    assert Inspection.objects.get(pk=insp.pk).status == "draft"
    for n in range(inputs.count()):
        inputs.nth(n).fill("5")
    page.click("button[name=submit]")
    page.wait_for_selector("text=已提交")
    shot(page, "supervision-selfcheck-phone")
    assert Inspection.objects.get(pk=insp.pk).status == "submitted"
    _no_sideways_scroll(page)
