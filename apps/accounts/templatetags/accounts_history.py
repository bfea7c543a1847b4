from django import template

from apps.accounts.history import object_type_label, readable_changes

register = template.Library()


@register.filter
def history_changes(entry):
    return readable_changes(entry)


@register.filter
def history_type(object_type):
    return object_type_label(object_type)
