"""Change history made readable: ChangeLog rows → Chinese field labels and display values
(choice labels, organisation names) in a fixed number of queries."""

from dataclasses import dataclass

from django.db import models

from apps.core.audit import field_label, history_for

EMPTY = "（空）"


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: object
    username: str
    action: str
    message: str
    changes: list


def _field(model, name):
    try:
        field = model._meta.get_field(name)
    except Exception:
        return None
    return field if getattr(field, "concrete", False) else None


def _display(field, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, list):
        if field is None:
            from apps.members.codes import CATEGORY_CHOICES

            labels = dict(CATEGORY_CHOICES)
            return "、".join(str(labels.get(v, v)) for v in value)
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.related_model is not None:
        return names.get((field.related_model._meta.label_lower, value), f"#{value}")
    return str(value)


def readable_history(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    rows = list(history_for(obj)[:limit])
    model = type(obj)
    label = model._meta.label_lower
    wanted: dict[type, set] = {}
    for row in rows:
        for key, before, after in row.changed_fields:
            f = _field(model, key)
            if f is not None and f.is_relation and f.related_model is not None:
                wanted.setdefault(f.related_model, set()).update(v for v in (before, after) if v not in (None, ""))
    names = {}
    for rel_model, ids in wanted.items():
        for pk, text in ((o.pk, str(o)) for o in rel_model._base_manager.filter(pk__in=ids)):
            names[(rel_model._meta.label_lower, pk)] = text
    entries = []
    for row in rows:
        changes = []
        if row.action != "create":
            for key, before, after in row.changed_fields:
                f = _field(model, key)
                name = "党员类别" if key == "categories" and f is None else field_label(label, key)
                changes.append(Change(name, _display(f, before, names), _display(f, after, names)))
        entries.append(HistoryEntry(row.at, row.username or "系统", row.get_action_display(), row.message, changes))
    return entries
