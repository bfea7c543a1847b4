"""Export any list screen to .xlsx the same way. The list screens register themselves in
apps.excel.lists (name, title, the screen's own selector, columns); the one export view
(/excel/export/<name>/?<the page's query string>) and the background job runner
(apps.excel.services) write them with the functions below.

Columns are (header, attribute path or callable(obj)[, width]). Personal data stays
masked: columns name the *_masked fields, never a reveal. An optional `prepare(chunk)`
completes a chunk of rows with what the screen adds after its query (the responsible
person of a development file, the readable diff of a change-history entry…), with a
fixed number of queries per chunk, so the whole export runs a fixed number of queries
per CHUNK rows whatever the row count."""

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

MAX_ROWS = 200_000  # a hard ceiling for one file (well under Excel's 1,048,576 rows)
CHUNK = 2000

Column = tuple  # (header, path | callable) or (header, path | callable, width)


def _value(obj, path):
    if callable(path):
        value = path(obj)
    else:
        value = obj
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
            if value is None:
                return ""
            if callable(value) and not hasattr(value, "all"):
                value = value()
    return _cell(value)


def _cell(value):
    """Values a spreadsheet shows as the screen does: local times, no None, booleans in words."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value
    if isinstance(value, (str, int, float, Decimal, datetime.date)):
        return value
    return str(value)


def headers_of(columns: Sequence[Column]) -> list[str]:
    return [c[0] for c in columns]


def widths_of(columns: Sequence[Column]) -> list[int]:
    return [c[2] if len(c) > 2 else max(10, min(40, len(str(c[0])) * 2 + 4)) for c in columns]


def _chunks(items, size: int) -> Iterator[list]:
    """Lists of up to `size` items. A queryset is read a slice (LIMIT/OFFSET) at a time,
    each query to its end: an open cursor (QuerySet.iterator) would keep a read
    transaction on SQLite for the whole export and make the job's progress writes fail
    with "database is locked" (see apps.excel.exporter.in_pages)."""
    if isinstance(items, QuerySet):
        start = 0
        while True:
            chunk = list(items[start : start + size])
            if chunk:
                yield chunk
            if len(chunk) < size:
                return
            start += size
    source = iter(items)
    while chunk := list(islice(source, size)):
        yield chunk


def rows_for(
    items: Iterable,
    columns: Sequence[Column],
    *,
    prepare: Callable[[list], list] | None = None,
    limit: int = MAX_ROWS,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK,
) -> Iterator[list]:
    """The cells of each row, chunk by chunk (a queryset a slice at a time)."""
    done = 0
    for chunk in _chunks(items, chunk_size):
        chunk = chunk[: max(0, limit - done)]
        if not chunk:
            return
        if prepare is not None:
            chunk = prepare(chunk)
        for obj in chunk:
            yield [_value(obj, c[1]) for c in columns]
        done += len(chunk)
        if progress is not None:
            progress(done)
        if done >= limit:
            return


def write_list(title: str, columns: Sequence[Column], items: Iterable, *, prepare=None, progress=None, stream=None):
    """Write the rows to a workbook → (file-like object, number of rows)."""
    from apps.core.xlsx import write_table

    counter = {"n": 0}

    def counted():
        for row in rows_for(items, columns, prepare=prepare, progress=progress):
            counter["n"] += 1
            yield row

    out = write_table(title, headers_of(columns), counted(), widths=widths_of(columns), stream=stream)
    return out, counter["n"]
