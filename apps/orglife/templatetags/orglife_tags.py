"""`{% load orglife_tags %}{% orglife_compliance_panel org %}`: the organisation's
organisational life at a glance on pages of other apps (the organisation page): per
applicable meeting kind, whether the current month/quarter/year has its meeting and the
year so far — required, met, missing. Respects the viewer's scope; a fixed number of
queries (compliance.org_compliance: the committee, the meetings, one per held_records
source)."""

from django import template
from django.utils import timezone

from apps.core.scoping import can_act_on_org

from .. import compliance, rules, services

register = template.Library()


@register.inclusion_tag("orglife/_org_panel.html", takes_context=True)
def orglife_compliance_panel(context, org):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or org.org_type not in rules.COMPLIANCE_TYPES or not can_act_on_org(user, org, "view"):
        return {"visible": False}
    today = timezone.localdate()
    rows = compliance.org_compliance([org], today.year, None, today, services.current_version()).get(org.pk, [])
    return {
        "visible": True,
        "org": org,
        "year": today.year,
        "rows": [
            {
                "row": r,
                "period": rules.PERIOD_WORD[r.frequency],
                "current": compliance.period_label(r.frequency, compliance.period_of(r.frequency, today)),
                "current_met": not r.current_open,
                "missing": "、".join(compliance.period_label(r.frequency, p) for p in r.missing),
            }
            for r in rows
        ],
        "lagging": sum(1 for r in rows if r.overdue),
    }
