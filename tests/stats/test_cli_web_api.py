import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AccessLog
from tests.factories import make_member, make_user


@pytest.fixture
def members(tree):
    a1 = tree["branches"][0][0]
    b1 = tree["branches"][1][0]
    for _ in range(3):
        make_member(a1, sex="F")
    make_member(b1, sex="M")
    return tree


def _run(*args):
    out = io.StringIO()
    call_command("party_stats", *args, stdout=out)
    return out.getvalue()


# --------------------------------------------------------------------------- CLI


def test_cli_json_defaults_to_root(members):
    data = json.loads(_run("--json"))
    assert data["organisation"]["code"] == members["county"].code
    assert data["members"]["total"] == 4
    assert data["members"]["women"]["count"] == 3


def test_cli_json_org_and_as_of(members):
    data = json.loads(_run("--json", "--org", members["committees"][1].code, "--as-of", "2025-12-31"))
    assert data["members"]["total"] == 1 and data["as_of"] == "2025-12-31"


def test_cli_table_is_chinese(members):
    text = _run("--org", members["county"].code)
    assert "党员总数" in text and "高中及以上" in text


def test_cli_user_in_scope(members):
    user = make_user("committee_organiser", members["committees"][0])
    data = json.loads(_run("--json", "--user", user.username))
    assert data["organisation"]["code"] == members["committees"][0].code
    assert data["members"]["total"] == 3


def test_cli_user_out_of_scope_fails(members):
    user = make_user("branch_secretary", members["branches"][1][0])
    with pytest.raises(CommandError, match="不在用户"):
        _run("--json", "--org", members["branches"][0][0].code, "--user", user.username)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "NOPE"), "不存在"),
        (("--as-of", "2025-13-01"), "格式不正确"),
        (("--user", "nobody"), "不存在"),
    ],
)
def test_cli_bad_input(members, args, message):
    with pytest.raises(CommandError, match=message):
        _run("--json", *args)


# --------------------------------------------------------------------------- web


def test_dashboard_for_county_admin(client, members):
    client.force_login(make_user("county_admin", members["county"]))
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "党员总数" in html and "大专及以上" in html and 'id="stats-data"' in html
    assert "<script>" not in html.replace('<script id="stats-data"', "")  # no inline script
    assert members["committees"][0].name in html  # children table
    assert response.context["stats"]["members"]["total"] == 4


def test_dashboard_picker_limited_to_scope(client, members):
    client.force_login(make_user("committee_organiser", members["committees"][0]))
    response = client.get(reverse("stats:dashboard"))
    picker = set(response.context["filter_form"].fields["org"].queryset.values_list("pk", flat=True))
    assert members["committees"][0].pk in picker
    assert members["county"].pk not in picker and members["committees"][1].pk not in picker
    html = response.content.decode()
    assert '<select name="org"' not in html and 'name="org_text"' in html
    assert members["committees"][0].name in html  # the organisation counted is shown in the picker
    # a code typed without JavaScript; another committee's code is not found
    response = client.get(reverse("stats:dashboard"), {"org_text": members["branches"][0][0].code})
    assert response.context["org"] == members["branches"][0][0]
    response = client.get(reverse("stats:dashboard"), {"org_text": members["committees"][1].code})
    assert response.context["org"] == members["committees"][0] and "未找到" in response.content.decode()


def test_dashboard_other_branch_gets_404(client, members):
    client.force_login(make_user("branch_secretary", members["branches"][1][0]))
    response = client.get(reverse("stats:dashboard"), {"org": members["branches"][0][0].pk})
    assert response.status_code == 404
    assert client.get(reverse("stats:export"), {"org": members["branches"][0][0].pk}).status_code == 404
    own = client.get(reverse("stats:dashboard"), {"org": members["branches"][1][0].pk})
    assert own.status_code == 200 and own.context["stats"]["members"]["total"] == 1


def test_dashboard_bad_date_shows_message(client, members):
    client.force_login(make_user("county_admin", members["county"]))
    response = client.get(reverse("stats:dashboard"), {"as_of": "2025-02-30"})
    assert response.status_code == 200
    assert "格式不正确" in response.content.decode()


def test_dashboard_needs_login(client, members):
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 302


def test_dashboard_query_count_constant(client, members):
    client.force_login(make_user("county_admin", members["county"]))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("stats:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(20):
        make_member(members["branches"][0][1])
    assert count() == few


def test_export_xlsx_is_logged(client, members):
    user = make_user("county_admin", members["county"])
    client.force_login(user)
    response = client.get(reverse("stats:export"), {"org": members["county"].pk, "as_of": "2026-01-01"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("分类", "项目", "数量", "占比(%)")
    assert ("党员", "党员总数", 4, None) in rows or ("党员", "党员总数", 4, "") in rows
    log = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT)
    assert log.user_id == user.pk and log.org_path == members["county"].path


# --------------------------------------------------------------------------- API


def test_api_returns_scoped_statistics(client, members):
    client.force_login(make_user("committee_organiser", members["committees"][0]))
    data = client.get("/api/stats/party/").json()
    assert data["organisation"]["id"] == members["committees"][0].pk
    assert data["members"]["total"] == 3
    data = client.get("/api/stats/party/", {"org": members["branches"][0][0].pk, "as_of": "2026-01-01"}).json()
    assert data["members"]["total"] == 3 and data["as_of"] == "2026-01-01"


def test_api_other_branch_gets_404(client, members):
    client.force_login(make_user("branch_secretary", members["branches"][1][0]))
    assert client.get("/api/stats/party/", {"org": members["branches"][0][0].pk}).status_code == 404
    assert client.get("/api/stats/party/", {"org": members["county"].pk}).status_code == 404
    assert client.get("/api/stats/party/", {"org": "abc"}).status_code == 404


def test_api_bad_date_is_400_in_chinese(client, members):
    client.force_login(make_user("county_admin", members["county"]))
    response = client.get("/api/stats/party/", {"as_of": "yesterday"})
    assert response.status_code == 400
    assert "格式不正确" in response.json()["as_of"][0]
    response = client.get("/api/stats/party/", {"as_of": "2999-01-01"})
    assert response.status_code == 400 and "不能晚于今天" in response.json()["as_of"][0]


def test_api_requires_authentication(client, members):
    assert client.get("/api/stats/party/").status_code in (401, 403)


def test_dashboard_without_any_organisation_explains(client, members):
    member = make_member(members["branches"][0][0])
    client.force_login(make_user("member", members["branches"][0][0], member=member))
    response = client.get(reverse("stats:dashboard"))
    assert response.status_code == 200
    assert "没有可统计的党组织" in response.content.decode()
    assert client.get(reverse("stats:dashboard"), {"org": members["branches"][0][0].pk}).status_code == 404
    assert client.get("/api/stats/party/").status_code == 404


def test_export_writes_amounts_in_yuan_as_numbers_with_two_decimals(client, members):
    """Issue 12 item 10: the 党费/慰问金 amounts of the statistics export are numbers (0.00),
    not text, read with an independent reader."""
    from tests.xlsx_reader import raw_cells

    client.force_login(make_user("county_admin", members["county"]))
    response = client.get(reverse("stats:export"), {"org": members["county"].pk})
    money_rows = [row for row in raw_cells(response.content)[1:] if "元" in row[1][1]]
    assert money_rows
    for row in money_rows:
        kind, text, fmt = row[2]
        assert (kind, fmt) == ("n", "0.00"), row
        assert text.count(".") == 1 and len(text.split(".")[1]) == 2
