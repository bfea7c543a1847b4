"""Who is acting, from where, in which request: set by the middleware (web, API) or by
`acting_as` (CLI, tasks), read by the audit log."""

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActorContext:
    user_id: int | None = None
    username: str = ""
    ip: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    source: str = "system"  # web / api / cli / task / system


_current: contextvars.ContextVar[ActorContext | None] = contextvars.ContextVar("dangjian_actor", default=None)


def current_actor() -> ActorContext:
    return _current.get() or ActorContext()


@contextmanager
def acting_as(user=None, *, ip: str | None = None, source: str = "cli", request_id: str | None = None):
    ctx = ActorContext(
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "") or "",
        ip=ip,
        request_id=request_id or uuid.uuid4().hex,
        source=source,
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_actor(ctx: ActorContext):
    return _current.set(ctx)


def reset_actor(token) -> None:
    _current.reset(token)
