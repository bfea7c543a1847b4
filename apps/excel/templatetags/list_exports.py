"""{% export_button "<name>" %}: the “导出Excel” button of a registered list screen
(apps.excel.lists), carrying the page's current query string (its filters)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext

from apps.excel import lists

register = template.Library()


@register.inclusion_tag("excel/_export_button.html", takes_context=True)
def export_button(context, name: str, label: str = ""):
    entry = lists.get(name)  # an unknown name fails loudly when the page renders
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is not None:
        query.pop("page", None)
    url = reverse(f"excel:export_{entry.name}")
    if query:
        url += "?" + query.urlencode()
    return {"url": url, "label": label or gettext("导出Excel"), "title": entry.title}
