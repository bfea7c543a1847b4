"""The branch's case at 6 consecutive months without party life (3 and 5 warn first), its
decision by the general meeting, and what the exit trigger hands on to 组织处置."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.orglife import facts, selectors, services
from apps.orglife.models import AbsenceCase
from tests.factories import api_token, make_member

from .conftest import CLI, meeting

D = datetime.date
pytestmark = pytest.mark.django_db
AS_OF = D(2025, 12, 5)  # counted up to November


def absent_from(branch, who: dict, months=range(1, 12)):
    """A theme day each month of 2025 up to November; who = {member: first absent month}."""
    for month in months:
        m = meeting(branch, held_on=D(2025, month, 12))
        marks = [{"member": x.pk, "status": "absent"} for x, first in who.items() if month >= first]
        services.record_attendance(m, marks, actor=CLI)


def test_a_case_at_six_months_not_at_three_or_five_and_idempotent(branch, members):
    six, five, three = members[:3]
    absent_from(branch, {six: 6, five: 7, three: 9})  # Jun–Nov = 6, Jul–Nov = 5, Sep–Nov = 3
    levels = {r["member_id"]: r["level"] for r in selectors.absence_details(list(selectors.absences_for(CLI, branch, AS_OF)))}
    assert levels == {six.pk: "case", five.pk: "escalation", three.pk: "warning"}
    assert services.open_absence_cases(branch, as_of=AS_OF, actor=CLI) == 1
    case = AbsenceCase.objects.get()
    assert (case.member_id, case.first_month, case.months, case.status) == (six.pk, D(2025, 6, 1), 6, "open")
    assert case.organisation_id == branch.pk and case.org_path == branch.path
    assert ChangeLog.objects.filter(object_id=str(case.pk), message__contains="开启处置").exists()
    assert services.open_absence_cases(branch, as_of=AS_OF, actor=CLI) == 0  # never twice
    # a month later the five-month member reaches six
    m = meeting(branch, held_on=D(2025, 12, 3))
    services.record_attendance(m, [{"member": six.pk, "status": "absent"}, {"member": five.pk, "status": "absent"}], actor=CLI)
    assert services.open_absence_cases(branch, as_of=D(2026, 1, 5), actor=CLI) == 1
    assert set(AbsenceCase.objects.values_list("member_id", flat=True)) == {six.pk, five.pk}


def test_leave_in_the_run_means_no_case(branch, members):
    x = members[0]
    for month in range(1, 12):
        status = {"member": x.pk, "status": "leave", "reason": "住院治疗"} if month == 8 else {"member": x.pk, "status": "absent"}
        services.record_attendance(meeting(branch, held_on=D(2025, month, 12)), [status], actor=CLI)
    assert services.open_absence_cases(branch, as_of=AS_OF, actor=CLI) == 0  # Sep–Nov only: 3 months


def test_another_branch_cannot_open_or_see_or_decide(branch, members, outsider, client):
    absent_from(branch, {members[0]: 1})
    with pytest.raises(ScopeError):
        services.open_absence_cases(branch, as_of=AS_OF, actor=outsider)
    services.open_absence_cases(branch, as_of=AS_OF, actor=CLI)
    case = AbsenceCase.objects.get()
    with pytest.raises(ScopeError):
        services.decide_absence_case(case, decision="good_reason", meeting_date=D(2025, 12, 10), note="x", actor=outsider, today=AS_OF)
    client.force_login(outsider)
    assert client.get(reverse("orglife:case_detail", args=[case.pk])).status_code == 404
    r = client.post(reverse("orglife:case_detail", args=[case.pk]), {"decision": "handling", "meeting_date": "2025-12-10"})
    assert r.status_code == 404
    assert members[0].name not in client.get(reverse("orglife:cases")).content.decode()
    case.refresh_from_db()
    assert case.status == "open"


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"decision": "expel"}, "decision", "请选择支部大会的决定"),
        ({"meeting_date": None}, "meeting_date", "请填写支部大会日期"),
        ({"meeting_date": "2025-13-01"}, "meeting_date", "格式错误"),
        ({"meeting_date": D(2025, 12, 20)}, "meeting_date", "晚于今天"),
        ({"meeting_date": D(2025, 11, 30)}, "meeting_date", "早于立案日期2025-12-05"),
        ({"decision": "good_reason", "note": " "}, "note", "须在决定说明中写明理由"),
    ],
)
def test_bad_decisions_are_refused_and_nothing_changes(branch, members, kwargs, field, words):
    absent_from(branch, {members[0]: 1})
    services.open_absence_cases(branch, as_of=AS_OF, actor=CLI)
    case = AbsenceCase.objects.get()
    args = {"decision": "handling", "meeting_date": D(2025, 12, 10), "note": "", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.decide_absence_case(case, actor=CLI, today=D(2025, 12, 15), **args)
    assert any(words in m for m in exc.value.message_dict[field])
    case.refresh_from_db()
    assert (case.status, case.decision, case.meeting_date) == ("open", "", None)


def test_decision_closes_the_run_for_the_exit_trigger_unless_handed_on(branch, members):
    a, b = members[:2]
    absent_from(branch, {a: 1, b: 1})
    services.open_absence_cases(branch, as_of=AS_OF, actor=CLI)
    case_a, case_b = AbsenceCase.objects.get(member=a), AbsenceCase.objects.get(member=b)
    services.decide_absence_case(case_a, decision="handling", meeting_date=D(2025, 12, 10), actor=CLI, today=D(2025, 12, 15))
    services.decide_absence_case(
        case_b,
        decision="good_reason",
        meeting_date=D(2025, 12, 10),
        note="长期在外务工，已补办流动党员登记",
        actor=CLI,
        today=D(2025, 12, 15),
    )
    assert [c[0] for c in facts.exit_candidates(branch.path, AS_OF)] == [a.pk]  # 组织处置 sees a only
    with pytest.raises(ValidationError) as exc:
        services.decide_absence_case(case_a, decision="resumed", meeting_date=D(2025, 12, 11), note="x", actor=CLI)
    assert "不能重复决定" in str(exc.value)
    # the same run is never reopened; b's record stays decided
    assert services.open_absence_cases(branch, as_of=AS_OF, actor=CLI) == 0
    assert AbsenceCase.objects.filter(status="open").count() == 0


def test_pages_todo_command_and_api(branch, members, secretary, client):
    absent_from(branch, {members[0]: 1})
    client.force_login(secretary)
    todo = [i.title for i in selectors.todo_items(secretary)]
    assert any(f"{members[0].name}连续" in t and "开启处置" in t for t in todo)
    out = StringIO()
    call_command("orglife_cases", "--org", branch.code, stdout=out)
    assert "新开启不参加组织生活处置1件" in out.getvalue()
    case = AbsenceCase.objects.get()
    todo = [i for i in selectors.todo_items(secretary) if members[0].name in i.title]
    assert len(todo) == 1 and todo[0].url == reverse("orglife:case_detail", args=[case.pk]) and "支部大会" in todo[0].title
    page = client.get(reverse("orglife:cases")).content.decode()
    assert members[0].name in page and "待支部大会决定" in page
    # the web form refuses a bad date, then records the decision
    r = client.post(reverse("orglife:case_detail", args=[case.pk]), {"decision": "handling", "meeting_date": "2099-01-01"})
    assert r.status_code == 200 and "晚于今天" in r.content.decode()
    today = datetime.date.today().isoformat()
    r = client.post(reverse("orglife:case_detail", args=[case.pk]), {"decision": "handling", "meeting_date": today})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.decision == "handling" and case.decided_by == secretary.username
    assert "组织处置" in client.get(reverse("orglife:case_detail", args=[case.pk])).content.decode()
    # the API lists it and refuses a second decision
    client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(secretary)}"}
    listed = client.get("/api/orglife/cases/", **auth).json()
    assert listed["results"][0]["decision"] == "handling"
    again = client.post(
        f"/api/orglife/cases/{case.pk}/decide/",
        {"decision": "resumed", "meeting_date": today, "note": "x"},
        content_type="application/json",
        **auth,
    )
    assert again.status_code == 400 and "不能重复决定" in again.content.decode()


def test_open_cases_button(branch, members, secretary, client):
    absent_from(branch, {members[0]: 1})
    client.force_login(secretary)
    assert "开启处置" in client.get(reverse("orglife:absences")).content.decode()
    r = client.post(reverse("orglife:open_cases"), {"org": branch.pk})
    assert r.status_code == 302 and AbsenceCase.objects.count() == 1


def test_case_list_queries_do_not_grow(branch, secretary, client, django_assert_max_num_queries):
    from apps.orglife.models import AbsenceCase as C

    client.force_login(secretary)

    def add(n):
        for _ in range(n):
            C.objects.create(member=make_member(branch), organisation=branch, opened_on=AS_OF, first_month=D(2025, 5, 1), months=6)

    add(1)
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse("orglife:cases")).status_code == 200
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("orglife:cases")).content.decode()
    assert page.count("/orglife/cases/") >= 13
