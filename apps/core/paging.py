"""Paging for the web list screens: one page of rows (size+1 fetched to know whether a
next page exists) and a total counted only up to a cap (apps.core.api.pagination.capped_count),
so a page costs two queries whatever the table size. Several lists on one screen page
independently through their own query parameter (`param`)."""

from dataclasses import dataclass

from .api.pagination import COUNT_CAP, capped_count

PAGE_SIZE = 50


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
        """Page numbers around the current one, for direct links."""
        high = self.pages or (self.number + (1 if self.has_next else 0))
        return list(range(max(1, self.number - 2), min(high, self.number + 2) + 1))

    @property
    def hidden(self) -> list[tuple[str, str]]:
        """The other parameters as (name, value) pairs, for the jump-to-page form."""
        from django.http import QueryDict

        return [(k, v) for k, values in QueryDict(self.query).lists() for v in values]


def page_number(request, param: str = "page", *, posted: bool = False) -> int:
    """?<param>=N (posted=True: the form field of that name, for a form on a page that
    brings the user back to that page)."""
    data = request.POST if posted else request.GET
    try:
        return max(1, int(data.get(param, 1)))
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
