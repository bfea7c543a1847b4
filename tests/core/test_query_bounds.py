from django.urls import reverse

from tests.factories import make_user


def test_oversized_integers_are_a_clear_400_not_a_server_error(client, tree):
    client.force_login(make_user("county_admin", tree["county"]))
    r = client.get("/api/members/", {"page": "458256487025261084672"})
    assert r.status_code == 400 and "page" in r.json()["detail"] and "超出允许范围" in r.json()["detail"]
    r = client.get(reverse("members:list"), {"org": "-3078596540478636999999"})
    assert r.status_code == 400 and "超出允许范围" in r.content.decode()
    assert client.get("/api/members/", {"page": "2"}).status_code in (200, 404)
    assert client.get(reverse("members:list"), {"q": "13800001111"}).status_code == 200  # an 11-digit phone is fine


def test_nul_characters_in_query_parameters_are_a_clear_400(client, tree):
    """PostgreSQL refuses NUL in any string: found by the API fuzz test as a 500 of
    /api/recruitment/reports/monthly/?org=…\\x00…"""
    client.force_login(make_user("county_admin", tree["county"]))
    r = client.get("/api/recruitment/reports/monthly/", {"org": "T0\x00001", "month": "2026-01"})
    assert r.status_code == 400 and "org" in r.json()["detail"] and "不允许的字符" in r.json()["detail"]
    r = client.get(reverse("members:list"), {"q": "王\x00"})
    assert r.status_code == 400 and "不允许的字符" in r.content.decode()


def test_long_non_ascii_digits_are_not_taken_for_integers(client, tree):
    client.force_login(make_user("county_admin", tree["county"]))
    r = client.get(reverse("members:list"), {"q": "²" * 20})  # isdigit() but not int()
    assert r.status_code == 200


def test_nul_or_lone_surrogate_in_a_json_body_is_a_clear_400(client, tree):
    """Found by the API fuzz test: POST /api/exports/members/ with a filter holding \\u0000
    was a 500 on PostgreSQL (a JSON column cannot store it)."""
    from apps.excel.models import ExportJob

    client.force_login(make_user("county_admin", tree["county"]))
    for raw in ('{"filters": {"q": "王\\u0000"}}', '{"filters": {"\\u0000": "x"}}', '{"filters": {"q": "\\ud800"}}'):
        r = client.post("/api/exports/members/", data=raw, content_type="application/json")
        assert r.status_code == 400 and "不允许的字符" in r.json()["detail"], raw
    assert not ExportJob.objects.exists()
    # an ordinary escaped character is fine
    r = client.patch(f"/api/orgs/{tree['county'].pk}/", data='{"contact_person": "\\u738b"}', content_type="application/json")
    assert r.status_code == 200 and r.json()["contact_person"] == "王"
