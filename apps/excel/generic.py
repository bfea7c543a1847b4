"""Export any list screen to .xlsx the same way: the view builds the queryset exactly as
the screen does (its own filter set over `Model.objects.restrict(user)`), and calls

    from apps.excel.generic import export_list
    return export_list(request, queryset, title="党费台账", columns=[("姓名", "member.name"), ("金额", "amount")])

Columns are (header, attribute path or callable(obj)). Personal data stays masked unless
the column itself reveals it (use the *_masked fields). The export is written to the
access log (EXPORT, with the request's filter parameters and the row count)."""

from collections.abc import Callable, Sequence

from django.utils import timezone

from apps.core.models import AccessLog

from .services import scope_root
from .views import xlsx_response

MAX_ROWS = 100_000


def _value(obj, path):
    if callable(path):
        return path(obj)
    value = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return ""
        if callable(value) and not hasattr(value, "all"):
            value = value()
    return value


def rows_for(queryset, columns: Sequence[tuple[str, str | Callable]], limit: int = MAX_ROWS):
    source = queryset.iterator(chunk_size=2000) if hasattr(queryset, "iterator") else iter(queryset)
    for n, obj in enumerate(source):
        if n >= limit:
            break
        yield [_value(obj, path) for _header, path in columns]


def export_list(request, queryset, *, title: str, columns: Sequence[tuple[str, str | Callable]], target: str = ""):
    from apps.core.xlsx import write_table

    rows = list(rows_for(queryset, columns))
    out = write_table(title, [h for h, _p in columns], rows)
    params = {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists()}
    AccessLog.record(
        AccessLog.Kind.EXPORT,
        user=request.user,
        target=(target or f"{title}导出")[:200],
        org_path=scope_root(request.user),
        filters=params,
        rows=len(rows),
        full_pii=False,
    )
    return xlsx_response(out.getvalue(), f"{title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
