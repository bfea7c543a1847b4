"""A leader's figures on the home page: their contact points not visited this quarter,
and, for those who maintain organisations, overdue rectifications and unsent reports."""

import datetime

from django.urls import reverse
from django.utils import timezone

from apps.core.scoping import user_scope

from . import selectors
from .models import ContactAssignment, MonthlyReport


def figures(user) -> list[tuple]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_system", False):
        return []
    today = timezone.localdate()
    out = []
    if ContactAssignment.objects.filter(leader_id=user.pk, year=today.year, ended_on__isnull=True).exists():
        gaps = selectors.contact_gaps(user, today).count()
        out.append(("本季度未走访的联系点", gaps, "个", reverse("supervision:contacts") + "?mine=1"))
    if user_scope(user, "change").empty:
        return out
    overdue = selectors.overdue_rectifications(user, today).count()
    out.append(("整改超期", overdue, "项", reverse("supervision:rectifications") + "?overdue=1"))
    org = selectors.chosen_org(user, {}, "change")
    if org is not None and org.depth > 0:
        last = today.replace(day=1) - datetime.timedelta(days=1)
        sent = MonthlyReport.objects.filter(
            organisation=org, year=last.year, month=last.month, status=MonthlyReport.Status.SUBMITTED
        ).exists()
        if not sent:
            out.append(
                (f"{last.month}月报告未提交", 1, "份", reverse("supervision:report") + f"?org={org.pk}&year={last.year}&month={last.month}")
            )
    return out
