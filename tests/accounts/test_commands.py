from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import RoleAssignment, User
from apps.core.models import AccessLog, ChangeLog
from tests.factories import make_member, make_user


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_user_with_role(tree):
    branch = tree["branches"][0][0]
    out = run(
        "add_user", "wang", "--password", "Hongqi#Piao-2026", "--role", "branch_secretary", "--org", branch.code, "--display-name", "王"
    )
    assert "已创建账号 wang" in out
    user = User.objects.get(username="wang")
    assert user.must_change_password and user.display_name == "王"
    assert RoleAssignment.objects.get(user=user).organisation == branch
    assert ChangeLog.objects.get(object_type="accounts.user").source == "cli"


def test_add_user_member_account(tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    run("add_user", "self1", "--password", "Hongqi#Piao-2026", "--role", "member", "--org", branch.code, "--member-id", str(m.pk))
    assert User.objects.get(username="self1").member == m


def test_add_user_rejects_weak_password(tree):
    with pytest.raises(CommandError) as exc:
        run("add_user", "wang", "--password", "123")
    assert "密码" in str(exc.value) or "10" in str(exc.value)
    assert not User.objects.filter(username="wang").exists()


def test_add_user_role_needs_org(tree):
    with pytest.raises(CommandError, match="--role 与 --org"):
        run("add_user", "wang", "--password", "Hongqi#Piao-2026", "--role", "branch_secretary")


def test_grant_and_revoke_role(tree):
    user = make_user(username="li")
    branch = tree["branches"][0][0]
    out = run("grant_role", "li", "branch_organiser", branch.code, "--valid-to", "2099-12-31")
    assert "已授予" in out
    a = RoleAssignment.objects.get(user=user)
    assert str(a.valid_to) == "2099-12-31"
    assert AccessLog.objects.filter(kind="role_grant").exists()
    run("revoke_role", "li", "branch_organiser", branch.code)
    assert not RoleAssignment.objects.current().filter(user=user).exists()
    assert AccessLog.objects.filter(kind="role_revoke").exists()
    with pytest.raises(CommandError, match="没有有效的"):
        run("revoke_role", "li", "branch_organiser", branch.code)


def test_grant_role_bad_inputs(tree):
    make_user(username="li")
    with pytest.raises(CommandError, match="组织代码"):
        run("grant_role", "li", "branch_organiser", "NOPE")
    with pytest.raises(CommandError, match="不存在"):
        run("grant_role", "nobody", "branch_organiser", tree["county"].code)
    with pytest.raises(CommandError, match="有效日期"):
        run("grant_role", "li", "branch_organiser", tree["county"].code, "--valid-to", "tomorrow")


def test_grant_role_as_user_checks_scope(tree):
    make_user("committee_organiser", tree["committees"][0], username="org1")
    make_user(username="li")
    with pytest.raises(CommandError, match="不在您的"):
        run("grant_role", "li", "branch_secretary", tree["branches"][1][0].code, "--as", "org1")
    run("grant_role", "li", "branch_secretary", tree["branches"][0][0].code, "--as", "org1")
    assert ChangeLog.objects.get(object_type="accounts.roleassignment").username == "org1"


def test_demo_logins_without_demo_county(db):
    out = run("demo_logins")
    assert "尚无演示账号" in out and "Demo#" not in out
