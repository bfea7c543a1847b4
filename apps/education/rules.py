"""Study-hour rules declared once as data (domain-rules §4, 2019–2023 全国党员教育培训工作规划).

Amounts a county administrator may change are SETTINGS: the current values are the newest
StudyRuleVersion (apps.education.models), whose defaults are DEFAULTS here; every study
entry records the version its hours were counted under. Everything else (the study forms,
which forms are concentrated training, class levels and kinds) is fixed here. The pure
arithmetic of hours and progress lives here too, so services, selectors, statistics and the
CLI compute it one way.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from apps.orgs.rules import GRASSROOTS_TYPES

# ---------------------------------------------------------------------------
# Study forms (学习形式). Codes are the ones apps.core.signals.attendance_recorded names.
FORMS = [
    ("concentrated", "集中培训"),
    ("training", "培训班"),
    ("collective_study", "集体学习"),
    ("party_lecture", "党课"),
    ("theme_day", "主题党日学习"),
    ("online", "网上学习"),
    ("quiz", "考学"),
    ("self_study", "自学"),
]
FORM_LABEL = dict(FORMS)
# Forms that count as a concentrated course (集中培训) for the cadre, probationary and
# new-secretary rules.
CONCENTRATED_FORMS = frozenset({"concentrated", "training"})
# Forms a branch may enter by hand (the others come from records: classes, meetings, quizzes).
MANUAL_FORMS = [(c, label) for c, label in FORMS if c not in ("training", "quiz")]

# Where an entry came from.
ORIGINS = [
    ("manual", "支部录入"),
    ("class", "培训班考勤"),
    ("attendance", "组织生活记录"),
    ("quiz", "考学成绩"),
]

# How long a study session lasted: the counting rule turns it into hours.
DURATIONS = [("full_day", "全天"), ("half_day", "半天"), ("actual", "按实际学时")]

# ---------------------------------------------------------------------------
# Training classes by level (the seed's three-level network) and kind.
CLASS_LEVELS = [("county", "县委党校"), ("township", "乡镇（街道）党校"), ("branch", "基层党组织")]
CLASS_KINDS = [
    ("general", "专题培训"),
    ("rotation", "基层党组织书记轮训"),
    ("new_secretary", "新任书记培训"),
    ("probationary", "预备党员培训"),
    ("activist", "入党积极分子培训班"),
    ("development", "发展对象培训班"),
]
# Kinds whose trainees are not party members but development files of the recruitment
# app (入党积极分子, 发展对象): one class mechanism, two kinds of trainee. Members are not
# enrolled in these classes; the recruitment app enrols its files (recruitment.TrainingRecord)
# and reads completion from here (selectors.class_credits).
RECRUITMENT_KINDS = frozenset({"activist", "development"})
# The kind of class that counts as the annual county-level rotation (轮训) of secretaries.
ROTATION_KIND = "rotation"
ROTATION_LEVEL = "county"

# Organisations whose secretaries and committee members are "grassroots cadres" (56 h).
CADRE_ORG_TYPES = frozenset(GRASSROOTS_TYPES)
SECRETARY_ROLE = "secretary"

# The to-do reminders about members behind on hours run in the fourth quarter.
REMINDER_FROM_MONTH = 10


# ---------------------------------------------------------------------------
# Configurable amounts (key, label, default, minimum, maximum, unit, source)
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
    Setting("ordinary_hours", "普通党员每年学习学时", 32, 1, 200, "学时", "规划：党员每年集中学习培训不少于32学时"),
    Setting("cadre_hours", "基层党组织书记和班子成员每年学时", 56, 1, 300, "学时", "规划：不少于56学时"),
    Setting("cadre_courses", "书记和班子成员每年集中培训（次）", 1, 0, 12, "次", "规划：至少参加1次集中培训"),
    Setting("new_secretary_months", "新任书记参加培训期限", 6, 1, 12, "个月", "规划：新任书记6个月内完成任职培训"),
    Setting("probation_after_months", "转正后参加集中培训期限", 12, 1, 24, "个月", "预备期内1次、转正后1年内1次"),
    Setting("full_day_hours", "全天折算学时", 8, 1, 12, "学时", "计算规则：全天8学时"),
    Setting("half_day_hours", "半天折算学时", 4, 1, 6, "学时", "计算规则：半天4学时"),
    Setting("approval_hours", "支部录入须上级审批的学时（超过）", 8, 1, 100, "学时", "大额学时由上级党委审核"),
    Setting("max_entry_hours", "单条记录最多学时", 80, 1, 400, "学时", "防止误录"),
    Setting("completion_percent", "培训班结业须出勤学时比例", 80, 1, 100, "%", "出勤不足不予结业"),
]
DEFAULTS = {s.key: s.default for s in SETTINGS}
SETTING_BY_KEY = {s.key: s for s in SETTINGS}

ONE_PLACE = Decimal("0.1")
ZERO = Decimal("0")


def hours(value) -> Decimal:
    """Hours kept with one decimal place."""
    return Decimal(str(value or 0)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def count_hours(duration: str, actual, values: dict, *, days: int = 1) -> Decimal:
    """The counting rule: a full day counts full_day_hours, a half day half_day_hours (each
    per day), otherwise the actual hours."""
    if duration == "full_day":
        return hours(values["full_day_hours"] * days)
    if duration == "half_day":
        return hours(values["half_day_hours"] * days)
    return hours(actual)


def required_hours(is_cadre: bool, values: dict) -> int:
    return values["cadre_hours"] if is_cadre else values["ordinary_hours"]


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def elapsed_share(year: int, as_of: datetime.date) -> Decimal:
    """The share of the calendar year gone by on as_of (the day counted): 0 before it
    starts, 1 after it ends."""
    start, end = year_bounds(year)
    if as_of < start:
        return ZERO
    if as_of >= end:
        return Decimal(1)
    days = 366 if calendar.isleap(year) else 365
    return Decimal((as_of - start).days + 1) / Decimal(days)


@dataclass(frozen=True)
class Progress:
    hours: Decimal
    required: int
    shortfall: Decimal  # hours still missing now
    projected: Decimal  # hours at year end at the pace so far
    projected_shortfall: Decimal  # hours missing at year end at that pace

    @property
    def met(self) -> bool:
        return self.shortfall == 0

    @property
    def percent(self) -> int:
        return min(100, int(self.hours * 100 / self.required)) if self.required else 100


def progress(done, required: int, year: int, as_of: datetime.date) -> Progress:
    done = hours(done)
    req = Decimal(required)
    shortfall = max(ZERO, req - done)
    share = elapsed_share(year, as_of)
    projected = done if share == 0 else hours(done / share)
    projected = max(projected, done)
    return Progress(done, required, hours(shortfall), projected, hours(max(ZERO, req - projected)))


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------
# 述学述评: the grades of the yearly study report, and who reviews whom.
REPORT_GRADES = [("excellent", "优秀"), ("good", "良好"), ("fair", "一般"), ("poor", "较差")]
REVIEWER_LEVELS = [("branch", "党支部评议"), ("higher", "上级党委评议")]
REPORT_MAX_CHARS = 3000
REPORT_MIN_CHARS = 50
# A report may be written for the current year and the year before (submitted in January).
REPORT_YEARS_BACK = 1


# ---------------------------------------------------------------------------
# 考学 (online quizzes): question kinds, difficulty, paper limits.
QUESTION_KINDS = [("single", "单选题"), ("multiple", "多选题"), ("truefalse", "判断题")]
QUESTION_KIND_BY_LABEL = {label: code for code, label in QUESTION_KINDS}
DIFFICULTIES = [("easy", "容易"), ("medium", "中等"), ("hard", "困难")]
DIFFICULTY_BY_LABEL = {label: code for code, label in DIFFICULTIES}
TRUE_FALSE_OPTIONS = ["正确", "错误"]
LETTERS = "ABCDEFGH"
MIN_OPTIONS, MAX_OPTIONS = 2, 8
MAX_QUIZ_QUESTIONS = 100
MAX_QUIZ_ATTEMPTS = 5
MAX_TIME_LIMIT = 180  # minutes
MAX_QUIZ_HOURS = 8
# A submission this many seconds after the deadline is still taken (network, a slow phone).
QUIZ_GRACE_SECONDS = 30
# The columns of the question-bank workbook (import and export alike).
QUESTION_COLUMNS = ["题型", "分类", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "正确答案", "解析"]
MAX_IMPORT_ROWS = 5000


def mark(kind: str, answer: str, given) -> bool:
    """Whether `given` (letters, any order, as a string or a list) is exactly the answer."""
    if isinstance(given, list | tuple):
        given = "".join(str(g) for g in given)
    return "".join(sorted(set(str(given or "").upper()))) == "".join(sorted(answer))


def quiz_score(correct: int, total: int) -> Decimal:
    return hours(Decimal(100) * correct / total) if total else ZERO


# ---------------------------------------------------------------------------
# Education plans: annual plans and mid-term plans (规划) of an organisation.
PLAN_KINDS = [("annual", "年度计划"), ("midterm", "中期规划")]
MIDTERM_MAX_YEARS = 5
PLAN_AUDIENCES = [
    ("all", "全体党员"),
    ("cadres", "书记和班子成员"),
    ("secretaries", "党组织书记"),
    ("new_secretaries", "新任书记"),
    ("probationary", "预备党员"),
]


# ---------------------------------------------------------------------------
# Venues and resources (the seed's venue investment) and the courseware library.
VENUE_KINDS = [("activity_room", "党员活动室"), ("media_room", "电教室"), ("distance_site", "远程教育站点"), ("other", "其他学习阵地")]
MAX_COURSEWARE_MINUTES = 600

# Courseware files uploaded to the library (课件库: "file or link on the intranet"). The
# upload is streamed to storage in chunks and cut off once it passes the limit
# (apps.education.uploads), so neither memory nor disk holds more than this.
COURSEWARE_MAX_BYTES = 200 * 1024 * 1024
# Allowed types: extension -> the signatures its first bytes may start with (a renamed
# file of another type is refused). doc/ppt are OLE compound files, docx/pptx ZIP; an MP4
# has "ftyp" at offset 4.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
COURSEWARE_TYPES = {
    "pdf": ("PDF 文档", (b"%PDF",)),
    "doc": ("Word 文档", (OLE,)),
    "docx": ("Word 文档", (ZIP,)),
    "ppt": ("PowerPoint 演示文稿", (OLE,)),
    "pptx": ("PowerPoint 演示文稿", (ZIP,)),
    "mp4": ("MP4 视频", ()),  # checked by its "ftyp" box (see courseware_type_ok)
}


def courseware_type_ok(extension: str, head: bytes) -> bool:
    """Whether the first bytes of a file match its extension."""
    if extension == "mp4":
        return head[4:8] == b"ftyp"
    return any(head.startswith(sig) for sig in COURSEWARE_TYPES[extension][1])


def size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.0f}MB" if n >= 1024 * 1024 else f"{n / 1024:.0f}KB"
