"""The roster's filter form on a 390 px phone (issue 13: the form is now built by
apps.members.forms_filter instead of Django's widget templates): open 更多筛选条件, choose
values in single and multiple selects, submit, see only the matching members with the
chosen values still selected, the labels still reaching their controls, and the page no
wider than the phone."""

import pytest

from apps.members.models import Member
from tests.e2e.conftest import login
from tests.factories import make_member, make_tree, make_user

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_filters_keep_their_values_on_a_phone(live_server, phone_page):
    page = phone_page
    tree = make_tree()
    branch = tree["branches"][0][0]
    wanted = make_member(branch, name="回族女", sex="F", ethnicity="回族")
    make_member(branch, name="汉族女", sex="F", ethnicity="汉族")
    make_member(branch, name="回族男", sex="M", ethnicity="回族")
    Member.objects.filter(pk=wanted.pk).update(status="mobile")
    make_user("branch_secretary", branch, username="roster_phone")
    login(page, "roster_phone", "Dangjian#2026x")
    page.wait_for_url(f"{live_server.url}/**")

    page.goto(f"{live_server.url}/members/")
    assert page.locator(".member-table tbody tr").count() == 3
    page.click("summary:has-text('更多筛选条件')")
    page.click("label[for=id_sex]")  # the label reaches its control
    assert page.evaluate("document.activeElement.id") == "id_sex"
    page.select_option("#id_sex", "F")
    page.select_option("#id_ethnicity", "回族")
    page.select_option("#id_status", ["mobile", "lost_contact"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("button:has-text('查询')")
    page.wait_for_url("**sex=F**")

    rows = page.locator(".member-table tbody tr")
    assert rows.count() == 1 and "回族女" in rows.first.inner_text()
    assert "流动" in rows.first.locator(".badge").inner_text()
    assert page.input_value("#id_sex") == "F" and page.input_value("#id_ethnicity") == "回族"
    chosen = page.eval_on_selector("#id_status", "s => Array.from(s.selectedOptions).map(o => o.value).sort()")
    assert chosen == ["lost_contact", "mobile"]
    assert page.locator("details.more-filters").get_attribute("open") is not None  # 已选 3 项
    assert "已选 3 项" in page.locator("details.more-filters summary").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("a:has-text('清空条件')")
    page.wait_for_url(f"{live_server.url}/members/")
    assert page.locator(".member-table tbody tr").count() == 3
    assert page.input_value("#id_sex") == ""
