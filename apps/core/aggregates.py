"""Several tables' aggregates in ONE statement.

A statistics section counts a handful of small domain tables, each with one
`.aggregate()` (or `.count()`) — one statement and one round trip per table, ≈ 1.5 ms
each under load, more than the counting itself (issue 13). `aggregate_together` runs the
same aggregates, built by the section from its own querysets, as one SELECT over one
derived table per queryset:

    SELECT * FROM (SELECT COUNT(...) AS "n", ... FROM t1 WHERE ...) "p0"
           CROSS JOIN (SELECT SUM(...) AS "s" FROM t2 WHERE ...) "p1" ...

(on PostgreSQL in fenced groups of three, see _cross_join).

Every derived table is an aggregate without GROUP BY (exactly one row), so the cross join
is one row; each table is read once, with the very SQL `.aggregate()` would have sent
(Django compiles it), and its values pass through the same converters. A queryset whose
aggregate Django would wrap in a subquery (existing annotations, DISTINCT, a slice, a
GROUP BY, a set operation) is refused: aggregate it on its own.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, QuerySet

COUNT = {"n": Count("*")}  # the `.count()` of a queryset, as its part: {...}["n"]


def _compiled(qs: QuerySet, aggregates: dict, using: str):
    """(compiler, sql, params) of qs.aggregate(**aggregates), sql None for an empty set;
    the simple case of Query.get_aggregation (no subquery)."""
    query = qs.query.chain()
    if (
        query.annotations
        or query.is_sliced
        or query.distinct
        or query.combinator
        or query.group_by is not None
        or query.where.contains_aggregate
    ):
        raise ValueError(f"aggregate_together: {qs.model.__name__} queryset needs a subquery to aggregate; aggregate it on its own")
    for alias, expression in aggregates.items():
        query.check_alias(alias)
        resolved = expression.resolve_expression(query, allow_joins=True, reuse=None, summarize=True)
        if not resolved.contains_aggregate:
            raise TypeError(f"{alias} is not an aggregate expression")
        query.annotations[alias] = resolved
    query.set_annotation_mask(aggregates)
    query.select = ()
    query.selected = None
    query.default_cols = False
    query.extra = {}
    query.clear_ordering(force=True)
    query.clear_limits()
    query.select_for_update = False
    query.select_related = False
    empty = [e.empty_result_set_value for e in query.annotation_select.values()]
    compiler = query.get_compiler(using, elide_empty=not any(v is NotImplemented for v in empty))
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        sql, params = None, ()
    return compiler, (sql or None), params, empty


GROUP = 3  # derived tables per fenced group on PostgreSQL


def _cross_join(connection, tables: list[str]) -> str:
    """SELECT * over the cross join of the derived tables, in their order. PostgreSQL
    searches join orders among up to join_collapse_limit (8) relations even when each is
    one row: 27 tables joined flat cost ≈ 3–12 ms of planning and a worse plan (measured on
    the 200k province); so there they are joined in groups of GROUP, each fenced by
    OFFSET 0 (not flattened into its parent), then the groups likewise: ≈ 2 ms. SQLite
    keeps a CROSS JOIN in its written order."""
    qn = connection.ops.quote_name
    if connection.vendor != "postgresql":
        return "SELECT * FROM " + " CROSS JOIN ".join(f"{t} {qn(f'p{i}')}" for i, t in enumerate(tables))
    n = 0
    while len(tables) > 1:
        grouped = []
        for i in range(0, len(tables), GROUP):
            group = tables[i : i + GROUP]
            if len(group) > 1:
                group = ["(SELECT * FROM " + " CROSS JOIN ".join(f"{t} {qn(f'p{n}_{j}')}" for j, t in enumerate(group)) + " OFFSET 0)"]
                n += 1
            grouped += group
        tables = grouped
    return f"SELECT * FROM {tables[0]} {qn('p')}"


def aggregate_together(parts: dict[str, tuple[QuerySet, dict]]) -> dict[str, dict]:
    """{name: (queryset, {alias: aggregate})} → {name: queryset.aggregate(**aggregates)},
    the same values, from one statement (none when every queryset is empty). The querysets
    must read the same database (the reporting replica inside `reporting()`)."""
    using = {qs.db for qs, _aggs in parts.values()}
    if len(using) > 1:
        raise ValueError(f"aggregate_together: the querysets read different databases {sorted(using)}")
    using = using.pop() if using else "default"
    compiled = {name: _compiled(qs, aggs, using) for name, (qs, aggs) in parts.items()}
    live = [(name, c) for name, c in compiled.items() if c[1] is not None]
    row: list = []
    if live:
        connection = connections[using]
        sql = _cross_join(connection, [f"({c[1]})" for _name, c in live])
        params = [p for _name, c in live for p in c[2]]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = list(cursor.fetchone())
    out = {}
    for name, (compiler, sql, _params, empty) in compiled.items():
        cols = list(compiler.query.annotation_select.values())
        if sql is None:
            values = empty
        else:
            values, row = row[: len(cols)], row[len(cols) :]
            values = next(compiler.apply_converters((values,), compiler.get_converters(cols)))
        out[name] = dict(zip(compiler.query.annotation_select, values, strict=True))
    return out
