"""Coded values of the member record (domain-rules §9, §11). One list each, used by the
model, forms, API, import/export templates and statistics."""

ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
assert len(ETHNICITIES) == 56
ETHNICITY_CHOICES = [(e, e) for e in ETHNICITIES]
HAN = "汉族"

SEX_CHOICES = [("M", "男"), ("F", "女")]

# Highest education, from highest to lowest; `rank` orders them for "X or above".
EDUCATION_CHOICES = [
    ("postgraduate", "研究生"),
    ("bachelor", "大学本科"),
    ("college", "大学专科"),
    ("secondary_vocational", "中专"),
    ("high_school", "高中"),
    ("junior_or_below", "初中及以下"),
]
EDUCATION_RANK = {code: len(EDUCATION_CHOICES) - i for i, (code, _) in enumerate(EDUCATION_CHOICES)}
HIGH_SCHOOL_OR_ABOVE = ["postgraduate", "bachelor", "college", "secondary_vocational", "high_school"]
COLLEGE_OR_ABOVE = ["postgraduate", "bachelor", "college"]

DEGREE_CHOICES = [("", "无"), ("doctor", "博士"), ("master", "硕士"), ("bachelor", "学士")]

OCCUPATION_CHOICES = [
    ("skilled_worker", "工勤技能人员"),
    ("farmer", "农牧渔民"),
    ("professional", "专业技术人员"),
    ("manager", "管理人员"),
    ("civil_servant", "党政机关工作人员"),
    ("student", "学生"),
    ("other", "其他职业"),
    ("retired", "离退休人员"),
]

MEMBER_TYPE_CHOICES = [("probationary", "预备党员"), ("full", "正式党员")]

STATUS_CHOICES = [
    ("normal", "正常"),
    ("mobile", "流动"),
    ("lost_contact", "失联"),
    ("suspended", "停止党籍"),
    ("withdrawn", "出党·退党"),
    ("removed", "出党·除名"),
    ("expelled", "出党·开除"),
    ("self_withdrawal", "出党·自行脱党"),
    ("cancelled_probation", "出党·取消预备党员资格"),
    ("deceased", "死亡"),
    ("transferred_out", "转出本系统"),
]
# Statuses still counted in the organisation's membership (党内统计 counts members whose
# formal membership sits in the organisation: normal, mobile and lost-contact members).
COUNTED_STATUSES = ["normal", "mobile", "lost_contact"]
# Statuses that end a record's activity (its ID number may be reused by a new record).
# transferred_out: the membership left this deployment with a paper letter (组织关系转出);
# the record stays for the archive, a return is recorded as a new arrival.
ENDED_STATUSES = [
    "withdrawn",
    "removed",
    "expelled",
    "self_withdrawal",
    "cancelled_probation",
    "deceased",
    "transferred_out",
]
ACTIVE_STATUSES = ["normal", "mobile", "lost_contact", "suspended"]

CATEGORY_CHOICES = [
    ("rural", "农村党员"),
    ("retired", "离退休党员"),
    ("mobile", "流动党员"),
    ("non_public", "非公企业党员"),
    ("unemployed", "下岗失业党员"),
    ("student", "学生党员"),
    ("hardship", "困难党员"),
    ("pre_1949", "建国前入党老党员"),
    ("no_post", "无职党员"),
]

# Each category's bit in Member.category_bits (the statistics count every category in the
# one pass over the members). Stored values: append new categories, never reorder.
CATEGORY_BITS = {code: 1 << i for i, (code, _label) in enumerate(CATEGORY_CHOICES)}


def category_bits(category_codes) -> int:
    """The Member.category_bits value of a set of category codes."""
    return sum(CATEGORY_BITS[c] for c in set(category_codes))


def category_codes(bits: int) -> list[str]:
    """The category codes in a Member.category_bits value, sorted (no query)."""
    return sorted(code for code, bit in CATEGORY_BITS.items() if bits & bit)


INCREASE_METHOD_CHOICES = [("developed", "新发展"), ("other", "其他原因增加")]

LOST_CONTACT_REASONS = [
    ("migrant_work", "外出务工经商"),
    ("restructuring", "单位改制或破产"),
    ("graduated", "毕业后去向不明"),
    ("unit_changed", "工作单位改变"),
    ("abroad", "出国(境)"),
    ("residence_changed", "居住地改变"),
    ("other", "其他"),
]

# Age bands of the official bulletins (domain-rules §9), as (label, min, max) inclusive.
AGE_BANDS = [
    ("30岁及以下", 0, 30),
    ("31至35岁", 31, 35),
    ("36至40岁", 36, 40),
    ("41至45岁", 41, 45),
    ("46至50岁", 46, 50),
    ("51至55岁", 51, 55),
    ("56至60岁", 56, 60),
    ("61岁及以上", 61, 200),
]
YOUTH_AGE = 35  # "35岁以下" in the seed report means 35 and under

# Joining periods (domain-rules §9), as (code, label, first day, last day).
JOIN_PERIODS = [
    ("before_1949", "建国前", None, "1949-09-30"),
    ("to_1978", "建国后至十一届三中全会前", "1949-10-01", "1978-12-31"),
    ("to_2012", "十一届三中全会后至党的十八大前", "1979-01-01", "2012-11-14"),
    ("since_2012", "党的十八大以来", "2012-11-15", None),
]

# 党纪处分 (中国共产党纪律处分条例): kinds, and the one that bars a member from acting as
# an introducer (细则第十四条) and from voting, electing and standing while it lasts.
DISCIPLINE_CHOICES = [
    ("warning", "警告"),
    ("serious_warning", "严重警告"),
    ("dismissal_from_post", "撤销党内职务"),
    ("probation", "留党察看"),
    ("expulsion", "开除党籍"),
]
DISCIPLINE_PROBATION = "probation"
DISCIPLINE_EXPULSION = "expulsion"
DISCIPLINE_PROBATION_YEARS = (1, 2)  # 留党察看期限为一年或二年


# Fields of the record a member may edit about themself (the 党员 role's change_self):
# phone and address at once; education and degree go to the branch for review.
SELF_EDITABLE_FIELDS = ("phone", "address")
SELF_REVIEWED_FIELDS = ("education", "degree")
