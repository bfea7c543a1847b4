import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import RoleAssignment, User
from apps.core.actors import system_actor
from apps.core.context import acting_as
from apps.core.models import AccessLog, ChangeLog
from apps.members import services as member_services
from tests.factories import make_member, make_user


@pytest.fixture
def organiser(tree):
    return make_user("committee_organiser", tree["committees"][0], username="org1")


@pytest.fixture
def admin(tree):
    return make_user("county_admin", tree["county"], username="admin1")


def test_user_list_shows_only_users_in_scope(client, tree, organiser):
    inside = make_user("branch_secretary", tree["branches"][0][0], username="inside")
    make_user("branch_secretary", tree["branches"][1][0], username="outside")
    client.force_login(organiser)
    html = client.get(reverse("accounts:users")).content.decode()
    assert "inside" in html and "outside" not in html
    assert client.get(reverse("accounts:user_detail", kwargs={"user_pk": inside.pk})).status_code == 200


def test_user_pages_forbidden_without_manage_users(client, tree):
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    client.force_login(secretary)
    assert client.get(reverse("accounts:users")).status_code == 403
    assert client.get(reverse("accounts:changelog")).status_code == 403
    assert client.get(reverse("accounts:accesslog")).status_code == 403


def test_user_detail_of_other_subtree_is_404(client, tree, organiser):
    outside = make_user("branch_secretary", tree["branches"][1][0])
    client.force_login(organiser)
    for name in ("accounts:user_detail",):
        assert client.get(reverse(name, kwargs={"user_pk": outside.pk})).status_code == 404
    for name in ("accounts:user_grant", "accounts:user_deactivate", "accounts:user_revoke_token"):
        assert client.post(reverse(name, kwargs={"user_pk": outside.pk}), {"role": "branch_organiser"}).status_code == 404
    a = outside.role_assignments.get()
    assert client.post(reverse("accounts:role_revoke", kwargs={"assignment_pk": a.pk})).status_code == 404
    a.refresh_from_db()
    assert a.revoked_at is None
    outside.refresh_from_db()
    assert outside.is_active


def test_user_list_fixed_query_count(client, tree, admin):
    client.force_login(admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:users")).status_code == 200
        return len(ctx)

    for _ in range(3):
        make_user("branch_secretary", tree["branches"][0][0])
    small = count()
    for _ in range(27):
        make_user("branch_organiser", tree["branches"][0][1])
    assert count() == small


def test_create_user_page(client, tree, organiser):
    client.force_login(organiser)
    branch = tree["branches"][0][0]
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "new1", "display_name": "新", "password": "Hongqi#Piao-2026", "role": "branch_secretary", "org_code": branch.code},
    )
    assert response.status_code == 302
    user = User.objects.get(username="new1")
    assert user.must_change_password
    # outside the subtree: clear error, nothing written
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "new2", "password": "Hongqi#Piao-2026", "role": "branch_secretary", "org_code": tree["branches"][1][0].code},
    )
    assert response.status_code == 200 and "不在您的用户管理范围内" in response.content.decode()
    assert not User.objects.filter(username="new2").exists()
    response = client.post(
        reverse("accounts:user_create"), {"username": "new3", "password": "short", "role": "branch_secretary", "org_code": branch.code}
    )
    assert response.status_code == 200 and not User.objects.filter(username="new3").exists()


def test_grant_revoke_deactivate_through_pages(client, tree, organiser):
    target = make_user("branch_organiser", tree["branches"][0][0])
    client.force_login(organiser)
    url = reverse("accounts:user_grant", kwargs={"user_pk": target.pk})
    client.post(url, {"role": "branch_secretary", "org_code": tree["branches"][0][0].code})
    a = RoleAssignment.objects.get(user=target, role="branch_secretary")
    response = client.post(url, {"role": "county_admin", "org_code": tree["branches"][0][0].code}, follow=True)
    assert "高于本人角色" in response.content.decode()
    client.post(reverse("accounts:role_revoke", kwargs={"assignment_pk": a.pk}))
    a.refresh_from_db()
    assert a.revoked_at is not None
    client.post(reverse("accounts:user_deactivate", kwargs={"user_pk": target.pk}))
    target.refresh_from_db()
    assert not target.is_active
    client.post(reverse("accounts:user_deactivate", kwargs={"user_pk": target.pk}), {"activate": "1"})
    target.refresh_from_db()
    assert target.is_active
    html = client.get(reverse("accounts:user_detail", kwargs={"user_pk": target.pk})).content.decode()
    assert "变更历史" in html and "撤销角色" in html


def test_changelog_scoped_and_filtered(client, tree, organiser):
    inside = make_member(tree["branches"][0][0], name="李内部")
    outside = make_member(tree["branches"][1][0], name="王外部")
    with acting_as(organiser, source="web", request_id="req-123"):
        member_services.update_member(inside, {"address": "新地址一号"}, actor=system_actor("cli"))
    client.force_login(organiser)
    html = client.get(reverse("accounts:changelog")).content.decode()
    assert "李内部" in html and "王外部" not in html
    html = client.get(reverse("accounts:changelog"), {"request_id": "req-123"}).content.decode()
    assert "新地址一号" in html and "家庭住址" in html
    html = client.get(reverse("accounts:changelog"), {"action": "update", "user": "org1"}).content.decode()
    assert "李内部" in html
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    html = client.get(reverse("accounts:changelog"), {"date_from": tomorrow}).content.decode()
    assert "李内部" not in html
    html = client.get(reverse("accounts:changelog"), {"object_type": "members.member", "object_id": str(outside.pk)}).content.decode()
    assert "王外部" not in html


