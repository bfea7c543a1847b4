"""目标管理 (issue 16): a member's yearly goals from the rules of their categories (copied
onto the sheet) plus their own, set by the member on a phone or by the branch; the
year-end self-check from December; bad input refused in Chinese with nothing saved;
scoped (another branch 404, a member only their own), exported through the list
definition, a fixed number of queries; the self-check reaches the appraisal committee."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from apps.appraisal import rules, selectors, services
from apps.appraisal.models import GoalSheet
from apps.core.scoping import ScopeError
from apps.members import services as member_services
from tests.appraisal.conftest import SYS
from tests.factories import make_member, make_user

TODAY = datetime.date.today()
LAST_YEAR = TODAY.year - 1


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def rural(branch):
    return make_member(branch, categories=["rural", "no_post"])


def test_goals_come_from_the_member_categories(rural, secretary):
    sheet = services.set_goals(rural, year=TODAY.year, own_goals="带头种植高山茶", actor=secretary)
    assert sheet.goals == [*rules.GOALS_BY_CATEGORY["no_post"], *rules.GOALS_BY_CATEGORY["rural"], *rules.GOALS_GENERAL]
    plain = services.set_goals(make_member(rural.organisation), year=TODAY.year, actor=secretary)
    assert plain.goals == list(rules.GOALS_GENERAL)


def test_bad_input_is_refused(branch, rural, secretary):
    services.set_goals(rural, year=TODAY.year, actor=secretary)
    for kw, field, words in (
        ({"year": TODAY.year}, "year", "已经制定"),
        ({"year": TODAY.year - 3}, "year", "只能为"),
        ({"year": "abc"}, "year", "请填写年度"),
        ({"year": TODAY.year + 1, "own_goals": "长" * 1001}, "own_goals", "1000字"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.set_goals(rural, actor=secretary, **kw)
        assert words in exc.value.message_dict[field][0]
    gone = make_member(branch)
    member_services.change_status(gone, "deceased", date=TODAY, reason="病故", actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.set_goals(gone, year=TODAY.year, actor=secretary)
    assert "不制定年度目标" in exc.value.message_dict["member"][0]
    assert GoalSheet.objects.count() == 1


def test_self_check_rules(rural, secretary):
    sheet = services.set_goals(rural, year=LAST_YEAR, actor=secretary)
    nxt = services.set_goals(rural, year=TODAY.year + 1, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.check_goals(nxt, text="x", grade="achieved", actor=secretary)
    assert f"{TODAY.year + 1}-12-01起" in exc.value.message_dict["self_check"][0]
    for text, grade, field in (("完成", "perfect", "check_grade"), ("  ", "achieved", "self_check")):
        with pytest.raises(ValidationError) as exc:
            services.check_goals(sheet, text=text, grade=grade, actor=secretary)
        assert field in exc.value.message_dict
    services.check_goals(sheet, text="全年完成各项目标", grade="mostly", actor=secretary)
    facts = selectors.member_facts([rural.pk], LAST_YEAR)[rural.pk]
    assert ("目标管理", "年终自查：基本完成", True) in facts


def test_a_member_acts_on_their_own_sheet_only(branch, rural):
    me = make_user("member", branch, member=rural)
    sheet = services.set_goals(rural, year=LAST_YEAR, actor=me)
    services.check_goals(sheet, text="按目标完成", grade="achieved", actor=me)
    other = make_member(branch)
    with pytest.raises(ScopeError):
        services.set_goals(other, year=LAST_YEAR, actor=me)
    assert [s.member_id for s in selectors.goal_list(me)] == [rural.pk]


def test_member_sets_goals_on_the_phone_page(client, branch, rural):
    client.force_login(make_user("member", branch, member=rural))
    r = client.post(reverse("appraisal:my_goals"), {"year": TODAY.year, "own_goals": "带头清理河道"})
    assert r.status_code == 302
    page = client.get(reverse("appraisal:my_goals")).content.decode()
    assert "带头清理河道" in page and rules.GOALS_BY_CATEGORY["rural"][0] in page
    r = client.post(reverse("appraisal:my_goals"), {"year": TODAY.year})
    assert r.status_code == 200 and "已经制定" in r.content.decode()
    sheet = GoalSheet.objects.get()
    r = client.post(reverse("appraisal:goal_check", args=[sheet.pk]), {"self_check": "完成", "check_grade": "achieved"}, follow=True)
    if TODAY.month >= rules.GOAL_SELF_CHECK_FROM_MONTH:
        assert GoalSheet.objects.get().check_grade == "achieved"
    else:
        assert "起进行" in r.content.decode() and not GoalSheet.objects.get().check_grade


def test_branch_web_and_scope(client, branch, rural, secretary, outsider):
    client.force_login(secretary)
    r = client.post(reverse("appraisal:goal_new"), {"member": rural.pk, "year": LAST_YEAR, "own_goals": ""})
    assert r.status_code == 302
    sheet = GoalSheet.objects.get()
    r = client.post(reverse("appraisal:goal_check", args=[sheet.pk]), {"self_check": "基本完成", "check_grade": "mostly"})
    assert GoalSheet.objects.get().check_grade == "mostly"
    assert rural.name in client.get(reverse("appraisal:goals")).content.decode()
    other = client.__class__()
    other.force_login(outsider)
    assert other.get(reverse("appraisal:goal", args=[sheet.pk])).status_code == 404
    assert other.post(reverse("appraisal:goal_check", args=[sheet.pk]), {"self_check": "x", "check_grade": "missed"}).status_code == 404
    assert rural.name not in other.get(reverse("appraisal:goals")).content.decode()
    assert other.get(reverse("appraisal:my_goals")).status_code == 404  # no member record
    assert GoalSheet.objects.get().check_grade == "mostly"


def test_api(branch, rural, secretary, outsider, other_branch):
    c = api(secretary)
    r = c.post("/api/appraisal/goals/", {"member": rural.pk, "year": LAST_YEAR}, format="json")
    assert r.status_code == 201 and r.json()["goals"][0] == rules.GOALS_BY_CATEGORY["no_post"][0]
    pk = r.json()["id"]
    assert c.post("/api/appraisal/goals/", {"member": rural.pk, "year": LAST_YEAR}, format="json").status_code == 400
    r = c.post(f"/api/appraisal/goals/{pk}/check/", {"self_check": "完成", "check_grade": "achieved"}, format="json")
    assert r.status_code == 200 and r.json()["check_grade_display"] == "全部完成"
    assert c.post("/api/appraisal/goals/", {"member": make_member(other_branch).pk, "year": LAST_YEAR}, format="json").status_code == 404
    assert api(outsider).get(f"/api/appraisal/goals/{pk}/").status_code == 404
    assert (
        api(outsider).post(f"/api/appraisal/goals/{pk}/check/", {"self_check": "x", "check_grade": "missed"}, format="json").status_code
        == 404
    )
    assert c.get(f"/api/appraisal/goals/?year={LAST_YEAR}&checked=no").json()["results"] == []


def test_export(client, rural, secretary):
    services.set_goals(rural, year=TODAY.year, actor=secretary)
    client.force_login(secretary)
    r = client.post(reverse("excel:export_appraisal_goals"))
    data = b"".join(r.streaming_content) if getattr(r, "streaming", False) else r.content
    rows = list(load_workbook(io.BytesIO(data)).active.values)
    assert rows[0][:3] == ("年度", "党员", "党组织") and rows[1][1] == rural.name
    assert rules.GOALS_GENERAL[0] in rows[1][3]


def test_list_queries_do_not_grow_with_rows(client, tree):
    admin = make_user("county_admin", tree["county"])
    client.force_login(admin)
    branches = [b for row in tree["branches"] for b in row]
    counts = {}
    made = 0
    for n in (2, 24):
        while made < n:
            services.set_goals(make_member(branches[made % len(branches)]), year=TODAY.year, actor=SYS)
            made += 1
        for name, url in (("web", reverse("appraisal:goals")), ("api", "/api/appraisal/goals/")):
            c = client if name == "web" else api(admin)
            c.get(url)
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            counts.setdefault(name, []).append(len(ctx.captured_queries))
    assert counts["web"][0] == counts["web"][1] and counts["api"][0] == counts["api"][1], counts
