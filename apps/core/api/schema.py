"""The OpenAPI schema generator (drf-spectacular), corrected where it would describe
answers the endpoints do not give.

DRF drops `allow_blank` from read-only ModelSerializer fields, so a choice column that may
be empty (`blank=True`, e.g. a member's 失联原因 or an arrears case's 决定 before the
meeting) was described as an enum without "" while the answer carries "". A read-only
choice field bound to a model field is described with the model field's blank/null.

DRF writes and reads a TimeField as "HH:MM[:SS[.ffffff]]" with no offset, while OpenAPI's
`format: time` is RFC 3339's full-time, which needs one ("09:30:00+08:00"): such a field
is described by the pattern of what it really carries.
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


LOCAL_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if isinstance(field, serializers.TimeField):
            schema = super()._map_serializer_field(field, direction, bypass_extensions)
            if schema.get("format") == "time":
                schema.pop("format")
                schema["pattern"] = LOCAL_TIME_PATTERN
            return schema
        if isinstance(field, serializers.ChoiceField) and field.read_only:
            model_field = _model_field(field)
            if model_field is not None:
                field.allow_blank = field.allow_blank or bool(getattr(model_field, "blank", False) and model_field.empty_strings_allowed)
                field.allow_null = field.allow_null or bool(getattr(model_field, "null", False))
        return super()._map_serializer_field(field, direction, bypass_extensions)
