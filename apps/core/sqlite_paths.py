"""SQLite: make `path LIKE 'X%'` (Django's __startswith) an index range.

SQLite's LIKE is case-insensitive, so it only uses an index built with NOCASE collation
(https://sqlite.org/optoverview.html#the_like_optimization). Materialised paths hold only
0-9A-Z, so a NOCASE index orders them exactly like the BINARY one. After every migrate,
each model's local scope-path column (SCOPE_PATH naming a field of the model itself:
Organisation.path, Member.org_path, DevelopmentFile.org_path …) gets NOCASE indexes: the
NOCASE twin of each covering index (with INCLUDE columns) that begins with that column, or,
where there is none, a single-column one. A twin serves every LIKE the single-column index
would, so the two together would only cost every write: a single-column index left from
before a twin existed is dropped. PostgreSQL needs nothing: its varchar_pattern_ops or
"C"-collated indexes already serve LIKE 'X%'."""

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
                twins = _nocase_twins(cursor, model, column)
                if twins:  # a twin leads with the same NOCASE column: the single-column index is redundant
                    cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
                else:
                    cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{field.column}" COLLATE NOCASE)')
                    created.append(name)
                created += twins
    return created


def _nocase_twins(cursor, model, column: str) -> list[str]:
    """A covering index that begins with the path (e.g. DuesTally's (org_path, month)
    INCLUDE (lines, settled, expected), declared so that a subtree's sums are read from the
    index alone) serves SQLite's LIKE only through a twin whose path column is NOCASE; its
    INCLUDE columns (PostgreSQL only) become trailing key columns; e.g. Member's
    (org_path, id) INCLUDE (status) becomes (org_path NOCASE, id, status), which serves
    the subtree filters and reads a status-filtered subtree count from the index alone.
    Path-led indexes without INCLUDE get no twin: the path's own NOCASE index serves their
    queries, and a twin would only slow the writes of the big tables."""
    table = model._meta.db_table
    created = []
    for index in model._meta.indexes:
        if not index.fields or index.fields[0] != column or index.condition is not None or not index.include:
            continue
        rest = [model._meta.get_field(f.lstrip("-")).column for f in (*index.fields[1:], *index.include)]
        name = f"{index.name}_nocase"[:60]
        columns = ", ".join([f'"{model._meta.get_field(column).column}" COLLATE NOCASE', *(f'"{c}"' for c in rest)])
        cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({columns})')
        created.append(name)
    return created
