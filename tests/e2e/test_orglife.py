"""Issue 14 on a phone (390 px): the branch secretary records this month's 主题党日 —
opens 本月主题党日, types the theme, ticks the absentees only (one of them with a leave
reason), adds a photo, saves — well under a minute; then a member sees it in their own
attendance history."""

import time

import pytest

from apps.orglife.models import Attachment, Attendance, Meeting
from tests.factories import make_member, make_tree, make_user

from .conftest import login
from .test_registry import shot

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 64


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # the navigated page, not the gap between documents
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_secretary_records_this_months_theme_day_on_a_phone(live_server, phone_page, tmp_path):
    page = phone_page
    tree = make_tree()
    branch = tree["branches"][0][0]
    people = [make_member(branch) for _ in range(8)]
    away, sick = people[2], people[5]
    make_user("branch_secretary", branch, username="sec_theme")
    make_user("member", branch, username="member_theme", member=people[0])
    photo = tmp_path / "合影.jpg"
    photo.write_bytes(JPEG)

    login(page, "sec_theme", PASSWORD)
    page.wait_for_url("**/")
    started = time.monotonic()
    page.goto(f"{live_server.url}/orglife/quick/")
    page.wait_for_selector("h1:has-text('本月主题党日')")
    _no_sideways_scroll(page)
    page.fill("input[name=theme]", "重温入党誓词")
    page.check(f"input[name=absent][value='{away.pk}']")
    page.check(f"input[name=absent][value='{sick.pk}']")
    page.fill(f"input[name=l_{sick.pk}]", "生病住院")
    page.set_input_files("input[name=photo]", str(photo))
    shot(page, "orglife-quick-filled")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=本月主题党日已保存")
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"录入用时{elapsed:.1f}秒"
    assert page.is_visible("text=应到8人，实到6人")
    _no_sideways_scroll(page)
    shot(page, "orglife-quick-saved")

    m = Meeting.objects.get(organisation=branch, kind="theme_day")
    marks = dict(Attendance.objects.filter(meeting=m).values_list("member_id", "status"))
    assert marks[away.pk] == "absent" and marks[sick.pk] == "leave"
    assert sum(1 for s in marks.values() if s == "present") == 6
    assert Attachment.objects.filter(meeting=m, kind="photo").count() == 1

    # opened again the same month: the record is there to correct, the ticks kept
    page.goto(f"{live_server.url}/orglife/quick/")
    page.wait_for_selector("text=本月已登记")
    assert page.is_checked(f"input[name=absent][value='{away.pk}']")

    # the member sees it in their own history
    page.context.clear_cookies()
    login(page, "member_theme", PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"{live_server.url}/orglife/me/")
    page.wait_for_selector("text=重温入党誓词")
    _no_sideways_scroll(page)
    shot(page, "orglife-my-history")
