"""Issue 12 item 23, on a 390 px phone: the header's 修改密码 stays on one line (it wrapped
as 修改密/码) without widening the page, and every label of the statistics charts lies
inside its chart (they were cut off)."""

import pytest

from tests.e2e.conftest import login
from tests.factories import make_member, make_tree, make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_header_and_chart_labels_fit_a_phone(live_server, phone_page):
    page = phone_page
    tree = make_tree()
    branch = tree["branches"][0][0]
    for occupation, education in (("professional", "bachelor"), ("farmer", "junior_or_below"), ("manager", "college")):
        make_member(branch, occupation=occupation, education=education)
    make_user("county_admin", tree["county"], username="phone_admin")
    login(page, "phone_admin", "Dangjian#2026x")
    page.wait_for_url(f"{live_server.url}/**")
    link = page.locator(".topbar-user a", has_text="修改密码")
    box = link.bounding_box()
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.topbar-user a')).lineHeight) || 20")
    assert box["height"] <= line * 1.3, (box, line)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{live_server.url}/stats/")
    page.wait_for_selector("#chart-occupation svg text")
    outside = page.evaluate(
        """() => {
        const bad = [];
        for (const chart of document.querySelectorAll('.chart')) {
          const c = chart.getBoundingClientRect();
          for (const t of chart.querySelectorAll('svg text')) {
            const r = t.getBoundingClientRect();
            if (!t.textContent.trim() || r.width === 0) continue;
            if (r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1) bad.push(chart.id + ': ' + t.textContent);
          }
        }
        return bad;
    }"""
    )
    assert not outside, outside
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
