"""Home-page figures: what waits for this user in appraisal and handling."""

from django.urls import reverse
from django.utils import timezone

from apps.core.scoping import has_action

from . import rules, selectors
from .models import HandlingCase


def figures(user) -> list[tuple]:
    out = []
    if getattr(user, "member_id", None):
        for a in selectors.my_appraisals(user)[:1]:
            if a.branch.phase == "self" and not a.self_submitted_on:
                out.append(("民主评议：待填写自评", 1, "项", reverse("appraisal:my")))
            elif a.branch.phase == "rating" and not a.has_voted and a.member_type in rules.RATER_MEMBER_TYPES:
                out.append(("民主评议：待投票", 1, "项", reverse("appraisal:my")))
    if has_action(user, "change"):
        today = timezone.localdate()
        open_cases = HandlingCase.objects.restrict(user, "change").filter(status=HandlingCase.Status.OPEN)
        n_open = open_cases.count()
        n_overdue = open_cases.filter(kind=rules.CORRECTION, step="decided", deadline__lt=today).count()
        if n_open:
            out.append(("办理中组织处置", n_open, "件", reverse("appraisal:cases") + "?status=open"))
        if n_overdue:
            out.append(("限期改正已到期", n_overdue, "件", reverse("appraisal:cases") + "?overdue=1"))
    return out
