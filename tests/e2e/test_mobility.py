"""Issue 17 on a phone (390 px): a member requests a relationship transfer on the
self-service page, the branch secretary approves it, the committee organiser approves
(the letter is issued), and the receiving branch accepts."""

import pytest

from apps.members.models import Member
from apps.mobility.models import Transfer
from tests.factories import make_member, make_tree, make_user

from .conftest import login
from .test_registry import shot

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # the navigated page, not the gap between documents
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _logout(page):
    page.context.clear_cookies()


@pytest.mark.django_db(transaction=True)
def test_member_requests_and_branch_approves_on_a_phone(live_server, phone_page):
    page = phone_page
    tree = make_tree()
    branch, sibling = tree["branches"][0]
    member = make_member(branch, name="上官小燕")
    make_user("member", branch, username="xiaoyan", member=member)
    make_user("branch_secretary", branch, username="sec_a")
    make_user("committee_organiser", tree["committees"][0], username="org_c1")
    make_user("branch_secretary", sibling, username="sec_to")

    # the member asks
    login(page, "xiaoyan", PASSWORD)
    page.goto(f"{live_server.url}/mobility/my/")
    _no_sideways_scroll(page)
    page.fill("input[name=to_organisation]", sibling.code)
    page.fill("input[name=reason]", "随家人迁居")
    page.click("button:has-text('提交申请')")
    page.wait_for_selector("text=已提交转接申请")
    assert page.is_visible("text=党支部同意转出")
    shot(page, "mobility-member-request")
    t = Transfer.objects.get(member=member)

    # the branch approves on its phone
    _logout(page)
    login(page, "sec_a", PASSWORD)
    page.goto(f"{live_server.url}/mobility/transfers/")
    _no_sideways_scroll(page)
    page.click(f"a[href='/mobility/transfers/{t.pk}/'] >> nth=0")
    page.click("button:has-text('同意（党支部同意转出）')")
    page.wait_for_selector("text=已同意")
    shot(page, "mobility-branch-approved")

    # the committee approves: the letter is issued
    _logout(page)
    login(page, "org_c1", PASSWORD)
    page.goto(f"{live_server.url}/mobility/transfers/{t.pk}/")
    page.click("button:has-text('同意（基层党委审核）')")
    page.wait_for_selector("text=下载介绍信（PDF）")
    t.refresh_from_db()
    assert t.status == "issued" and t.serial

    # the receiving branch accepts
    _logout(page)
    login(page, "sec_to", PASSWORD)
    page.goto(f"{live_server.url}/mobility/transfers/")
    page.click(f"a[href='/mobility/transfers/{t.pk}/'] >> nth=0")
    page.click("button:has-text('接收')")
    page.wait_for_selector("text=已接收")
    _no_sideways_scroll(page)
    assert Member.objects.get(pk=member.pk).organisation_id == sibling.pk


@pytest.mark.django_db(transaction=True)
def test_host_reports_home_and_an_expired_temporary_branch_is_closed_on_a_phone(live_server, phone_page):
    """The host branch files the yearly report on an incoming member; the home branch reads
    it on the member's record; the home branch closes its temporary branch past its end date."""
    import datetime

    from django.utils import timezone

    from apps.core.actors import system_actor
    from apps.mobility import services
    from apps.mobility.models import TemporaryBranch

    page = phone_page
    system = system_actor("cli")
    tree = make_tree()
    home, host = tree["branches"][0][0], tree["branches"][1][0]
    away = {"reason": "外出务工", "destination": "广东省深圳市", "months": 3, "home_contact": "王支书"}
    record = services.register_mobile(make_member(home, name="欧阳春"), away, actor=system)
    reg = services.register_host(record.certificate_no, record.member.name, host, actor=system)
    group = [services.register_mobile(make_member(home), away, actor=system).member for _ in range(3)]
    end = timezone.localdate() + datetime.timedelta(days=30)
    b = services.form_temporary_branch(home, {"name": "驻深圳临时党支部", "place": "深圳", "end_date": end}, group, actor=system)
    TemporaryBranch.objects.filter(pk=b.pk).update(
        formed_on=timezone.localdate() - datetime.timedelta(days=100), end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    make_user("branch_secretary", host, username="sec_host")
    make_user("branch_secretary", home, username="sec_home")

    login(page, "sec_host", PASSWORD)
    page.goto(f"{live_server.url}/mobility/host/")
    _no_sideways_scroll(page)
    page.click(f"a[href='/mobility/host/{reg.pk}/']")
    page.fill("textarea[name=content]", "按时参加组织生活，带头参加志愿服务")
    page.click("button:has-text('报告流出地')")
    page.wait_for_selector("text=已向流出地党组织报告")
    _no_sideways_scroll(page)

    _logout(page)
    login(page, "sec_home", PASSWORD)
    page.goto(f"{live_server.url}/mobility/mobile/{record.pk}/")
    page.wait_for_selector("text=带头参加志愿服务")
    page.goto(f"{live_server.url}/mobility/temporary/?status=expired")
    page.click(f"a[href='/mobility/temporary/{b.pk}/']")
    page.wait_for_selector("text=不能再编入党员")
    page.fill("input[name=note]", "任务结束")
    page.click("button:has-text('撤销临时党支部')")
    page.wait_for_selector("text=已撤销驻深圳临时党支部")
    _no_sideways_scroll(page)
    b.refresh_from_db()
    assert b.status == "closed" and b.closed_by == "sec_home"
