"""The OpenAPI schema generator (drf-spectacular), corrected where it would describe
answers the endpoints do not give.

DRF drops `allow_blank` from read-only ModelSerializer fields, so a choice column that may
be empty (`blank=True`, e.g. a member's 失联原因 or an arrears case's 决定 before the
meeting) was described as an enum without "" while the answer carries "". A read-only
choice field bound to a model field is described with the model field's blank/null.

A TimeField is a local wall-clock time ("19:30:00"). OpenAPI's `format: time` is RFC 3339
full-time, which requires an offset ("19:30:00Z"): validators rejected every time the API
sends. It is described as a string with the pattern the field accepts instead.
"""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


def _model_field(field):
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", "") or ""
    if model is None or not source or "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


LOCAL_TIME = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$", "example": "19:30:00"}


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.ChoiceField) and field.read_only:
            model_field = _model_field(field)
            if model_field is not None:
                field.allow_blank = field.allow_blank or bool(getattr(model_field, "blank", False) and model_field.empty_strings_allowed)
                field.allow_null = field.allow_null or bool(getattr(model_field, "null", False))
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField):
            _local_time(schema)
        return schema


def _local_time(schema: dict) -> None:
    """format: time → the local-time pattern, in the schema or its anyOf/oneOf branches."""
    if schema.get("format") == "time":
        schema.pop("format")
        schema.update(LOCAL_TIME)
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key) or []:
            if isinstance(branch, dict):
                _local_time(branch)
