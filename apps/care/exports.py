"""The care list screens that offer “导出Excel” (imported by registrations.register()).
Columns come from the models' own field declarations (apps.core.columns.fields)."""

from apps.core.columns import date, fields, money
from apps.core.registry import ListExport, lists

from . import selectors
from .models import ChecklistItem, FundApplication, Hardship, Household, Nomination, Pairing, Visit


def _register(name, title, rows, columns, page):
    lists.register(ListExport(name, title, rows, columns, page=page))


_register(
    "care_visits",
    "走访记录",
    selectors.visit_list,
    fields(
        Visit,
        "visited_on",
        "member.name",
        "organisation.name",
        "occasion.name",
        "visitors",
        "content",
        "amount",
        "follow_up",
        "follow_up_done_on",
    ),
    "care:visits",
)
_register(
    "care_checklist",
    "走访慰问清单",
    selectors.checklist_items,
    fields(
        ChecklistItem,
        "year",
        "occasion.name",
        "member.name",
        "organisation.name",
        ("列入原因", "reason_labels", 24),
        "done_on",
        ("走访人", lambda i: i.visit.visitors if i.visit else "", 20),
    ),
    "care:checklist",
)
_register(
    "care_hardships",
    "困难党员",
    selectors.hardship_list,
    fields(
        Hardship,
        "member.name",
        "organisation.name",
        "cause",
        "level",
        "description",
        "registered_on",
        ("结对数", "active_pairings", 8),
        "status",
        "closed_on",
    ),
    "care:hardships",
)
_register(
    "care_pairings",
    "三包结对",
    selectors.pairing_list,
    fields(
        Pairing,
        "hardship.member.name",
        "helper.name",
        "organisation.name",
        "started_on",
        "pledge_thought",
        "pledge_work",
        "pledge_poverty",
        "last_update_on",
        "status",
        "outcome",
    ),
    "care:pairings",
)
_register(
    "care_fund_applications",
    "互助基金申请",
    selectors.application_list,
    fields(
        FundApplication,
        "applied_on",
        "member.name",
        "organisation.name",
        "fund.name",
        "amount",
        "approved_amount",
        "reason",
        "status",
        "meeting",
    ),
    "care:funds",
)
_register(
    "care_subsidies",
    "老党员生活补助名单",
    selectors.subsidy_rows,  # rows of the eligible list (member, rate, reasons, paid), not model rows
    [
        ("党员", "member.name", 12),
        ("党组织", "member.organisation.name", 30),
        ("出生日期", lambda r: date(r.member.birth_date), 12),
        ("入党日期", lambda r: date(r.member.join_date), 12),
        ("符合类别", lambda r: "、".join(r.reasons), 24),
        ("金额（元）", money("rate.amount"), 12),
        ("发放日期", lambda r: date(r.paid.paid_on) if r.paid else "", 12),
    ],
    "care:subsidies",
)
_NOMINATIONS = fields(
    Nomination,
    "year",
    "kind.name",
    "kind.level",
    ("被推荐", "nominee_name", 20),
    "organisation.name",
    "notice_start",
    "notice_end",
    "status",
    "decided_on",
)
_register("care_nominations", "表彰推荐", selectors.nomination_list, _NOMINATIONS, "care:nominations")
_register("care_honour_roll", "光荣榜", selectors.honour_roll, _NOMINATIONS, "care:honour_roll")
_register(
    "care_households",
    "党员联系户",
    selectors.household_list,
    fields(
        Household,
        "organisation.name",
        "member.name",
        "head_name",
        "address",
        "size",
        "phone_masked",
        "needy",
        "needs",
        "since_on",
        "last_contact_on",
        "contact_count",
        "status",
    ),
    "care:households",
)
