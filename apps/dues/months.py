"""Year-months as the first day of the month."""

import calendar
import datetime
import re

from django.core.exceptions import ValidationError

from apps.core.dates import add_months

_MONTH_RE = re.compile(r"^\s*(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?\s*$")


def month_start(d: datetime.date) -> datetime.date:
    return d.replace(day=1)


def month_end(d: datetime.date) -> datetime.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def parse_month(value, field: str = "month", label: str = "月份") -> datetime.date:
    """'2026-03', '2026年3月', a date or datetime → 2026-03-01; Chinese error otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "")
    m = _MONTH_RE.match(text)
    if not m:
        try:
            return datetime.date.fromisoformat(text.strip()).replace(day=1)
        except ValueError:
            raise ValidationError({field: [f"{label}“{text}”格式错误，应为 YYYY-MM（如 2026-03）"]})
    year, month = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12) or not (1900 <= year <= 2999):
        raise ValidationError({field: [f"{label}“{text}”不是有效的年月"]})
    return datetime.date(year, month, 1)


def shift(month: datetime.date, n: int) -> datetime.date:
    return add_months(month, n)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def label(month: datetime.date | None) -> str:
    return f"{month:%Y年%m月}" if month else ""


def quarter_months(month: datetime.date) -> list[datetime.date]:
    first = datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    return [add_months(first, i) for i in range(3)]
