from django import template

from apps.core.history import attach_readable, object_type_label

register = template.Library()


@register.filter
def history_changes(entry):
    """Rows prepared by attach_readable (one batch per page); a lone entry is prepared here."""
    if not hasattr(entry, "readable"):
        attach_readable([entry])
    return entry.readable


@register.filter
def history_type(object_type):
    return object_type_label(object_type)
