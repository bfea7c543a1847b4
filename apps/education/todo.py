"""The education to-do provider: a member's open quizzes not yet taken; for those who keep
records, last month's education plan items not executed and hand-entered claims waiting
for approval (all year), and in the fourth quarter the members and secretaries behind on
hours, for branch and township users (domain-rules §4: the year's hours must be reached
by 31 December)."""

import datetime

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.core.api.pagination import capped_count
from apps.core.scoping import has_action
from apps.core.todo import TodoItem

from . import rules, selectors
from .services import current_rules

MODULE = "学习教育"
REMINDED_ORG_TYPES = {"committee", "general_branch", "branch", "joint_branch", "temporary_branch"}


def items(user) -> list[TodoItem]:
    out: list[TodoItem] = []
    today = timezone.localdate()
    out += open_quizzes(user, today)
    if not has_action(user, "change"):
        return out
    out += missed_plan_items(user, today)
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


def open_quizzes(user, today) -> list[TodoItem]:
    """考学 open today for the user's own member record that they have not started. One
    query (none for a user without a member record)."""
    from apps.members.models import Member

    from .models import QuizAttempt

    member = Member.objects.filter(pk=user.member_id).only("id", "org_path").first() if getattr(user, "member_id", None) else None
    if member is None:
        return []
    quizzes = list(
        selectors.quizzes_for_member(member)
        .filter(opens_on__lte=today, closes_on__gte=today)
        .exclude(pk__in=QuizAttempt.objects.filter(member=member).values("quiz_id"))
        .order_by("closes_on", "id")[:6]
    )
    url = reverse("education:quizzes")
    out = [TodoItem(MODULE, f"考学“{q.title}”尚未参加", url, due=q.closes_on, kind="考学") for q in quizzes[:5]]
    if len(quizzes) > 5:
        out.append(TodoItem(MODULE, "还有其他考学尚未参加", url, kind="考学"))
    return out


def missed_plan_items(user, today) -> list[TodoItem]:
    """Education plan items of last month not executed (read from the records, as on the
    plan page), per organisation the user keeps (the first five, then a line for the
    rest). One query."""
    from django.db.models import Q

    from .models import PlanItem

    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    paths = [o.path for o in visible_orgs(user, "change").order_by("depth", "path")[:1]]
    if not paths:
        return []
    missed = (
        selectors._annotated_items(PlanItem.objects.filter(plan__org_path__startswith=paths[0], year=last.year, month=last.month))
        .filter(Q(training_class__isnull=False, class_done=False) | Q(training_class__isnull=True, entries_done=False))
        .values("plan_id", "plan__organisation__name")
        .annotate(n=Count("id"))
        .order_by("plan__org_path", "plan_id")
    )
    rows = list(missed[:6])
    out = [
        TodoItem(
            MODULE,
            f"{r['plan__organisation__name']}：{last.year}年{last.month}月有{r['n']}个教育计划项目未执行",
            reverse("education:plan_detail", args=[r["plan_id"]]),
            org=r["plan__organisation__name"],
            kind="教育计划",
            count=r["n"],
        )
        for r in rows[:5]
    ]
    if len(rows) > 5:
        out.append(
            TodoItem(MODULE, f"还有其他组织{last.year}年{last.month}月的教育计划项目未执行", reverse("education:plans"), kind="教育计划")
        )
    return out
