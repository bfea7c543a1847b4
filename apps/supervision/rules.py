"""Leadership and standardisation rules declared as data (domain-rules §12, seed 一.4).

The contact pattern (挂钩联系) says which kinds of contact point a leader holds and how
many; the 十规范 default checklist is seeded into the first ChecklistVersion (a county
administrator edits it by saving a new version); the weights of the year-end evaluation
and of the branch health score are here too. Services read these, never literals."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ContactKind:
    code: str
    label: str
    roles: frozenset  # roles of the leaders who hold this kind of contact point
    per_leader: int  # at most this many per leader per year (0: no limit)
    org_types: frozenset | None = None  # the contacted organisation's type (None: any)
    unit_types: frozenset | None = None  # the contacted organisation's unit (None: any)


_COMMITTEES = frozenset({"committee", "general_branch"})
_GRASSROOTS = frozenset({"committee", "general_branch", "branch", "joint_branch", "temporary_branch"})

# Each county leader: 1 township, 1 model village, 1 weak (很不适应) village, 1 state-owned
# enterprise and 1 non-public enterprise party organisation. Section-level cadres of the
# organisation department (组织部 科级干部) hold contact points; township committee
# members take a share of the villages (分片负责).
CONTACT_KINDS = (
    ContactKind("township", "联系乡镇", frozenset({"county_leader"}), 1, _COMMITTEES),
    ContactKind("model_village", "联系先进村", frozenset({"county_leader"}), 1, _GRASSROOTS, frozenset({"village"})),
    ContactKind("weak_village", "联系很不适应村", frozenset({"county_leader"}), 1, _GRASSROOTS, frozenset({"village"})),
    ContactKind("state_enterprise", "联系国有企业党组织", frozenset({"county_leader"}), 1, _GRASSROOTS, frozenset({"state_enterprise"})),
    ContactKind(
        "non_public_enterprise",
        "联系非公有制企业党组织",
        frozenset({"county_leader"}),
        1,
        _GRASSROOTS,
        frozenset({"non_public_enterprise"}),
    ),
    ContactKind("section_point", "组织部科级干部联系点", frozenset({"county_admin", "inspector"}), 3, _GRASSROOTS),
    ContactKind("township_area", "乡镇分片负责", frozenset({"committee_organiser", "inspector"}), 0, _GRASSROOTS),
)
CONTACT_KIND_BY_CODE = {k.code: k for k in CONTACT_KINDS}
CONTACT_KIND_CHOICES = [(k.code, k.label) for k in CONTACT_KINDS]
# The five a county leader must hold (the pattern); a leader missing one is told.
LEADER_PATTERN = ("township", "model_village", "weak_village", "state_enterprise", "non_public_enterprise")
VISITS_PER_QUARTER = 1  # an assignment without a visit in the quarter is a gap (to-do)

VISIT_KINDS = [
    ("visit", "走访调研"),
    ("guidance", "工作指导"),
    ("lecture", "讲党课"),
    ("meeting", "参加组织生活"),
]


@dataclass(frozen=True)
class ChecklistDefault:
    area: int
    code: str
    title: str
    evidence: str
    max_score: int
    metric: str = ""  # an org_metrics name: the item is scored from data when registered


# 十规范 (domain-rules §12): ten areas, 100 points. Items whose metric is registered are
# scored from data (share × max score); the rest by the inspector with evidence.
DEFAULT_CHECKLIST = (
    ChecklistDefault(1, "org_setup", "组织设置规范，按期换届", "组织设置批复、换届选举材料", 10, "orgs.terms_on_time"),
    ChecklistDefault(2, "committee", "班子健全，书记经过培训", "班子成员名单、书记培训证明", 10),
    ChecklistDefault(3, "development", "发展党员程序规范、步骤按期", "发展党员档案、五项制度记录", 10, "recruitment.steps_on_time"),
    ChecklistDefault(4, "education", "党员教育学时达标（32/56学时），参加轮训", "学习记录、轮训名单", 10, "education_hours"),
    ChecklistDefault(5, "orglife", "三会一课、主题党日、组织生活会按要求开展", "会议记录本、签到表", 15),
    ChecklistDefault(6, "dues", "党费按月收缴、按时上交、定期公开", "党费收缴台账、上交凭证、公开记录", 10, "dues.collected"),
    ChecklistDefault(7, "appraisal", "民主评议党员按时开展，结果运用", "评议材料、结果报告", 10),
    ChecklistDefault(8, "venue", "活动阵地、远程教育站点规范使用", "阵地照片、远教播放记录", 8),
    ChecklistDefault(9, "records", "制度健全、档案完整、党务公开", "制度上墙、档案目录、公开栏", 9),
    ChecklistDefault(10, "masses", "联系服务群众（设岗定责、走访、反馈答复）", "走访记录、群众反馈答复记录", 8),
)
AREA_LABELS = {
    1: "组织设置",
    2: "班子建设",
    3: "党员发展",
    4: "党员教育",
    5: "组织生活",
    6: "党费收缴",
    7: "民主评议",
    8: "阵地建设",
    9: "制度与档案",
    10: "联系服务群众",
}
AREA_CHOICES = sorted(AREA_LABELS.items())
MAX_ITEM_SCORE = 100

# Year-end evaluation: the self-checks' average and the spot checks' average, weighted.
# Without a spot check in the year the self-checks count alone (said in the reason).
YEAR_END_WEIGHTS = {"self_check": Decimal("0.4"), "spot_check": Decimal("0.6")}
PASS_SCORE = Decimal("60")  # below: 不达标, a rectification is due
GRADES = ((Decimal("90"), "优秀"), (Decimal("75"), "良好"), (Decimal("60"), "合格"), (Decimal("0"), "不合格"))

# Spot checks: a sample of grassroots organisations per township, drawn reproducibly.
SPOT_CHECK_DEFAULT_PER_TOWNSHIP = 2
SPOT_CHECK_MAX_PER_TOWNSHIP = 50
SPOT_CHECK_ORG_TYPES = ("branch", "joint_branch", "temporary_branch", "general_branch")

# Rectification: default time allowed after an inspection finds a problem.
RECTIFICATION_DEFAULT_DAYS = 30

# Branch health score: each registered org metric's share × its weight, over the weights
# of the metrics present. A metric not listed here weighs HEALTH_DEFAULT_WEIGHT.
HEALTH_WEIGHTS = {
    "orgs.terms_on_time": 10,
    "recruitment.steps_on_time": 15,
    "dues.collected": 20,
    "education_hours": 15,
}
HEALTH_DEFAULT_WEIGHT = 15
HEALTH_LAGGING_BELOW = 60  # 月通报: units below this score are listed as lagging

# Monthly reports: due by this day of the following month.
REPORT_DUE_DAY = 5

# Typical model points (50 示范点): the county's target, the kinds, and the review outcomes.
MODEL_POINTS_TARGET = 50
MODEL_POINT_CATEGORIES = [
    ("village", "农村"),
    ("community", "社区"),
    ("government", "机关"),
    ("state_enterprise", "国有企业"),
    ("non_public", "非公有制企业"),
    ("school", "学校"),
    ("other", "其他"),
]
MODEL_POINT_DECISIONS = [("accepted", "验收通过，命名为示范点"), ("continue", "继续培育"), ("revoked", "取消培育")]
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
ATTACHMENT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx")

# 党建指导员: sent to non-public enterprises and social organisations.
INSTRUCTOR_UNIT_TYPES = frozenset({"non_public_enterprise", "social_organisation"})


# 四训 (the training of party-work cadres, seed 一.4): quarterly training at the 例会,
# the annual 专训, 轮训 at the party schools, and 普训 at the 季训会/季谈会/月碰头会.
# Each record credits its attendees' study hours (education) in the study form named here.
@dataclass(frozen=True)
class CadreTrainingKind:
    code: str
    label: str
    per_year: int  # expected per organiser and year (the to-do/summary counts against it)
    study_form: str  # education's study form the hours are credited in
    occasions: tuple = ()  # the meetings it is held at (empty: any)


CADRE_TRAINING_KINDS = (
    CadreTrainingKind("regular", "例会培训", 4, "collective_study"),
    CadreTrainingKind("special", "专训", 1, "concentrated"),
    CadreTrainingKind("rotation", "轮训", 1, "concentrated"),
    CadreTrainingKind("general", "普训", 4, "collective_study", ("季训会", "季谈会", "月碰头会")),
)
CADRE_TRAINING_KIND_BY_CODE = {k.code: k for k in CADRE_TRAINING_KINDS}
CADRE_TRAINING_KIND_CHOICES = [(k.code, k.label) for k in CADRE_TRAINING_KINDS]
CADRE_TRAINING_OCCASIONS = sorted({o for k in CADRE_TRAINING_KINDS for o in k.occasions})
CADRE_TRAINING_MAX_HOURS = Decimal("40")  # one record (a week's 轮训 at most)
