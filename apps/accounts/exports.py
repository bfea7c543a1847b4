"""The account and audit list screens that offer “导出Excel” (registered in AccountsConfig.ready())."""

from apps.core.columns import date, display, month  # noqa: F401
from apps.core.history import attach_readable, object_type_label
from apps.core.registry import ListExport, lists

from . import selectors as accounts

register = lists.register

# -- 用户与审计 ---------------------------------------------------------------------

register(
    ListExport(
        "accounts_users",
        "用户与角色",
        accounts.user_list,
        [
            ("账号", "username", 16),
            ("姓名", "display_name", 12),
            ("当前角色", lambda u: "；".join(f"{a.get_role_display()} · {a.organisation.name}" for a in u.current_assignments), 40),
            ("状态", lambda u: "正常" if u.is_active else "已停用", 8),
            ("待改密码", "must_change_password", 10),
            ("最近登录", "last_login", 18),
        ],
        page="accounts:users",
    )
)


def change_text(e):
    parts = [e.message] if e.message else []
    for c in e.readable:
        if e.action == "create":
            parts.append(f"{c['label']}：{c['after']}")
        elif e.action == "delete":
            parts.append(f"{c['label']}：{c['before']}（已删除）")
        else:
            parts.append(f"{c['label']}：{c['before']} → {c['after']}")
    return "\n".join(parts)


register(
    ListExport(
        "accounts_changelog",
        "变更历史",
        accounts.changelog_list,
        [
            ("时间", "at", 18),
            ("操作人", lambda e: e.username or "系统", 14),
            ("操作", display("action"), 8),
            ("对象类型", lambda e: object_type_label(e.object_type), 14),
            ("对象", "object_repr", 24),
            ("内容", change_text, 60),
            ("IP", "ip", 14),
            ("来源", lambda e: e.source_label or e.source, 10),
            ("请求编号", "request_id", 20),
        ],
        prepare=attach_readable,
        page="accounts:changelog",
    )
)
register(
    ListExport(
        "accounts_accesslog",
        "敏感操作日志",
        accounts.accesslog_list,
        [
            ("时间", "at", 18),
            ("账号", "username", 14),
            ("类型", display("kind"), 20),
            ("对象", "target", 40),
            ("IP", "ip", 14),
            ("请求编号", "request_id", 20),
        ],
        page="accounts:accesslog",
    )
)
