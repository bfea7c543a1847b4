"""The left navigation, declared once. An entry whose URL name is not (yet) installed is
left out, and so is one whose action the user holds nowhere."""

NAVIGATION = [
    # (section, [(label, url name, action)])
    ("工作台", [("首页", "core:home", "view"), ("我的待办", "core:todo", "view")]),
    (
        "组织与党员",
        [
            ("组织树", "orgs:tree", "view"),
            ("换届提醒", "orgs:terms", "view"),
            ("党员名册", "members:list", "view"),
            ("信息修改审核", "members:change_requests", "change"),
            ("我的信息", "members:me", "change_self"),
            ("我的党费", "dues:my", "change_self"),
        ],
    ),
    (
        "发展党员",
        [
            ("发展档案", "recruitment:file_list", "view"),
            ("积极分子库", "recruitment:activists", "view"),
            ("发展计划", "recruitment:plans", "view"),
            ("月报告与通报", "recruitment:monthly", "view"),
        ],
    ),
    (
        "党费",
        [
            ("党费台账", "dues:ledger", "view"),
            ("欠缴提醒", "dues:arrears", "view"),
            ("收缴上交", "dues:collections", "view"),
            ("减免审批", "dues:reductions", "view"),
            ("党费公开", "dues:disclosure", "view"),
        ],
    ),
    (
        "数据",
        [
            ("党员导入", "excel:import", "change"),
            ("导出任务", "excel:exports", "view"),
            ("党内统计", "stats:dashboard", "view"),
        ],
    ),
    (
        "系统",
        [
            ("用户与角色", "accounts:users", "manage_users"),
            ("变更历史", "accounts:changelog", "audit"),
            ("敏感操作日志", "accounts:accesslog", "audit"),
            ("规则设置", "recruitment:settings", "configure"),
            ("接口文档", "api-docs", "view"),
        ],
    ),
]
