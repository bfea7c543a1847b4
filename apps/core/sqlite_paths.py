"""SQLite: make `path LIKE 'X%'` (Django's __startswith) an index range.

SQLite's LIKE is case-insensitive, so it only uses an index built with NOCASE collation
(https://sqlite.org/optoverview.html#the_like_optimization). Materialised paths hold only
0-9A-Z, so a NOCASE index orders them exactly like the BINARY one. After every migrate,
each model's local scope-path column (SCOPE_PATH naming a field of the model itself:
Organisation.path, Member.org_path, DevelopmentFile.org_path …) gets one. PostgreSQL
needs nothing: its varchar_pattern_ops indexes already serve LIKE 'X%'."""

from django.apps import apps
from django.db import connections

from apps.core.scoping import scope_paths


def ensure_nocase_path_indexes(using="default", **kwargs) -> list[str]:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    created = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            table = model._meta.db_table
            if table not in tables:  # a partial `migrate app_label`
                continue
            for column in scope_paths(model):
                if "__" in column:  # a path reached through a relation: indexed on its own table
                    continue
                field = model._meta.get_field(column)
                name = f"{table}_{field.column}_nocase"[:60]
                cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{field.column}" COLLATE NOCASE)')
                created.append(name)
    return created
