"""One person from application to full membership, driven through the web UI in Chromium.

A branch secretary opens the file (step 1) and performs the branch's steps; a committee
organiser (a role with "approve") performs the higher committee's steps (4, 8, 13, 16, 17,
18, 24). Along the way: assessments (测评制), a public notice with an objection (公示制),
general-meeting votes with a refused "passed" that lacks a quorum (票决制), introducers,
political review, training hours, pre-review, then approval → 预备党员 in the member
registry → conversion → 正式党员 with the conversion date.

Dates come from tests/recruitment/helpers.PLAN, which respects every interval of the rule
table. Screenshots of the flowchart are saved when DANGJIAN_SCREENSHOTS names a folder.
Browser fixtures: tests/e2e/conftest.py."""

import os
import re

import pytest

from apps.members.idnumber import compose
from apps.members.models import Member
from apps.recruitment.models import DevelopmentFile, DevelopmentStep
from tests.e2e.conftest import login
from tests.factories import make_member, make_tree, make_user
from tests.recruitment.helpers import PLAN, D

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Dangjian#2026x"
HIGHER = {"activist_filed", "target_filed", "pre_review", "higher_talk", "approval", "approval_filed", "conversion_approval"}


def shot(page, name):
    folder = os.environ.get("DANGJIAN_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"journey_{name}.png"), full_page=True)


def open_file(page, pk):
    page.goto(f"{page.base_url}/recruitment/files/{pk}/")
    page.wait_for_selector("ol.steps.flow")


def fill(page, data):
    """Fill a rendered Django form from {field name: value}; selects, checkboxes and inputs."""
    for name, value in data.items():
        if isinstance(value, list) and value and hasattr(value[0], "pk"):
            pick_members(page, name, value)
            continue
        el = page.locator(f"form [name={name}]")
        tag = el.evaluate("e => e.tagName.toLowerCase()")
        kind = el.get_attribute("type") or ""
        if tag == "select":
            el.select_option([str(v) for v in value] if isinstance(value, list | tuple) else str(value))
        elif kind == "checkbox":
            el.set_checked(bool(value))
        else:
            el.fill(str(value))


def pick_members(page, name, members):
    """Member pickers (one per slot): type the name, click the htmx suggestion."""
    slots = page.locator(f"form [data-org-picker]:has([name={name}_text])")
    for i, m in enumerate(members):
        slot = slots.nth(i)
        slot.locator("input[type=text]").fill(m.name)
        slot.locator(f".picker-option[data-pick='{m.pk}']").click()
        assert slot.locator(f"input[name={name}]").input_value() == str(m.pk)


def submit(page, label):
    page.click(f"form button[type=submit]:has-text('{label}')")


def open_step(page, pk, code):
    """Reach the step's form the way a user does: the 办理 button on the flowchart."""
    open_file(page, pk)
    page.locator(f"#step-{code} a.btn:has-text('办理')").click()
    page.wait_for_selector(f"form[data-step={code}]")


def take(page, pk, code, date, data=None):
    open_step(page, pk, code)
    fill(page, {"date": date.isoformat(), **(data or {})})
    submit(page, "确认办理")
    page.wait_for_url(re.compile(rf"/recruitment/files/{pk}/$"))
    page.wait_for_selector(".msg-success:has-text('已办理')")
    page.wait_for_selector(f"#step-{code}.done")


def add_assessment(page, pk, date, period, evaluator, score):
    open_file(page, pk)
    page.click("a.btn:has-text('考察测评')")
    page.wait_for_selector("form [name=period]")
    fill(page, {"date": date.isoformat(), "period": period, "evaluator": evaluator, "score": score, "comment": "表现良好"})
    submit(page, "保存")
    page.wait_for_selector(".msg-success:has-text('考察测评已记录')")


def record_vote(page, pk, proposal, date, should, present, yes, no=0):
    open_file(page, pk)
    page.click("a.btn:has-text('录入支部大会表决')")
    page.wait_for_selector("form [name=proposal]")
    fill(
        page,
        {
            "proposal": proposal,
            "meeting_date": date.isoformat(),
            "should_attend": should,
            "present": present,
            "yes": yes,
            "no": no,
            "abstain": 0,
            "passed": True,
        },
    )
    submit(page, "保存")
    page.wait_for_selector(".msg-success:has-text('表决结果已记录')")


def test_recruitment_journey_from_application_to_full_membership(browser, page):
    tree = make_tree()
    committee = tree["committees"][0]
    branch = tree["branches"][0][0]
    people = [make_member(branch, name=n) for n in ("联系人甲", "介绍人乙", "介绍人丙")]
    make_user("branch_secretary", branch, username="sec1", password=PASSWORD)
    make_user("committee_organiser", committee, username="org1", password=PASSWORD)

    sec = page
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    org = ctx.new_page()
    org.set_default_timeout(15_000)
    org.base_url = sec.base_url
    for p, user in ((sec, "sec1"), (org, "org1")):
        login(p, user, PASSWORD)
        p.wait_for_url(f"{p.base_url}/")

    # Step 1: the branch secretary opens the application.
    sec.goto(f"{sec.base_url}/recruitment/new/")
    birth = D(1998, 6, 15)
    fill(
        sec,
        {
            "name": "郑晓航",
            "id_number": compose("350525", birth, 417, "M"),
            "phone": "13900002222",
            "education": "college",
            "occupation": "farmer",
            "work_unit": "东岭村",
            "source": "returned_youth",
            "application_date": "2023-01-10",
        },
    )
    # the organisation picker: type part of the name, choose the suggestion (htmx)
    sec.fill("#id_organisation_text", branch.name[-4:])
    sec.click(f".picker-option[data-pick='{branch.pk}']")
    assert sec.input_value("input[name=organisation]") == str(branch.pk)
    assert sec.input_value("#id_organisation_text") == f"{branch.name}（{branch.code}）"
    submit(sec, "保存")
    sec.wait_for_selector(".msg-success:has-text('已为郑晓航建立发展档案')")
    pk = int(re.search(r"/recruitment/files/(\d+)/", sec.url).group(1))
    assert sec.locator("#step-apply").get_attribute("class") == "done"
    shot(sec, "01_application")

    data = {code: d for code, d, _x in PLAN}
    extra = {code: x for code, _d, x in PLAN}
    extra["contacts"] = {"contacts": [people[0]]}
    extra["introducers"] = {"introducers": [people[1], people[2]]}

    def step(code):
        user_page = org if code in HIGHER else sec
        take(user_page, pk, code, data[code], extra[code])

    for code in ("talk", "activist"):
        step(code)

    # A branch cannot perform a higher-committee step: the form refuses with the rule.
    open_step(sec, pk, "activist_filed")
    fill(sec, {"date": "2023-03-10"})
    submit(sec, "确认办理")
    sec.wait_for_selector("text=须由上级党委办理（需要审批权限）")

    for code in ("activist_filed", "contacts"):
        step(code)
    shot(sec, "02_activist")

    # 测评制: one assessment every six months while an activist.
    add_assessment(sec, pk, D(2023, 9, 1), "2023下半年", "member", 90)
    add_assessment(sec, pk, D(2024, 3, 1), "2024上半年", "mass", 88)
    step("cultivate")

    # 公示制: five working days; an objection must be resolved before the next step.
    open_file(sec, pk)
    sec.click("a.btn:has-text('发布公示')")
    fill(sec, {"start_date": "2024-03-04", "place": "村务公开栏"})
    submit(sec, "保存")
    sec.wait_for_selector(".msg-success:has-text('公示已发布，5个工作日，至 2024-03-08')")
    sec.click("a.btn:has-text('登记异议')")
    fill(sec, {"received": "2024-03-05", "content": "群众反映：曾拖欠村集体承包费"})
    submit(sec, "保存")
    sec.wait_for_selector(".msg-success:has-text('异议已登记')")

    # Out of order: a development target only after a full year as an activist.
    open_step(sec, pk, "target")
    fill(sec, {"date": "2024-02-28", "decided_by": "committee"})
    submit(sec, "确认办理")
    sec.wait_for_selector(".error:has-text('确定为发展对象须在确定为入党积极分子满一年后（细则第十三条），最早可于 2024-03-01')")
    shot(sec, "03_refused_too_early")
    # ... and not while the objection is unresolved.
    fill(sec, {"date": "2024-03-15", "decided_by": "committee"})
    submit(sec, "确认办理")
    sec.wait_for_selector("text=公示期间收到的异议尚未核查处理完毕（公示制）")
    assert not DevelopmentStep.objects.filter(file_id=pk, code="target").exists()

    open_file(sec, pk)
    sec.click("li a[href*='/objection/']")  # 处理 the objection
    fill(sec, {"resolved": "2024-03-08", "resolution": "经核查已于2022年结清，不属实"})
    submit(sec, "保存")
    sec.wait_for_selector(".msg-success:has-text('异议处理结果已记录')")

    for code in ("target", "target_filed", "introducers", "political_review", "training"):
        step(code)
    open_file(sec, pk)
    assert "培训 2024-04-10 3天 24学时 县委党校" in sec.inner_text("body")
    assert "入党介绍人：介绍人乙" in sec.inner_text("body")
    shot(sec, "04_target")

    for code in ("branch_review", "pre_review"):
        step(code)
    open_file(sec, pk)
    sec.wait_for_selector("text=预审合格，已发放")  # the 入党志愿书 is issued
    step("form")

    # 票决制: "passed" without a quorum is refused; then the real vote.
    open_file(sec, pk)
    sec.click("a.btn:has-text('录入支部大会表决')")
    fill(sec, {"proposal": "admit", "meeting_date": "2024-05-10", "should_attend": 10, "present": 5, "yes": 5, "passed": True})
    submit(sec, "保存")
    sec.wait_for_selector(".error:has-text('实到有表决权的正式党员须超过应到人数的半数方能开会（票决制）')")
    record_vote(sec, pk, "admit", D(2024, 5, 10), should=10, present=8, yes=7, no=1)
    step("general_meeting")
    shot(sec, "05_general_meeting")

    for code in ("higher_talk", "approval", "approval_filed"):
        step(code)

    # Approved: the same person is now in the member registry as 预备党员.
    sec.goto(f"{sec.base_url}/members/?q=郑晓航")
    row = sec.locator(".member-table tbody tr:has-text('郑晓航')")
    row.wait_for()
    assert "预备党员" in row.inner_text()
    member = Member.objects.get(name="郑晓航")
    assert member.member_type == "probationary" and member.join_date == D(2024, 5, 10)

    for code in ("placement", "oath", "probation_education", "conversion_application"):
        step(code)
    shot(sec, "06_probation")
    record_vote(sec, pk, "convert", D(2025, 5, 15), should=10, present=9, yes=9)
    for code in ("conversion_meeting", "conversion_approval", "archive"):
        step(code)

    open_file(sec, pk)
    body = sec.inner_text("body")
    assert "正式党员" in body and "转正日期 2025-05-10" in body
    assert sec.locator("ol.steps.flow li.done").count() == 25
    shot(sec, "07_full_member")

    sec.goto(f"{sec.base_url}/members/?q=郑晓航")
    row = sec.locator(".member-table tbody tr:has-text('郑晓航')")
    row.wait_for()
    assert "正式党员" in row.inner_text()
    row.locator("a:has-text('郑晓航')").first.click()
    sec.wait_for_selector("h1:has-text('郑晓航')")
    assert "2025-05-10" in sec.inner_text("body")

    f = DevelopmentFile.objects.get(pk=pk)
    assert f.stage == "full" and f.status == "closed" and f.member_id == member.pk
    member.refresh_from_db()
    assert member.member_type == "full" and member.conversion_date == D(2025, 5, 10)
    higher = DevelopmentStep.objects.filter(file_id=pk, code__in=HIGHER, superseded=False)
    assert higher.count() == len(HIGHER) and set(higher.values_list("performed_by__username", flat=True)) == {"org1"}
    ctx.close()
