"""The acting user of every service call.

Every service function takes the acting user as a required keyword argument named
`actor`. A person acts as their User; background jobs, management commands and data
loads act as the system actor, which the audit log names as such ("系统（命令行）"),
never as nobody. The system actor's scope is the whole tree (apps.core.scoping).

    from apps.core.actors import system_actor
    services.create_member(data, actor=system_actor("cli"))
"""

from __future__ import annotations

SOURCE_LABELS = {"cli": "命令行", "task": "后台任务", "demo": "示范数据", "migration": "数据迁移", "system": "系统"}


class SystemActor:
    """Not a database user: no password, no login, no role rows. `is_system` is what the
    scoping function and the audit log look at."""

    is_system = True
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = False
    is_anonymous = False
    pk = None
    id = None
    member_id = None
    member = None

    def __init__(self, source: str = "system"):
        self.source = source
        self.username = f"系统（{SOURCE_LABELS.get(source, source)}）"

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return f"<SystemActor {self.source}>"

    def __eq__(self, other) -> bool:
        return isinstance(other, SystemActor) and other.source == self.source

    def __hash__(self) -> int:
        return hash(("system-actor", self.source))


def system_actor(source: str = "system") -> SystemActor:
    return SystemActor(source)


def is_system(actor) -> bool:
    return bool(getattr(actor, "is_system", False))


def as_user(actor):
    """The actor as a value for a foreign key to User: None for the system actor (the audit
    log and the *_by name fields say who it was)."""
    return None if is_system(actor) else actor


def require_actor(actor) -> None:
    """For the few functions that must refuse a missing actor explicitly (a required
    keyword argument already refuses it at the call)."""
    if actor is None:
        raise TypeError("the acting user is required: pass actor=request.user or actor=system_actor(...)")
