"""Reads shared within one computation (a dashboard): inside `with shared_reads():` a
function decorated with @shared_read returns what it returned for the same arguments
earlier in the block, so that two domains' figures built from the same rows (the
education section of the county and the county's units' hour metric) read them once.
Outside such a block nothing is kept: no state crosses requests or goes stale."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

_reads: ContextVar[dict | None] = ContextVar("shared_reads", default=None)


@contextmanager
def shared_reads():
    token = _reads.set({})
    try:
        yield
    finally:
        _reads.reset(token)


def shared_read(fn):
    """Memoise fn on its (hashable) arguments within a shared_reads() block. Callers
    must not mutate what it returns."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        reads = _reads.get()
        if reads is None:
            return fn(*args, **kwargs)
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in reads:
            reads[key] = fn(*args, **kwargs)
        return reads[key]

    return wrapper
