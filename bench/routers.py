"""Bench-only: pin every query of the current context to one database alias, so one process
can measure the same request against the 20k, 200k and 1M provinces interleaved."""

import contextvars
from contextlib import contextmanager

_pinned = contextvars.ContextVar("bench_pinned_alias", default=None)


@contextmanager
def pinned(alias: str):
    token = _pinned.set(alias)
    try:
        yield
    finally:
        _pinned.reset(token)


class PinnedAliasRouter:
    def db_for_read(self, model, **hints):
        return _pinned.get()

    def db_for_write(self, model, **hints):
        return _pinned.get()

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return None
