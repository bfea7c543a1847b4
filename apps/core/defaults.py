"""Default rows after flush (apps.core.registry.defaults).

Data migrations seed the rule rows a database needs (care occasions, commendation kinds,
feedback categories, the first study/organisation-life rule versions, the 十规范
checklist). `manage.py flush` — and the teardown of every transactional test — empties
all tables without running migrations again, so later code (or a later test) would find
no defaults. Django sends post_migrate after flush too (without the migration `plan`
that migrate passes): CoreConfig connects `ensure_after_flush`, which then runs every
app's idempotent `ensure` once. After migrate it does nothing — the data migrations seed a
new database, and running the seeds on every migrate of a live database would, e.g., add
a new year's default subsidy rates behind the county administrator's back."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

from . import registry


def _tables_present(app_label: str, using: str) -> bool:
    """False after migrating the app backwards (its tables are gone)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    models = global_apps.get_app_config(app_label).get_models()
    return all(m._meta.db_table in tables for m in models if m._meta.managed and router.allow_migrate_model(using, m))


def ensure_all(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Run every registered app's `ensure` (each in its own transaction); the labels run."""
    done = []
    for entry in registry.defaults:
        if entry.name not in {c.label for c in global_apps.get_app_configs()} or not _tables_present(entry.name, using):
            continue
        with transaction.atomic(using=using):
            entry.ensure(global_apps)
        done.append(entry.name)
    return done


def ensure_after_flush(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (connected with sender=core's AppConfig: once per signal
    round). migrate passes `plan`, flush does not. The seeds write through the default
    manager: only the default database."""
    if "plan" not in kwargs and using == DEFAULT_DB_ALIAS:
        ensure_all(using)
