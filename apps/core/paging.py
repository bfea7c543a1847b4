"""Paging for the web list screens: one page of rows (size+1 fetched to know whether a
next page exists) and a total counted only up to a cap (apps.core.api.pagination.capped_count),
so a page costs two queries whatever the table size. Several lists on one screen page
independently through their own query parameter (`param`).

Keyset paging (`keyset_page`, `KeysetPagination` for the API) for lists that reach deep
pages (the member roster): the first `OFFSET_PAGES` pages are addressed by number (an
OFFSET of at most a few hundred rows); every page after that is reached from its
neighbour through a cursor, the sort key of the neighbour's last (or first) row, so the
query reads from the index exactly where the page starts (`(k, id) > (k0, id0)`) instead
of skipping all the rows before it. The last page, when the total is exact, is read
backwards from the end. A page number deeper than OFFSET_PAGES without a cursor is not
served by OFFSET: the web list shows page OFFSET_PAGES instead, the API answers 400."""

import base64
import binascii
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.db.models import IntegerField, Q
from django.db.models.expressions import RawSQL

from .api.pagination import COUNT_CAP, CappedCountPagination, capped_count

PAGE_SIZE = 50
OFFSET_PAGES = 10  # pages 1…10 by number; deeper pages through keyset links


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool
    total: int | None
    exact: bool
    param: str
    query: str  # the request's other parameters, urlencoded, for the pager links
    size: int = PAGE_SIZE
    # keyset paging (keyset_page): cursors of the neighbouring pages, and the deepest page
    # that may be addressed by number (None: every page, the OFFSET pager)
    next_cursor: str | None = None
    previous_cursor: str | None = None
    offset_pages: int | None = None
    clamped_from: int | None = None  # a deeper page number was asked for without a cursor

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        """How many pages: exact when the total is, else at least this many (the cap's)."""
        if self.total is None:
            return None
        return max(1, -(-self.total // self.size), self.number + (1 if self.has_next else 0))

    @property
    def last(self) -> int | None:
        """The last page's number when it is known (an exact total)."""
        return self.pages if self.exact and self.total is not None else None

    @property
    def window(self) -> list[int]:
        """Page numbers around the current one, for direct links (keyset paging: only
        those a link can reach, see window_links)."""
        return [n for n, _link in self.window_links]

    @property
    def window_links(self) -> list[tuple[int, str | None]]:
        """(number, query string of its link; None for the current page) around the current page."""
        high = self.pages or (self.number + (1 if self.has_next else 0))
        out = []
        for n in range(max(1, self.number - 2), min(high, self.number + 2) + 1):
            link = None if n == self.number else self.link_to(n)
            if n == self.number or link is not None:
                out.append((n, link))
        return out

    def _link(self, **values) -> str:
        return "&".join(filter(None, [self.query, urlencode(values)]))

    def link_to(self, n: int) -> str | None:
        """The query string of page n's link, or None when no link can reach it (a deep
        page of a keyset list that is not a neighbour of this one, nor the last)."""
        if self.offset_pages is None or n <= self.offset_pages or n == self.last:
            return self._link(**{self.param: n})
        if n == self.number + 1 and self.next_cursor:
            return self._link(**{self.param: n, cursor_param(self.param, "after"): self.next_cursor})
        if n == self.number - 1 and self.previous_cursor:
            return self._link(**{self.param: n, cursor_param(self.param, "before"): self.previous_cursor})
        return None

    @property
    def first_link(self) -> str:
        return self._link(**{self.param: 1})

    @property
    def previous_link(self) -> str | None:
        return self.link_to(self.number - 1) if self.has_previous else None

    @property
    def next_link(self) -> str | None:
        return self.link_to(self.number + 1) if self.has_next else None

    @property
    def last_link(self) -> str | None:
        return self.link_to(self.last) if self.last else None

    @property
    def jump_max(self) -> int | None:
        """The highest page the jump-to-page form may ask for."""
        if self.offset_pages is None:
            return self.last
        return min(self.last, self.offset_pages) if self.last else self.offset_pages

    @property
    def hidden(self) -> list[tuple[str, str]]:
        """The other parameters as (name, value) pairs, for the jump-to-page form."""
        from django.http import QueryDict

        return [(k, v) for k, values in QueryDict(self.query).lists() for v in values]


def page_number(request, param: str = "page", *, posted: bool = False) -> int:
    """?<param>=N (posted=True: the form field of that name, for a form on a page that
    brings the user back to that page)."""
    data = request.POST if posted else request.GET
    return _number(data.get(param, 1))


def _number(value) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def page_of(queryset, request, *, size: int = PAGE_SIZE, param: str = "page", count: bool = True, cap: int = COUNT_CAP) -> Page:
    """One page of `queryset` for ?<param>=N, with a total counted by capped_count
    (grouped rows too); count=False skips the total."""
    number = page_number(request, param)
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    total, exact = None, True
    if count:
        total, exact = capped_count(queryset, cap)
    params = request.GET.copy()
    params.pop(param, None)
    return Page(rows[:size], number, len(rows) > size, total, exact, param, params.urlencode(), size)


# ---------------------------------------------------------------- keyset paging
class DeepPage(Exception):
    """A page number beyond OFFSET_PAGES without a cursor."""


def cursor_param(param: str, direction: str) -> str:
    """The query parameter of a cursor: "after"/"before" for ?page, "<param>_after" … otherwise."""
    return direction if param == "page" else f"{param}_{direction}"


def ordering_of(queryset) -> tuple[str, ...]:
    """The queryset's explicit ordering, which keyset paging needs to end with the primary
    key (a unique, never null tie-breaker) and to name only the model's own columns."""
    fields = tuple(queryset.query.order_by)
    if not fields or any(not isinstance(f, str) for f in fields) or fields[-1].lstrip("-") not in ("id", "pk"):
        raise ValueError(f"keyset paging needs an explicit ordering ending with the primary key, not {fields!r}")
    return fields


def encode_cursor(row, fields) -> str:
    """The sort key of `row` (a model instance, or a dict from `.values()` holding the sort
    columns) under `fields` ("org_path", "-id" …), as an opaque URL-safe token."""
    values = []
    for f in fields:
        value = row[f.lstrip("-")] if isinstance(row, dict) else getattr(row, f.lstrip("-"))
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    raw = json.dumps([",".join(fields), *values], ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None, model, fields) -> list | None:
    """The sort key a cursor holds, converted to the fields' Python types; None when the
    token is missing, malformed or made for another ordering (then the list starts over)."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if not isinstance(data, list) or len(data) != len(fields) + 1 or data[0] != ",".join(fields):
            return None
        meta = model._meta
        return [
            meta.get_field("id" if f.lstrip("-") == "pk" else f.lstrip("-")).to_python(v) for f, v in zip(fields, data[1:], strict=True)
        ]
    except (ValueError, TypeError, binascii.Error, FieldDoesNotExist, ValidationError):
        return None


def keyset_condition(fields, values, *, after: bool = True) -> Q:
    """Rows after (or before) the sort key `values` in the order `fields`:
    k0 >= v0 AND (k0 > v0 OR (k0 = v0 AND k1 > v1) …) for ascending fields. The leading
    k0 >= v0 lets the index start the scan at the cursor; the rest is exact."""
    exprs = []
    for i, f in enumerate(fields):
        name = f.lstrip("-")
        ascending = not f.startswith("-")
        op = "gt" if ascending == after else "lt"
        q = Q(**{f"{fields[j].lstrip('-')}": values[j] for j in range(i)}) & Q(**{f"{name}__{op}": values[i]})
        exprs.append(q)
    either = exprs[0]
    for q in exprs[1:]:
        either |= q
    first = fields[0].lstrip("-")
    lead_op = "gte" if (not fields[0].startswith("-")) == after else "lte"
    return Q(**{f"{first}__{lead_op}": values[0]}) & either


CAPPED_TOTAL = "capped_total_"


def with_capped_count(queryset, cap: int = COUNT_CAP):
    """`queryset` whose every row also carries the capped count of the whole queryset
    (capped_count's `SELECT COUNT(*) FROM (… LIMIT cap+1)`, an uncorrelated scalar
    subquery PostgreSQL and SQLite evaluate once): a page and its total in one statement
    (read the total with capped_total_of; an empty page carries none)."""
    rows = queryset.order_by()
    if rows.query.group_by is None:
        rows = rows.values("pk")
    try:
        sql, params = rows[: cap + 1].query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # .none(), pk__in=[] …: no rows to carry a total (an empty first page counts 0)
        return queryset
    total = RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped_rows_", params, output_field=IntegerField())
    return queryset.annotate(**{CAPPED_TOTAL: total})


def capped_total_of(row, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, exact) from a row of with_capped_count (a model instance or a dict)."""
    n = row[CAPPED_TOTAL] if isinstance(row, dict) else getattr(row, CAPPED_TOTAL)
    return min(n, cap), n <= cap


def _reversed(fields) -> list[str]:
    return [f[1:] if f.startswith("-") else "-" + f for f in fields]


def fetch_keyset_page(
    queryset,
    params,
    *,
    size: int = PAGE_SIZE,
    param: str = "page",
    count: bool = True,
    cap: int = COUNT_CAP,
    offset_pages: int | None = None,
) -> Page:
    """One page of `queryset` (explicitly ordered, ending with the primary key) for the
    query parameters `params` (a QueryDict): ?page=N for N ≤ offset_pages, or
    ?page=N&after=<cursor> / &before=<cursor> from a neighbouring page, or the last page
    by its number when the total is exact. One query on every page (the rows, each carrying
    the capped count: with_capped_count), the last page by its number too; two for an empty
    page past the first (the count on its own). Raises DeepPage for a deeper number
    without a cursor."""
    offset_pages = OFFSET_PAGES if offset_pages is None else offset_pages
    fields = ordering_of(queryset)
    model = queryset.model
    number = _number(params.get(param, 1))
    after = decode_cursor(params.get(cursor_param(param, "after")), model, fields)
    before = None if after else decode_cursor(params.get(cursor_param(param, "before")), model, fields)
    total, exact = None, True
    # The capped count travels in the page's own statement (with_capped_count); only an
    # empty page past the first (no row to carry it) counts in a query of its own.
    counted = with_capped_count(queryset, cap) if count else queryset
    if after is not None:
        rows = list(counted.filter(keyset_condition(fields, after))[: size + 1])
        number = max(number, 2)
        has_next = len(rows) > size
        rows = rows[:size]
    elif before is not None:
        back = list(counted.filter(keyset_condition(fields, before, after=False)).order_by(*_reversed(fields))[: size + 1])
        # fewer than a page before the cursor: that is the first page
        number = 1 if len(back) <= size else max(number, 2)
        rows = back[:size][::-1]
        has_next = True  # the cursor's own row follows
    elif number <= offset_pages:
        rows = list(counted[(number - 1) * size : number * size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
    else:
        # the last page by its number, when the total is exact: a page's worth read backwards
        # from the end (carrying the total), of which the last page holds the first rows
        back = list(counted.order_by(*_reversed(fields))[:size]) if count else []
        total, exact = capped_total_of(back[0], cap) if back else (0, True)
        last = -(-total // size) if (count and exact and total) else None
        if last is None or number < last:
            raise DeepPage(number)
        number = max(last, 1)
        rows = back[: total - (number - 1) * size][::-1]
        has_next = False
    if count and total is None:
        if rows:
            total, exact = capped_total_of(rows[0], cap)
        elif after is None and before is None and number == 1:
            total, exact = 0, True  # the first page is empty: nothing matches
        else:  # an empty page past the first (a stale cursor, a number past the end)
            total, exact = capped_count(queryset, cap)
    rest = params.copy()
    for key in (param, cursor_param(param, "after"), cursor_param(param, "before")):
        rest.pop(key, None)
    page = Page(rows, number, has_next, total, exact, param, rest.urlencode(), size, offset_pages=offset_pages)
    if rows:
        page.next_cursor = encode_cursor(rows[-1], fields)
        page.previous_cursor = encode_cursor(rows[0], fields)
    return page


def keyset_page(
    queryset,
    request,
    *,
    size: int = PAGE_SIZE,
    param: str = "page",
    count: bool = True,
    cap: int = COUNT_CAP,
    offset_pages: int | None = None,
) -> Page:
    """fetch_keyset_page for a web list: a page number deeper than offset_pages without a
    cursor shows page offset_pages (Page.clamped_from says which was asked for)."""
    offset_pages = OFFSET_PAGES if offset_pages is None else offset_pages
    try:
        return fetch_keyset_page(queryset, request.GET, size=size, param=param, count=count, cap=cap, offset_pages=offset_pages)
    except DeepPage as deep:
        params = request.GET.copy()
        params[param] = str(offset_pages)
        page = fetch_keyset_page(queryset, params, size=size, param=param, count=count, cap=cap, offset_pages=offset_pages)
        page.clamped_from = deep.args[0]
        return page


class KeysetPagination(CappedCountPagination):
    """The API's keyset paging (fetch_keyset_page): ?page=N for the first OFFSET_PAGES
    pages, and `next` / `previous` links that carry a cursor (?page=N&after=…) beyond."""

    offset_pages = None  # apps.core.paging.OFFSET_PAGES

    def count_cap(self, request) -> int:
        """How far the total is counted (a subclass may count less, e.g. for a search)."""
        return COUNT_CAP

    def paginate_queryset(self, queryset, request, view=None):
        from rest_framework.exceptions import ValidationError

        self.request = request
        page_size = self.get_page_size(request)
        try:
            self.page = fetch_keyset_page(
                queryset,
                request.query_params,
                size=page_size,
                param=self.page_query_param,
                cap=self.count_cap(request),
                offset_pages=self.offset_pages,
            )
        except DeepPage as deep:
            limit = self.offset_pages or OFFSET_PAGES
            raise ValidationError(
                {
                    self.page_query_param: [
                        f"第{deep.args[0]}页超出可直接跳转的范围（前{limit}页及末页）：请沿 next / previous 链接翻页，或缩小筛选范围"
                    ]
                }
            ) from deep
        self.page_number = self.page.number
        self.has_next = self.page.has_next
        self.count, self.count_exact = self.page.total, self.page.exact
        self.page_size_used = page_size
        return self.page.rows

    def _query_link(self, query: str | None) -> str | None:
        if query is None:
            return None
        url = self.request.build_absolute_uri(self.request.path)
        return f"{url}?{query}" if query else url

    def get_paginated_response(self, data):
        from collections import OrderedDict

        from rest_framework.response import Response

        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_exact", self.count_exact),
                    ("next", self._query_link(self.page.next_link)),
                    ("previous", self._query_link(self.page.previous_link)),
                    ("results", data),
                ]
            )
        )
