"""党内统计 annual tables: state on 31 December reconstructed from history, year on year."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.actors import system_actor
from apps.members import services as member_services
from apps.stats.selectors import member_counts
from apps.supervision import annual
from tests.factories import make_member, make_org

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")


def _row(result, table, item):
    (row,) = [r for r in result["rows"] if r["table"] == table and r["item"] == item]
    return row


@pytest.fixture
def year():
    return timezone.localdate().year - 2


@pytest.fixture
def history(tree, year):
    """Members whose status or organisation changed after the basis date of `year`."""
    branch, other = tree["branches"][0][0], tree["branches"][1][0]
    after = datetime.date(year + 1, 3, 1)
    stay = make_member(branch, sex="M")
    joined = make_member(branch, sex="F", join_date=datetime.date(year, 6, 1), conversion_date=None, member_type="probationary")
    died_later = make_member(branch, sex="M", ethnicity="回族")
    member_services.change_status(died_later, "deceased", date=after, reason="病故", actor=CLI)
    died_in_year = make_member(branch, sex="M")
    member_services.change_status(died_in_year, "deceased", date=datetime.date(year, 5, 1), reason="病故", actor=CLI)
    moved_in = make_member(other, sex="F")
    member_services.move_member(moved_in, branch, date=after, actor=CLI)
    moved_out = make_member(branch, sex="M")
    member_services.move_member(moved_out, other, date=after, actor=CLI)
    return locals()


def test_state_on_31_december_comes_from_history(tree, year, history):
    township = tree["committees"][0]
    result = annual.annual_statistics(township, year)
    assert result["basis"] == f"{year}-12-31"
    # on 31 Dec: stay, joined, died_later (alive then), moved_out (still here then);
    # not died_in_year, not moved_in (still in the other township then)
    total = _row(result, "党员", "党员总数")
    assert total["count"] == 4
    assert total["previous"] == 4  # stay, died_later, died_in_year, moved_out
    assert total["change"] == 0
    assert _row(result, "党员", "女党员")["count"] == 1  # joined
    assert _row(result, "党员", "预备党员")["count"] == 1
    assert _row(result, "党员·民族", "回族")["count"] == 1  # died the year after: still counted
    assert _row(result, "发展党员", "发展党员")["count"] == 1
    assert _row(result, "发展党员", "其中：女")["count"] == 1
    assert _row(result, "发展党员", "发展党员")["previous"] == 0
    assert _row(result, "党员减少", "死亡")["count"] == 1  # died_in_year only
    assert _row(result, "党员减少", "减少合计")["count"] == 1
    other = annual.annual_statistics(tree["committees"][1], year)
    assert _row(other, "党员", "党员总数")["count"] == 1  # moved_in was there on 31 Dec


def test_current_year_matches_the_live_statistics(tree, history):
    county = tree["county"]
    this_year = timezone.localdate().year
    result = annual.annual_statistics(county, this_year)
    assert result["basis"] == timezone.localdate().isoformat()
    live = member_counts(county, timezone.localdate())
    assert _row(result, "党员", "党员总数")["count"] == live["total"] == 4
    assert _row(result, "党员", "女党员")["count"] == live["women"]["count"]


def test_organisations_on_the_basis_date(tree, year):
    township = tree["committees"][0]
    make_org(township, founded_on=datetime.date(year + 1, 1, 5))  # founded after the basis date
    result = annual.annual_statistics(township, year)
    row = _row(result, "基层党组织", "党支部")
    assert row["count"] == 2 and row["previous"] == 2
    now = annual.annual_statistics(township, timezone.localdate().year)
    assert _row(now, "基层党组织", "党支部")["count"] == 3


@pytest.mark.parametrize("bad", ["1900", "abc", str(timezone.localdate().year + 1), "20245"])
def test_bad_year_is_refused_in_chinese(bad):
    with pytest.raises(ValidationError) as exc:
        annual.parse_year(bad)
    assert "统计年度须为" in exc.value.message_dict["year"][0]


def test_fixed_number_of_queries_at_two_sizes(tree, year, history, django_assert_max_num_queries):
    county = tree["county"]
    with django_assert_max_num_queries(20) as small:
        annual.annual_statistics(county, year)
    branch = tree["branches"][0][1]
    for n in range(12):
        m = make_member(branch)
        if n % 3 == 0:
            member_services.change_status(m, "deceased", date=datetime.date(year + 1, 2, 1), actor=CLI)
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = annual.annual_statistics(county, year)
    # the county on 31 Dec: all six but died_in_year, and the twelve new ones
    assert _row(result, "党员", "党员总数")["count"] == 5 + 12


# ── page, export, CLI and API ─────────────────────────────────────────────────────────
def test_page_export_and_scope(client, tree, year, history):
    from django.urls import reverse

    from apps.core.models import AccessLog
    from tests.factories import make_user

    admin = make_user("county_admin", tree["county"])
    secretary = make_user("branch_secretary", tree["branches"][1][0])
    client.force_login(admin)
    page = client.get(reverse("supervision:annual"), {"org": tree["committees"][0].pk, "year": year}).content.decode()
    assert f"{year}年党内统计年报" in page and "党员减少" in page and f"{year}-12-31" in page
    bad = client.get(reverse("supervision:annual"), {"year": "1800"})
    assert bad.status_code == 200 and "统计年度须为" in bad.content.decode()
    r = client.post(reverse("supervision:annual_export"), {"org": tree["committees"][0].pk, "year": year})
    assert r.status_code == 200
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("表", "项目", f"{year}年", f"{year - 1}年", "增减")
    assert ("党员", "党员总数", 4, 4, 0) in rows
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, target__contains="党内统计年报").count() == 1
    assert client.post(reverse("supervision:annual_export"), {"org": tree["committees"][0].pk, "year": "x"}).status_code == 400
    # another township's secretary: 404 for the page and the export, nothing logged
    client.force_login(secretary)
    assert client.get(reverse("supervision:annual"), {"org": tree["committees"][0].pk}).status_code == 404
    assert client.post(reverse("supervision:annual_export"), {"org": tree["committees"][0].pk, "year": year}).status_code == 404
    assert AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, target__contains="党内统计年报").count() == 1


def test_cli_json_and_xlsx(tree, year, history, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    out = io_text()
    path = tmp_path / "annual.xlsx"
    call_command("annual_stats", "--org", tree["committees"][0].code, "--year", str(year), "--json", "--xlsx", str(path), stdout=out)
    data = json.loads(out.getvalue())
    assert data["year"] == year and _row(data, "党员", "党员总数")["count"] == 4
    assert path.stat().st_size > 0
    text = io_text()
    call_command("annual_stats", "--org", tree["committees"][0].code, "--year", str(year), stdout=text)
    assert "【党员减少】" in text.getvalue()
    with pytest.raises(CommandError, match="统计年度须为"):
        call_command("annual_stats", "--org", tree["committees"][0].code, "--year", "1800")
    with pytest.raises(CommandError, match="不存在"):
        call_command("annual_stats", "--org", "NOPE", "--year", str(year))


def io_text():
    import io

    return io.StringIO()


def test_api_scoped(client, tree, year, history):
    from tests.factories import api_token, make_user

    admin = make_user("county_admin", tree["county"])
    other = make_user("branch_secretary", tree["branches"][1][0])
    url = "/api/supervision/annual-stats/"
    r = client.get(url, {"organisation": tree["committees"][0].pk, "year": year}, HTTP_AUTHORIZATION=f"Token {api_token(admin)}")
    assert r.status_code == 200 and r.json()["basis"] == f"{year}-12-31"
    assert _row(r.json(), "党员", "党员总数")["count"] == 4
    r = client.get(url, {"organisation": tree["committees"][0].pk, "year": "abc"}, HTTP_AUTHORIZATION=f"Token {api_token(admin)}")
    assert r.status_code == 400 and "统计年度须为" in r.json()["year"][0]
    r = client.get(url, {"organisation": tree["committees"][0].pk}, HTTP_AUTHORIZATION=f"Token {api_token(other)}")
    assert r.status_code == 404
