"""Relationship transfers and mobile members: the regulatory tables as data
(domain-rules §6, §7; 党员教育管理工作条例 第二十五条; 中国共产党党员组织关系转接办法).
Read by apps.mobility.services and selectors, nowhere a literal in a service."""

from dataclasses import dataclass

# ── relationship transfers (组织关系转接) ─────────────────────────────────────────────
KIND_CHOICES = [
    ("internal", "系统内转接"),
    ("out", "转出本系统（纸质介绍信）"),
    ("in", "从系统外转入"),
]
STATUS_CHOICES = [
    ("requested", "审批中"),
    ("issued", "已开具介绍信"),
    ("received", "已接收"),
    ("refused", "接收方退回"),
    ("rejected", "未同意转出"),
    ("cancelled", "已撤销"),
]
# A member has at most one open transfer (a DB partial unique constraint on these).
OPEN_STATUSES = ("requested", "issued")

# A member in an open exit/handling case (组织处置) may not be transferred. The case lives
# in another domain: read through apps.core.registry.member_checks — (check name, the
# start of its reason) pairs that block a transfer.
BLOCKING_CHECKS = (("appraisal", "正在办理组织处置"),)

# Validity of the letter in days (written in capital numerals on it): 30 within the
# province, 90 across provinces; a sender may set another number inside the range.
VALIDITY_DAYS = {"within": 30, "across": 90}
VALIDITY_RANGE = (7, 90)
# The receiving side returns the receipt within 1 month; the sender stays responsible
# until it is back. A transfer is overdue once the later of (letter expiry, issue + 1
# month) has passed without a receipt.
RECEIPT_MONTHS = 1


@dataclass(frozen=True)
class Step:
    """One approval of the chain. `side`: whose organisation acts ("from" the sending
    organisation, "county" the sending organisation's county committee, "to" the receiving
    organisation); `action`: the scoping action the actor needs there; `when`: the
    transfers the step applies to."""

    code: str
    label: str
    side: str
    action: str
    when: frozenset


INTERNAL_OR_OUT = frozenset({"internal", "out"})
CHAIN = (
    Step("branch", "党支部同意转出", "from", "change", INTERNAL_OR_OUT),
    Step("committee", "基层党委审核", "from", "approve", INTERNAL_OR_OUT),
    # only when the member leaves the county (out of the system always does)
    Step("county", "县委组织部审核", "county", "approve", frozenset({"leaving_county", "out"})),
)
# The receiving side's step (internal transfers): accept, or refuse with a reason.
ACCEPT = Step("accept", "接收方接收", "to", "change", frozenset({"internal"}))
STEP_LABELS = {s.code: s.label for s in (*CHAIN, ACCEPT)} | {"receipt": "回执退回", "issue": "开具介绍信", "reissue": "补开介绍信"}


def chain_for(kind: str, leaving_county: bool) -> list[Step]:
    """The sending side's steps for a transfer, in order."""
    tags = {kind} | ({"leaving_county"} if leaving_county else set())
    return [s for s in CHAIN if s.when & tags]


# ── capital numerals (大写数字) for the validity ─────────────────────────────────────────
_DIGITS = "零壹贰叁肆伍陆柒捌玖"


def capital_number(n: int) -> str:
    """30 → 叁拾, 90 → 玖拾, 15 → 壹拾伍, 7 → 柒, 105 → 壹佰零伍 (1–999)."""
    if not 0 < n < 1000:
        raise ValueError(f"{n} 超出 1–999")
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "佰"
    if tens:
        out += _DIGITS[tens] + "拾"
    elif hundreds and ones:
        out += "零"
    if ones:
        out += _DIGITS[ones]
    return out


# ── mobile members (流动党员) ────────────────────────────────────────────────────────────
# Away < 6 months, or long-term without a place to transfer to → 流动党员活动证.
MOBILE_MAX_MONTHS_WITHOUT_TRANSFER = 6
MOBILE_DURATION_RANGE = (1, 60)  # months written on the certificate
MOBILE_STATUS_CHOICES = [("away", "外出中"), ("returned", "已返回"), ("transferred", "已转接组织关系")]
# A member reports to the home organisation at least once a year.
REPORT_MONTHS = 12
# The home organisation contacts members studying abroad at least every 6 months.
ABROAD_CONTACT_MONTHS = 6
# 3 or more members away at one place → form a temporary branch or group.
TEMPORARY_BRANCH_MIN = 3
CONTACT_KIND_CHOICES = [("report", "党员向流出地党组织报告"), ("contact", "流出地党组织联系党员")]
# Members who may hold a 流动党员活动证 (not suspended, not ended).
CERTIFICATE_STATUSES = ("normal", "mobile")
