"""停止党籍 and 出党·开除 are set only by their owning procedures (apps.members
PROCEDURE_STATUSES): 停止党籍 by this app's lost-contact clock (失联满6个月), 开除党籍 by
recording the disciplinary sanction. The member registry's status form, status endpoint,
PATCH and import refuse them and name the page; a refusal leaves nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from apps.appraisal import services
from apps.core.actors import system_actor
from apps.members import services as member_services
from apps.members.models import Member, MemberDiscipline, MemberStatusChange
from tests.factories import make_member, make_user

TODAY = datetime.date.today()
PAGES = {"suspended": "失联党员", "expelled": "党纪处分"}


@pytest.fixture
def api(secretary):
    client = APIClient()
    client.force_authenticate(secretary)
    return client


def _unchanged(m, status="normal"):
    m.refresh_from_db()
    assert m.status == status
    assert MemberStatusChange.objects.filter(member=m).exclude(to_status__in=("normal", "lost_contact")).count() == 0


@pytest.mark.parametrize("status", ["suspended", "expelled"])
def test_status_endpoint_refuses_and_names_the_page(api, branch, status):
    m = make_member(branch)
    r = api.post(f"/api/members/{m.pk}/status/", {"status": status, "date": TODAY.isoformat(), "reason": "x"}, format="json")
    assert r.status_code == 400 and PAGES[status] in r.json()["status"][0]
    _unchanged(m)


@pytest.mark.parametrize("status", ["suspended", "expelled"])
def test_patch_cannot_set_them(api, branch, status):
    m = make_member(branch)
    # the write serializer has no status: PATCH changes the record's data, never its status
    r = api.patch(f"/api/members/{m.pk}/", {"status": status, "work_unit": "县农业局"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "normal" and r.json()["work_unit"] == "县农业局"
    _unchanged(m)


@pytest.mark.parametrize("status", ["suspended", "expelled"])
def test_web_status_form_does_not_offer_them_and_refuses_a_post(client, secretary, branch, status):
    m = make_member(branch)
    client.force_login(secretary)
    url = reverse("members:status", args=[m.pk])
    page = client.get(url).content.decode()
    assert f'value="{status}"' not in page and 'value="deceased"' in page
    r = client.post(url, {"status": status, "date": TODAY.isoformat(), "reason": "x"})
    assert r.status_code == 200 and PAGES[status] in r.content.decode()
    _unchanged(m)


def test_another_engine_cannot_set_them(branch):
    m = make_member(branch)
    for status, wrong in (("suspended", "members"), ("expelled", "appraisal")):
        with pytest.raises(ValidationError) as exc:
            member_services.change_status(m, status, date=TODAY, reason="x", actor=system_actor("cli"), engine=wrong)
        assert PAGES[status] in exc.value.message_dict["status"][0]
    _unchanged(m)


def test_import_cannot_change_an_existing_member_to_them(branch):
    from apps.excel.importer import import_members
    from tests.excel.helpers import good_row, xlsx

    m = make_member(branch)
    row = good_row(
        branch,
        姓名=m.name,
        性别="男" if m.sex == "M" else "女",
        出生日期=m.birth_date,
        公民身份号码=m.reveal_id_number(),
        入党日期=m.join_date,
        转正日期=m.conversion_date,
        党籍状态="停止党籍",
    )
    result = import_members(xlsx([row]), dry_run=False, actor=system_actor("cli"))
    assert not result.ok
    assert any(e.header == "党籍状态" for e in result.errors), [e.as_dict() for e in result.errors]
    _unchanged(m)


def test_the_lost_contact_clock_is_the_way_to_suspension(branch, secretary):
    m = make_member(branch)
    m = member_services.change_status(
        m,
        "lost_contact",
        date=TODAY - datetime.timedelta(days=200),
        lost_contact_reason="migrant_work",
        reason="外出务工失联",
        actor=system_actor("cli"),
    )
    services.suspend_lost_contact(m, on=TODAY, actor=secretary)
    m.refresh_from_db()
    assert m.status == "suspended"
    assert MemberStatusChange.objects.get(member=m, to_status="suspended").reason == "失联满6个月，停止党籍"


def test_recording_an_expulsion_sets_the_status(client, branch, committee):
    m = make_member(branch)
    organiser = make_user("committee_organiser", committee)
    client.force_login(organiser)
    r = client.post(
        reverse("members:discipline", args=[m.pk]),
        {"kind": "expulsion", "decided_on": TODAY.isoformat(), "decided_by": "县纪委", "reason": "严重违纪"},
    )
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.status == "expelled"
    change = MemberStatusChange.objects.get(member=m, to_status="expelled")
    assert "县纪委" in change.reason
    assert MemberDiscipline.objects.get(member=m).kind == "expulsion"


def test_an_expulsion_that_cannot_change_the_status_leaves_nothing(client, branch, committee):
    m = make_member(branch)
    member_services.change_status(m, "deceased", date=TODAY, reason="病故", actor=system_actor("cli"))
    organiser = make_user("committee_organiser", committee)
    client.force_login(organiser)
    r = client.post(
        reverse("members:discipline", args=[m.pk]),
        {"kind": "expulsion", "decided_on": TODAY.isoformat(), "decided_by": "县纪委", "reason": "严重违纪"},
    )
    assert r.status_code == 200 and "不能再变更党籍状态" in r.content.decode()
    assert not MemberDiscipline.objects.filter(member=m).exists()
    assert Member.objects.get(pk=m.pk).status == "deceased"
