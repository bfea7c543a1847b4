"""Writes to accounts and role assignments. The web pages, the API and the management
commands all call these functions; they own validation (Chinese messages), the
acting user's MANAGE_USERS scope, the transaction, the change history and the access log.

The acting user is the required keyword argument `actor`, as in every service. A person
may act only inside the subtrees where they hold "manage_users", and may grant only roles
not above their own there (ROLE_RANK). An operator's command without --as acts as the
system actor (apps.core.actors.system_actor("cli")): unrestricted, still audited. None is
refused: no code path skips the check because the acting user is missing.
"""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.actors import as_user, is_system
from apps.core.audit import record_change, snapshot
from apps.core.context import current_actor
from apps.core.models import AccessLog, ChangeLog
from apps.core.scoping import ScopeError, require_org_action, restrict
from apps.orgs.models import Organisation

from .models import ApiToken, RoleAssignment, User
from .roles import MANAGE_USERS, ROLE_BY_CODE

# Rank of each role for "may grant only roles not above their own". County-wide roles
# rank highest; a member's own-record role lowest.
ROLE_RANK = {
    "county_admin": 100,
    "county_leader": 90,
    "committee_organiser": 80,
    "inspector": 70,
    "branch_secretary": 60,
    "branch_organiser": 50,
    "member": 10,
}
USERNAME_MAX = 150


def _is_unrestricted(actor) -> bool:
    if actor is None:
        raise TypeError("accounts services need the acting user (apps.core.actors.system_actor() for commands)")
    return is_system(actor) or getattr(actor, "is_superuser", False)


def _actor_rank(actor, org: Organisation) -> int:
    """The highest rank among the actor's current MANAGE_USERS roles covering org."""
    best = 0
    rows = RoleAssignment.objects.current().filter(user_id=actor.pk).values_list("role", "organisation__path")
    for role_code, path in rows:
        role = ROLE_BY_CODE.get(role_code)
        if role and MANAGE_USERS in role.actions and org.path.startswith(path):
            best = max(best, ROLE_RANK.get(role_code, 0))
    return best


def check_can_manage(actor, org: Organisation, role_code: str | None = None) -> None:
    """Raise ScopeError unless the actor may manage accounts at org (and grant role_code)."""
    if _is_unrestricted(actor):
        return
    require_org_action(actor, org, MANAGE_USERS)
    if role_code is not None and ROLE_RANK.get(role_code, 1000) > _actor_rank(actor, org):
        label = ROLE_BY_CODE[role_code].label if role_code in ROLE_BY_CODE else role_code
        raise ScopeError(f"您不能授予高于本人角色的角色“{label}”")


def users_in_scope(manager):
    """Users holding (or having held) an assignment in the manager's MANAGE_USERS scope."""
    if getattr(manager, "is_superuser", False):
        return User.objects.all()
    assignments = restrict(RoleAssignment.objects.all(), manager, MANAGE_USERS)
    return User.objects.filter(pk__in=assignments.values("user_id"))


def _clean_role(role_code: str, org) -> tuple[str, Organisation]:
    errors = {}
    if role_code not in ROLE_BY_CODE:
        errors["role"] = [f"角色“{role_code}”不存在，可选：{'、'.join(f'{r}（{v.label}）' for r, v in ROLE_BY_CODE.items())}"]
    if org is None:
        errors["organisation"] = ["请指定授权的党组织"]
    elif org.status != Organisation.Status.ACTIVE:
        errors["organisation"] = [f"“{org}”已撤销，不能在其上授予角色"]
    if errors:
        raise ValidationError(errors)
    return role_code, org


