"""The care list screens that offer “导出Excel” (imported by registrations.register())."""

from apps.core.columns import date, display, money
from apps.core.registry import ListExport, lists

from . import selectors

lists.register(
    ListExport(
        "care_visits",
        "走访记录",
        selectors.visit_list,
        [
            ("走访日期", lambda v: date(v.visited_on), 12),
            ("对象", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("事由", "occasion.name", 18),
            ("走访人", "visitors", 20),
            ("走访内容", "content", 40),
            ("慰问金（元）", money("amount"), 12),
            ("后续事项", "follow_up", 24),
            ("办结日期", lambda v: date(v.follow_up_done_on), 12),
        ],
        page="care:visits",
    )
)
lists.register(
    ListExport(
        "care_checklist",
        "走访慰问清单",
        selectors.checklist_items,
        [
            ("年度", "year", 8),
            ("事由", "occasion.name", 14),
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("列入原因", "reason_labels", 24),
            ("完成日期", lambda i: date(i.done_on), 12),
            ("走访人", lambda i: i.visit.visitors if i.visit else "", 20),
        ],
        page="care:checklist",
    )
)
lists.register(
    ListExport(
        "care_hardships",
        "困难党员",
        selectors.hardship_list,
        [
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("致困原因", display("cause"), 10),
            ("困难程度", display("level"), 10),
            ("困难情况", "description", 40),
            ("登记日期", lambda h: date(h.registered_on), 12),
            ("结对数", "active_pairings", 8),
            ("状态", display("status"), 8),
            ("脱困日期", lambda h: date(h.closed_on), 12),
        ],
        page="care:hardships",
    )
)
lists.register(
    ListExport(
        "care_pairings",
        "三包结对",
        selectors.pairing_list,
        [
            ("困难党员", "hardship.member.name", 12),
            ("帮扶责任人", "helper.name", 12),
            ("党组织", "organisation.name", 30),
            ("结对日期", lambda p: date(p.started_on), 12),
            ("包思想", "pledge_thought", 24),
            ("包生产/就业", "pledge_work", 24),
            ("包脱贫", "pledge_poverty", 24),
            ("最近帮扶", lambda p: date(p.last_update_on), 12),
            ("状态", display("status"), 8),
            ("帮扶成效", "outcome", 30),
        ],
        page="care:pairings",
    )
)
lists.register(
    ListExport(
        "care_fund_applications",
        "互助基金申请",
        selectors.application_list,
        [
            ("申请日期", lambda a: date(a.applied_on), 12),
            ("申请人", "member.name", 12),
            ("党支部", "organisation.name", 30),
            ("基金", "fund.name", 20),
            ("申请金额（元）", money("amount"), 12),
            ("批准金额（元）", money("approved_amount"), 12),
            ("理由", "reason", 40),
            ("状态", display("status"), 10),
            ("审批会议", "meeting", 24),
        ],
        page="care:funds",
    )
)
lists.register(
    ListExport(
        "care_subsidies",
        "老党员生活补助名单",
        selectors.subsidy_rows,
        [
            ("党员", "member.name", 12),
            ("党组织", "member.organisation.name", 30),
            ("出生日期", lambda r: date(r.member.birth_date), 12),
            ("入党日期", lambda r: date(r.member.join_date), 12),
            ("符合类别", lambda r: "、".join(r.reasons), 24),
            ("金额（元）", money("rate.amount"), 12),
            ("发放日期", lambda r: date(r.paid.paid_on) if r.paid else "", 12),
        ],
        page="care:subsidies",
    )
)
_NOMINATION_COLUMNS = [
    ("年度", "year", 8),
    ("表彰项目", "kind.name", 20),
    ("表彰层级", lambda n: n.kind.get_level_display(), 12),
    ("被推荐", "nominee_name", 20),
    ("推荐组织", "organisation.name", 30),
    ("公示开始", lambda n: date(n.notice_start), 12),
    ("公示结束", lambda n: date(n.notice_end), 12),
    ("状态", display("status"), 10),
    ("批准日期", lambda n: date(n.decided_on), 12),
]
lists.register(ListExport("care_nominations", "表彰推荐", selectors.nomination_list, _NOMINATION_COLUMNS, page="care:nominations"))
lists.register(ListExport("care_honour_roll", "光荣榜", selectors.honour_roll, _NOMINATION_COLUMNS, page="care:honour_roll"))
lists.register(
    ListExport(
        "care_households",
        "党员联系户",
        selectors.household_list,
        [
            ("党组织", "organisation.name", 30),
            ("联系党员", "member.name", 12),
            ("户主", "head_name", 12),
            ("住址", "address", 30),
            ("家庭人口", "size", 8),
            ("困难群众", lambda h: "是" if h.needy else "", 8),
            ("困难和需求", "needs", 30),
            ("联系开始", lambda h: date(h.since_on), 12),
            ("最近联系", lambda h: date(h.last_contact_on), 12),
            ("联系次数", "contact_count", 8),
            ("状态", display("status"), 8),
        ],
        page="care:households",
    )
)
