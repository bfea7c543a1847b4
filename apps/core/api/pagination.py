"""List paging that stays fast at 1M rows: the total is counted only up to a cap
(COUNT over a LIMITed subquery), and reported as "more than N" beyond it."""

from collections import OrderedDict

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


def capped_count(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, exact): counts at most cap+1 rows, so the cost is bounded whatever the table size.
    Grouped rows (values().annotate(), e.g. the arrears per member) are counted as the rows
    themselves: narrowing them to "pk" would count the lines they group."""
    if not hasattr(queryset, "query"):  # a list a selector computed (rows of grouped figures)
        n = len(queryset)
        return min(n, cap), n <= cap
    rows = queryset.order_by()
    if rows.query.group_by is None:
        rows = rows.values("pk")
    n = rows[: cap + 1].count()
    return min(n, cap), n <= cap


class CappedCountPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        try:
            self.page_number = max(1, int(request.query_params.get(self.page_query_param, 1)))
        except (TypeError, ValueError):
            self.page_number = 1
        offset = (self.page_number - 1) * page_size
        rows = list(queryset[offset : offset + page_size + 1])
        self.has_next = len(rows) > page_size
        self.count, self.count_exact = capped_count(queryset)
        self.page_size_used = page_size
        return rows[:page_size]

    def _link(self, number):
        url = self.request.build_absolute_uri()
        from rest_framework.utils.urls import replace_query_param

        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_exact", self.count_exact),
                    ("next", self._link(self.page_number + 1) if self.has_next else None),
                    ("previous", self._link(self.page_number - 1) if self.page_number > 1 else None),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "description": f"总数（超过{COUNT_CAP}时为{COUNT_CAP}，见 count_exact）"},
                "count_exact": {"type": "boolean"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }
