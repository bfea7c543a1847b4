"""Read-replica routing for reports (docs/scale-out.md).

Code that runs a report wraps it in `reporting()`; inside it, reads go to the "replica"
alias when one is configured (DATABASE_REPLICA_URL), writes always go to default."""

import contextvars
from contextlib import contextmanager

from django.conf import settings

_reporting = contextvars.ContextVar("dangjian_reporting", default=False)
REPLICA = "replica"


@contextmanager
def reporting():
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


class ReportReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reporting.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
