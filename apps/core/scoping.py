"""The one scoping mechanism (ground floor): which rows may this user see or change.

A role assignment (user, role, organisation) grants the role's actions on the
organisation's whole subtree; the "member" role grants them on the user's own member
record only. Which assignments a user holds is answered by a resolver that the accounts
app installs in its AppConfig.ready() (`set_scope_resolver`), so core imports no domain
app. Everything else — `restrict`, `get_in_scope`, `require_org_action` — lives here.

A model declares where its rows sit in the tree:

    SCOPE_PATH   = "org_path"                          # one lookup to an organisation path
    SCOPE_PATH   = ("from_org_path", "to_org_path")    # or several: a row two subtrees see
    SCOPE_MEMBER = "member_id"                         # optional: a member's own rows

A row is visible when ANY of its paths lies in the user's scope (or it is the member's
own). The system actor (apps.core.actors) acts on everything and is named in the audit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404


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
EVERYTHING = Scope(True, (), None)

_resolver: Callable[[object, str], Scope] | None = None


def set_scope_resolver(resolver: Callable[[object, str], Scope]) -> None:
    """Installed once by the accounts app: (user, action) → Scope for a real user."""
    global _resolver
    _resolver = resolver


def user_scope(user, action: str = "view") -> Scope:
    if getattr(user, "is_system", False):
        return EVERYTHING
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return NO_SCOPE
    if user.is_superuser:
        return EVERYTHING
    if _resolver is None:  # pragma: no cover - the accounts app is always installed
        raise RuntimeError("no scope resolver installed (apps.accounts must be in INSTALLED_APPS)")
    return _resolver(user, action)


def has_action(user, action: str) -> bool:
    """Does the user hold the action anywhere (used to show or hide menu entries)?"""
    return not user_scope(user, action).empty


def scope_paths(model) -> tuple[str, ...]:
    """The model's path lookups (SCOPE_PATH as a string or a tuple of strings)."""
    declared = getattr(model, "SCOPE_PATH", None)
    if not declared:
        return ()
    return (declared,) if isinstance(declared, str) else tuple(declared)


def scope_condition(model, scope: Scope) -> Q:
    """The WHERE condition of the rows of `model` inside `scope` (not for everything-scope)."""
    condition = Q(pk__in=[])
    for lookup in scope_paths(model):
        for p in scope.paths:
            condition |= Q(**{f"{lookup}__startswith": p})
    member_lookup = getattr(model, "SCOPE_MEMBER", None)
    if scope.member_id is not None and member_lookup:
        condition |= Q(**{member_lookup: scope.member_id})
    return condition


def restrict(queryset, user, action: str = "view"):
    scope = user_scope(user, action)
    if scope.everything:
        return queryset
    return queryset.filter(scope_condition(queryset.model, scope))


def get_in_scope(queryset, user, action: str = "view", **lookup):
    """One object the user may act on, else Http404 (never 403: no existence leak)."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到该记录，或不在您的管理范围内") from exc


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


def can_act_on_org(user, org, action: str) -> bool:
    return user_scope(user, action).covers_path(org.path)


def require_org_action(user, org, action: str = "change") -> None:
    """Refuse creating/moving a record into an organisation outside the user's scope.
    An organisation the user cannot even see raises OutOfScope (a 404, without its name);
    one they see but may not act on names the missing right."""
    if user is None:
        raise TypeError("require_org_action needs the acting user (apps.core.actors.system_actor() for jobs)")
    if can_act_on_org(user, org, action):
        return
    if not can_act_on_org(user, org, "view"):
        raise OutOfScope()
    verb = {"change": "维护", "approve": "审批", "view": "查看", "configure": "设置"}.get(action, action)
    raise ScopeError(f"“{org}”不在您的{verb}权限范围内，操作被拒绝")
