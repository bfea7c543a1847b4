"""On a 375-px phone: a filter input written without a type (年度, 外出地点…) is drawn like
every other input (it was a bare 2-px-high line), and the 走访慰问清单's 按名册生成 box
holds its button and its note (the note spilled over the box's border)."""

import pytest

from tests.e2e.conftest import login
from tests.factories import make_tree, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_375(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_untyped_inputs_and_generate_box_on_a_phone(live_server, phone_375):
    page = phone_375
    tree = make_tree()
    make_user("county_admin", tree["county"], username="phone_forms")
    login(page, "phone_forms", "Dangjian#2026x")
    page.wait_for_url(f"{live_server.url}/**")

    page.goto(f"{live_server.url}/education/entries/")
    year = page.locator("#e-year").bounding_box()
    search = page.locator("#e-year").locator("xpath=ancestor::form").locator("input[type=text], input[type=search]").first.bounding_box()
    assert year["height"] >= 30 and abs(year["width"] - search["width"]) < 2, (year, search)

    page.goto(f"{live_server.url}/care/checklist/")
    box = page.locator("form.card", has=page.locator("button", has_text="按名册生成")).bounding_box()
    for part in ("button", "span.muted"):
        r = page.locator("form.card", has=page.locator("button", has_text="按名册生成")).locator(part).bounding_box()
        assert box["y"] <= r["y"] and r["y"] + r["height"] <= box["y"] + box["height"] + 1, (part, r, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
