"""Reading the change history and the access log for people: readable Chinese diffs,
and the search filters used by the history pages."""

import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from apps.core.audit import field_label

EMPTY = "—"


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def display_value(object_type: str, field_name: str, value) -> str:
    """A stored history value as a person reads it: choice labels, 是/否, — for empty."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    model = _model(object_type)
    field = None
    if model is not None:
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:
            field = None
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def readable_changes(entry) -> list[dict]:
    """[{label, before, after}] for the fields an entry changed (all fields on create)."""
    rows = []
    for name, before, after in entry.changed_fields:
        rows.append(
            {
                "field": name,
                "label": field_label(entry.object_type, name),
                "before": display_value(entry.object_type, name, before),
                "after": display_value(entry.object_type, name, after),
            }
        )
    return rows


def record_history(obj, limit: int = 50):
    """The newest history entries of one record, for its page:
    {% include "accounts/_history.html" with entries=history %}. The caller has already
    fetched obj through the scoping mechanism, so its history is in scope too."""
    from apps.core.audit import history_for

    return list(history_for(obj).order_by("-at", "-id")[:limit])


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
