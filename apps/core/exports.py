"""Core list screens that offer “导出Excel” (the to-do list; registered in CoreConfig.ready())."""

from apps.core.columns import date, display, month  # noqa: F401
from apps.core.registry import ListExport, lists

from . import todo

register = lists.register

# -- 待办 ---------------------------------------------------------------------------

register(
    ListExport(
        "core_todo",
        "我的待办",
        lambda user, params: todo.items_for(user),
        [
            ("模块", "module", 10),
            ("事项", "title", 50),
            ("组织", "org", 36),
            ("期限", lambda i: date(i.due), 12),
            ("已逾期", "overdue", 8),
        ],
        page="core:todo",
    )
)
