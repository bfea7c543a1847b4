import pytest
from django.core.exceptions import ValidationError

from apps.accounts import services
from apps.accounts.models import RoleAssignment, User
from apps.core.actors import system_actor
from apps.core.models import AccessLog, ChangeLog
from apps.core.scoping import ScopeError, user_scope
from tests.factories import api_token, make_member, make_user

SYS = system_actor("cli")

GOOD = "Hongqi#Piao-2026"


@pytest.fixture
def organiser(tree):
    return make_user("committee_organiser", tree["committees"][0], username="org1")


def test_create_user_with_role_audits_and_forces_password_change(tree, organiser):
    branch = tree["branches"][0][0]
    user = services.create_user("newsec", GOOD, display_name="王书记", role="branch_secretary", org=branch, actor=organiser)
    assert user.must_change_password and user.check_password(GOOD)
    a = RoleAssignment.objects.get(user=user)
    assert a.role == "branch_secretary" and a.organisation == branch and a.granted_by == organiser
    created = ChangeLog.objects.get(object_type="accounts.user", object_id=str(user.pk))
    assert created.action == "create" and "password" not in created.after and created.after["username"] == "newsec"
    assert created.org_path == branch.path
    grant_log = ChangeLog.objects.get(object_type="accounts.roleassignment", object_id=str(a.pk))
    assert grant_log.after["role"] == "branch_secretary"
    access = AccessLog.objects.get(kind=AccessLog.Kind.ROLE_GRANT)
    assert access.detail["grantee"] == "newsec" and access.org_path == branch.path


def test_create_user_rejects_bad_password_and_writes_nothing(tree):
    with pytest.raises(ValidationError) as exc:
        services.create_user("newsec", "short", role="branch_secretary", org=tree["branches"][0][0], actor=SYS)
    assert "password" in exc.value.message_dict
    assert not User.objects.filter(username="newsec").exists()
    assert not ChangeLog.objects.filter(object_type="accounts.user").exists()


def test_create_user_rejects_duplicate_username(tree):
    services.create_user("dup", GOOD, actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.create_user("DUP", GOOD, actor=SYS)
    assert "已存在" in exc.value.message_dict["username"][0]


def test_organiser_grants_only_within_subtree(tree, organiser):
    user = make_user(username="target")
    other_branch = tree["branches"][1][0]
    with pytest.raises(ScopeError) as exc:
        services.grant_role(user, "branch_secretary", other_branch, actor=organiser)
    assert "不在您的" in exc.value.message
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.ROLE_GRANT).exists()


@pytest.mark.parametrize("role", ["county_admin", "county_leader"])
def test_organiser_cannot_grant_roles_above_own(tree, organiser, role):
    user = make_user(username="target")
    with pytest.raises(ScopeError) as exc:
        services.grant_role(user, role, tree["branches"][0][0], actor=organiser)
    assert "高于本人角色" in exc.value.message


@pytest.mark.parametrize("role", ["committee_organiser", "inspector", "branch_secretary", "branch_organiser"])
def test_organiser_grants_roles_not_above_own(tree, organiser, role):
    user = make_user(username="target")
    services.grant_role(user, role, tree["branches"][0][0], actor=organiser)
    assert RoleAssignment.objects.current().filter(user=user, role=role).exists()


def test_branch_secretary_cannot_grant(tree):
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    with pytest.raises(ScopeError):
        services.grant_role(make_user(), "branch_organiser", tree["branches"][0][0], actor=secretary)


def test_member_role_needs_member_record_in_org(tree):
    branch = tree["branches"][0][0]
    with pytest.raises(ValidationError) as exc:
        services.grant_role(make_user(), "member", branch, actor=SYS)
    assert "关联党员" in exc.value.message_dict["role"][0]
    m = make_member(tree["branches"][1][0])
    with pytest.raises(ValidationError):
        services.grant_role(make_user(member=m), "member", branch, actor=SYS)
    user = make_user(member=make_member(branch))
    services.grant_role(user, "member", branch, actor=SYS)
    assert user_scope(User.objects.get(pk=user.pk)).member_id == user.member_id


