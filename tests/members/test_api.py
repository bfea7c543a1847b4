import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.core.models import AccessLog
from apps.members.models import Member
from tests.factories import make_member, make_user, member_data


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def api(branch):
    client = APIClient()
    client.force_authenticate(make_user("branch_secretary", branch))
    return client


def _payload(org, **overrides):
    data = member_data(org, **overrides)
    data["organisation"] = org.pk
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}


def test_list_masked_search_filter_paging(api, branch, tree):
    zs = make_member(branch, name="张三", categories=["rural"])
    make_member(branch, name="李四")
    make_member(tree["branches"][1][0], name="张三丰")
    r = api.get("/api/members/")
    assert r.status_code == 200
    text = r.content.decode()
    body = r.json()
    assert body["count"] == 2 and {m["name"] for m in body["results"]} == {"张三", "李四"}
    assert zs.reveal_id_number() not in text and zs.reveal_phone() not in text
    row = next(m for m in body["results"] if m["name"] == "张三")
    assert row["id_number_masked"] == zs.id_number_masked and "id_number" not in row and "phone" not in row
    assert row["categories"] == ["rural"]
    for q in ("zhangsan", "zs", zs.reveal_id_number()[-4:]):
        assert [m["name"] for m in api.get("/api/members/", {"q": q}).json()["results"]] == ["张三"], q
    assert api.get("/api/members/", {"category": "rural"}).json()["count"] == 1
    assert api.get("/api/members/", {"age_band": "youth"}).json()["count"] == 0
    assert api.get("/api/members/", {"age_band": "bad"}).status_code == 400
    r = api.get("/api/members/", {"page_size": 1, "ordering": "name"}).json()
    assert len(r["results"]) == 1 and r["next"] and r["results"][0]["name"] == "李四"


def test_list_query_count_constant(api, branch):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/members/").status_code == 200
        return len(ctx)

    for _ in range(3):
        make_member(branch, categories=["rural"])
    count()  # warm the per-user role cache (force_authenticate reuses one user object)
    few = count()
    for _ in range(27):
        make_member(branch, categories=["rural"])
    assert count() == few


def test_cross_branch_404(api, tree):
    other = make_member(tree["branches"][1][0])
    assert api.get(f"/api/members/{other.pk}/").status_code == 404
    assert api.patch(f"/api/members/{other.pk}/", {"address": "x"}, format="json").status_code == 404
    assert api.post(f"/api/members/{other.pk}/status/", {"status": "mobile", "date": "2024-01-01"}, format="json").status_code == 404
    assert (
        api.post(
            f"/api/members/{other.pk}/move/", {"organisation": tree["branches"][0][0].pk, "date": "2024-01-01"}, format="json"
        ).status_code
        == 404
    )
    assert api.post(f"/api/members/{other.pk}/reveal/", {"field": "id_number"}, format="json").status_code == 404
    assert api.post("/api/members/", _payload(tree["branches"][1][0]), format="json").status_code == 404
    other.refresh_from_db()
    assert other.address == "" and other.status == "normal"
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).exists()


