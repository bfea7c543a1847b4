import pytest

from tests.e2e.conftest import login
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrong_password_shows_chinese_error_then_login_works(page, tree):
    make_user("branch_secretary", tree["branches"][0][0], username="sec_a", password="Dangjian#2026x")
    login(page, "sec_a", "wrong-password-1")
    assert "请输入一个正确的" in page.content()
    login(page, "sec_a", "Dangjian#2026x")
    page.wait_for_url(page.base_url + "/")
    assert "工作台" in page.content()
    # The left navigation offers the member list to a branch secretary.
    assert page.locator("nav.sidenav").count() == 1
