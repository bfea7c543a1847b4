"""Issue 12 item 18: a long unbroken 备注 (or address) wraps on a phone instead of
widening the page (10,000 characters made it 91,547 px wide)."""

import pytest

from apps.core.text import REMARKS_MAX
from tests.e2e.conftest import login
from tests.factories import make_member, make_tree, make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_member_page_stays_phone_wide_with_long_unbroken_remarks(live_server, phone_page):
    tree = make_tree()
    branch = tree["branches"][0][0]
    m = make_member(branch, remarks="x" * REMARKS_MAX, address="y" * 200)
    make_user("branch_secretary", branch, username="sec_long")
    login(phone_page, "sec_long", "Dangjian#2026x")
    phone_page.wait_for_url(f"{live_server.url}/**")
    phone_page.goto(f"{live_server.url}/members/{m.pk}/")
    assert "x" * 50 in phone_page.content()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
