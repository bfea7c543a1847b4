"""Copied organisation paths, found from the models themselves.

Large tables listed by organisation keep a copy of their organisation's path so that
"everything under this organisation" is one indexed range scan. A model declares its
copies once:

    PATH_COPIES = {"org_path": "organisation"}            # copy of organisation.path
    PATH_COPIES = {"from_org_path": "from_org", "to_org_path": "to_org"}
    PATH_COPIES = {"org_path": None}                       # a history copy: no source FK

When a subtree moves, `rewrite_all` rewrites every declared copy (one UPDATE per column);
`drift` finds rows whose copy no longer equals its source (check_org_tree reports it).
No hand-made list of tables anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.db import connection
from django.db.models import F


def path_copies() -> Iterator[tuple[type, str, str | None]]:
    """(model, copy field, source FK or None) for every concrete model that declares copies."""
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        for field, source in (getattr(model, "PATH_COPIES", None) or {}).items():
            yield model, field, source


def rewrite_path_prefix(table: str, column: str, old_prefix: str, new_prefix: str) -> int:
    """UPDATE table SET column = new_prefix || substr(column, len(old)+1) WHERE column LIKE old%."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {quote(column)} = %s || SUBSTR({quote(column)}, %s) WHERE {quote(column)} LIKE %s",
            [new_prefix, len(old_prefix) + 1, old_prefix + "%"],
        )
        return cursor.rowcount


def rewrite_all(old_prefix: str, new_prefix: str) -> dict[str, int]:
    """Rewrite every declared copy after a subtree moved from old_prefix to new_prefix."""
    done = {}
    for model, field, _source in path_copies():
        done[f"{model._meta.label}.{field}"] = rewrite_path_prefix(model._meta.db_table, field, old_prefix, new_prefix)
    return done


def drift(model, field: str, source: str):
    """Rows whose copied path differs from their source organisation's path."""
    return model._default_manager.exclude(**{field: F(f"{source}__path")})
