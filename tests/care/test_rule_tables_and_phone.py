"""表彰项目设置 (a county rule table with its history, used by nominations) and the
household phone: masked everywhere, the full number only through a logged reveal."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.care import services
from apps.care.models import CommendationKind, Household, Nomination
from apps.core.models import AccessLog, ChangeLog
from apps.core.scoping import ScopeError
from tests.factories import api_token, make_member, make_user

from .conftest import CLI

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PHONE = "13912345678"


def _kind(code):
    return CommendationKind.objects.get(code=code)


# ── 表彰项目设置 ────────────────────────────────────────────────────────────────────────
def test_admin_adds_and_edits_a_kind_with_history(admin):
    new = services.save_commendation_kind(
        None, {"code": "Model_Youth", "nominee": "member", "name": "优秀青年党员", "level": "committee", "active": True}, actor=admin
    )
    assert (new.code, new.nominee, new.level, new.order) == ("model_youth", "member", "committee", 100)
    edited = services.save_commendation_kind(
        _kind("excellent_worker"), {"name": "优秀党务工作者", "level": "committee", "nominee": "organisation", "active": True}, actor=admin
    )
    assert edited.level == "committee" and edited.nominee == "member"  # whom it commends is set once
    logs = ChangeLog.objects.filter(object_type="care.commendationkind").order_by("id")
    assert [log.action for log in logs] == ["create", "update"]
    assert logs[1].before["level"] == "county" and logs[1].after["level"] == "committee"


@pytest.mark.parametrize(
    "code, data, field, text",
    [
        (None, {"code": "坏代码", "nominee": "member", "name": "新项目", "level": "county"}, "code", "英文字母"),
        (None, {"code": "excellent_member", "nominee": "member", "name": "新项目", "level": "county"}, "code", "已被使用"),
        (None, {"code": "x1", "nominee": "team", "name": "新项目", "level": "county"}, "nominee", "表彰对象须为"),
        ("excellent_member", {"name": "优秀党务工作者", "level": "county"}, "name", "已被使用"),
        ("excellent_member", {"name": "优秀共产党员", "level": "province"}, "level", "表彰层级须为"),
        ("excellent_member", {"name": "  ", "level": "county"}, "name", "名称不能为空"),
        ("excellent_member", {"name": "优秀共产党员", "level": "county", "order": "x"}, "order", "排序须为整数"),
    ],
)
def test_bad_kind_input_changes_nothing(admin, code, data, field, text):
    before = list(CommendationKind.objects.order_by("id").values_list("code", "name", "level", "order"))
    with pytest.raises(ValidationError) as exc:
        services.save_commendation_kind(_kind(code) if code else None, data, actor=admin)
    assert text in "".join(exc.value.message_dict[field])
    assert list(CommendationKind.objects.order_by("id").values_list("code", "name", "level", "order")) == before
    assert not ChangeLog.objects.filter(object_type="care.commendationkind").exists()


def test_only_the_county_administrator_edits_kinds(client, secretary, organiser):
    with pytest.raises(ValidationError, match="只有县委组织部"):
        services.save_commendation_kind(_kind("excellent_member"), {"name": "改名", "level": "county"}, actor=organiser)
    client.force_login(secretary)
    assert client.get(reverse("care:commendation_kinds")).status_code == 404
    r = client.post(reverse("care:commendation_kind_edit"), {"row": _kind("excellent_member").pk, "name": "改名", "level": "county"})
    assert r.status_code == 404 and _kind("excellent_member").name == "优秀共产党员"


def test_kind_pages_and_a_disabled_kind_cannot_be_nominated(client, admin, branch, member):
    client.force_login(admin)
    page = client.get(reverse("care:commendation_kinds")).content.decode()
    assert "优秀共产党员" in page and "县级" in page and "修改记录" in page
    r = client.post(
        reverse("care:commendation_kind_edit"),
        {"row": _kind("excellent_member").pk, "name": "优秀共产党员", "level": "committee", "order": 20},  # unticked: disabled
    )
    assert r.status_code == 302
    kind = _kind("excellent_member")
    assert (kind.level, kind.active) == ("committee", False)
    assert "乡镇（党委）级" in client.get(reverse("care:commendation_kinds")).content.decode()
    data = {"organisation": branch, "kind": kind, "year": TODAY.year, "member": member, "deeds": "带头致富"}
    with pytest.raises(ValidationError, match="启用中的表彰项目"):
        services.nominate(data, actor=CLI)
    assert not Nomination.objects.exists()
    # a bad form comes back with the Chinese message, nothing saved
    r = client.post(
        reverse("care:commendation_kind_edit"), {"code": "bad code", "nominee": "member", "name": "x", "level": "county", "order": 1}
    )
    assert r.status_code == 200 and "英文字母" in r.content.decode()


# ── household phone ──────────────────────────────────────────────────────────────────
def _household(member, **kw):
    data = {"member": member, "head_name": "王大山", "address": "东村3组12号", "phone": PHONE, "since_on": TODAY, **kw}
    return services.add_household(data, actor=CLI)


def _api(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return c


def test_phone_is_stored_encrypted_and_shown_masked(client, secretary, member):
    h = _household(member)
    row = Household.objects.values("phone_enc", "phone_masked").get(pk=h.pk)
    assert PHONE not in row["phone_enc"] and row["phone_masked"] == "139****5678"
    client.force_login(secretary)
    for url in (reverse("care:household", args=[h.pk]), reverse("care:households")):
        body = client.get(url).content.decode()
        assert PHONE not in body, url
    assert "139****5678" in client.get(reverse("care:household", args=[h.pk])).content.decode()
    api = _api(secretary).get(f"/api/care/households/{h.pk}/").json()
    assert api["phone_masked"] == "139****5678" and PHONE not in str(api)
    log = ChangeLog.objects.get(object_type="care.household", object_id=str(h.pk))
    assert PHONE not in str(log.after) and "phone_enc" not in log.after


def test_export_shows_the_masked_phone_only(secretary, member):
    from apps.excel.services import export_list_for

    _household(member)
    data, _ = export_list_for(secretary, "care_households", {})
    from io import BytesIO

    from openpyxl import load_workbook

    cells = [c.value for row in load_workbook(BytesIO(data)).active.iter_rows() for c in row]
    assert "139****5678" in cells and PHONE not in cells


def test_reveal_is_logged_for_the_branch_and_the_keeping_member(client, branch, secretary, member):
    h = _household(member)
    client.force_login(secretary)
    r = client.post(reverse("care:household_phone", args=[h.pk]))
    assert r.status_code == 200 and PHONE in r.content.decode() and r["Cache-Control"] == "no-store"
    log = AccessLog.objects.get(kind=AccessLog.Kind.REVEAL_PHONE)
    assert log.username == secretary.username and log.org_path == branch.path and log.detail["household_id"] == h.pk
    keeper = make_user("member", branch, member=member)
    assert services.reveal_household_phone(h, actor=keeper) == PHONE
    assert _api(keeper).post(f"/api/care/households/{h.pk}/phone/").json() == {"phone": PHONE}
    assert AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_PHONE).count() == 3


def test_reveal_refused_without_the_right_and_outside_the_scope(client, tree, branch, member, outsider):
    h = _household(member)
    leader = make_user("county_leader", tree["county"])  # sees the branch, may not reveal
    other_member = make_user("member", branch, member=make_member(branch))
    with pytest.raises(ScopeError):
        services.reveal_household_phone(h, actor=leader)
    with pytest.raises(ScopeError):
        services.reveal_household_phone(h, actor=other_member)
    client.force_login(leader)
    assert "显示完整电话" not in client.get(reverse("care:household", args=[h.pk])).content.decode()
    assert client.post(reverse("care:household_phone", args=[h.pk])).status_code == 403
    assert _api(leader).post(f"/api/care/households/{h.pk}/phone/").status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("care:household_phone", args=[h.pk])).status_code == 404
    assert _api(outsider).post(f"/api/care/households/{h.pk}/phone/").status_code == 404
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_PHONE).exists()


@pytest.mark.parametrize("phone", ["12345", "138-abcd-1234", "1" * 16])
def test_bad_phone_refused(member, phone):
    with pytest.raises(ValidationError) as exc:
        _household(member, phone=phone)
    assert "联系电话" in exc.value.message_dict["phone"][0]
    assert not Household.objects.exists()


# ── households through the API ───────────────────────────────────────────────────────
def test_api_adds_and_ends_a_household_through_the_service(secretary, member, outsider):
    api = _api(secretary)
    r = api.post("/api/care/households/", {"member": member.pk, "head_name": "钱五", "address": "北村4组", "phone": PHONE}, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["phone_masked"] == "139****5678" and PHONE not in str(body)
    h = Household.objects.get(pk=body["id"])
    assert ChangeLog.objects.filter(object_type="care.household", object_id=str(h.pk), action="create").exists()
    again = api.post("/api/care/households/", {"member": member.pk, "head_name": "钱五", "address": "北村4组"}, format="json")
    assert again.status_code == 400 and "请勿重复登记" in str(again.json())
    # another branch: the member and the household are 404, nothing written
    other = _api(outsider)
    assert other.post("/api/care/households/", {"member": member.pk, "head_name": "孙六", "address": "x"}, format="json").status_code == 404
    assert other.post(f"/api/care/households/{h.pk}/end/", {"outcome": "搬迁"}, format="json").status_code == 404
    bad = api.post(f"/api/care/households/{h.pk}/end/", {"outcome": "搬迁", "ended_on": "2001-01-01"}, format="json")
    assert bad.status_code == 400 and "结束日期不能早于联系开始日期" in str(bad.json())
    ended = api.post(f"/api/care/households/{h.pk}/end/", {"outcome": "搬迁到县城"}, format="json")
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert Household.objects.count() == 1


def test_api_household_limit_is_the_services(secretary, member):
    from apps.care import rules

    for i in range(rules.MAX_HOUSEHOLDS_PER_MEMBER):
        _household(member, head_name=f"户{i}", phone="")
    r = _api(secretary).post("/api/care/households/", {"member": member.pk, "head_name": "超额户", "address": "x"}, format="json")
    assert r.status_code == 400 and f"最多联系{rules.MAX_HOUSEHOLDS_PER_MEMBER}户" in str(r.json())
    assert Household.objects.filter(member=member).count() == rules.MAX_HOUSEHOLDS_PER_MEMBER


def test_households_not_contacted_this_quarter(secretary, member):
    from apps.care import selectors, stats
    from apps.core.figures import quarter_start

    quiet = _household(member, phone="")
    talked = _household(member, head_name="李小河", phone="")
    services.record_contact(talked, {"on": TODAY, "way": "visit", "situation": "了解情况"}, actor=CLI)
    old = _household(member, head_name="张老汉", phone="", since_on=quarter_start(TODAY) - datetime.timedelta(days=40))
    services.record_contact(
        old, {"on": quarter_start(TODAY) - datetime.timedelta(days=1), "way": "phone", "situation": "电话问候"}, actor=CLI
    )
    assert set(selectors.household_list(secretary, {"gap": "quarter"})) == {quiet, old}
    titles = [i.title for i in stats.todo_items(secretary) if i.module == "联系群众"]
    assert len(titles) == 2 and all("本季度未联系" in t for t in titles)
    keeper = make_user("member", member.organisation, member=member)
    assert len(stats.member_todo_items(keeper)) == 2
    figures = stats.contribute(member.organisation)["care"]
    assert (figures["households"], figures["households_contacted"], figures["households_gap"]) == (3, 1, 2)


@pytest.mark.parametrize("n", [2, 14])
def test_care_todo_and_statistics_fixed_queries(django_assert_max_num_queries, tree, secretary, branch, n):
    from apps.care import stats

    for i in range(n):
        _household(make_member(branch), head_name=f"户{i}", phone="")
    with django_assert_max_num_queries(8):
        items = [i for i in stats.todo_items(secretary) if i.module == "联系群众"]
    assert len(items) == min(n, 10) + (1 if n > 10 else 0)  # the first ten and a line for the rest
    with django_assert_max_num_queries(12):
        figures = stats.contribute(tree["county"])["care"]
    assert figures["households_gap"] == n


def test_rule_table_page_fixed_queries(client, django_assert_max_num_queries, admin):
    client.force_login(admin)
    client.get(reverse("care:commendation_kinds"))
    with django_assert_max_num_queries(12):
        first = client.get(reverse("care:commendation_kinds"))
    for i in range(6):
        services.save_commendation_kind(
            None, {"code": f"extra_{i}", "nominee": "member", "name": f"项目{i}", "level": "county"}, actor=admin
        )
    with django_assert_max_num_queries(12):
        second = client.get(reverse("care:commendation_kinds"))
    assert first.status_code == second.status_code == 200 and "项目5" in second.content.decode()
