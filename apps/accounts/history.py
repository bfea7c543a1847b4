"""Search filters of the change-history and access-log pages (readable diffs: apps.core.history)."""

import datetime

from django.utils import timezone


def parse_date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def day_start(d: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(d, datetime.time.min))


def filter_by_period(qs, field: str, date_from, date_to):
    if date_from:
        qs = qs.filter(**{f"{field}__gte": day_start(date_from)})
    if date_to:
        qs = qs.filter(**{f"{field}__lt": day_start(date_to + datetime.timedelta(days=1))})
    return qs
