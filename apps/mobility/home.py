"""Home page figures: what the user acts on (overdue receipts, waiting steps, mobile
members overdue)."""

from django.urls import reverse
from django.utils import timezone

from apps.core.scoping import has_action

from . import selectors


def figures(user) -> list[tuple]:
    if not has_action(user, "view"):
        return []
    c = selectors.counts(user, timezone.localdate())
    waiting = selectors.waiting_for(user).count()
    out = []
    if waiting:
        out.append(("待办理的组织关系转接", waiting, "件", reverse("mobility:transfers")))
    out.append(("转接回执逾期", c["transfers_overdue"], "件", reverse("mobility:transfers") + "?overdue=1"))
    out.append(("外出流动党员", c["mobile_away"], "名", reverse("mobility:mobile") + "?status=away"))
    if c["mobile_overdue"]:
        out.append(("流动党员逾期未报告/未返回", c["mobile_overdue"], "名", reverse("mobility:mobile") + "?overdue=1"))
    return out
