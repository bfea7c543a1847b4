"""Read side of member screens that are not the roster itself (the roster's filters:
apps.members.filters). Pages and their Excel exports (apps.excel.lists) call these."""

from .models import MemberChangeRequest


def change_request_list(user, params=None):
    """党员信息修改审核: pending requests of members in the user's "change" scope, oldest first."""
    return (
        MemberChangeRequest.objects.restrict(user, "change")
        .filter(status=MemberChangeRequest.Status.PENDING)
        .select_related("member__organisation")
        .order_by("requested_at", "id")
    )
