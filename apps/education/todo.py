"""The education to-do provider: hand-entered claims waiting for approval (all year), and
in the fourth quarter the members and secretaries behind on hours, for branch and
township users (domain-rules §4: the year's hours must be reached by 31 December)."""

from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import has_action, visible_orgs
from apps.core.api.pagination import capped_count
from apps.core.todo import TodoItem

from . import rules, selectors
from .services import current_rules

MODULE = "学习教育"
REMINDED_ORG_TYPES = {"committee", "general_branch", "branch", "joint_branch", "temporary_branch"}


def items(user) -> list[TodoItem]:
    out: list[TodoItem] = []
    if not has_action(user, "change"):
        return out
    today = timezone.localdate()
    if has_action(user, "approve"):
        n, exact = capped_count(selectors.pending_entries(user))
        if n:
            out.append(TodoItem(MODULE, f"{n if exact else f'超过{n}'}条支部登记的学时待审批", reverse("education:entries") + "#pending"))
    if today.month < rules.REMINDER_FROM_MONTH:
        return out
    values = current_rules().all_values()
    year_end = rules.year_bounds(today.year)[1]
    for org in visible_orgs(user, "change").filter(org_type__in=REMINDED_ORG_TYPES).order_by("depth", "path")[:1]:
        behind = selectors.progress_members(selectors.subtree_members(org), today.year).filter(
            selectors.behind_condition(values, today.year, today)
        )
        agg = behind.aggregate(n=_count(), secretaries=_count(is_secretary=True))
        if agg["n"]:
            url = f"{reverse('education:progress')}?org={org.pk}&behind=1"
            title = f"{org.display_name}：{agg['n']}名党员学时进度落后"
            if agg["secretaries"]:
                title += f"（其中书记{agg['secretaries']}名）"
            out.append(TodoItem(MODULE, title, url, due=year_end, org=org.name))
    return out


def _count(**condition):
    from django.db.models import Count, Q

    return Count("id", filter=Q(**condition)) if condition else Count("id")
