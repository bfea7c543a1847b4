"""Simulating the concurrent case of a uniqueness rule in one thread (both databases):
the sequential check runs before the competitor's row is committed, so it finds nothing;
the database constraint then refuses the insert. `skip_check(monkeypatch, Model)` makes
the service's check (an .exists() or .first() on Model) see no row, which is exactly what
the loser of a race sees."""

import threading

from django.db import connections
from django.db.models import QuerySet


def skip_check(monkeypatch, model):
    exists, first = QuerySet.exists, QuerySet.first
    monkeypatch.setattr(QuerySet, "exists", lambda qs: False if qs.model is model else exists(qs))
    monkeypatch.setattr(QuerySet, "first", lambda qs: None if qs.model is model else first(qs))


def race(fn, n: int) -> list:
    """Run fn(i) in n threads released together; each returns fn's result or the exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(10)
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results
