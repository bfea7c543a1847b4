"""Care and incentive rules declared once (domain-rules §13 and the seed's 一.3, 三.3, 三.6).

The occasions themselves (四必访, the twice-yearly visits, the 七一 greeting) and the subsidy
amounts are rows a county administrator edits (CareOccasion, SubsidyRate; defaults seeded
by migration 0002). What stays here are the fixed definitions the services read: who counts
as a target of a seasonal visit, the hardship causes and levels, the fund movement kinds.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from apps.dues.rules import parse_money  # noqa: F401  (one money parser for the product)

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")

# ── who a seasonal visit goes to (CareOccasion.targets lists these codes) ──────────────
OLD_AGE = 80  # 老党员: aged 80 or over at the visit's year end, or joined before 1949-10-01
PRE_1949 = datetime.date(1949, 10, 1)
SICK_WINDOW_DAYS = 365  # 生病党员: an illness visit (四必访) or an open illness hardship within a year
DECEASED_FAMILY_YEARS = 3  # families of members who died within 3 years before the year end
ILLNESS_OCCASION = "illness"

TARGETS = [
    ("old", "老党员"),
    ("sick", "生病党员"),
    ("hardship", "困难党员"),
    ("deceased_family", "已故党员家属"),
    ("all", "全体党员"),
]
TARGET_LABELS = dict(TARGETS)

# Default occasions (migration 0002 seeds them; the county edits them in 关怀事由设置).
DEFAULT_OCCASIONS = [
    # code, name, kind, month, targets, order
    ("illness", "党员生病住院必访", "must_visit", None, [], 10),
    ("hardship", "家庭遭遇困难必访", "must_visit", None, [], 20),
    ("wavering", "思想出现波动必访", "must_visit", None, [], 30),
    ("wedding_funeral", "家有婚丧大事必访", "must_visit", None, [], 40),
    ("spring_festival", "春节走访慰问", "seasonal", 1, ["old", "sick", "hardship", "deceased_family"], 50),
    ("july_first", "七一走访慰问", "seasonal", 7, ["old", "sick", "hardship", "deceased_family"], 60),
    ("july_first_greeting", "七一问候", "greeting", 7, ["all"], 70),
]

# ── hardship register (困难党员) ────────────────────────────────────────────────────────
HARDSHIP_CAUSES = [
    ("illness", "因病"),
    ("disability", "因残"),
    ("disaster", "因灾"),
    ("old_age", "年老体弱"),
    ("unemployment", "下岗失业"),
    ("schooling", "子女就学"),
    ("other", "其他"),
]
HARDSHIP_LEVELS = [("general", "一般困难"), ("severe", "特别困难")]
PAIRING_UPDATE_DAYS = 90  # 三包 pairing: an update at least every quarter, else it shows as due

# ── 互助基金 ────────────────────────────────────────────────────────────────────────────
MOVEMENT_KINDS = [("contribution", "捐助收入"), ("allocation", "拨入资金"), ("payout", "救助支出")]
INCOME_KINDS = ("contribution", "allocation")
FUND_MAX_PAYOUT = Decimal("50000.00")  # one application at most (the committee may lower it)

# ── subsidies (生活补助) ────────────────────────────────────────────────────────────────
SUBSIDY_CATEGORIES = [
    ("pre_1949", "建国前入党老党员"),
    ("old_age", "高龄老党员"),
    ("long_standing", "老党员（党龄）"),
]


@dataclass(frozen=True)
class SubsidyThreshold:
    """The defaults of a new year's rates (SubsidyRate rows hold the real ones)."""

    category: str
    amount: Decimal
    min_age: int | None = None
    min_party_years: int | None = None


DEFAULT_SUBSIDIES = [
    SubsidyThreshold("pre_1949", Decimal("3600.00")),
    SubsidyThreshold("old_age", Decimal("1200.00"), min_age=80),
    SubsidyThreshold("long_standing", Decimal("600.00"), min_age=70, min_party_years=50),
]


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def years_between(start: datetime.date, on: datetime.date) -> int:
    return age_on(start, on)


# ── commendations (表彰激励, the seed's 三.6) ──────────────────────────────────────────
AWARD_LEVELS = [("county", "县级"), ("committee", "乡镇（党委）级")]
NOMINEE_KINDS = [("member", "党员个人"), ("organisation", "基层党组织")]
DEFAULT_COMMENDATION_KINDS = [
    # code, name, nominee kind, level, order
    ("advanced_org", "先进基层党组织", "organisation", "county", 10),
    ("excellent_member", "优秀共产党员", "member", "county", 20),
    ("excellent_worker", "优秀党务工作者", "member", "county", 30),
    ("top_ten_secretary", "十佳村（社区）党组织书记", "member", "county", 40),
    ("town_excellent_member", "乡镇优秀共产党员", "member", "committee", 50),
]
NOTICE_WORKDAYS = 5  # 公示不少于5个工作日 (the working-day calendar of recruitment)
# How long a sanction bars a commendation (受处分期间不得评先评优): months from the
# decision; 留党察看 until its end date; 开除党籍 for ever (None).
SANCTION_BAR_MONTHS = {"warning": 12, "serious_warning": 18, "dismissal_from_post": 24, "probation": 24, "expulsion": None}

# ── cadre preference (三培养: 把党员培养成村组干部) ────────────────────────────────────
CADRE_MAX_AGE = 45  # reserve village cadres: members aged 45 or under
CADRE_EDUCATION = ("postgraduate", "bachelor", "college", "secondary_vocational", "high_school")
AWARD_YEARS = 3  # awards in the last 3 years count towards the preference list

# ── 联系群众 (the seed's 三.4) ──────────────────────────────────────────────────────────
CONTACT_WAYS = [("visit", "入户走访"), ("phone", "电话联系"), ("meeting", "座谈"), ("other", "其他")]
CONTACT_GAP_DAYS = 90  # a household not contacted for a quarter shows as a gap
MAX_HOUSEHOLDS_PER_MEMBER = 10  # a member keeps in contact with at most 10 households
