"""The dues list screens that offer “导出Excel” (registered in DuesConfig.ready())."""

from apps.core.columns import date, display, money, month
from apps.core.registry import ListExport, lists

from . import selectors as dues

register = lists.register

# -- 党费 ---------------------------------------------------------------------------

register(
    ListExport(
        "dues_arrears",
        "欠缴党费提醒",
        dues.arrears_page,
        [
            ("党员", "member.name", 12),
            ("党组织", "member.organisation.name", 30),
            ("连续欠缴（月）", "months", 14),
            ("起始月份", lambda r: month(r["first_unpaid"]), 12),
            ("截至月份", lambda r: month(r["last_unpaid"]), 12),
            ("提醒", "level_text", 16),
            ("处置", lambda r: r["case"].get_status_display() if r["case"] else "", 10),
        ],
        prepare=dues.arrears_details,
        page="dues:arrears",
    )
)
register(
    ListExport(
        "dues_arrears_cases",
        "欠缴党费处置记录",
        dues.arrears_cases,
        [
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("立案日期", lambda c: date(c.opened_on), 12),
            ("连续欠缴（月）", "months_unpaid", 14),
            ("状态", display("status"), 10),
            ("决定", display("decision"), 16),
        ],
        page="dues:arrears",
    )
)
register(
    ListExport(
        "dues_reductions",
        "党费减免",
        dues.reduction_list,
        [
            ("党员", "member.name", 12),
            ("党组织", "organisation.name", 30),
            ("类型", display("kind"), 8),
            ("每月金额（元）", money(lambda r: r.monthly_amount if r.kind == "reduce" else None), 14),
            ("起始月份", lambda r: month(r.start_month), 12),
            ("截止月份", lambda r: month(r.end_month), 12),
            ("理由", "reason", 30),
            ("状态", display("status"), 10),
            ("审批意见", "decision_note", 24),
        ],
        page="dues:reductions",
    )
)


def coll(attr):
    return lambda c: getattr(c["collection"], attr) if c["collection"] else ""


register(
    ListExport(
        "dues_collections",
        "党费下级对账",
        dues.collection_rows,
        [
            ("组织", "org.name", 30),
            ("应收（元）", money("due"), 12),
            ("已交台账（元）", money("paid"), 14),
            ("交纳率（%）", "rate", 12),
            ("实收合计（元）", money(coll("total_in_hand")), 14),
            ("上交（元）", money(coll("handed_over")), 12),
            ("差额（元）", money(coll("difference")), 12),
            ("说明", coll("difference_note"), 24),
            ("状态", lambda c: c["collection"].get_status_display() if c["collection"] else "未上交", 10),
        ],
        page="dues:collections",
    )
)
register(
    ListExport(
        "dues_disclosure",
        "党费收缴公开",
        lambda user, params: dues.disclosure_page(user, params)["rows"],
        [
            ("党组织", "org.name", 30),
            ("党员（人）", "members", 10),
            ("已收党费（元）", money("collected"), 14),
            ("交纳率（%）", "rate", 12),
        ],
        page="dues:disclosure",
    )
)
