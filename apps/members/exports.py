"""The member list screens that offer “导出Excel” (registered in MembersConfig.ready())."""

from apps.core.columns import date, display, month  # noqa: F401
from apps.core.registry import ListExport, lists

from . import selectors as members

register = lists.register

# -- 党员、组织 ---------------------------------------------------------------------

register(
    ListExport(
        "members_change_requests",
        "党员信息修改审核",
        members.change_request_list,
        [
            ("党员", "member.name", 12),
            ("所在组织", "member.organisation.display_name", 30),
            ("修改项", display("field"), 10),
            ("原值", "old_display", 16),
            ("申请改为", "new_display", 16),
            ("说明", "reason", 30),
            ("申请时间", "requested_at", 18),
        ],
        page="members:change_requests",
    )
)
