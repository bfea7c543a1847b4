"""Issue 16 on a phone (390 px): a branch's democratic appraisal from the secretary's
first click to the handling of an unqualified member. The county opened the year's
appraisal; the branch secretary finds the branch's procedure on the 民主评议 page, records
the report and moves the phases on; a member writes the self-assessment; every full
member rates the others anonymously (a second ballot is refused); the committee's grades
are saved and fed back; the member graded 不合格 sees the grade, and the secretary opens
a 限期改正 case from the handling page."""

import datetime

import pytest

from apps.appraisal import services
from apps.appraisal.models import Appraisee, HandlingCase, RatingTally, VoteCast
from apps.core.actors import system_actor
from tests.factories import make_member, make_tree, make_user

from .conftest import login
from .test_registry import shot

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"
NAMES = ["欧阳春华", "司马秋菊", "诸葛建国", "东方晓明"]


def _no_sideways_scroll(page):
    # after a click that navigates, the old document may be gone before the new one is
    # there (documentElement null: a PostgreSQL CI run failed so): measure the loaded page
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _phase(page, label):
    page.wait_for_selector(f"p:has-text('当前环节：') strong:text-is('{label}')")


def _as(page, username):
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def _dates(year):
    return {
        "year": year,
        "report_by": datetime.date(year, 11, 15),
        "self_by": datetime.date(year, 11, 30),
        "peer_by": datetime.date(year, 12, 10),
        "rating_by": datetime.date(year, 12, 20),
        "proposal_by": datetime.date(year, 12, 28),
        "feedback_by": datetime.date(year + 1, 1, 15),
    }


@pytest.mark.django_db(transaction=True)
def test_a_branch_appraisal_on_a_phone(live_server, phone_page):
    page = phone_page
    tree = make_tree()
    branch, committee = tree["branches"][0][0], tree["committees"][0]
    members = []
    for i, name in enumerate(NAMES):
        m = make_member(branch, name=name)
        make_user("member", branch, username=f"dy{i}", member=m)
        members.append(m)
    make_user("branch_secretary", branch, username="shuji")
    year = datetime.date.today().year
    services.open_campaign(committee, _dates(year), actor=system_actor("cli"))
    url = live_server.url

    # the secretary finds the branch's procedure and records the report
    _as(page, "shuji")
    page.goto(f"{url}/appraisal/")
    _no_sideways_scroll(page)
    page.click(f"#my-branches a:has-text('{branch.name}')")
    page.fill("textarea[name=report]", "一年来支部落实“三会一课”，带领党员参与乡村振兴。")
    page.click("button:has-text('保存并进入个人自评')")
    _phase(page, "个人自评")
    _no_sideways_scroll(page)
    branch_url = page.url

    # a member writes the self-assessment on the phone
    _as(page, "dy0")
    page.goto(f"{url}/appraisal/me/")
    _no_sideways_scroll(page)
    page.fill("textarea[name=text]", "本人按时参加组织生活，认真学习；不足是学习不够系统。")
    page.click("button:has-text('提交自评')")
    page.wait_for_selector("button:has-text('修改自评')")
    assert Appraisee.objects.get(member=members[0]).self_submitted_on is not None

    # the secretary closes self and peer assessment: the rating opens
    _as(page, "shuji")
    page.goto(branch_url)
    for phase, following in (("个人自评", "党员互评"), ("党员互评", "民主测评")):
        page.click(f"button:has-text('结束“{phase}”')")
        _phase(page, following)

    # every full member rates the others: 东方晓明 is rated 不合格 by all
    for i, m in enumerate(members):
        _as(page, f"dy{i}")
        page.goto(f"{url}/appraisal/me/")
        page.click("a:has-text('参加民主测评投票')")
        _no_sideways_scroll(page)
        for other in members:
            if other.pk == m.pk:
                continue
            grade = "不合格" if other.name == "东方晓明" else "合格"
            page.locator(f"fieldset:has(legend:text-is('{other.name}'))").get_by_label(grade, exact=True).check()
        shot(page, f"appraisal-ballot-{i}")
        page.click("button:has-text('提交测评票')")
        page.wait_for_selector("text=您已参加")
    # a second ballot is refused; the data holds no voter-to-grade row
    page.goto(f"{url}/appraisal/me/")
    assert page.is_visible("text=您已参加民主测评")
    assert VoteCast.objects.count() == 4
    assert sum(RatingTally.objects.filter(appraisee__member=members[3], grade="unqualified").values_list("votes", flat=True)) == 3

    # the committee's grades, then the feedback
    _as(page, "shuji")
    page.goto(branch_url)
    page.click("button:has-text('结束“民主测评”')")
    page.wait_for_selector("text=组织评定（支委会提出、支部大会评定）")
    _no_sideways_scroll(page)
    for m in members:
        page.select_option(f"select[aria-label='{m.name}的等次']", "unqualified" if m.name == "东方晓明" else "qualified")
    page.click("button:has-text('保存评定结果')")
    page.wait_for_selector("button:has-text('已向每名党员反馈')")
    page.click("button:has-text('已向每名党员反馈')")
    _phase(page, "已完成")
    shot(page, "appraisal-branch-done")

    # the member sees the grade fed back
    _as(page, "dy3")
    page.goto(f"{url}/appraisal/me/")
    assert page.is_visible("text=评议结果：不合格")

    # the secretary opens a 限期改正 case from the handling page
    _as(page, "shuji")
    page.goto(f"{url}/appraisal/cases/")
    _no_sideways_scroll(page)
    row = page.locator("tr:has-text('东方晓明')").first
    row.locator("button:has-text('立案')").click()
    page.wait_for_selector("text=已立案")
    assert page.is_visible("text=办理：报基层党委备案")
    _no_sideways_scroll(page)
    case = HandlingCase.objects.get(member=members[3])
    assert case.kind == "correction_order" and case.source_note
    shot(page, "appraisal-case-opened")
