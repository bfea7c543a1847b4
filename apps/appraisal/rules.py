"""Democratic appraisal (民主评议党员) and organisational handling (不合格党员组织处置) as
data: the grade set, the 优秀 cap, who is appraised and who rates, the weight of the
anonymous rating in the committee's proposal, the case types with their steps and time
limits. Services read these; no literal in a code path
(domain-rules §5; 不合格党员组织处置办法 2024; 党员教育管理工作条例 2019 第24条)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from fractions import Fraction

# ── the appraisal ──────────────────────────────────────────────────────────────────────
EXCELLENT, QUALIFIED, BASIC, UNQUALIFIED = "excellent", "qualified", "basically_qualified", "unqualified"
GRADES = [(EXCELLENT, "优秀"), (QUALIFIED, "合格"), (BASIC, "基本合格"), (UNQUALIFIED, "不合格")]
GRADE_LABELS = dict(GRADES)
# Points of a grade for the proposal score (4 = 优秀 … 1 = 不合格).
GRADE_POINTS = {EXCELLENT: 4, QUALIFIED: 3, BASIC: 2, UNQUALIFIED: 1}
# Grades that flow into organisational handling (the handling page lists them).
HANDLING_GRADES = (BASIC, UNQUALIFIED)
# 优秀 generally at most ⅓ of those appraised (a campaign may set its own cap).
EXCELLENT_CAP = Fraction(1, 3)
# Who is appraised: members whose status is one of these (probationary members too).
APPRAISED_STATUSES = ("normal", "mobile")
# Who rates: 预备党员没有表决权（党章第七条）, so by default only full members rate.
RATER_MEMBER_TYPES = ("full",)
# Weight (per cent) of the anonymous rating in the proposal score; the rest is the share
# of the facts other domains judge as met (attendance, study hours, dues …).
RATING_WEIGHT = 70
# Proposal score (0–100) → suggested grade, first threshold met (优秀 still capped).
SUGGESTION_THRESHOLDS = ((85, EXCELLENT), (60, QUALIFIED), (40, BASIC), (0, UNQUALIFIED))
# Branches with more members than this do the peer assessment by party group.
PEER_BY_GROUP_ABOVE = 50

PHASES = [
    ("report", "书记述职"),
    ("self", "个人自评"),
    ("peer", "党员互评"),
    ("rating", "民主测评"),
    ("proposal", "组织评定"),
    ("feedback", "结果反馈"),
    ("done", "已完成"),
]
PHASE_CODES = [c for c, _ in PHASES]
PHASE_LABELS = dict(PHASES)


def next_phase(code: str) -> str | None:
    i = PHASE_CODES.index(code)
    return PHASE_CODES[i + 1] if i + 1 < len(PHASE_CODES) else None


def cap_count(appraised: int, cap: Fraction) -> int:
    """The most 优秀 grades allowed among `appraised` members."""
    return int(appraised * cap)  # floor


def suggested(score: float) -> str:
    for threshold, grade in SUGGESTION_THRESHOLDS:
        if score >= threshold:
            return grade
    return UNQUALIFIED


# ── organisational handling ────────────────────────────────────────────────────────────
CORRECTION, ADVISED, REMOVAL, SELF_WITHDRAWAL = "correction_order", "advised_withdrawal", "removal", "self_withdrawal"


@dataclass(frozen=True)
class CaseKind:
    code: str
    label: str
    steps: tuple[str, ...]
    ends_membership: str = ""  # the member status set when the decision is issued
    blocks_rejoin: bool = False


STEP_LABELS = {
    "filed": "报基层党委备案",
    "talked": "谈话",
    "voted": "支部大会表决",
    "approved": "上级党组织审批",
    "decided": "作出决定",
    "concluded": "期满考察",
}
_BASE = ("filed", "talked", "voted", "approved", "decided")
CASE_KINDS = [
    CaseKind(CORRECTION, "限期改正", (*_BASE, "concluded")),
    CaseKind(ADVISED, "劝其退党", _BASE, ends_membership="withdrawn", blocks_rejoin=True),
    CaseKind(REMOVAL, "除名", _BASE, ends_membership="removed", blocks_rejoin=True),
    CaseKind(SELF_WITHDRAWAL, "自行脱党除名", _BASE, ends_membership="self_withdrawal", blocks_rejoin=True),
]
CASE_KIND = {k.code: k for k in CASE_KINDS}
CASE_KIND_CHOICES = [(k.code, k.label) for k in CASE_KINDS]
# The statuses only this engine may set (the generic status change refuses them).
ENGINE_STATUSES = tuple(k.ends_membership for k in CASE_KINDS if k.ends_membership)

# 限期改正: generally 6 months, at most 1 year; a reminder this many days before the end.
CORRECTION_DEFAULT_MONTHS = 6
CORRECTION_MAX_MONTHS = 12
CORRECTION_REMINDER_DAYS = 30
# Advised-out or removed persons cannot rejoin for 5 years.
REJOIN_BLOCK_YEARS = 5
# Outcome of 期满考察.
OUTCOMES = [("corrected", "已改正，结案"), ("not_corrected", "逾期未改正，转劝其退党")]
# A grade that opens a case, and which kind it proposes.
GRADE_CASE_KIND = {UNQUALIFIED: CORRECTION, BASIC: CORRECTION}

# The kind a case opened from another domain's exit trigger proposes (by trigger name).
# 6 consecutive months without party life, dues or assigned work → 除名 (§5); lost contact
# 6 months–2 years → 限期改正; still uncontactable 2 years after suspension → 自行脱党除名.
TRIGGER_CASE_KIND = {"appraisal_lost_contact": CORRECTION, "appraisal_suspended": SELF_WITHDRAWAL}
DEFAULT_TRIGGER_CASE_KIND = REMOVAL

# Lost contact (党员教育管理工作条例 第24条): ≥ 6 months → 停止党籍; 2 years after the
# suspension still uncontactable → 自行脱党除名.
LOST_CONTACT_SUSPEND_MONTHS = 6
SUSPENDED_REMOVE_YEARS = 2


def add_months(d: datetime.date, n: int) -> datetime.date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return datetime.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


# ── 设岗定责 / 党员示范岗 / 党员责任区 / 党员中心户 (seed 一.3、三.3) ─────────────────────────
@dataclass(frozen=True)
class PostKind:
    code: str
    label: str
    needs_type: bool = False  # a post of the 设岗定责 list (政策宣传岗 …)
    needs_coverage: bool = False  # the area or households covered must be named
    needs_households: bool = False  # how many households a 中心户 keeps in touch with
    max_holders: int | None = None  # members on it at a time (None: no limit)


POST_KINDS = [
    PostKind("post", "设岗定责", needs_type=True),
    PostKind("model", "党员示范岗", max_holders=1),
    PostKind("area", "党员责任区", needs_coverage=True),
    PostKind("household", "党员中心户", needs_coverage=True, needs_households=True, max_holders=1),
]
POST_KIND = {k.code: k for k in POST_KINDS}
POST_KIND_CHOICES = [(k.code, k.label) for k in POST_KINDS]
# 无职党员设岗: the post types a branch chooses from.
POST_TYPE_CHOICES = [
    ("policy", "政策宣传岗"),
    ("security", "治安维稳岗"),
    ("environment", "环境卫生岗"),
    ("assistance", "帮扶济困岗"),
    ("mediation", "矛盾调解岗"),
    ("prosperity", "致富带富岗"),
    ("civility", "文明新风岗"),
    ("service", "便民服务岗"),
]
POST_TYPE_LABELS = dict(POST_TYPE_CHOICES)
# A 党员中心户 keeps in touch with this many households (一般联系10户左右).
HOUSEHOLDS_MIN, HOUSEHOLDS_MAX = 3, 30
# Who may hold a post: members in these statuses (停止党籍、失联者不上岗).
POST_HOLDER_STATUSES = ("normal", "mobile")
# A member holds at most this many posts at a time (责任明确，不搞挂名).
MAX_POSTS_PER_MEMBER = 2
# 评岗: twice a year, graded.
REVIEW_PERIODS = [(1, "上半年"), (2, "下半年")]
POST_GRADES = [("excellent", "优秀"), ("competent", "称职"), ("basic", "基本称职"), ("incompetent", "不称职")]
POST_GRADE_LABELS = dict(POST_GRADES)
# Grades that count against the member in the appraisal committee's inputs.
POST_POOR_GRADES = ("basic", "incompetent")


def review_period_start(year: int, half: int) -> datetime.date:
    return datetime.date(year, 1 if half == 1 else 7, 1)


def review_period_end(year: int, half: int) -> datetime.date:
    return datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)


# ── 监督管理 (seed 三.3): 重大事项报告, 谈心谈话, 听取群众意见 ─────────────────────────────────
@dataclass(frozen=True)
class SupervisionKind:
    code: str
    label: str
    matters: tuple = ()  # (code, label) of the matter type or the opinion's source
    matter_label: str = ""
    needs_counterpart: bool = False  # a talk has two people
    needs_verification: bool = False  # an opinion is verified before it is closed
    closes_on_record: bool = False  # nothing to follow up: closed when recorded
    # The organisational-life meeting kind a record of this kind counts as (its frequency
    # compliance counts them through registry.held_records): orglife's stable code.
    orglife_kind: str = ""


MAJOR_MATTERS = (
    ("marriage", "本人婚姻变化"),
    ("abroad", "因私出国（境）"),
    ("business", "本人、配偶、子女经商办企业"),
    ("legal", "本人或亲属受到司法处理"),
    ("residence", "外出务工、居住地变动"),
    ("other", "其他重大事项"),
)
OPINION_SOURCES = (
    ("forum", "群众座谈会"),
    ("visit", "入户走访"),
    ("letter", "来信来访"),
    ("box", "意见箱、网络留言"),
    ("appraisal", "民主评议征求意见"),
)
SUPERVISION_KINDS = [
    SupervisionKind("major_report", "重大事项报告", MAJOR_MATTERS, "事项类别"),
    SupervisionKind("heart_to_heart_talk", "谈心谈话", needs_counterpart=True, closes_on_record=True, orglife_kind="heart_talk"),
    SupervisionKind("public_opinion", "听取群众意见", OPINION_SOURCES, "意见来源", needs_verification=True),
]
SUPERVISION_KIND = {k.code: k for k in SUPERVISION_KINDS}
SUPERVISION_KIND_CHOICES = [(k.code, k.label) for k in SUPERVISION_KINDS]
VERIFICATION_CHOICES = [("true", "属实"), ("partly", "部分属实"), ("untrue", "不属实")]
VERIFICATION_LABELS = dict(VERIFICATION_CHOICES)
# An opinion found true or partly true needs the handling written down before it is closed.
VERIFIED_NEEDS_OUTCOME = ("true", "partly")
# A 重大事项报告 is read and answered by the branch within this many days (to-do after it).
REPORT_ANSWER_DAYS = 30


# ── 目标管理 (seed 一.3): yearly goals per member category, year-end self-check ─────────────
# The goals a member's sheet starts from, per category (apps.members CATEGORY_CHOICES); a
# member in several categories gets each category's goals once; none: the general goals.
GOALS_GENERAL = (
    "认真学习党的创新理论，全年学习不少于规定学时",
    "按时参加组织生活，按月交纳党费",
    "立足本职岗位发挥先锋模范作用",
    "密切联系群众，每季度至少为群众办一件实事",
)
GOALS_BY_CATEGORY = {
    "rural": ("带头学习惠农政策并向群众宣传", "带头发展生产、勤劳致富，带动群众增收", "带头参与村级事务和人居环境整治"),
    "retired": ("坚持学习，保持政治本色", "发挥余热，参与社区治理和关心下一代工作"),
    "mobile": ("每季度向党组织汇报一次思想和工作情况", "在流入地参加组织生活或线上学习", "按时交纳党费"),
    "non_public": ("立足岗位争当业务骨干", "带头遵守法律法规和企业制度，团结职工"),
    "unemployed": ("积极参加就业技能培训", "自强自立，力所能及参与志愿服务"),
    "student": ("勤奋学习，学业成绩良好", "带头参加志愿服务和社会实践"),
    "hardship": ("在党组织帮扶下改善生产生活条件", "力所能及参与组织生活和公益活动"),
    "pre_1949": ("讲好党史故事，传承红色基因",),
    "no_post": ("认领一个党员岗位并履行岗位职责",),
}
GOAL_CHECK_GRADES = [("achieved", "全部完成"), ("mostly", "基本完成"), ("partly", "部分完成"), ("missed", "未完成")]
GOAL_CHECK_LABELS = dict(GOAL_CHECK_GRADES)
GOAL_CHECK_OK = ("achieved", "mostly")
# The year-end self-check is done from this month of the goal year on.
GOAL_SELF_CHECK_FROM_MONTH = 12


def goals_for(categories) -> list[str]:
    goals: list[str] = []
    for code in categories:
        for g in GOALS_BY_CATEGORY.get(code, ()):
            if g not in goals:
                goals.append(g)
    return [*goals, *GOALS_GENERAL]


# ── 三培养 (seed 一.3): the talent pool ─────────────────────────────────────────────────────
@dataclass(frozen=True)
class TalentTrack:
    """One of the three 培养 tracks: its stages in order and what closing as achieved means.
    `needs_member`: the person is a party member (tracks 1 and 3); on 把骨干培养成党员 the
    person is a non-member backbone (名字 and 联系方式, linked to a member record once they join)."""

    code: str
    label: str
    stages: tuple  # (code, label) in order
    achieved: str  # what the "achieved" outcome means on this track
    needs_member: bool = True
    cadre: bool = False  # a reserve for village cadres (cadre selection lists query it)


TALENT_TRACKS = (
    TalentTrack(
        "member_to_backbone",
        "把党员培养成骨干",
        (("selected", "确定培养对象"), ("training", "岗位锻炼"), ("assessed", "考察评估")),
        "已成为致富、服务骨干",
    ),
    TalentTrack(
        "backbone_to_member",
        "把骨干培养成党员",
        (("selected", "确定培养对象"), ("contact", "结对联系培养"), ("applied", "已递交入党申请"), ("activist", "列为入党积极分子")),
        "已发展为党员",
        needs_member=False,
    ),
    TalentTrack(
        "backbone_to_cadre",
        "把党员骨干培养成村干部",
        (("selected", "列入村级后备干部"), ("training", "跟班学习、挂职锻炼"), ("assessed", "组织考察")),
        "已进入村“两委”班子",
        cadre=True,
    ),
)
TALENT_TRACK = {t.code: t for t in TALENT_TRACKS}
TALENT_TRACK_CHOICES = [(t.code, t.label) for t in TALENT_TRACKS]
TALENT_STAGE_LABELS = {code: label for t in TALENT_TRACKS for code, label in t.stages}
# How an entry is closed: achieved (the track's aim, worded per track), stopped, left.
TALENT_OUTCOMES = [("achieved", "培养成功"), ("stopped", "终止培养"), ("left", "调离或迁出")]
TALENT_OUTCOME_LABELS = dict(TALENT_OUTCOMES)
TALENT_OUTCOME_NEEDS_NOTE = ("stopped",)  # stopping says why
# A mentor (培养联系人) is a full member in normal standing, at most this many open entries.
TALENT_MENTOR_MAX = 3
TALENT_MEMBER_STATUSES = ("normal", "mobile")
