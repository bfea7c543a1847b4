from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import selectors

lists.register(
    ListExport(
        "democracy_feedback",
        "意见反馈",
        selectors.feedback_list,
        [
            ("提出日期", lambda f: date(f.raised_on), 12),
            ("提出人", "raiser_name", 14),
            ("提出组织", "origin.name", 30),
            ("负责答复", "organisation.name", 30),
            ("类别", "category.name", 14),
            ("标题", "subject", 30),
            ("答复期限", lambda f: date(f.due_on), 12),
            ("上交次数", "level", 8),
            ("状态", display("status"), 8),
            ("答复日期", lambda f: date(f.answered_on), 12),
            ("按期", lambda f: {True: "是", False: "否"}.get(f.answered_in_time, ""), 6),
        ],
        page="democracy:feedback_list",
    )
)
lists.register(
    ListExport(
        "democracy_notices",
        "党务公开",
        selectors.notice_list,
        [
            ("公开日期", lambda n: date(n.publish_on), 12),
            ("发布组织", "organisation.name", 30),
            ("类别", "category.name", 12),
            ("标题", "title", 30),
            ("公开范围", display("audience"), 16),
            ("撤下日期", lambda n: date(n.withdraw_on), 12),
            ("已读人数", "read_count", 10),
        ],
        page="democracy:notices",
    )
)
