"""长辈模式 in a real browser on a 375-px phone: a member switches it on from the menu, the
same page is compared before and after (computed font sizes, screenshots), and each of
the member's own pages — my record, my dues, my study, notices, quiz, self-assessment —
reads at the large size without sideways scrolling; switched off, the page is as before."""

import pytest

from tests.factories import make_member, make_tree, make_user

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"
MEMBER_PAGES = [
    ("/members/me/", "我的信息"),
    ("/dues/me/", "党费记录"),
    ("/education/me/", "学习档案"),
    ("/democracy/notices/me/", "党务公开"),
    ("/education/quizzes/", "考学"),
    ("/appraisal/me/", "民主评议"),
]
SIZES = """() => {
    const px = el => el ? parseFloat(getComputedStyle(el).fontSize) : null;
    // the smallest text a reader meets in the page body (visible elements with text of their own)
    let smallest = 1000, where = "";
    for (const el of document.querySelectorAll("main *")) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || !el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
        const s = px(el);
        if (s < smallest) { smallest = s; where = el.tagName + "." + el.className + ": " + el.textContent.trim().slice(0, 20); }
    }
    return {body: px(document.body), h1: px(document.querySelector("h1")), smallest, where,
            care: document.body.classList.contains("care-mode"),
            sideways: document.documentElement.scrollWidth > window.innerWidth + 1};
}"""


@pytest.fixture
def phone_375(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.mark.django_db(transaction=True)
def test_member_switches_care_mode_on_and_reads_their_pages_at_large_size(live_server, phone_375):
    page = phone_375
    tree = make_tree()
    branch = tree["branches"][0][0]
    member = make_member(branch, name="王秀英")
    make_user("member", branch, member=member, username="care_member")
    login(page, "care_member", PASSWORD)
    page.wait_for_url(f"{live_server.url}/**")
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/members/me/")
    before = page.evaluate(SIZES)
    assert not before["care"] and not before["sideways"]
    shot_before = page.screenshot(path=str(ARTIFACTS / "care-mode-off-375.png"), full_page=False)

    # the switch is in the member's own menu
    page.click("[data-toggle-nav]")
    page.click("#sidenav >> text=长辈模式")
    page.wait_for_url("**/accounts/me/care-mode/**")
    page.click("button:has-text('开启长辈模式')")
    page.wait_for_selector("text=已开启长辈模式")
    assert page.evaluate("document.body.classList.contains('care-mode')")

    page.goto(f"{live_server.url}/members/me/")
    after = page.evaluate(SIZES)
    shot_after = page.screenshot(path=str(ARTIFACTS / "care-mode-on-375.png"), full_page=False)
    assert after["care"] and not after["sideways"]
    # the toggle's effect, computed: body text 15 → 20 px, the title and the smallest text larger too
    assert before["body"] == 15 and after["body"] == 20
    assert after["h1"] >= before["h1"] * 1.3
    assert after["smallest"] >= 18 > before["smallest"], after["where"]
    assert shot_after != shot_before

    for url, title in MEMBER_PAGES:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert title in page.inner_text("main"), url
        sizes = page.evaluate(SIZES)
        assert sizes["care"] and sizes["body"] == 20, url
        assert sizes["smallest"] >= 18, f"{url}: {sizes['where']} is {sizes['smallest']}px"
        assert not sizes["sideways"], f"{url} scrolls sideways at 375 px"
        assert page.locator(".lang-switch").is_hidden()  # fewer choices
        page.screenshot(path=str(ARTIFACTS / f"care-mode{url.replace('/', '-')}375.png"), full_page=True)

    # and off again, from the same page
    page.goto(f"{live_server.url}/accounts/me/care-mode/")
    page.click("button:has-text('关闭长辈模式')")
    page.wait_for_selector("text=已关闭长辈模式")
    page.goto(f"{live_server.url}/members/me/")
    off = page.evaluate(SIZES)
    assert not off["care"] and off["body"] == before["body"] and off["smallest"] == before["smallest"]
