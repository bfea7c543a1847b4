"""Issue 12 item 9: changes the regulations tie to a procedure (conversion, extension,
cancellation, removal, 劝退, 自行脱党, transfer out) go only through their engines; the
registry's PATCH, status endpoint, web forms and the import refuse them and name the page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.members import services
from apps.members.models import Member, MemberStatusChange
from tests.factories import make_member, make_user

TODAY = datetime.date.today()


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def probationary(branch):
    join = TODAY - datetime.timedelta(days=400)
    return make_member(branch, member_type="probationary", join_date=join, conversion_date=None)


@pytest.fixture
def api(branch):
    client = APIClient()
    client.force_authenticate(make_user("branch_secretary", branch))
    return client


def test_patch_cannot_make_a_probationary_member_full(api, probationary):
    conversion = probationary.join_date + datetime.timedelta(days=31)
    r = api.patch(f"/api/members/{probationary.pk}/", {"member_type": "full", "conversion_date": conversion.isoformat()}, format="json")
    assert r.status_code == 400
    message = r.json()["member_type"][0]
    assert "发展档案" in message and "转正" in message
    probationary.refresh_from_db()
    assert probationary.member_type == "probationary" and probationary.conversion_date is None
    # nor the other way round, nor by the service directly
    full = make_member(probationary.organisation)
    assert api.patch(f"/api/members/{full.pk}/", {"member_type": "probationary"}, format="json").status_code == 400
    with pytest.raises(ValidationError) as exc:
        services.update_member(probationary, {"member_type": "full", "conversion_date": conversion}, actor=system_actor("cli"))
    assert "发展档案" in exc.value.message_dict["member_type"][0]
    # other fields still change through PATCH
    r = api.patch(f"/api/members/{probationary.pk}/", {"work_unit": "县医院", "member_type": "probationary"}, format="json")
    assert r.status_code == 200 and r.json()["work_unit"] == "县医院"


@pytest.mark.parametrize(
    "status,page",
    [
        ("removed", "组织处置"),
        ("withdrawn", "组织处置"),
        ("self_withdrawal", "组织处置"),
        ("cancelled_probation", "发展档案"),
        ("transferred_out", "组织关系转接"),
    ],
)
def test_status_endpoint_refuses_procedure_statuses(api, branch, status, page):
    m = make_member(branch)
    r = api.post(f"/api/members/{m.pk}/status/", {"status": status, "date": TODAY.isoformat(), "reason": "x"}, format="json")
    assert r.status_code == 400 and page in r.json()["status"][0]
    m.refresh_from_db()
    assert m.status == "normal" and MemberStatusChange.objects.filter(member=m).count() == 1


def test_only_the_owning_engine_sets_a_procedure_status(branch):
    m = make_member(branch)
    with pytest.raises(ValidationError):
        services.change_status(m, "removed", date=TODAY, reason="x", actor=system_actor("cli"), engine="mobility")
    services.change_status(m, "removed", date=TODAY, reason="组织处置：除名", actor=system_actor("task"), engine="appraisal")
    m.refresh_from_db()
    assert m.status == "removed"
    # generic statuses stay where they were
    other = make_member(branch)
    services.change_status(other, "deceased", date=TODAY, reason="病故", actor=system_actor("cli"))
    assert Member.objects.get(pk=other.pk).status == "deceased"


def test_web_forms_refuse_with_the_page_named(client, branch, probationary):
    client.force_login(make_user("branch_secretary", branch))
    url = reverse("members:status", args=[probationary.pk])
    page = client.get(url).content.decode()
    assert 'value="removed"' not in page and 'value="mobile"' in page
    r = client.post(url, {"status": "removed", "date": TODAY.isoformat(), "reason": "x"})
    assert r.status_code == 200 and "组织处置" in r.content.decode()
    r = client.post(url, {"status": "cancelled_probation", "date": TODAY.isoformat(), "reason": "x"})
    assert "发展档案" in r.content.decode()
    edit = reverse("members:edit", args=[probationary.pk])
    post = {
        "name": probationary.name,
        "sex": probationary.sex,
        "birth_date": probationary.birth_date.isoformat(),
        "education": probationary.education,
        "occupation": probationary.occupation,
        "join_date": probationary.join_date.isoformat(),
        "conversion_date": (probationary.join_date + datetime.timedelta(days=365)).isoformat(),
        "member_type": "full",
        "ethnicity": probationary.ethnicity,
        "increase_method": probationary.increase_method,
    }
    r = client.post(edit, post)
    assert r.status_code == 200 and "发展档案" in r.content.decode()
    probationary.refresh_from_db()
    assert probationary.member_type == "probationary" and probationary.status == "normal"


def test_import_cannot_convert_an_existing_probationary_member(branch, probationary):
    from apps.excel.importer import import_members
    from tests.excel.helpers import good_row, xlsx

    row = good_row(
        branch,
        姓名=probationary.name,
        性别="男" if probationary.sex == "M" else "女",
        出生日期=probationary.birth_date,
        公民身份号码=probationary.reveal_id_number(),
        入党日期=probationary.join_date,
        转正日期=probationary.join_date + datetime.timedelta(days=365),
        人员类别="正式党员",
    )
    result = import_members(xlsx([row]), dry_run=False, actor=system_actor("cli"))
    assert not result.ok
    assert any(e.header == "人员类别" and "发展档案" in e.message for e in result.errors), [e.as_dict() for e in result.errors]
    probationary.refresh_from_db()
    assert probationary.member_type == "probationary"
