import datetime


def add_months(d: datetime.date, months: int) -> datetime.date:
    """Calendar months; the 31st becomes the last day of a shorter month (2024-01-31 + 1 → 2024-02-29)."""
    month_index = d.month - 1 + months
    year, month = d.year + month_index // 12, month_index % 12 + 1
    import calendar

    day = min(d.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def add_years(d: datetime.date, years: int) -> datetime.date:
    """Same day years later; 29 February becomes 28 February in a common year."""
    return add_months(d, 12 * years)
