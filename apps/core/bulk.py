"""Fast multi-row INSERT for the import's commit phase.

`QuerySet.bulk_create` spends most of its time preparing each value through the
compiler (≈ 35 columns × 20,000 members). Here the per-column conversion is chosen once
per model (text and integers pass through; dates, datetimes and JSON go through the
field's own get_db_prep_save), and rows go to the database in bulk: PostgreSQL's COPY
(one statement for thousands of rows; executemany sent one INSERT per row and the
server's per-statement work dominated), SQLite's `executemany`. Primary keys are
allocated up front (PostgreSQL: the column's sequence; SQLite: after the highest id,
under the write lock the IMMEDIATE transaction already holds), so the caller can link
child rows. Any other database falls back to bulk_create.
"""

import json
import operator

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

PASS_THROUGH = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "BooleanField",
    "ForeignKey",
    "OneToOneField",
    "AutoField",
    "BigAutoField",
}


def _conn():
    return connections[DEFAULT_DB_ALIAS]


def _write(connection, table: str, columns: list[str], rows: list[list], batch: int) -> None:
    """INSERT the rows (values already in the database's form) into table(columns)."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = "COPY {} ({}) FROM STDIN".format(q(table), ", ".join(q(c) for c in columns))
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = "INSERT INTO {} ({}) VALUES ({})".format(q(table), ", ".join(q(c) for c in columns), ", ".join(["%s"] * len(columns)))
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i : i + batch])


def supported() -> bool:
    return _conn().vendor in ("postgresql", "sqlite")


def _sqlite_date(value):
    # What Django's SQLite backend stores for a date (adapt_datefield_value).
    return None if value is None else str(value)


def _converter(field, connection):
    """None (pass the value through) or a function value → database value."""
    kind = field.get_internal_type()
    if kind in PASS_THROUGH:
        return None
    if kind == "DateField":
        return _sqlite_date if connection.vendor == "sqlite" else None
    convert = field.get_db_prep_save
    if kind == "DateTimeField":
        # The rows of one import share a few timestamps (created/updated "now"): convert
        # each distinct value once (time-zone handling costs ~5 µs per value).
        seen: dict = {}

        def cached(value):
            try:
                return seen[value]
            except KeyError:
                if len(seen) > 1000:
                    seen.clear()
                result = seen[value] = convert(value, connection)
                return result
            except TypeError:  # pragma: no cover - unhashable: convert as is
                return convert(value, connection)

        return cached
    return lambda value: convert(value, connection)


def _rows(items, getter_factory, names: list[str], converters: list) -> list[list]:
    """Each item's values for names (getter_factory: operator.attrgetter or itemgetter,
    which read all of them in one C call), converted where a converter is given."""
    get = getter_factory(*names)
    if len(names) == 1:  # a one-name getter returns the value, not a tuple
        get = (lambda one: lambda item: (one(item),))(get)
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]
    rows = []
    for item in items:
        row = list(get(item))
        for i, c in convert:
            row[i] = c(row[i])
        rows.append(row)
    return rows


def add_to_counts(model, column: str, deltas) -> None:
    """column = column + delta for many rows, in one UPDATE whatever their number.

    deltas: {pk: delta} or an iterable of (pk, delta) pairs in which a primary key may
    appear several times (its deltas are summed: a join update would apply only one of
    them). Zero sums are skipped. The statement's text and parameter count do not depend
    on the number of rows (no parameter limit to batch around): PostgreSQL joins
    `unnest` of two arrays, SQLite (≥ 3.33, UPDATE … FROM; the project needs it anyway)
    joins `json_each` of one JSON array. Replaces one UPDATE per row (executemany),
    which on PostgreSQL cost a round trip per organisation per import chunk."""
    pairs = deltas.items() if hasattr(deltas, "items") else deltas
    totals: dict[int, int] = {}
    for pk, delta in pairs:
        totals[pk] = totals.get(pk, 0) + delta
    totals = {pk: n for pk, n in totals.items() if n}
    if not totals:
        return
    connection = _conn()
    q = connection.ops.quote_name
    table, col, pk_col = q(model._meta.db_table), q(column), q(model._meta.pk.column)
    if connection.vendor == "postgresql":
        source, params = "unnest(%s::bigint[], %s::bigint[]) AS d(id, n)", [list(totals), list(totals.values())]
    elif connection.vendor == "sqlite":
        source = "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS n FROM json_each(%s)) AS d"
        params = [json.dumps(list(totals.items()))]
    else:  # pragma: no cover - the two supported databases are tested
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {col} = {col} + %s WHERE {pk_col} = %s", [(n, pk) for pk, n in totals.items()])
        return
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {col} = {table}.{col} + d.n FROM {source} WHERE {table}.{pk_col} = d.id", params)


def allocate_ids(model, n: int) -> list[int]:
    if n == 0:
        return []
    connection = _conn()
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [row[0] for row in cursor.fetchall()]
        q = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({q(pk)}), 0) FROM {q(table)}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + n))


def insert(model, objs: list[models.Model], *, with_ids: bool = False, batch: int = 2000) -> None:
    """INSERT the objects; with_ids: allocate and set their primary keys first."""
    if not objs:
        return
    if not supported():  # pragma: no cover - the two supported databases are tested
        model.objects.bulk_create(objs, batch_size=batch)
        return
    connection = _conn()  # resolved once: the proxy's lookup per value is measurable
    opts = model._meta
    if with_ids:
        for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
            obj.pk = pk
    fields = [f for f in opts.concrete_fields if not (f.primary_key and not with_ids)]
    auto = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    # auto_now / auto_now_add: one timestamp for the whole call, as insert_dicts does.
    now = timezone.now()
    for obj in objs:
        for f in auto:
            setattr(obj, f.attname, now)
    rows = _rows(objs, operator.attrgetter, [f.attname for f in fields], [_converter(f, connection) for f in fields])
    _write(connection, opts.db_table, [f.column for f in fields], rows, batch)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_dicts(model, rows: list[dict], *, batch: int = 2000) -> None:
    """INSERT plain rows ({attname: value}) without building model instances: columns
    missing from a row take the field's default (evaluated once per call, so every row
    of one call shares the same timestamp for auto_now_add / default=timezone.now)."""
    if not rows:
        return
    if not supported():  # pragma: no cover
        model.objects.bulk_create([model(**r) for r in rows], batch_size=batch)
        return
    connection = _conn()
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        elif f.null:
            defaults[f.attname] = None
        elif f.empty_strings_allowed:
            defaults[f.attname] = ""
    values = _rows(
        [{**defaults, **r} for r in rows], operator.itemgetter, [f.attname for f in fields], [_converter(f, connection) for f in fields]
    )
    _write(connection, opts.db_table, [f.column for f in fields], values, batch)
