"""To-do items of the member registry: members' change requests awaiting review."""

from django.urls import reverse

from apps.core.api.pagination import capped_count
from apps.core.todo import TodoItem, register

from .models import MemberChangeRequest


@register
def pending_change_requests(user) -> list[TodoItem]:
    qs = MemberChangeRequest.objects.restrict(user, "change").filter(status=MemberChangeRequest.Status.PENDING)
    n, exact = capped_count(qs, cap=100)
    if not n:
        return []
    return [
        TodoItem(module="党员名册", title=f"{n}{'' if exact else '+'} 条党员信息修改申请待审核", url=reverse("members:change_requests"))
    ]
