"""The one scoping mechanism: which rows may this user see or change with this action.

A role assignment (user, role, organisation) grants the role's actions on the
organisation's whole subtree; the "member" role grants them on the user's own member
record only. Every view, API endpoint, export, report, search and CLI command that acts
for a user goes through `restrict` (querysets), `get_in_scope` (one object, 404 outside)
or `require_org_action` (creating/moving into an organisation).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from .roles import ROLE_BY_CODE


class ScopeError(PermissionError):
    """Raised when an organisation is outside the user's scope for the action."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OutOfScope(ScopeError):
    """The organisation is not even visible to the user: answered like one that does not
    exist (404, no name), so an id cannot be probed for its existence or its name."""

    def __init__(self):
        super().__init__("未找到该组织，或不在您的管理范围内")


@dataclass(frozen=True)
class Scope:
    everything: bool
    paths: tuple[str, ...]  # subtree roots, none a prefix of another
    member_id: int | None  # own record (member role)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.paths and self.member_id is None

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths)


NO_SCOPE = Scope(False, (), None)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    result: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(q) for q in result):
            result.append(p)
    return tuple(sorted(result))


def _assignments(user):
    """Current role assignments of the user, cached on the user object for one request."""
    cached = getattr(user, "_dangjian_assignments", None)
    if cached is None:
        from .models import RoleAssignment

        cached = list(
            RoleAssignment.objects.current(timezone.localdate())
            .filter(user_id=user.pk)
            .values_list("role", "organisation__path", "organisation__status")
        )
        user._dangjian_assignments = cached
    return cached


def user_scope(user, action: str = "view") -> Scope:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_SCOPE
    if user.is_superuser:
        return Scope(True, (), None)
    paths: set[str] = set()
    member_id = None
    for role_code, path, _status in _assignments(user):
        role = ROLE_BY_CODE.get(role_code)
        if role is None or action not in role.actions:
            continue
        if role.self_only:
            member_id = user.member_id
        else:
            paths.add(path)
    return Scope(False, _minimal(paths), member_id)


def has_action(user, action: str) -> bool:
    """Does the user hold the action anywhere (used to show or hide menu entries)?"""
    return not user_scope(user, action).empty


def restrict(queryset, user, action: str = "view"):
    model = queryset.model
    scope = user_scope(user, action)
    if scope.everything:
        return queryset
    path_lookup = getattr(model, "SCOPE_PATH", None)
    member_lookup = getattr(model, "SCOPE_MEMBER", None)
    condition = Q(pk__in=[])
    if path_lookup:
        for p in scope.paths:
            condition |= Q(**{f"{path_lookup}__startswith": p})
    if scope.member_id is not None and member_lookup:
        condition |= Q(**{member_lookup: scope.member_id})
    return queryset.filter(condition)


def get_in_scope(queryset, user, action: str = "view", **lookup):
    """One object the user may act on, else Http404 (never 403: no existence leak)."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该记录，或不在您的管理范围内") from exc


def can_act_on_org(user, org, action: str) -> bool:
    return user_scope(user, action).covers_path(org.path)


def require_org_action(user, org, action: str = "change") -> None:
    """Refuse creating/moving a record into an organisation outside the user's scope.
    An organisation the user cannot even see raises OutOfScope (a 404, without its name);
    one they see but may not act on names the missing right."""
    if can_act_on_org(user, org, action):
        return
    if not can_act_on_org(user, org, "view"):
        raise OutOfScope()
    verb = {"change": "维护", "approve": "审批", "view": "查看"}.get(action, action)
    raise ScopeError(f"“{org}”不在您的{verb}权限范围内，操作被拒绝")


def visible_orgs(user, action: str = "view"):
    from apps.orgs.models import Organisation

    return restrict(Organisation.objects.all(), user, action)


def restrict_by_path(queryset, user, action: str, path_field: str):
    """Rows whose copied organisation path (path_field) lies in the user's scope for the
    action: the same rule as `restrict`, for tables that do not declare SCOPE_PATH
    (the change history and the access log). Rows without a path only for everything-scope."""
    scope = user_scope(user, action)
    if scope.everything:
        return queryset
    condition = Q(pk__in=[])
    for p in scope.paths:
        condition |= Q(**{f"{path_field}__startswith": p})
    return queryset.filter(condition)