def grant_role(
    user: User,
    role_code: str,
    org: Organisation,
    *,
    actor,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> RoleAssignment:
    """Grant role_code on org's subtree to user (effective from the next request)."""
    _clean_role(role_code, org)
    check_can_manage(actor, org, role_code)
    valid_from = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": [f"截止日期 {valid_to:%Y-%m-%d} 不能早于生效日期 {valid_from:%Y-%m-%d}"]})
    if not user.is_active:
        raise ValidationError({"user": [f"用户“{user.username}”已停用，不能授予角色"]})
    if ROLE_BY_CODE[role_code].self_only:
        member = user.member
        if member is None:
            raise ValidationError({"role": ["“党员”角色只能授予已关联党员记录的账号"]})
        if not member.org_path.startswith(org.path):
            raise ValidationError({"organisation": [f"党员“{member}”的组织关系不在“{org}”内"]})
    with transaction.atomic():
        duplicate = RoleAssignment.objects.current().filter(user=user, role=role_code, organisation=org)
        if duplicate.exists():
            raise ValidationError({"role": [f"用户“{user.username}”已在“{org}”拥有“{ROLE_BY_CODE[role_code].label}”角色"]})
        assignment = RoleAssignment.objects.create(
            user=user,
            role=role_code,
            organisation=org,
            valid_from=valid_from,
            valid_to=valid_to,
            granted_by=as_user(actor),
        )
        record_change(assignment, ChangeLog.Action.CREATE, message=f"授予角色：{ROLE_BY_CODE[role_code].label}")
        AccessLog.record(
            AccessLog.Kind.ROLE_GRANT,
            user=as_user(actor),
            target=f"{user.username} · {ROLE_BY_CODE[role_code].label} · {org}",
            org_path=org.path,
            grantee=user.username,
            role=role_code,
            org=org.code,
            valid_to=valid_to.isoformat() if valid_to else None,
        )
        # A token carries no role, but a changed role is a changed account: the holder
        # signs in again for a token (docs/security.md).
        revoke_all_tokens(user, reason="角色变更", actor=actor)
    _forget_cached_scope(user)
    return assignment


def revoke_role(assignment: RoleAssignment, *, actor, reason: str = "") -> RoleAssignment:
    """End an assignment now: from the next request the role no longer applies."""
    check_can_manage(actor, assignment.organisation, assignment.role)
    if assignment.revoked_at is not None:
        raise ValidationError({"role": ["该角色授权已撤销"]})
    with transaction.atomic():
        before = snapshot(assignment)
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["revoked_at"])
        label = ROLE_BY_CODE[assignment.role].label
        record_change(
            assignment, ChangeLog.Action.UPDATE, before=before, message=f"撤销角色：{label}{('（' + reason + '）') if reason else ''}"
        )
        AccessLog.record(
            AccessLog.Kind.ROLE_REVOKE,
            user=as_user(actor),
            target=f"{assignment.user.username} · {label} · {assignment.organisation}",
            org_path=assignment.organisation.path,
            grantee=assignment.user.username,
            role=assignment.role,
            org=assignment.organisation.code,
            reason=reason,
        )
        revoke_all_tokens(assignment.user, reason="角色变更", actor=actor)
    _forget_cached_scope(assignment.user)
    return assignment


def validate_new_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})


def create_user(
    username: str,
    password: str,
    *,
    display_name: str = "",
    member=None,
    role: str | None = None,
    org: Organisation | None = None,
    actor,
    must_change_password: bool = True,
    valid_to: datetime.date | None = None,
) -> User:
    """Create an account (forced to change its password at first login unless told
    otherwise) and, when given, its first role assignment — in one transaction."""
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["账号为必填项"]
    elif len(username) > USERNAME_MAX or any(ch.isspace() for ch in username):
        errors["username"] = [f"账号不超过{USERNAME_MAX}个字符且不能含空格"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"账号“{username}”已存在"]
    if member is not None and User.objects.filter(member=member).exists():
        errors["member"] = [f"党员“{member}”已有账号"]
    if role is None and not _is_unrestricted(actor):
        errors["role"] = ["请为新用户指定角色和授权组织（否则您将无法再管理该账号）"]
    candidate = User(username=username, display_name=display_name)
    try:
        validate_new_password(password, candidate)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if role is not None:
        try:
            _clean_role(role, org)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if role is not None:
        check_can_manage(actor, org, role)
    elif org is not None:
        check_can_manage(actor, org)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            display_name=display_name,
            member=member,
            must_change_password=must_change_password,
        )
        record_change(user, ChangeLog.Action.CREATE, org_path=org.path if org is not None else "", message="新建账号")
        if role is not None:
            grant_role(user, role, org, actor=actor, valid_to=valid_to)
    return user


