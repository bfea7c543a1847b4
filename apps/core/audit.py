"""Writing the change history. Services call `record_change` inside their transaction;
nothing else writes ChangeLog rows.

Usage in a service:
    before = snapshot(member)
    ... change and save ...
    record_change(member, ChangeLog.Action.UPDATE, before=before)
"""

import datetime
import decimal
import functools
import uuid

from django.db import models

from .context import current_actor
from .models import ChangeLog

_PLAIN = (str, int, bool, float, type(None))


def _serialise(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_serialise(v) for v in value]
    return value


@functools.cache
def _audited_fields(model) -> tuple[tuple[str, str], ...]:
    exclude = set(getattr(model, "AUDIT_EXCLUDE", ()))
    return tuple((f.name, f.attname) for f in model._meta.concrete_fields if f.name not in exclude and not f.primary_key)


def snapshot(obj: models.Model) -> dict:
    """The auditable field values of a record. Models list fields never to copy into the
    history (ciphertext, blind indexes, denormalised paths) in AUDIT_EXCLUDE."""
    data = {name: _serialise(getattr(obj, attname)) for name, attname in _audited_fields(type(obj))}
    extra = getattr(obj, "audit_extra", None)
    if callable(extra):
        data.update({k: _serialise(v) for k, v in extra().items()})
    return data


def object_type(obj_or_model) -> str:
    return obj_or_model._meta.label_lower


def change_row(obj: models.Model, action: str, *, before: dict | None, after: dict | None, message: str = "", at=None) -> dict:
    """The ChangeLog row record_change writes, as a plain dict for a bulk INSERT of many
    records' changes (apps.core.bulk.insert_dicts); `at`: the batch's one timestamp."""
    actor = current_actor()
    org_path = obj.audit_org_path() if callable(getattr(obj, "audit_org_path", None)) else ""
    row = {
        "user_id": actor.user_id,
        "username": actor.username,
        "ip": actor.ip,
        "request_id": actor.request_id,
        "source": actor.source,
        "action": str(action),
        "object_type": object_type(obj),
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
        "org_path": org_path or "",
        "before": before,
        "after": after,
        "message": message[:255],
    }
    if at is not None:
        row["at"] = at
    return row


def record_change(
    obj: models.Model, action: str, *, before: dict | None = None, message: str = "", org_path: str | None = None
) -> ChangeLog:
    actor = current_actor()
    after = None if action == ChangeLog.Action.DELETE else snapshot(obj)
    if org_path is None:
        org_path = getattr(obj, "audit_org_path", lambda: "")() if callable(getattr(obj, "audit_org_path", None)) else ""
    return ChangeLog.objects.create(
        user_id=actor.user_id,
        username=actor.username,
        ip=actor.ip,
        request_id=actor.request_id,
        source=actor.source,
        action=action,
        object_type=object_type(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        org_path=org_path or "",
        before=before,
        after=after,
        message=message[:255],
    )


def history_for(obj: models.Model):
    return ChangeLog.objects.filter(object_type=object_type(obj), object_id=str(obj.pk)).select_related(None)


def field_label(object_type_label: str, field_name: str) -> str:
    """The Chinese label of a field named in a history row."""
    from django.apps import apps

    try:
        model = apps.get_model(object_type_label)
        return str(model._meta.get_field(field_name).verbose_name)
    except (LookupError, ValueError, Exception):
        return field_name
