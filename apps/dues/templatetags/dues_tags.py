"""`{% load dues_tags %}{% dues_branch_panel org %}` shows an organisation's dues at a
glance (this month's ledger, arrears, open cases) on pages owned by other apps, such as
the organisation page. Fixed number of queries; respects the viewer's scope."""

from django import template
from django.utils import timezone

from apps.core.scoping import can_act_on_org

from .. import months as mo
from .. import selectors

register = template.Library()


@register.inclusion_tag("dues/_branch_panel.html", takes_context=True)
def dues_branch_panel(context, org):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_act_on_org(user, org, "view"):
        return {"visible": False}
    today = timezone.localdate()
    month = mo.month_start(today)
    data = selectors.ledger_totals(org, month)
    return {
        "visible": True,
        "org": org,
        "month": month,
        "totals": data,
        "arrears": selectors.arrears_list(user, org, today, limit=10),
    }