def test_duplicate_grant_and_bad_role_refused(tree):
    user = make_user()
    branch = tree["branches"][0][0]
    services.grant_role(user, "branch_secretary", branch, actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.grant_role(user, "branch_secretary", branch, actor=SYS)
    assert "已在" in exc.value.message_dict["role"][0]
    with pytest.raises(ValidationError) as exc:
        services.grant_role(user, "king", branch, actor=SYS)
    assert "不存在" in exc.value.message_dict["role"][0]


def test_revoke_role_logs_and_checks_scope(tree, organiser):
    user = make_user()
    a = services.grant_role(user, "branch_secretary", tree["branches"][1][0], actor=SYS)
    with pytest.raises(ScopeError):
        services.revoke_role(a, actor=organiser)
    admin = make_user("county_admin", tree["county"])
    services.revoke_role(a, actor=admin, reason="调离")
    a.refresh_from_db()
    assert a.revoked_at is not None
    log = AccessLog.objects.get(kind=AccessLog.Kind.ROLE_REVOKE)
    assert log.user == admin and log.detail["reason"] == "调离"
    change = ChangeLog.objects.filter(object_type="accounts.roleassignment", action="update").get()
    assert change.before["revoked_at"] is None and change.after["revoked_at"] is not None
    with pytest.raises(ValidationError):
        services.revoke_role(a, actor=admin)


def test_deactivate_user_scope_and_token(tree, organiser):
    from apps.accounts.models import ApiToken as Token

    target = make_user("branch_secretary", tree["branches"][0][0])
    api_token(target)
    outsider = make_user("branch_secretary", tree["branches"][1][0])
    with pytest.raises(ScopeError):
        services.deactivate_user(outsider, actor=organiser)
    with pytest.raises(ScopeError):
        services.deactivate_user(organiser, actor=organiser)
    services.deactivate_user(target, actor=organiser)
    target.refresh_from_db()
    assert not target.is_active and not Token.objects.filter(user=target).exists()
    log = ChangeLog.objects.get(object_type="accounts.user", object_id=str(target.pk))
    assert log.before["is_active"] is True and log.after["is_active"] is False


def test_users_in_scope(tree, organiser):
    inside = make_user("branch_secretary", tree["branches"][0][1])
    outside = make_user("branch_secretary", tree["branches"][1][0])
    visible = set(services.users_in_scope(organiser))
    assert inside in visible and outside not in visible and organiser in visible


def test_reset_password_forces_change_and_is_logged(tree):
    from apps.accounts.models import ApiToken as Token

    admin = make_user("county_admin", tree["county"])
    target = make_user("branch_secretary", tree["branches"][0][0])
    api_token(target)
    with pytest.raises(ValidationError):
        services.reset_password(target, "short", actor=admin)
    services.reset_password(target, "Temporary#2026pw", actor=admin)
    target.refresh_from_db()
    assert target.check_password("Temporary#2026pw") and target.must_change_password
    assert not Token.objects.filter(user=target).exists()
    assert AccessLog.objects.filter(kind="password_changed", target=target.username).exists()
    outsider = make_user("committee_organiser", tree["committees"][1])
    with pytest.raises(ScopeError):  # outside the organiser's subtree
        services.reset_password(target, "Another#2026pw", actor=outsider)


def test_the_acting_user_is_required_and_none_is_no_way_round(tree):
    """Issue 11: account writes take the acting user as the required `actor` like every
    service (it was `granter=None`, which meant unrestricted); None is refused."""
    import inspect

    for name in ("grant_role", "revoke_role", "create_user", "deactivate_user", "reset_password", "unlock_user", "reactivate_user"):
        params = inspect.signature(getattr(services, name)).parameters
        assert "granter" not in params, name
        assert params["actor"].kind is inspect.Parameter.KEYWORD_ONLY and params["actor"].default is inspect.Parameter.empty, name
    for name in ("revoke_all_tokens", "revoke_token"):
        assert inspect.signature(getattr(services, name)).parameters["actor"].default is inspect.Parameter.empty, name
    before = RoleAssignment.objects.count()
    with pytest.raises(TypeError):
        services.grant_role(make_user(), "branch_secretary", tree["branches"][0][0], actor=None)
    with pytest.raises(TypeError):
        services.create_user("nobody", GOOD, actor=None)
    assert RoleAssignment.objects.count() == before and not User.objects.filter(username="nobody").exists()
