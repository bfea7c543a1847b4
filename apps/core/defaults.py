"""Default rows of the rule tables, present after every migrate and every flush.

Several apps seed their rule tables (care occasions, democracy categories, the 十规范
checklist, the first rule versions …) in a data migration. A migration runs once; a
`manage.py flush` (and the flush that ends every transactional test) empties the tables
and the defaults would be gone. Django sends post_migrate after both, so each app
registers its migration's seed function here, once, in its AppConfig.ready():

    from apps.core import defaults
    defaults.register_migration_seed("care", "0002_default_occasions")

The seed functions are the migrations' own (``seed(apps, schema_editor)``, written with
the historical models and idempotent: get_or_create, or "only when the table is empty"),
so the data is declared in one place. A seed whose tables are not there (a database
migrated backwards) is skipped.
"""

from __future__ import annotations

import importlib

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS, DatabaseError, transaction

_SEEDS: list[tuple[str, str]] = []


def register_migration_seed(app_label: str, migration: str, function: str = "seed") -> None:
    key = (f"{global_apps.get_app_config(app_label).name}.migrations.{migration}", function)
    if key not in _SEEDS:
        _SEEDS.append(key)


def ensure_defaults(sender=None, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> list[str]:
    """post_migrate: run every registered seed (idempotent). Returns those that ran."""
    ran = []
    for module, function in _SEEDS:
        seed = getattr(importlib.import_module(module), function)
        try:
            with transaction.atomic(using=using):
                seed(apps, None)
        except (LookupError, DatabaseError):
            continue  # models or tables not there (migrated backwards): nothing to seed
        ran.append(module)
    return ran
