"""Issue 12 item 23: GET of a form's target (/dues/remittance/) answered a blank 405; it
now explains in Chinese what to do. API answers keep their JSON body."""

from tests.factories import make_user


def test_get_of_a_post_only_page_explains_in_chinese(client, tree):
    client.force_login(make_user("committee_organiser", tree["committees"][0]))
    r = client.get("/dues/remittance/")
    html = r.content.decode()
    assert r.status_code == 405 and r["Allow"] == "POST"
    assert "请从页面上操作" in html and "返回工作台" in html and "<nav" in html


def test_api_405_keeps_its_json(client, tree):
    client.force_login(make_user("county_admin", tree["county"]))
    r = client.delete("/api/stats/party/")
    assert r.status_code == 405 and r["Content-Type"].startswith("application/json")
