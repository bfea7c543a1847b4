"""Quarters and months as date ranges."""

import datetime

from django.core.exceptions import ValidationError


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def period_range(year: int, quarter: int | None = None) -> tuple[datetime.date, datetime.date]:
    """First and last day of the quarter (or of the year when quarter is None)."""
    if quarter is None:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    return start, month_end(year, 3 * quarter)


def month_end(year: int, month: int) -> datetime.date:
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def period_label(year: int, quarter: int | None = None) -> str:
    return f"{year}年" + (f"第{quarter}季度" if quarter else "")


def parse_period(year, quarter=None, *, field: str = "year") -> tuple[int, int | None]:
    """Year (2000–2100) and quarter (1–4 or empty) from user input, else a Chinese error."""
    try:
        y = int(str(year).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: ["年度须为四位数字，例如 2026"]}) from None
    if not 2000 <= y <= 2100:
        raise ValidationError({field: ["年度须在 2000 至 2100 之间"]})
    if quarter in (None, ""):
        return y, None
    try:
        q = int(str(quarter).strip())
    except (TypeError, ValueError):
        raise ValidationError({"quarter": ["季度须为 1 至 4"]}) from None
    if not 1 <= q <= 4:
        raise ValidationError({"quarter": ["季度须为 1 至 4"]})
    return y, q


def parse_month(year, month) -> tuple[int, int]:
    y, _ = parse_period(year)
    try:
        m = int(str(month).strip())
    except (TypeError, ValueError):
        raise ValidationError({"month": ["月份须为 1 至 12"]}) from None
    if not 1 <= m <= 12:
        raise ValidationError({"month": ["月份须为 1 至 12"]})
    return y, m