def _manageable_or_raise(actor, user: User) -> list[RoleAssignment]:
    assignments = list(RoleAssignment.objects.current().filter(user=user).select_related("organisation"))
    if _is_unrestricted(actor):
        return assignments
    if actor.pk == user.pk:
        raise ScopeError("不能停用自己的账号")
    if not assignments:
        raise ScopeError(f"用户“{user.username}”不在您的管理范围内")
    for a in assignments:
        check_can_manage(actor, a.organisation, a.role)
    return assignments


def deactivate_user(user: User, *, actor, reason: str = "") -> User:
    """Stop an account: refused from the next request on (web session and API token)."""
    assignments = _manageable_or_raise(actor, user)
    if not user.is_active:
        raise ValidationError({"user": [f"用户“{user.username}”已停用"]})
    with transaction.atomic():
        before = snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoke_all_tokens(user, reason="停用账号", actor=actor)
        org_path = assignments[0].organisation.path if assignments else ""
        record_change(
            user, ChangeLog.Action.UPDATE, before=before, org_path=org_path, message=f"停用账号{('：' + reason) if reason else ''}"
        )
    return user


def reset_password(user: User, new_password: str, *, actor) -> User:
    """An administrator sets a temporary password for a user who forgot theirs: the user
    must change it at the next sign-in, their API token is revoked, the reset is logged."""
    assignments = _manageable_or_raise(actor, user)
    if actor.pk == user.pk:
        raise ValidationError({"password": ["不能重置自己的密码，请使用“修改密码”"]})
    validate_new_password(new_password, user)
    with transaction.atomic():
        before = snapshot(user)
        user.set_password(new_password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])  # revokes the user's API tokens
        org_path = assignments[0].organisation.path if assignments else ""
        record_change(user, ChangeLog.Action.UPDATE, before=before, org_path=org_path, message="管理员重置密码")
        AccessLog.record(
            AccessLog.Kind.PASSWORD_CHANGED,
            target=user.username,
            org_path=org_path,
            reset_by="system" if is_system(actor) else actor.username,
        )
    return user


def unlock_user(user: User, *, actor) -> int:
    """An administrator (a manager of the user, or the operator's CLI) lifts every login
    lock of the user, from every address; logged as UNLOCKED with the addresses that
    were locked. Returns the number of locked addresses (0: nothing was locked)."""
    from . import lockout

    if not _is_unrestricted(actor):
        if actor.pk == user.pk:
            raise ScopeError("不能为自己解除登录锁定，请联系其他管理员")
        _manageable_or_raise(actor, user)
    with transaction.atomic():
        locked = lockout.locks_for([user.username]).get(user.username, [])
        lockout.clear_attempts(user.username)
        AccessLog.record(
            AccessLog.Kind.UNLOCKED,
            user=as_user(actor),
            target=user.username,
            org_path=login_org_path(user),
            addresses=[lock.ip for lock in locked],
        )
    return len(locked)


def reactivate_user(user: User, *, actor) -> User:
    _manageable_or_raise(actor, user)
    if user.is_active:
        raise ValidationError({"user": [f"用户“{user.username}”未停用"]})
    with transaction.atomic():
        before = snapshot(user)
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_change(user, ChangeLog.Action.UPDATE, before=before, message="恢复账号")
    return user


def issue_token(user: User, *, name: str = "") -> tuple[str, ApiToken]:
    """A new API token for the user: (the key, shown only now; the stored token). It lives
    API_TOKEN_LIFETIME_DAYS from now (fixed). Beyond API_TOKEN_MAX_PER_USER live tokens the
    oldest are revoked. Logged as TOKEN_ISSUED (with the client's address)."""
    now = timezone.now()
    key = secrets.token_hex(20)
    actor = current_actor()
    with transaction.atomic():
        ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
        token = ApiToken.objects.create(
            user=user,
            name=(name or "").strip()[:60],
            key_prefix=key[:8],
            key_hash=ApiToken.digest(key),
            created_at=now,
            expires_at=now + datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS),
            created_ip=actor.ip,
        )
        surplus = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[settings.API_TOKEN_MAX_PER_USER :])
        if surplus:
            _revoke(user, surplus, reason="超过每人令牌数上限，撤销最早的令牌", actor=user)
        AccessLog.record(
            AccessLog.Kind.TOKEN_ISSUED,
            user=user,
            target=user.username,
            org_path=login_org_path(user),
            token=token.key_prefix,
            expires_at=token.expires_at.isoformat(),
        )
    return key, token


