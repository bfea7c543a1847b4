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

# The letter's validity (written in capital numerals on it), the allowed range, the receipt
# limit and the mobile members' intervals are county-editable: SETTINGS below, the current
# values being the newest MobilityRuleVersion (apps.mobility.models). A transfer is overdue
# once the later of (letter expiry, issue + the receipt limit) has passed without a receipt.


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
MOBILE_STATUS_CHOICES = [("away", "外出中"), ("returned", "已返回"), ("transferred", "已转接组织关系")]
CONTACT_KIND_CHOICES = [("report", "党员向流出地党组织报告"), ("contact", "流出地党组织联系党员")]
# Members who may hold a 流动党员活动证 (not suspended, not ended).
CERTIFICATE_STATUSES = ("normal", "mobile")


# ── temporary branches (临时党支部) ─────────────────────────────────────────────────────
TEMPORARY_STATUS_CHOICES = [("active", "活动中"), ("closed", "已撤销")]

# ── host-side yearly report (流入地党组织向流出地党组织通报) ─────────────────────────────
HOST_REPORT_YEARS_BACK = 5  # a report may be for this year or up to this many years back


# ── county-editable amounts (a versioned rule table, like orglife's and education's) ────
@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    default: int
    minimum: int
    maximum: int
    unit: str
    source: str = ""


SETTINGS = [
    Setting("letter_days_within", "介绍信有效期（省内）", 30, 1, 365, "天", "转接办法：省内一般30天"),
    Setting("letter_days_across", "介绍信有效期（跨省）", 90, 1, 365, "天", "转接办法：跨省一般90天"),
    Setting("letter_days_min", "介绍信有效期可填的最短天数", 7, 1, 365, "天", "办理人可在范围内另填"),
    Setting("letter_days_max", "介绍信有效期可填的最长天数", 90, 1, 365, "天", "办理人可在范围内另填"),
    Setting("receipt_months", "回执退回期限", 1, 1, 12, "个月", "接收方一个月内退回回执"),
    Setting("certificate_months_default", "活动证外出期限默认值", 3, 1, 120, "个月", "发证时未填外出期限时采用"),
    Setting("certificate_months_min", "活动证外出期限最短", 1, 1, 120, "个月", "写在活动证上的外出期限"),
    Setting("certificate_months_max", "活动证外出期限最长", 60, 1, 120, "个月", "写在活动证上的外出期限"),
    Setting("certificate_transfer_months", "外出满此月数且地点固定的应转接组织关系", 6, 1, 120, "个月", "外出不满6个月发活动证"),
    Setting("report_months", "流动党员向流出地报告间隔", 12, 1, 24, "个月", "每年至少报告一次"),
    Setting("abroad_contact_months", "出国（境）学习党员联系间隔", 6, 1, 24, "个月", "每6个月至少联系一次"),
    Setting("temporary_branch_min", "提示成立临时党支部的人数", 3, 2, 50, "人", "同一地点3名及以上"),
]
DEFAULTS = {s.key: s.default for s in SETTINGS}
SETTING_BY_KEY = {s.key: s for s in SETTINGS}
DEFAULT_NOTE = "默认规则（中国共产党党员组织关系转接办法、流动党员管理规定）"


def check_values(values: dict) -> dict[str, list[str]]:
    """The relations between settings a version must keep (field → Chinese messages)."""
    v, errors = values, {}

    def bad(key, message):
        errors.setdefault(key, []).append(message)

    lo, hi = v["letter_days_min"], v["letter_days_max"]
    if lo > hi:
        bad("letter_days_min", f"介绍信有效期最短天数（{lo}）不能多于最长天数（{hi}）")
    for key in ("letter_days_within", "letter_days_across"):
        if not lo <= v[key] <= hi:
            bad(key, f"{SETTING_BY_KEY[key].label}（{v[key]}天）须在可填范围 {lo}–{hi} 天之内")
    cmin, cmax = v["certificate_months_min"], v["certificate_months_max"]
    if cmin > cmax:
        bad("certificate_months_min", f"活动证外出期限最短（{cmin}）不能多于最长（{cmax}）")
    for key in ("certificate_months_default", "certificate_transfer_months"):
        if not cmin <= v[key] <= cmax:
            bad(key, f"{SETTING_BY_KEY[key].label}（{v[key]}个月）须在活动证外出期限 {cmin}–{cmax} 个月之内")
    return errors
