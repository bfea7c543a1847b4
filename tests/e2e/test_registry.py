"""Smoke test in real Chromium: log in, open the tree and expand it (htmx), find a member
by pinyin, open their page, submit a form with an error and see the Chinese message.
Runs on a phone-sized viewport. Browser fixtures: tests/e2e/conftest.py."""

import os

import pytest

from tests.factories import make_member, make_user

pytestmark = pytest.mark.browser


def shot(page, name):
    folder = os.environ.get("DANGJIAN_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_tree_member_search_and_form_error(live_server, phone_page):
    page = phone_page
    from tests.factories import make_tree

    tree = make_tree()
    branch = tree["branches"][0][0]
    zs = make_member(branch, name="张三")
    make_member(branch, name="李四")
    make_user("county_admin", tree["county"], username="admin1")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "admin1")
    page.fill("input[name=password]", "Dangjian#2026x")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/orgs/")
    assert page.locator(".org-tree").inner_text().count("中共测试县委员会") == 1
    page.locator("[data-org-toggle]").first.click()
    page.wait_for_selector("text=测试第1镇党委")
    page.locator(".kids [data-org-toggle]").first.click()
    page.wait_for_selector(f"text={branch.name}")
    shot(page, "tree")

    page.goto(f"{live_server.url}/members/")
    page.fill("input[name=q]", "zhangsan")
    page.click("button:has-text('查询')")
    page.wait_for_url("**q=zhangsan**")
    rows = page.locator(".member-table tbody tr")
    assert rows.count() == 1 and "张三" in rows.first.inner_text()
    assert zs.id_number_masked in rows.first.inner_text()
    shot(page, "list")
    page.click("text=张三")
    page.wait_for_selector("h1:has-text('张三')")
    page.click("button:has-text('显示完整身份证号')")
    page.wait_for_selector(f"text={zs.reveal_id_number()}")
    shot(page, "detail")

    page.click("text=党籍状态变更")
    page.select_option("select[name=status]", "lost_contact")
    page.fill("input[name=date]", "2024-01-01")
    page.click("button[type=submit]:has-text('确认变更')")
    page.wait_for_selector("text=标记失联须填写失联原因")
    shot(page, "form_error")

    page.goto(f"{live_server.url}/orgs/{branch.pk}/")
    page.wait_for_selector("text=结构提醒")
    shot(page, "org_detail")
    page.goto(f"{live_server.url}/members/new/?org={branch.pk}")
    page.fill("input[name=id_number]", "110105194912310021")
    page.click("button[type=submit]:has-text('保存')")
    page.wait_for_selector("text=姓名为必填项")
    shot(page, "member_form_error")