def _revoke(user: User, tokens, *, reason: str, actor) -> int:
    """Delete these tokens of the user; one TOKEN_REVOKED entry naming them and why."""
    tokens = list(tokens)
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).delete()
    AccessLog.record(
        AccessLog.Kind.TOKEN_REVOKED,
        user=as_user(actor) or user,
        target=user.username,
        org_path=login_org_path(user),
        revoked=len(tokens),
        tokens=[t.key_prefix for t in tokens],
        reason=reason,
    )
    return len(tokens)


def revoke_all_tokens(user: User, *, reason: str, actor) -> int:
    """Revoke every API token of the user (logout, password or role change, deactivation,
    an administrator's revocation); logged when there was one. Returns how many."""
    if user is None or not user.pk:
        return 0
    return _revoke(user, ApiToken.objects.filter(user=user).only("pk", "key_prefix"), reason=reason, actor=actor)


def revoke_token(user: User, *, actor) -> bool:
    """An administrator (a manager of the user) or the user revokes all the user's tokens."""
    if actor.pk != user.pk:
        _manageable_or_raise(actor, user)
    reason = "本人撤销" if actor.pk == user.pk else "管理员撤销"
    return bool(revoke_all_tokens(user, reason=reason, actor=actor))


def revoke_own_token(user: User, token_pk) -> ApiToken:
    """The user revokes one of their own tokens; anyone else's token does not exist (404)."""
    from django.http import Http404

    try:
        token = ApiToken.objects.get(user=user, pk=token_pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到该接口令牌")
    _revoke(user, [token], reason="本人撤销", actor=user)
    return token


def login_org_path(user) -> str:
    """The organisation path a user's login events are filed under (their first current
    assignment), so that an organiser's access-log search sees logins in the subtree."""
    if user is None or not getattr(user, "pk", None):
        return ""
    path = (
        RoleAssignment.objects.current()
        .filter(user_id=user.pk)
        .order_by("organisation__path")
        .values_list("organisation__path", flat=True)
        .first()
    )
    return path or ""


def current_assignments(user):
    return RoleAssignment.objects.current().filter(user=user).select_related("organisation").order_by("organisation__path", "role")


def _forget_cached_scope(user) -> None:
    if hasattr(user, "_dangjian_assignments"):
        del user._dangjian_assignments


def scope_roots(user) -> list[Organisation]:
    """The organisations at the top of the user's view scope (for /api/auth/me/)."""
    from apps.core.scoping import user_scope

    scope = user_scope(user, "view")
    if scope.everything:
        return list(Organisation.objects.filter(depth=1))
    if not scope.paths:
        return []
    q = Q()
    for p in scope.paths:
        q |= Q(path=p)
    return list(Organisation.objects.filter(q))


@transaction.atomic
def set_care_mode(user: User, on, *, actor) -> User:
    """长辈模式 of one's own account (large text, high contrast, fewer choices): a personal
    preference, switched only by the account's own user — not by an administrator for
    them. Recorded in the change history."""
    if getattr(actor, "pk", None) is None or actor.pk != user.pk:
        raise ScopeError("长辈模式只能由本人开启或关闭")
    if not isinstance(on, bool):
        raise ValidationError({"care_mode": ["长辈模式须选择“开启”或“关闭”"]})
    user = User.objects.select_for_update().get(pk=user.pk)  # the row itself (request.user is a lazy wrapper)
    if user.care_mode == on:
        return user
    before = snapshot(user)
    user.care_mode = on
    user.save(update_fields=["care_mode"])
    record_change(user, ChangeLog.Action.UPDATE, before=before, message="开启长辈模式" if on else "关闭长辈模式")
    return user