def test_create_and_update(api, branch):
    r = api.post("/api/members/", _payload(branch, name="王五", categories=["农村党员"]), format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["categories"] == ["rural"] and "*" in body["id_number_masked"]
    r = api.patch(f"/api/members/{body['id']}/", {"work_unit": "县医院"}, format="json")
    assert r.status_code == 200 and r.json()["work_unit"] == "县医院"


def test_blank_ethnicity_or_increase_method_is_refused_not_stored(api, branch):
    """Found by the API fuzz test: PATCH {"ethnicity": ""} stored "" (no valid code)."""
    member = make_member(branch)
    for field, label in (("ethnicity", "民族"), ("increase_method", "增加方式")):
        r = api.patch(f"/api/members/{member.pk}/", {field: ""}, format="json")
        assert r.status_code == 400 and label in r.json()[field][0]
    member.refresh_from_db()
    assert member.ethnicity and member.increase_method


def test_create_bad_input(api, branch):
    payload = _payload(branch)
    payload["id_number"] = payload["id_number"][:17] + ("0" if payload["id_number"][17] != "0" else "1")
    payload.pop("name")
    r = api.post("/api/members/", payload, format="json")
    assert r.status_code == 400
    body = r.json()
    assert body["name"] == ["姓名为必填项"] and "校验" in body["id_number"][0]
    assert api.post("/api/members/", {**_payload(branch), "birth_date": "x"}, format="json").status_code == 400
    assert Member.objects.count() == 0


def test_update_refuses_status_and_org_changes(api, branch, tree):
    m = make_member(branch)
    r = api.patch(f"/api/members/{m.pk}/", {"status": "deceased"}, format="json")
    # status is not a writable field of the update serializer: ignored, nothing changes
    m.refresh_from_db()
    assert m.status == "normal" and r.status_code == 200
    r = api.patch(f"/api/members/{m.pk}/", {"organisation": tree["branches"][0][1].pk}, format="json")
    assert r.status_code in (400, 404)


def test_status_and_move(api, branch, tree):
    m = make_member(branch)
    today = datetime.date.today().isoformat()
    r = api.post(f"/api/members/{m.pk}/status/", {"status": "lost_contact", "date": today}, format="json")
    assert r.status_code == 400 and "失联原因" in r.json()["lost_contact_reason"][0]
    r = api.post(f"/api/members/{m.pk}/status/", {"status": "mobile", "date": today, "reason": "外出"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "mobile"
    # move within the secretary's scope is impossible (one branch); an organiser can
    organiser = APIClient()
    organiser.force_authenticate(make_user("committee_organiser", tree["committees"][0]))
    target = tree["branches"][0][1]
    r = organiser.post(f"/api/members/{m.pk}/move/", {"organisation": target.pk, "date": today}, format="json")
    assert r.status_code == 200 and r.json()["organisation"] == target.pk
    r = organiser.post(f"/api/members/{m.pk}/move/", {"organisation": tree["branches"][1][0].pk, "date": today}, format="json")
    assert r.status_code == 404
    r = organiser.post(f"/api/members/{m.pk}/move/", {"organisation": target.pk, "date": today}, format="json")
    assert r.status_code == 400 and "相同" in r.json()["organisation"][0]


def test_reveal_logged_and_refused(api, branch):
    m = make_member(branch)
    r = api.post(f"/api/members/{m.pk}/reveal/", {"field": "phone"}, format="json")
    assert r.status_code == 200 and r.json()["value"] == m.reveal_phone()
    log = AccessLog.objects.get(kind=AccessLog.Kind.REVEAL_PHONE)
    assert log.org_path == m.org_path and log.detail["member_id"] == m.pk
    assert api.post(f"/api/members/{m.pk}/reveal/", {"field": "name"}, format="json").status_code == 400
    viewer = APIClient()
    viewer.force_authenticate(make_user("inspector", branch))
    r = viewer.post(f"/api/members/{m.pk}/reveal/", {"field": "id_number"}, format="json")
    assert r.status_code == 403 and m.reveal_id_number() not in r.content.decode()
    assert AccessLog.objects.count() == 1


def test_list_rows_equal_the_detail_serializer_on_shared_fields(tree):
    """The list's hand-built rows say exactly what the generic serializer says."""
    from apps.members.api.serializers import MemberListSerializer, MemberSerializer
    from apps.members.models import Member
    from tests.factories import make_member

    m = make_member(tree["branches"][0][0], categories=["rural", "hardship"], education="college")
    m = Member.objects.select_related("organisation").prefetch_related("categories").get(pk=m.pk)
    fast, full = MemberListSerializer(m).data, MemberSerializer(m).data
    assert set(fast) == set(MemberListSerializer.Meta.fields)
    for key in fast:
        assert fast[key] == full[key], key
