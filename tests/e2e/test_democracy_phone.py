"""Issue 18 on a phone (390 px): a member reads a 党务公开 notice (已阅), answers a
consultation anonymously and writes a 民情日记 entry for the household they keep; the
branch secretary sees the opinion without the member's name."""

import datetime

import pytest
from django.utils import timezone

from apps.care import services as care_services
from apps.care.models import HouseholdContact
from apps.core.actors import system_actor
from apps.democracy import services
from apps.democracy.models import NoticeCategory, NoticeRead, Opinion
from tests.factories import make_member, make_tree, make_user

from .conftest import login
from .test_registry import shot

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"
CLI = system_actor("cli")


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # the navigated page, not the gap between documents
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_member_reads_notice_and_answers_consultation_on_a_phone(live_server, phone_page):
    from apps.democracy.rules import DEFAULT_NOTICE_CATEGORIES

    page = phone_page
    tree = make_tree()
    branch = tree["branches"][0][0]
    member = make_member(branch, name="欧阳小红")
    make_user("member", branch, username="xiaohong", member=member)
    make_user("branch_secretary", branch, username="sec_a")
    code, name, order = DEFAULT_NOTICE_CATEGORIES[2]  # a transactional test flushed the seeded rows
    category, _ = NoticeCategory.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    today = timezone.localdate()
    services.publish_notice(
        {
            "organisation": branch,
            "category": category,
            "audience": "members",
            "title": "上半年党费收缴公示",
            "body": "全体党员按时足额交纳",
            "publish_on": today,
        },
        actor=CLI,
    )
    c = services.start_consultation(
        {
            "organisation": branch,
            "title": "村集体冷库项目",
            "text": "拟建设农产品冷库，请提出意见",
            "audience": "members",
            "deadline": today + datetime.timedelta(days=7),
        },
        actor=CLI,
    )
    h = care_services.add_household({"member": member, "head_name": "王大山", "address": "东村3组12号", "since_on": today}, actor=CLI)

    login(page, "xiaohong", PASSWORD)
    page.goto(f"{live_server.url}/democracy/notices/me/")
    _no_sideways_scroll(page)
    page.click("button:has-text('已阅')")
    page.wait_for_selector("small:has-text('已阅')")
    assert NoticeRead.objects.filter(member=member).count() == 1

    page.goto(f"{live_server.url}/democracy/consultations/me/")
    _no_sideways_scroll(page)
    page.check("input[name=stance][value=suggest]")
    page.fill("textarea[name=text]", "建议先做市场调查")
    page.check("input[name=anonymous]")
    page.click("button:has-text('提交意见')")
    page.wait_for_selector("text=已提交对“村集体冷库项目”的意见")
    assert page.is_visible("text=您的意见：")
    shot(page, "democracy-member-opinion")
    o = Opinion.objects.get(consultation=c)
    assert o.anonymous and o.stance == "suggest"

    page.goto(f"{live_server.url}/care/my-households/")
    _no_sideways_scroll(page)
    page.click("a:has-text('记民情日记')")
    page.fill("textarea[name=situation]", "春耕缺化肥")
    page.fill("input[name=help_given]", "联系农资站送货上门")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已记入民情日记")
    _no_sideways_scroll(page)
    assert HouseholdContact.objects.get(household=h).help_given == "联系农资站送货上门"

    page.context.clear_cookies()
    login(page, "sec_a", PASSWORD)
    page.goto(f"{live_server.url}/democracy/consultations/{c.pk}/")
    _no_sideways_scroll(page)
    assert page.is_visible("text=建议先做市场调查")
    assert page.locator("td:has-text('匿名')").count() == 1
    assert "欧阳小红" not in page.content()
    shot(page, "democracy-secretary-opinions")
