"""The mobility list screens that offer “导出Excel” (registered in MobilityConfig.ready()).
Personal data: names and organisations only (no ID numbers or phones)."""

from apps.core.columns import date, display
from apps.core.registry import ListExport, lists

from . import selectors

register = lists.register

register(
    ListExport(
        "mobility_transfers",
        "组织关系转接",
        selectors.transfers,
        [
            ("党员", "member.name", 12),
            ("类型", display("kind"), 16),
            ("转出党组织", "from_label", 30),
            ("接收党组织", "to_label", 30),
            ("原因", "reason", 20),
            ("申请日期", lambda t: date(t.requested_on), 12),
            ("介绍信编号", "serial", 14),
            ("有效期（天）", "validity_days", 10),
            ("有效期至", lambda t: date(t.valid_until), 12),
            ("回执应退回", lambda t: date(t.receipt_due), 12),
            ("接收日期", lambda t: date(t.received_on), 12),
            ("状态", display("status"), 12),
            ("下一步", lambda t: t.next_step_label(), 14),
        ],
        page="mobility:transfers",
    )
)
register(
    ListExport(
        "mobility_mobile",
        "流动党员登记",
        selectors.mobile_records,
        [
            ("党员", "member.name", 12),
            ("所在党组织", "organisation.name", 30),
            ("活动证编号", "certificate_no", 14),
            ("发证日期", lambda r: date(r.issued_on), 12),
            ("发证党组织", "issued_by", 24),
            ("外出原因", "reason", 16),
            ("外出地点", "destination", 20),
            ("外出期限（月）", "months", 10),
            ("预计返回", lambda r: date(r.expected_return), 12),
            ("流出地联系人", "home_contact", 12),
            ("出国（境）学习", lambda r: "是" if r.studying_abroad else "", 8),
            ("流入地党组织", "host_name", 24),
            ("临时党支部", lambda r: r.temporary_branch.name if r.temporary_branch else "", 20),
            ("最近报告", lambda r: date(r.last_report_on), 12),
            ("最近联系", lambda r: date(r.last_contact_on), 12),
            ("下次报告/联系期限", lambda r: date(r.next_due), 12),
            ("状态", display("status"), 8),
            ("返回日期", lambda r: date(r.returned_on), 12),
        ],
        page="mobility:mobile",
    )
)
register(
    ListExport(
        "mobility_temporary",
        "临时党支部",
        selectors.temporary_branches,
        [
            ("名称", "name", 30),
            ("所在地", "place", 20),
            ("组建党组织", "organisation.name", 30),
            ("成立日期", lambda b: date(b.formed_on), 12),
            ("撤销日期（预计）", lambda b: date(b.end_date), 12),
            ("负责人", "secretary_name", 10),
            ("人数", "n", 6),
        ],
        page="mobility:temporary",
    )
)
register(
    ListExport(
        "mobility_host",
        "流入党员登记",
        selectors.host_registrations,
        [
            ("党员", "record.member.name", 12),
            ("活动证编号", "record.certificate_no", 16),
            ("流出地党组织", "record.organisation.name", 30),
            ("外出地点", "record.destination", 20),
            ("流入地党组织", "organisation.name", 30),
            ("登记日期", lambda h: date(h.registered_on), 12),
            ("备注", "note", 20),
        ],
        page="mobility:host",
    )
)
register(
    ListExport(
        "mobility_cards",
        "非公企业党员证登记",
        selectors.non_public_cards,
        [
            ("党员", "member.name", 12),
            ("所在党组织", "organisation.name", 30),
            ("证号", "number", 16),
            ("发证日期", lambda c: date(c.issued_on), 12),
            ("发证单位", "issued_by", 24),
            ("收回日期", lambda c: date(c.withdrawn_on), 12),
        ],
        page="mobility:registers",
    )
)
register(
    ListExport(
        "mobility_retired",
        "离退休党支部",
        selectors.retired_branches,
        [
            ("党组织", "name", 36),
            ("类别", display("org_type"), 10),
            ("直属党员", "direct_member_count", 10),
            ("联系人", "contact_person", 12),
        ],
        page="mobility:registers",
    )
)
register(
    ListExport(
        "mobility_unemployed",
        "下岗失业党员",
        selectors.unemployed_members,
        [("党员", "name", 12), ("所在党组织（留守支部）", "organisation.name", 36), ("党籍状态", display("status"), 10)],
        page="mobility:registers",
    )
)
