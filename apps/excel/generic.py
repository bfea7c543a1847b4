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
from django.db.models.query import ModelIterable
from django.utils import timezone

MAX_ROWS = 200_000  # a hard ceiling for one file (well under Excel's 1,048,576 rows)
CHUNK = 2000
PROGRESS_EVERY = 200  # rows between progress reports (the job throttles its writes)

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


def in_chunks(items, size: int = CHUNK, limit: int | None = None) -> Iterator[list]:
    """Lists of up to `size` items, in the items' order, no statement left open between
    them. Not QuerySet.iterator(): on SQLite its open cursor keeps a read transaction for
    the whole export, and a job's progress UPDATE on that connection then fails with
    "database is locked" as soon as another connection (a page view saving its session)
    has written meanwhile — a WAL reader cannot become a writer on an old snapshot.

    A queryset of model objects is read a page of primary keys at a time (the keys once,
    in order; each page by pk__in, so its prefetches run per page); grouped or values()
    rows, which have no primary key, a slice (LIMIT/OFFSET) at a time. `limit` bounds
    what is read."""
    if isinstance(items, QuerySet):
        if items.query.group_by is None and issubclass(items._iterable_class, ModelIterable):
            keys = items.values_list("pk", flat=True)
            ids = list(dict.fromkeys(keys[:limit] if limit is not None else keys))  # once each, in order
            for i in range(0, len(ids), size):
                page = ids[i : i + size]
                objects = {obj.pk: obj for obj in items.order_by().filter(pk__in=page)}
                chunk = [objects[pk] for pk in page if pk in objects]  # deleted meanwhile: skipped
                if chunk:
                    yield chunk
            return
        start = 0
        while limit is None or start < limit:
            stop = start + size if limit is None else min(start + size, limit)
            chunk = list(items[start:stop])
            if chunk:
                yield chunk
            if len(chunk) < stop - start:
                return
            start = stop
        return
    source = iter(items) if limit is None else islice(items, limit)
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
    """The cells of each row, chunk by chunk (in_chunks)."""
    done = 0
    for chunk in in_chunks(items, chunk_size, limit):
        chunk = chunk[: max(0, limit - done)]
        if not chunk:
            return
        if prepare is not None:
            chunk = prepare(chunk)
        for i, obj in enumerate(chunk, 1):
            yield [_value(obj, c[1]) for c in columns]
            if progress is not None and i % PROGRESS_EVERY == 0 and i < len(chunk):
                progress(done + i)  # between chunks too: a first chunk is not "0 rows" for long
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
