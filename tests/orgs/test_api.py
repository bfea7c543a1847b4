import pytest
from rest_framework.test import APIClient

from apps.orgs.models import Organisation
from tests.factories import make_member, make_org, make_user


@pytest.fixture
def api(tree):
    client = APIClient()
    client.force_authenticate(make_user("county_admin", tree["county"]))
    return client


@pytest.fixture
def sec_api(tree):
    client = APIClient()
    client.force_authenticate(make_user("branch_secretary", tree["branches"][0][0]))
    return client


def test_list_filters_and_counts(api, tree):
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][0][1])
    r = api.get("/api/orgs/", {"type": "branch"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 4 and body["count_exact"] is True
    assert {o["org_type"] for o in body["results"]} == {"branch"}
    r = api.get("/api/orgs/", {"parent": tree["county"].pk}).json()
    assert [o["name"] for o in r["results"]] == ["测试第1镇党委", "测试第2镇党委"]
    assert [o["subtree_member_count"] for o in r["results"]] == [2, 0]
    assert all(o["parent"] == tree["county"].pk for o in r["results"])
    assert api.get("/api/orgs/", {"q": "第2镇"}).json()["count"] == 3
    assert api.get("/api/orgs/", {"type": "nonsense"}).status_code == 400
    names = [o["code"] for o in api.get("/api/orgs/", {"ordering": "-code"}).json()["results"]]
    assert names == sorted(names, reverse=True)
    assert api.get("/api/orgs/", {"ordering": "get_org_type_display"}).status_code == 200  # ignored, not a 500


def test_list_paging(api, tree):
    r = api.get("/api/orgs/", {"page_size": 2}).json()
    assert r["count"] == 7 and len(r["results"]) == 2 and r["next"] and r["previous"] is None
    r = api.get("/api/orgs/", {"page_size": 2, "page": 4}).json()
    assert len(r["results"]) == 1 and r["next"] is None


def test_retrieve_and_children(api, tree):
    c = tree["committees"][0]
    r = api.get(f"/api/orgs/{c.pk}/").json()
    assert r["code"] == c.code and r["org_type_display"] == "党委" and r["parent"] == tree["county"].pk
    r = api.get(f"/api/orgs/{c.pk}/children/").json()
    assert [o["id"] for o in r] == [b.pk for b in tree["branches"][0]]


def test_scope_404(sec_api, tree):
    other = tree["branches"][1][0]
    assert sec_api.get(f"/api/orgs/{other.pk}/").status_code == 404
    assert sec_api.get(f"/api/orgs/{other.pk}/children/").status_code == 404
    assert sec_api.patch(f"/api/orgs/{other.pk}/", {"name": "x"}, format="json").status_code == 404
    r = sec_api.post("/api/orgs/", {"parent": other.pk, "name": "组", "code": "G9", "org_type": "party_group"}, format="json")
    assert r.status_code == 404
    assert not Organisation.objects.filter(code="G9").exists()
    ids = [o["id"] for o in sec_api.get("/api/orgs/").json()["results"]]
    assert ids == [tree["branches"][0][0].pk]


def test_create_update(api, tree):
    parent = tree["branches"][0][0]
    r = api.post("/api/orgs/", {"parent": parent.pk, "name": "第一党小组", "code": "G1", "org_type": "party_group"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["parent"] == parent.pk
    org_id = r.json()["id"]
    r = api.patch(f"/api/orgs/{org_id}/", {"short_name": "一组"}, format="json")
    assert r.status_code == 200 and r.json()["short_name"] == "一组"


def test_blank_unit_type_is_never_stored(api, tree):
    """Found by the API fuzz test: PUT with "unit_type": "" stored "" (no valid unit type)."""
    org = tree["branches"][0][0]
    Organisation.objects.filter(pk=org.pk).update(unit_type="village")
    body = {"name": org.name, "code": org.code, "org_type": org.org_type, "unit_type": ""}
    r = api.put(f"/api/orgs/{org.pk}/", body, format="json")
    assert r.status_code == 200 and r.json()["unit_type"] == "village"
    r = api.post("/api/orgs/", {"parent": org.pk, "name": "二组", "code": "G2", "org_type": "party_group", "unit_type": ""}, format="json")
    assert r.status_code == 201 and r.json()["unit_type"] == "other"


def test_create_bad_input(api, tree):
    n = Organisation.objects.count()
    r = api.post(
        "/api/orgs/", {"parent": tree["branches"][0][0].pk, "name": "", "code": tree["county"].code, "org_type": "committee"}, format="json"
    )
    assert r.status_code == 400
    body = r.json()
    assert "组织全称为必填项" in body["name"][0]
    assert "已被使用" in body["code"][0]
    assert "不能设立" in body["org_type"][0]
    assert api.post("/api/orgs/", {"name": "x"}, format="json").json()["parent"] == ["上级组织为必填项"]
    assert api.post("/api/orgs/", {"parent": 1, "founded_on": "not-a-date"}, format="json").status_code == 400
    assert Organisation.objects.count() == n


def test_update_in_view_scope_only_is_404(tree):
    client = APIClient()
    client.force_authenticate(make_user("inspector", tree["county"]))
    org = tree["branches"][0][0]
    assert client.get(f"/api/orgs/{org.pk}/").status_code == 200
    assert client.patch(f"/api/orgs/{org.pk}/", {"name": "x"}, format="json").status_code == 404


def test_list_query_count_constant(api, tree, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/orgs/").status_code == 200
        return len(ctx)

    count()  # warm the per-user role cache (force_authenticate reuses one user object)
    few = count()
    for _ in range(20):
        make_org(tree["committees"][1], org_type="branch")
    assert count() == few


def test_openapi_schema_validates(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/orgs/{id}/children/" in text and "/api/members/{id}/reveal/" in text
    # A TimeField carries "HH:MM[:SS]" without an offset; `format: time` (RFC 3339) would
    # require one, so the schema states the real pattern instead.
    assert "format: time\n" not in text


def test_time_field_schema_matches_what_drf_writes():
    import datetime
    import re

    from rest_framework import serializers

    from apps.core.api.schema import LOCAL_TIME_PATTERN

    field = serializers.TimeField()
    for value in (datetime.time(0, 1), datetime.time(23, 59, 59), datetime.time(9, 5, 7, 123456)):
        assert re.match(LOCAL_TIME_PATTERN, field.to_representation(value))
    assert field.to_internal_value("09:30") == datetime.time(9, 30)
    assert not re.match(LOCAL_TIME_PATTERN, "24:00:00")
