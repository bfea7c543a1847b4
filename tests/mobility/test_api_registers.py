"""The registers' API (issue 17): 非公企业党员证, 报告与联系 (abroad contacts), 离退休党支部,
下岗失业党员, plus the FilterSets' validation and the masking of personal data. Reads are
scoped; writes go through the web's services; another branch gets 404 and changes nothing."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.mobility import services
from apps.mobility.models import NonPublicCard
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
TODAY = timezone.localdate()
AWAY = {"reason": "出国留学", "destination": "英国伦敦", "months": 12, "home_contact": "王支书", "home_contact_phone": "13900001111"}


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_cards(branch, secretary, far_secretary):
    api = _api(secretary)
    m = make_member(branch, name="欧阳锋")
    created = api.post("/api/mobility/cards/", {"member": m.pk, "number": "FG-9", "issued_by": "县非公企业党委"}, format="json")
    assert created.status_code == 201 and created.json()["member_name"] == "欧阳锋" and created.json()["withdrawn_on"] is None
    card = created.json()["id"]
    again = api.post("/api/mobility/cards/", {"member": m.pk, "number": "FG-10", "issued_by": "县非公企业党委"}, format="json")
    assert again.status_code == 400 and "须先收回原证" in again.json()["member"][0]
    dup = api.post("/api/mobility/cards/", {"member": make_member(branch).pk, "number": "FG-9", "issued_by": "县"}, format="json")
    assert dup.status_code == 400 and "已登记" in dup.json()["number"][0]
    assert [c["id"] for c in api.get("/api/mobility/cards/?held=true").json()["results"]] == [card]
    assert [c["id"] for c in api.get("/api/mobility/cards/?q=FG-9").json()["results"]] == [card]
    # another branch: 404 on the card, 404 on the member, nothing written
    other = _api(far_secretary)
    assert other.get(f"/api/mobility/cards/{card}/").status_code == 404
    assert other.post(f"/api/mobility/cards/{card}/withdraw/", {}, format="json").status_code == 404
    assert other.post("/api/mobility/cards/", {"member": m.pk, "number": "FG-X", "issued_by": "x"}, format="json").status_code == 404
    assert other.get("/api/mobility/cards/").json()["results"] == []
    assert NonPublicCard.objects.get(pk=card).withdrawn_on is None and NonPublicCard.objects.count() == 1
    done = api.post(f"/api/mobility/cards/{card}/withdraw/", {"withdrawn_on": TODAY.isoformat()}, format="json")
    assert done.status_code == 200 and done.json()["withdrawn_on"] == TODAY.isoformat()
    twice = api.post(f"/api/mobility/cards/{card}/withdraw/", {}, format="json")
    assert twice.status_code == 400 and "不能重复收回" in twice.json()["withdrawn_on"][0]
    assert api.get("/api/mobility/cards/?held=true").json()["results"] == []


def test_abroad_contacts(branch, secretary, far_secretary):
    r = services.register_mobile(make_member(branch, name="令狐冲"), {**AWAY, "studying_abroad": True}, actor=SYSTEM)
    services.add_contact(r, {"kind": "contact", "content": "视频联系，学习正常"}, actor=SYSTEM)
    near = services.register_mobile(make_member(branch), {**AWAY, "months": 3, "destination": "上海"}, actor=SYSTEM)
    services.add_contact(near, {"kind": "report", "content": "年度报告"}, actor=SYSTEM)
    api = _api(secretary)
    rows = api.get("/api/mobility/contacts/?abroad=true").json()["results"]
    assert [(c["member_name"], c["kind"], c["studying_abroad"]) for c in rows] == [("令狐冲", "contact", True)]
    assert len(api.get("/api/mobility/contacts/").json()["results"]) == 2
    assert len(api.get("/api/mobility/contacts/?kind=report").json()["results"]) == 1
    bad = api.get("/api/mobility/contacts/?kind=visit")
    assert bad.status_code == 400 and "kind" in bad.json()
    other = _api(far_secretary)
    assert other.get("/api/mobility/contacts/").json()["results"] == []
    assert other.get(f"/api/mobility/contacts/{rows[0]['id']}/").status_code == 404


def test_mobile_records_mask_the_contact_phone_and_default_the_duration(branch, secretary):
    api = _api(secretary)
    m = make_member(branch)
    body = {"member": m.pk, "reason": "务工", "destination": "上海", "home_contact": "王支书", "home_contact_phone": "13900001111"}
    created = api.post("/api/mobility/mobile-records/", body, format="json")
    assert created.status_code == 201
    data = created.json()
    assert data["home_contact_phone"] == "139****1111" and data["months"] == services.rule_values()["certificate_months_default"]
    listed = api.get("/api/mobility/mobile-records/").content.decode()
    assert "13900001111" not in listed and m.reveal_id_number() not in listed


def test_retired_and_unemployed_registers(tree, branch, secretary, far_secretary):
    retired = make_org(tree["committees"][0], org_type="branch", unit_type="retired", name="老干部党支部")
    make_member(branch, name="杨过", categories=["unemployed"])
    organiser_view = _api(secretary)
    assert [o["name"] for o in organiser_view.get("/api/mobility/unemployed-members/").json()["results"]] == ["杨过"]
    assert "phone" not in organiser_view.get("/api/mobility/unemployed-members/").json()["results"][0]
    other = _api(far_secretary)
    assert other.get("/api/mobility/unemployed-members/").json()["results"] == []
    assert other.get("/api/mobility/retired-branches/").json()["results"] == []
    from tests.factories import make_user

    committee_user = make_user("committee_organiser", tree["committees"][0])
    names = [o["name"] for o in _api(committee_user).get("/api/mobility/retired-branches/?q=老干部").json()["results"]]
    assert names == [retired.name]


def test_filters_are_validated(secretary):
    api = _api(secretary)
    for url in (
        "/api/mobility/transfers/?status=lost",
        "/api/mobility/transfers/?side=up",
        "/api/mobility/contacts/?record=abc",
        "/api/mobility/host-registrations/?status=x",
        "/api/mobility/host-reports/?year=abc",
        "/api/mobility/temporary-branches/?status=gone",
    ):
        answer = api.get(url)
        assert answer.status_code == 400, url
    assert api.get("/api/mobility/transfers/?status=open&side=out&overdue=true").status_code == 200
