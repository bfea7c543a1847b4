"""python manage.py orglife_compliance --org CODE --year YYYY [--month M] [--json]."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.orglife import services

from .conftest import CLI, meeting

D = datetime.date
pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("orglife_compliance", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def year_2025(tree, members):
    """Branch A holds a theme day every month of 2025 with member 0 absent from June on
    (6 months by November); branch A2 holds nothing."""
    branch = tree["branches"][0][0]
    for month in range(1, 13):
        marks = [{"member": members[0].pk, "status": "absent"}] if month >= 6 else []
        services.record_attendance(meeting(branch, held_on=D(2025, month, 8)), marks, actor=CLI)
    return tree


def test_json_report_per_organisation_with_the_six_month_member(year_2025, members):
    tree = year_2025
    a, a2 = tree["branches"][0]
    report = json.loads(run("--org", tree["county"].code, "--year", "2025", "--json"))
    assert report["as_of"] == "2026-01-01"  # a finished year: its December counts
    by_code = {o["code"]: o for o in report["organisations"]}
    theme_a = next(k for k in by_code[a.code]["kinds"] if k["kind"] == "theme_day")
    assert (theme_a["required"], theme_a["held"], theme_a["overdue"]) == (12, 12, 0)
    theme_a2 = next(k for k in by_code[a2.code]["kinds"] if k["kind"] == "theme_day")
    assert (theme_a2["required"], theme_a2["held"], theme_a2["overdue"]) == (12, 0, 12)
    assert theme_a2["missing"][0] == "2025年1月" and by_code[a2.code]["lagging"]
    # the county and the township committees appear with their own kinds (committee meetings)
    assert tree["county"].code in by_code
    absent = by_code[a.code]["absences"]
    assert [(x["member"], x["months"], x["level"]) for x in absent] == [(members[0].name, 7, "case")]  # June–December
    assert report["totals"]["case"] == 1
    assert report["totals"]["lagging"] == sum(1 for o in report["organisations"] if o["lagging"])


def test_month_and_text_output(year_2025, members):
    tree = year_2025
    a, a2 = tree["branches"][0]
    text = run("--org", tree["committees"][0].code, "--year", "2025", "--month", "3")
    assert "2025年3月组织生活落实情况" in text
    assert f"{a2.name}（{a2.code}）  【未按要求开展】" in text
    assert "主题党日（每月）：应开1次，已开0次，缺2025年3月" in text
    assert tree["branches"][1][0].name not in text  # another township is not in the subtree
    # March: member 0 has not yet missed anything
    assert "连续" not in text.split("\n", 2)[2]
    nov = run("--org", a.code, "--year", "2025", "--month", "11")
    assert f"{members[0].name}：自2025-06起连续6个月未参加组织生活（启动处置）" in nov


@pytest.mark.parametrize(
    "args, words",
    [
        (("--org", "NOPE", "--year", "2025"), "--org：没有代码为“NOPE”的党组织"),
        (("--year", "abc"), "--year：年度“abc”不是整数"),
        (("--year", "1999"), "--year：年度应在2000至2100之间"),
        (("--year", "2025", "--month", "13"), "--month：月份应在1至12之间"),
        (("--year", "2099"), "尚未开始"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(tree, args, words):
    if args[0] != "--org":
        args = ("--org", tree["county"].code, *args)
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert words in str(exc.value)


def test_report_queries_do_not_grow(tree, members, django_assert_max_num_queries):
    from apps.core.actors import system_actor
    from apps.orglife import selectors
    from tests.factories import make_member, make_org

    admin = system_actor("cli")

    def count():
        return len(selectors.compliance_report(admin, tree["county"], 2025, None, D(2026, 1, 1))["organisations"])

    with django_assert_max_num_queries(8) as small:
        n = count()
    c1 = tree["committees"][0]
    for i in range(5):
        org = make_org(c1, name=f"新增{i}党支部")
        x = make_member(org)
        services.record_attendance(meeting(org, held_on=D(2025, 2, 1)), [{"member": x.pk, "status": "absent"}], actor=CLI)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert count() == n + 5


def test_api_report_is_the_cli_report_within_scope(year_2025, members, client):
    from tests.factories import api_token, make_user

    tree = year_2025
    a = tree["branches"][0][0]
    secretary = make_user("branch_secretary", a)
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(secretary)}"}
    body = client.get("/api/orglife/report/?year=2025", **auth).json()
    assert [o["code"] for o in body["organisations"]] == [a.code]  # the top of the user's scope
    assert body["totals"]["case"] == 1
    assert client.get(f"/api/orglife/report/?year=2025&org={tree['county'].pk}", **auth).status_code == 404
