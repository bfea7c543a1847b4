"""The accounts side of the one scoping mechanism: which role assignments a user holds.

The mechanism itself (restrict, get_in_scope, require_org_action, multi-path scopes, the
system actor) lives in apps.core.scoping, and every caller imports it from there; this
module installs `resolve_scope` as its resolver (AccountsConfig.ready()).

A role assignment (user, role, organisation) grants the role's actions on the
organisation's whole subtree; the "member" role grants them on the user's own member
record only. Every view, API endpoint, export, report, search and CLI command that acts
for a user goes through `restrict` (querysets), `get_in_scope` (one object, 404 outside)
or `require_org_action` (creating/moving into an organisation).
"""

from django.utils import timezone

from apps.core.scoping import (
    Scope,
    restrict,
)

from .roles import ROLE_BY_CODE


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


def resolve_scope(user, action: str = "view") -> Scope:
    """The scope of a real, active, non-superuser user (installed as core's resolver)."""
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


def visible_orgs(user, action: str = "view"):
    from apps.orgs.models import Organisation

    return restrict(Organisation.objects.all(), user, action)
