"""Organisational life (组织生活) as data: the meeting kinds of 《中国共产党支部工作条例（试行）》
(2018) with their default frequency, who should attend and the quorum where one applies
(domain-rules §3), the exclusions from "should attend", the attendance marks and the
months-without-party-life thresholds.

The fixed part (the kinds themselves, who attends, which organisations hold them) lives
here; the part a county administrator may change (frequency, quorum, whether a kind counts
as study and its hours, the thresholds, the upload limit) is a RuleVersion (models.py)
whose defaults are DEFAULTS below. Every meeting records the version it was judged by.

Meetings of the organisations above the branches are kinds here too, not another app's
model: the 党委（总支）委员会会议 ("committee_meeting") and the leadership group's
民主生活会 ("democratic_life": held yearly by a 党委 or the 县委, attended by the members
of its committee — the leadership group — with its own quorum). Other domains that need
such a meeting (the care/democracy helpers' 生活会整改 and 集体决策) point at an
orglife Meeting of that kind; they never build a second meeting model. The codes
"democratic_life" and "life_meeting" are stable: other apps filter on them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from apps.orgs.rules import BRANCH_TYPES, ORG_TYPES

# ── frequencies ─────────────────────────────────────────────────────────────────────────
MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"
FREQUENCY_CHOICES = [(MONTHLY, "每月"), (QUARTERLY, "每季度"), (YEARLY, "每年")]
FREQUENCY_LABEL = dict(FREQUENCY_CHOICES)
PERIOD_WORD = {MONTHLY: "本月", QUARTERLY: "本季度", YEARLY: "本年度"}
MONTHS_IN = {MONTHLY: 1, QUARTERLY: 3, YEARLY: 12}

# ── who should attend ───────────────────────────────────────────────────────────────────
MEMBERS, COMMITTEE, GROUP, LEADERSHIP = "members", "committee", "group", "leadership"
ATTENDEE_LABEL = {
    MEMBERS: "全体党员（含预备党员）",
    COMMITTEE: "委员会委员",
    GROUP: "党小组全体党员",
    LEADERSHIP: "领导班子成员",
}

# ── quorum: (numerator, denominator, strict) — present/should ≥ n/d, or > n/d if strict ──
QUORUMS = {
    "none": None,
    "half": (1, 2, False),  # 委员会：应到委员半数以上（≥ ½）
    "more_than_half": (1, 2, True),  # 党员大会表决：超过半数
    "four_fifths": (4, 5, True),  # 选举：超过五分之四
}
QUORUM_LABEL = {
    "none": "不要求",
    "half": "到会不少于应到人数的二分之一",
    "more_than_half": "到会超过应到人数的半数",
    "four_fifths": "到会超过应到人数的五分之四",
}
ELECTION_QUORUM = "four_fifths"

COMMITTEE_HOLDERS = {"committee", "general_branch", "county_committee"}


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    attendees: str
    applies_to: frozenset  # organisation types that hold it
    needs_committee: bool = False  # only organisations with a committee (支部委员会)
    study_form: str = ""  # the education form credited when it counts as study
    needs_lecture: bool = False  # 党课: lecturer and lecture topic
    needs_theme: bool = False  # 主题党日: the theme


KINDS: tuple[Kind, ...] = (
    Kind("general_meeting", "支部党员大会", MEMBERS, frozenset(BRANCH_TYPES)),
    Kind("branch_committee", "支部委员会", COMMITTEE, frozenset(BRANCH_TYPES), needs_committee=True),
    Kind("group_meeting", "党小组会", GROUP, frozenset({"party_group"})),
    Kind("party_lecture", "党课", MEMBERS, frozenset(BRANCH_TYPES), study_form="party_lecture", needs_lecture=True),
    Kind("theme_day", "主题党日", MEMBERS, frozenset(BRANCH_TYPES), study_form="theme_day", needs_theme=True),
    Kind("life_meeting", "组织生活会", MEMBERS, frozenset(BRANCH_TYPES)),
    Kind("heart_talk", "谈心谈话", MEMBERS, frozenset(BRANCH_TYPES)),
    Kind("member_appraisal", "民主评议党员", MEMBERS, frozenset(BRANCH_TYPES)),
    Kind("democratic_life", "民主生活会", LEADERSHIP, frozenset({"committee", "county_committee"})),
    Kind("committee_meeting", "党委（总支）委员会会议", COMMITTEE, frozenset(COMMITTEE_HOLDERS), needs_committee=True),
)
KIND_BY_CODE = {k.code: k for k in KINDS}
KIND_CHOICES = [(k.code, k.label) for k in KINDS]
COMPLIANCE_TYPES = frozenset().union(*(k.applies_to for k in KINDS))

# The county-editable part of each kind, and its defaults (domain-rules §3).
KIND_DEFAULTS = {
    "general_meeting": {"frequency": QUARTERLY, "quorum": "more_than_half", "study": False, "hours": "2"},
    "branch_committee": {"frequency": MONTHLY, "quorum": "half", "study": False, "hours": "1.5"},
    "group_meeting": {"frequency": MONTHLY, "quorum": "none", "study": False, "hours": "1"},
    "party_lecture": {"frequency": QUARTERLY, "quorum": "none", "study": True, "hours": "2"},
    "theme_day": {"frequency": MONTHLY, "quorum": "none", "study": True, "hours": "2"},
    "life_meeting": {"frequency": YEARLY, "quorum": "more_than_half", "study": False, "hours": "3"},
    "heart_talk": {"frequency": YEARLY, "quorum": "none", "study": False, "hours": "1"},
    "member_appraisal": {"frequency": YEARLY, "quorum": "more_than_half", "study": False, "hours": "3"},
    "democratic_life": {"frequency": YEARLY, "quorum": "more_than_half", "study": False, "hours": "4"},
    "committee_meeting": {"frequency": MONTHLY, "quorum": "half", "study": False, "hours": "2"},
}
MAX_HOURS = Decimal("12")

# Thresholds: consecutive months without party life (without good reason). 3 and 5 warn
# the branch, 6 is 自行脱党 handling (党章第九条; the exit trigger).
GENERAL_DEFAULTS = {"warn_months": 3, "escalate_months": 5, "exit_months": 6, "max_upload_mb": 10}
GENERAL_LIMITS = {"warn_months": (1, 12), "escalate_months": (1, 12), "exit_months": (3, 24), "max_upload_mb": (1, 50)}
GENERAL_LABEL = {
    "warn_months": "谈话提醒（连续月数）",
    "escalate_months": "上报预警（连续月数）",
    "exit_months": "启动处置（连续月数）",
    "max_upload_mb": "附件大小上限（MB）",
}


def defaults() -> dict:
    return {"kinds": {code: dict(v) for code, v in KIND_DEFAULTS.items()}, **GENERAL_DEFAULTS}


# ── the branch's case at exit_months (党章第九条: 自行脱党) ─────────────────────────────
# The branch's general meeting decides; "handling" hands the member to the exit handling
# (组织处置, apps.appraisal, through the exit trigger); the others close the case and stop
# the trigger for that run of absences.
HANDLING, RESUMED, GOOD_REASON_DECISION = "handling", "resumed", "good_reason"
CASE_DECISION_CHOICES = [
    (HANDLING, "提交组织处置（按自行脱党除名）"),
    (RESUMED, "已恢复参加组织生活，批评教育，不作处理"),
    (GOOD_REASON_DECISION, "有正当理由，不作处理"),
]
CASE_DECISION_LABEL = dict(CASE_DECISION_CHOICES)
CASE_DISMISSED = (RESUMED, GOOD_REASON_DECISION)

# ── attendance ──────────────────────────────────────────────────────────────────────────
PRESENT, LEAVE, ABSENT, ELSEWHERE, EXCLUDED = "present", "leave", "absent", "elsewhere", "excluded"
ATTENDANCE_CHOICES = [
    (PRESENT, "出席"),
    (LEAVE, "请假"),
    (ABSENT, "缺席（未请假）"),
    (ELSEWHERE, "在流入地参加"),
    (EXCLUDED, "不列入应到"),
]
ATTENDED = (PRESENT, ELSEWHERE)  # took part in party life
GOOD_REASON = (PRESENT, ELSEWHERE, LEAVE, EXCLUDED)  # a month with one of these is not "without party life"
# Who may be marked as attending elsewhere (a 流动党员 at the host organisation).
ELSEWHERE_STATUSES = ("mobile",)
# Member statuses that are called to meetings.
CALLED_STATUSES = ("normal", "mobile", "lost_contact")

# ── exclusions from "should attend" (domain-rules §3; each approved and dated) ─────────
EXCLUSION_CHOICES = [
    ("illness", "因病不能表达意志"),
    ("abroad", "自费出国（境）6个月以上"),
    ("sentence", "服刑（未受留党察看以上处分）"),
    ("bedridden", "长期卧床"),
    ("away_untransferred", "外出6个月以上且未转组织关系"),
]
EXCLUSION_LABEL = dict(EXCLUSION_CHOICES)

# ── attachments ─────────────────────────────────────────────────────────────────────────
ATTACHMENT_CHOICES = [("photo", "活动照片"), ("signin", "签到表"), ("other", "其他材料")]
ATTACHMENT_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".pdf", ".doc", ".docx", ".xls", ".xlsx")


def quorum_met(present: int, should: int, quorum: str) -> bool | None:
    """Integer arithmetic (no floats): None when the kind requires no quorum or nobody was
    due; else whether present/should reaches the fraction (strictly above when strict)."""
    q = QUORUMS.get(quorum)
    if q is None or should <= 0:
        return None
    n, d, strict = q
    return present * d > should * n if strict else present * d >= should * n


def quorum_needed(should: int, quorum: str) -> int | None:
    """The smallest number present that meets the quorum."""
    q = QUORUMS.get(quorum)
    if q is None or should <= 0:
        return None
    n, d, strict = q
    base = (should * n) // d
    exact = (should * n) % d == 0
    return base + 1 if (strict or not exact) else base


def type_labels(types) -> list[str]:
    """The Chinese names of organisation types, in the tree's order."""
    return [label for code, label in ORG_TYPES if code in types]
