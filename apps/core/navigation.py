"""The left navigation, declared once. An entry whose URL name is not (yet) installed is
left out, and so is one the user cannot use: "change_self" entries need a member's own
record, every other action needs that action on some organisation subtree (a member's
"view" on their own record does not show the organisation-wide screens). None: always."""

from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    # (section, [(label, url name, action)])
    (_("工作台"), [(_("首页"), "core:home", None), (_("我的待办"), "core:todo", None)]),
    (
        _("组织与党员"),
        [
            (_("组织树"), "orgs:tree", "view"),
            (_("换届提醒"), "orgs:terms", "view"),
            (_("党员名册"), "members:list", "view"),
            (_("信息修改审核"), "members:change_requests", "change"),
            (_("我的信息"), "members:me", "change_self"),
            (_("我的党费"), "dues:my", "change_self"),
        ],
    ),
    (
        _("发展党员"),
        [
            (_("发展档案"), "recruitment:file_list", "view"),
            (_("积极分子库"), "recruitment:activists", "view"),
            (_("发展计划"), "recruitment:plans", "view"),
            (_("月报告与通报"), "recruitment:monthly", "view"),
        ],
    ),
    (
        _("党费"),
        [
            (_("党费台账"), "dues:ledger", "view"),
            (_("欠缴提醒"), "dues:arrears", "view"),
            (_("收缴上交"), "dues:collections", "view"),
            (_("减免审批"), "dues:reductions", "view"),
            (_("党费公开"), "dues:disclosure", "view"),
        ],
    ),
    (
        _("数据"),
        [
            (_("党员导入"), "excel:import", "change"),
            (_("导出任务"), "excel:exports", "view"),
            (_("党内统计"), "stats:dashboard", "view"),
        ],
    ),
    (
        _("系统"),
        [
            (_("用户与角色"), "accounts:users", "manage_users"),
            (_("变更历史"), "accounts:changelog", "audit"),
            (_("敏感操作日志"), "accounts:accesslog", "audit"),
            (_("规则设置"), "recruitment:settings", "configure"),
            (_("接口文档"), "api-docs", "view"),
        ],
    ),
]
