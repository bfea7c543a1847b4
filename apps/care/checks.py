"""The member check this domain contributes (registry.member_checks): a party sanction
still barring commendation (受处分期间不得评先评优). The sanction records live in the
member registry (apps.members MemberDiscipline); how long each bars is rules.SANCTION_BAR_MONTHS."""

import datetime

from apps.core.dates import add_months
from apps.members.models import MemberDiscipline

from . import rules


def sanction_in_force(member_ids, as_of: datetime.date) -> dict[int, str]:
    out: dict[int, str] = {}
    rows = MemberDiscipline.objects.filter(member_id__in=list(member_ids), decided_on__lte=as_of).order_by("member_id", "-decided_on")
    for d in rows:
        if d.member_id in out:
            continue
        if d.kind == "probation" and d.ends_on:
            until = d.ends_on
        else:
            months = rules.SANCTION_BAR_MONTHS.get(d.kind, 12)
            until = None if months is None else add_months(d.decided_on, months)
        if until is None or as_of <= until:
            label = d.get_kind_display()
            out[d.member_id] = f"{d.decided_on}受{label}处分" + (f"，影响期至{until}" if until else "")
    return out
