"""Change history as people read it: Chinese field labels, choice labels instead of
codes, names instead of ids, local times instead of ISO strings. One module serves every
history view (record pages, the administrator's search); related names are fetched in
one query per related model, whatever the number of entries."""

import datetime
from collections import defaultdict
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone

from .audit import field_label

EMPTY = "—"
SOURCE_LABELS = {"web": "网页", "api": "接口", "cli": "命令行", "task": "后台任务", "system": "系统", "demo": "演示数据"}
EXTRA_FIELD_LABELS = {"categories": "党员类别", "parent": "上级组织"}
# Labels of the values of list-valued extra fields ("categories" → {code: 党员类别 label}),
# registered by the app that owns the codes (register_value_labels in its ready()).
VALUE_LABELS: dict[str, dict] = {}


# How one field of one model reads where the field itself has no choices: a code list
# (next step → its name), a code whose list depends on another field of the entry (a
# change request's 原值 by its 修改项), or a JSON record ({'decided_by': 'committee'} →
# 决定机构：支部委员会). (object_type, field) → (display(value, context, names), related(value)):
# context holds the entry's other values (after the change), names the related objects'
# names, fetched for all entries at once from what related(value) yields ((model, pk)…).
VALUE_DISPLAYS: dict[tuple[str, str], tuple[Callable, Callable | None]] = {}


def register_value_labels(name: str, labels: dict, *, field_label: str | None = None) -> None:
    VALUE_LABELS[name] = {str(k): str(v) for k, v in labels.items()}
    if field_label:
        EXTRA_FIELD_LABELS[name] = field_label


def register_value_display(object_type: str, field: str, display: Callable, *, related: Callable | None = None) -> None:
    VALUE_DISPLAYS[(object_type, field)] = (display, related)


def register_field_choices(object_type: str, field: str, choices) -> None:
    """Show a code field that has no model choices with the labels of `choices`."""
    labels = {str(k): str(v) for k, v in choices}
    register_value_display(object_type, field, lambda value, context, names: labels.get(str(value), str(value)))


def related_name(names: dict, model, pk) -> str:
    return names.get((model._meta.label_lower, str(pk)), f"编号{pk}")


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def _relation_target(field):
    if field is not None and field.is_relation and field.related_model is not None:
        return field.related_model
    return None


def _datetime_text(value: str) -> str | None:
    if not isinstance(value, str) or len(value) < 16 or value[4:5] != "-" or "T" not in value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return parsed.strftime("%Y-%m-%d %H:%M")


def display_value(field, name: str, value, names: dict) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        if name in VALUE_LABELS:
            labels = VALUE_LABELS[name]
            return "、".join(labels.get(str(v), str(v)) for v in value)
        return "、".join(str(v) for v in value)
    if field is not None and field.choices:
        return {str(k): str(v) for k, v in field.flatchoices}.get(str(value), str(value))
    target = _relation_target(field)
    if target is not None:
        return names.get((target._meta.label_lower, str(value)), f"编号{value}")
    return _datetime_text(value) or str(value)


def attach_readable(entries) -> list:
    """Give each ChangeLog entry `.readable` ([{field, label, before, after}]) and
    `.source_label`; returns the entries as a list."""
    entries = list(entries)
    wanted: dict = defaultdict(set)
    for entry in entries:
        model = _model(entry.object_type)
        for name, before, after in entry.changed_fields:
            target = _relation_target(_field(model, name))
            if target is not None:
                wanted[target].update(str(v) for v in (before, after) if v not in (None, ""))
            custom = VALUE_DISPLAYS.get((entry.object_type, name))
            if custom and custom[1]:
                for v in (before, after):
                    if v not in (None, "", [], {}):
                        for related_model, pk in custom[1](v):
                            wanted[related_model].add(str(pk))
    names = {}
    for target, ids in wanted.items():
        for obj in target._base_manager.filter(pk__in=list(ids)):
            names[(target._meta.label_lower, str(obj.pk))] = str(obj)
    for entry in entries:
        model = _model(entry.object_type)
        rows = []
        context = {name: after for name, _before, after in entry.changed_fields}
        for name, before, after in entry.changed_fields:
            field = _field(model, name)
            label = EXTRA_FIELD_LABELS.get(name) if field is None and name in EXTRA_FIELD_LABELS else field_label(entry.object_type, name)
            custom = VALUE_DISPLAYS.get((entry.object_type, name))

            def shown(value, field=field, name=name, custom=custom, context=context):
                if custom and value not in (None, "", [], {}):
                    return custom[0](value, context, names)
                return display_value(field, name, value, names)

            rows.append({"field": name, "label": label, "before": shown(before), "after": shown(after)})
        entry.readable = rows
        entry.source_label = SOURCE_LABELS.get(entry.source, entry.source)
    return entries


def object_type_label(object_type: str) -> str:
    model = _model(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


class HistoryEntries(list):
    """A record page's newest history entries; `more`: older ones exist; `full_url`: the
    change-history search of this record, for a user who may search it (else "")."""

    more = False
    full_url = ""


def record_history(obj, limit: int = 50, *, user=None) -> HistoryEntries:
    """The newest readable history entries of one record, for its page. The caller has
    already fetched obj through the scoping mechanism, so its history is in scope too.
    When there are more than `limit`, the page says so and, for a user with the audit
    right, links to the whole history in the change-history search."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from .audit import history_for, object_type
    from .scoping import has_action

    rows = list(history_for(obj).order_by("-at", "-id")[: limit + 1])
    entries = HistoryEntries(attach_readable(rows[:limit]))
    entries.more = len(rows) > limit
    if entries.more and user is not None and has_action(user, "audit"):
        query = urlencode({"object_type": object_type(obj), "object_id": str(obj.pk)})
        entries.full_url = f"{reverse('accounts:changelog')}?{query}"
    return entries