def test_changelog_readable_chinese_diff(client, tree, admin):
    m = make_member(tree["branches"][0][0])
    member_services.update_member(m, {"education": "postgraduate"}, actor=system_actor("cli"))
    client.force_login(admin)
    html = client.get(reverse("accounts:changelog"), {"object_type": "members.member", "action": "update"}).content.decode()
    # Only the diff lists: the navigation legitimately links to /education/.
    diffs = "".join(re.findall(r'<ul class="diff">(.*?)</ul>', html, re.S))
    assert "学历" in diffs and "→" in diffs
    assert "education" not in diffs and "postgraduate" not in diffs


def test_changelog_fixed_query_count(client, tree, admin):
    client.force_login(admin)
    branch = tree["branches"][0][0]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:changelog")).status_code == 200
        return len(ctx)

    for _ in range(3):
        make_member(branch)
    small = count()
    for _ in range(27):
        make_member(branch)
    assert count() == small


def test_accesslog_scoped_and_filtered(client, tree, organiser):
    with acting_as(organiser):
        AccessLog.record(AccessLog.Kind.REVEAL_ID, target="李内部", org_path=tree["branches"][0][0].path)
        AccessLog.record(AccessLog.Kind.REVEAL_ID, target="王外部", org_path=tree["branches"][1][0].path)
        AccessLog.record(AccessLog.Kind.EXPORT, target="名册导出", org_path=tree["branches"][0][0].path)
    client.force_login(organiser)
    html = client.get(reverse("accounts:accesslog")).content.decode()
    assert "李内部" in html and "名册导出" in html and "王外部" not in html
    html = client.get(reverse("accounts:accesslog"), {"kind": "export"}).content.decode()
    assert "名册导出" in html and "李内部" not in html


def test_history_include_renders(tree):
    from django.template.loader import render_to_string

    from apps.core.audit import history_for

    m = make_member(tree["branches"][0][0])
    member_services.update_member(m, {"phone": "13900001111"}, actor=system_actor("cli"))
    html = render_to_string("accounts/_history.html", {"entries": history_for(m)})
    assert "新增" in html and "修改" in html and "联系电话" in html
    assert "13900001111" not in html and "139****1111" in html


def test_history_change_values_are_readable(tree):
    from apps.core.history import attach_readable

    m = make_member(tree["branches"][0][0])
    member_services.update_member(m, {"education": "postgraduate"}, actor=system_actor("cli"))
    entry = ChangeLog.objects.filter(object_type="members.member", action="update").get()
    rows = {r["field"]: r for r in attach_readable([entry])[0].readable}
    assert rows["education"]["label"] == "学历"
    assert rows["education"]["before"] == "大学本科" and rows["education"]["after"] == "研究生"


def test_other_branch_secretary_gets_404_on_user_pages(client, tree):
    target = make_user("branch_secretary", tree["branches"][0][0])
    other = make_user("branch_secretary", tree["branches"][1][0])
    client.force_login(other)
    assert client.get(reverse("accounts:user_detail", kwargs={"user_pk": target.pk})).status_code == 404
    for name in ("accounts:user_grant", "accounts:user_deactivate", "accounts:user_revoke_token"):
        assert client.post(reverse(name, kwargs={"user_pk": target.pk})).status_code == 404
    a = target.role_assignments.get()
    assert client.post(reverse("accounts:role_revoke", kwargs={"assignment_pk": a.pk})).status_code == 404


def test_accesslog_fixed_query_count(client, tree, admin):
    client.force_login(admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("accounts:accesslog"), {"kind": "reveal_id"}).status_code == 200
        return len(ctx)

    def add(n):
        for _ in range(n):
            AccessLog.record(AccessLog.Kind.REVEAL_ID, target="x", org_path=tree["county"].path)

    add(3)
    small = count()
    add(27)
    assert count() == small


def test_record_history_helper(tree):
    from apps.core.history import record_history

    m = make_member(tree["branches"][0][0])
    member_services.update_member(m, {"address": "一号"}, actor=system_actor("cli"))
    entries = record_history(m)
    assert [e.action for e in entries] == ["update", "create"]


def test_changelog_object_type_choices_are_chinese(client, tree, admin):
    client.force_login(admin)
    html = client.get(reverse("accounts:changelog")).content.decode()
    assert 'value="members.member"' in html and "党员" in html
    html = client.get(reverse("accounts:changelog"), {"object_type": "nonsense.model"}).content.decode()
    assert "有效的选项" in html and "暂无变更记录" in html


def test_new_account_picks_its_organisation_from_suggestions(client, tree, organiser):
    """Issue 12 item 23: the organisation of a new account (and of a granted role) is
    chosen with the organisation picker, not an organisation code typed by hand."""
    from apps.orgs.picker import picker_label

    client.force_login(organiser)
    branch = tree["branches"][0][0]
    html = client.get(reverse("accounts:user_create")).content.decode()
    assert (
        'name="org_code_text"' in html
        and reverse("orgs:picker") in html
        and "组织代码" not in html.split("<form", 1)[1].split("</form>")[0].replace("或代码", "")
    )
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "picked1",
            "password": "Hongqi#Piao-2026",
            "role": "branch_secretary",
            "org_code": str(branch.pk),
            "org_code_text": picker_label(branch),
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="picked1").role_assignments.get().organisation == branch
    detail = client.get(response["Location"]).content.decode()
    assert 'name="org_code_text"' in detail
