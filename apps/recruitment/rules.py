"""The member-development rule table (domain-rules §1), declared once as data.

The engine (apps.recruitment.engine) is the only reader: it decides from this table what
may happen next, what is due, what is overdue, and refuses anything else with a Chinese
message naming the rule. Time limits never live in code paths: every amount is a
configurable setting (SETTINGS) whose values a county administrator changes by saving a
new RuleVersion; each step taken records the version it was taken under.
"""

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# Stages
STAGES = [
    ("applicant", "申请入党"),
    ("activist", "入党积极分子"),
    ("target", "发展对象"),
    ("admission", "预备党员接收"),
    ("probation", "预备期"),
]
STAGE_LABEL = dict(STAGES)
# A file's stage field (who the person is now): the step stage plus "full" at the end.
FILE_STAGES = [
    ("applicant", "入党申请人"),
    ("activist", "入党积极分子"),
    ("target", "发展对象"),
    ("probationary", "预备党员"),
    ("full", "正式党员"),
]

SOURCES = [
    ("returned_youth", "回乡青年"),
    ("veteran", "退伍军人"),
    ("non_public_backbone", "非公企业生产骨干"),
    ("demobilised", "复退军人"),
    ("returned_educated_youth", "回乡知青"),
    ("tech_talent", "科技能人"),
    ("wealth_leader", "致富能手"),
    ("returned_migrant", "外出务工经商返乡青年"),
    ("mass_org", "群团推优"),
    ("other", "其他"),
]

# ---------------------------------------------------------------------------
# Configurable values (defaults = the 2014 细则 baseline). key: (label, default, min, max, unit)


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    default: int
    minimum: int
    maximum: int
    unit: str  # "days" / "workdays" / "months" / "years" / "hours"
    source: str = ""


SETTINGS = [
    Setting("talk_within_months", "递交申请后派人谈话期限", 1, 1, 3, "months", "细则第七条"),
    Setting("activist_to_target_years", "积极分子培养考察期", 1, 1, 3, "years", "细则第十三条"),
    Setting("assessment_every_months", "积极分子考察（测评）周期", 6, 1, 12, "months", "细则第十一条"),
    Setting("notice_workdays", "发展对象公示期", 5, 3, 15, "workdays", "细则第十三条"),
    Setting("political_review_valid_years", "政治审查结论有效期", 1, 1, 3, "years", "细则第十五条"),
    Setting("training_min_days", "集中培训最少天数", 3, 1, 10, "days", "细则第十六条"),
    Setting("training_min_hours", "集中培训最少学时", 24, 8, 80, "hours", "细则第十六条"),
    Setting("pre_review_to_meeting_months", "预审通过后召开支部大会期限", 1, 1, 6, "months", "细则第十八条"),
    Setting("approval_months", "上级党委审批期限", 3, 1, 6, "months", "细则第二十六条"),
    Setting("approval_max_months", "审批延长后的最长期限", 6, 3, 12, "months", "细则第二十六条"),
    Setting("oath_within_months", "审批后入党宣誓期限", 1, 1, 6, "months", "细则第二十九条"),
    Setting("probation_years", "预备期", 1, 1, 1, "years", "党章第七条"),
    Setting("conversion_approval_months", "转正审批期限", 3, 1, 6, "months", "细则第三十二条"),
    Setting("transfer_valid_days", "发展档案转接有效期", 30, 7, 180, "days", "细则第三十七条"),
]
SETTING_BY_KEY = {s.key: s for s in SETTINGS}
DEFAULTS = {s.key: s.default for s in SETTINGS}
UNIT_LABEL = {"days": "天", "workdays": "个工作日", "months": "个月", "years": "年", "hours": "学时"}

# Extension of probation (党章第七条): once only, 6–12 months.
EXTENSION_MIN_MONTHS = 6
EXTENSION_MAX_MONTHS = 12
MIN_AGE = 18


def amount_text(n: int, unit: str) -> str:
    if unit == "years" and n == 1:
        return "一年"
    if unit == "months" and n == 1:
        return "一个月"
    return f"{n}{UNIT_LABEL[unit]}"


# ---------------------------------------------------------------------------
# Intervals


@dataclass(frozen=True)
class Interval:
    """A time limit between an earlier step (`after`) and this one.

    kind "min": this step not before after + amount (amount 0: not before its date).
    kind "max": this step not after after + amount; a "soft" maximum may be exceeded
    with a recorded reason (data["late_reason"]); a hard one never.
    `setting` names the configurable amount; `fixed` is used when setting is None.
    """

    after: str
    kind: str
    setting: str | None = None
    fixed: int = 0
    unit: str = "days"
    article: str = ""
    soft: bool = False
    # For approval: exceeding the soft limit needs data[reason_field].
    reason_field: str = "late_reason"

    def amount(self, values: dict) -> tuple[int, str]:
        if self.setting:
            s = SETTING_BY_KEY[self.setting]
            return int(values.get(self.setting, s.default)), s.unit
        return self.fixed, self.unit


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text / date / int / choice / members / decimal / bool
    required: bool = True
    choices: tuple = ()
    help: str = ""


@dataclass(frozen=True)
class Step:
    number: int
    code: str
    stage: str
    name: str
    phrase: str  # used in messages: "确定为发展对象须在……"
    prerequisites: tuple[str, ...] = ()
    intervals: tuple[Interval, ...] = ()
    fields: tuple[Field, ...] = ()
    checks: tuple[str, ...] = ()  # engine check names (see engine.CHECKS)
    effects: tuple[str, ...] = ()  # engine effect names (see engine.EFFECTS)
    performer: str = "branch"  # "branch" or "higher" (needs the approve action)
    article: str = ""
    records: str = ""  # the documents this step needs (shown on the form)
    repeatable_on_extension: bool = False
    deadline_note: str = ""
    extra: dict = field(default_factory=dict)


def _i(after, kind, setting=None, fixed=0, unit="days", article="", soft=False, reason_field="late_reason"):
    return Interval(after, kind, setting, fixed, unit, article, soft, reason_field)


TALKER_ROLES = (("secretary", "书记"), ("deputy_secretary", "副书记"), ("committee_member", "组织委员/支委"))
RECOMMENDATION = (("member", "党员推荐"), ("mass_org", "群团组织推优"))
DECIDED_BY = (("committee", "支部委员会"), ("general_meeting", "支部党员大会（未设支委会）"))
RESULT = (("pass", "通过"), ("fail", "不通过"))
CONCLUSION = (("pass", "合格"), ("fail", "不合格"))
APPROVAL = (("approve", "批准"), ("reject", "不批准"))
CONVERSION_OUTCOME = (("convert", "按期转正"), ("extend", "延长预备期"), ("cancel", "取消预备党员资格"))

STEPS: list[Step] = [
    Step(
        1,
        "apply",
        "applicant",
        "递交入党申请书",
        "递交入党申请书",
        checks=("age", "application_checks"),
        effects=("stage:applicant",),
        article="党章第一条、细则第五条",
        records="本人书面入党申请书",
    ),
    Step(
        2,
        "talk",
        "applicant",
        "党组织派人谈话",
        "派人谈话",
        ("apply",),
        (_i("apply", "min", article="细则第七条"), _i("apply", "max", "talk_within_months", article="细则第七条", soft=True)),
        (Field("talker", "谈话人"), Field("talker_role", "谈话人身份", "choice", choices=TALKER_ROLES), Field("summary", "谈话记录摘要")),
        article="细则第七条",
        records="谈话记录",
    ),
    Step(
        3,
        "activist",
        "activist",
        "推荐和确定入党积极分子",
        "确定为入党积极分子",
        ("talk",),
        (_i("talk", "min", article="细则第九条"),),
        (
            Field("recommendation", "推荐方式", "choice", choices=RECOMMENDATION),
            Field("decided_by", "决定机构", "choice", choices=DECIDED_BY),
        ),
        effects=("stage:activist",),
        article="细则第九条",
        records="推荐材料、支委会会议记录",
    ),
    Step(
        4,
        "activist_filed",
        "activist",
        "上级党委备案",
        "积极分子报上级党委备案",
        ("activist",),
        (_i("activist", "min", article="细则第九条"),),
        performer="higher",
        article="细则第九条",
        records="备案表",
    ),
    Step(
        5,
        "contacts",
        "activist",
        "指定培养联系人",
        "指定培养联系人",
        ("activist",),
        (_i("activist", "min", article="细则第十条"),),
        (Field("contacts", "培养联系人（1–2名正式党员）", "members"),),
        checks=("contacts",),
        article="细则第十条",
        records="培养联系人名单",
    ),
    Step(
        6,
        "cultivate",
        "activist",
        "培养教育考察",
        "培养教育考察",
        ("contacts",),
        (_i("activist", "min", article="细则第十一条"),),
        checks=("assessments",),
        article="细则第十一条",
        records="每半年一次的考察（测评）记录",
        deadline_note="每半年考察一次；转换单位时培养时间连续计算",
    ),
    Step(
        7,
        "target",
        "target",
        "确定发展对象",
        "确定为发展对象",
        ("cultivate", "activist_filed"),
        (_i("activist", "min", "activist_to_target_years", article="细则第十三条"),),
        (Field("decided_by", "决定机构", "choice", choices=DECIDED_BY),),
        checks=("target_assessment", "notice"),
        effects=("stage:target",),
        article="细则第十三条",
        records="党员和群众意见、公示结果、支委会会议记录",
    ),
    Step(
        8,
        "target_filed",
        "target",
        "报上级党委备案",
        "发展对象报上级党委备案",
        ("target",),
        (_i("target", "min", article="细则第十三条"),),
        performer="higher",
        article="细则第十三条",
        records="备案表",
    ),
    Step(
        9,
        "introducers",
        "target",
        "确定入党介绍人",
        "确定入党介绍人",
        ("target",),
        (_i("target", "min", article="细则第十四条"),),
        (Field("introducers", "入党介绍人（2名正式党员）", "members"),),
        checks=("introducers",),
        article="细则第十四条",
        records="入党介绍人名单",
    ),
    Step(
        10,
        "political_review",
        "target",
        "进行政治审查",
        "政治审查",
        ("target",),
        (_i("target", "min", article="细则第十五条"),),
        (Field("conclusion", "审查结论", "choice", choices=CONCLUSION), Field("summary", "政审综合材料（书面结论）")),
        effects=("political_review",),
        article="细则第十五条",
        records="政治审查综合材料",
    ),
    Step(
        11,
        "training",
        "target",
        "开展集中培训",
        "集中培训",
        ("target",),
        (_i("target", "min", article="细则第十六条"),),
        (
            Field("days", "本次培训天数", "int", required=False),
            Field("hours", "本次培训学时", "int", required=False),
            Field("provider", "培训单位", required=False),
        ),
        checks=("training",),
        effects=("training",),
        article="细则第十六条",
        records="培训结业证明（不少于3天或24学时）",
    ),
    Step(
        12,
        "branch_review",
        "admission",
        "支部委员会审查",
        "支部委员会审查",
        ("target_filed", "introducers", "political_review", "training"),
        (_i("training", "min", article="细则第十七条"),),
        (Field("summary", "审查意见"),),
        checks=("political_review_ok",),
        article="细则第十七条",
        records="支委会审查意见",
    ),
    Step(
        13,
        "pre_review",
        "admission",
        "上级党委预审",
        "上级党委预审",
        ("branch_review",),
        (_i("branch_review", "min", article="细则第十八条"),),
        (
            Field("result", "预审结果", "choice", choices=RESULT),
            Field("summary", "书面预审意见"),
            Field("leaving_within_3_months", "3个月内将离开工作学习单位", "bool", required=False),
        ),
        checks=("pre_review",),
        effects=("pre_review",),
        performer="higher",
        article="细则第十八条",
        records="预审意见；预审合格发放《入党志愿书》",
    ),
    Step(
        14,
        "form",
        "admission",
        "填写入党志愿书",
        "填写入党志愿书",
        ("pre_review",),
        (_i("pre_review", "min", article="细则第十九条"),),
        checks=("pre_review_passed",),
        article="细则第十九条",
        records="《入党志愿书》（本人填写）",
    ),
    Step(
        15,
        "general_meeting",
        "admission",
        "支部大会讨论",
        "支部大会讨论接收预备党员",
        ("form",),
        (
            _i("form", "min", article="细则第二十条"),
            _i("pre_review", "max", "pre_review_to_meeting_months", article="细则第十八条", soft=True),
        ),
        checks=("vote:admit", "political_review_valid"),
        effects=("stage:admission",),
        article="细则第二十条、第二十一条",
        records="支部大会表决记录、决议",
    ),
    Step(
        16,
        "higher_talk",
        "admission",
        "上级党委派人谈话",
        "上级党委派人谈话",
        ("general_meeting",),
        (_i("general_meeting", "min", article="细则第二十四条"),),
        (Field("talker", "谈话人"), Field("summary", "谈话记录")),
        performer="higher",
        article="细则第二十四条",
        records="谈话记录",
    ),
    Step(
        17,
        "approval",
        "admission",
        "上级党委审批",
        "上级党委审批",
        ("higher_talk",),
        (
            _i("general_meeting", "min", article="细则第二十六条"),
            _i("general_meeting", "max", "approval_months", article="细则第二十六条", soft=True, reason_field="extension_reason"),
            _i("general_meeting", "max", "approval_max_months", article="细则第二十六条"),
        ),
        (Field("result", "审批结果", "choice", choices=APPROVAL), Field("extension_reason", "延长审批时间的原因", required=False)),
        effects=("approval",),
        performer="higher",
        article="细则第二十六条",
        records="党委会议审批意见",
    ),
    Step(
        18,
        "approval_filed",
        "admission",
        "再上一级组织部门备案",
        "报再上一级组织部门备案",
        ("approval",),
        (_i("approval", "min", article="细则第二十七条"),),
        performer="higher",
        article="细则第二十七条",
        records="备案材料",
    ),
    Step(
        19,
        "placement",
        "probation",
        "编入党支部和党小组",
        "编入党支部和党小组",
        ("approval",),
        (_i("approval", "min", article="细则第二十八条"),),
        (Field("party_group", "党小组", required=False),),
        article="细则第二十八条",
    ),
    Step(
        20,
        "oath",
        "probation",
        "入党宣誓",
        "入党宣誓",
        ("approval",),
        (_i("approval", "min", article="细则第二十九条"), _i("approval", "max", "oath_within_months", article="细则第二十九条", soft=True)),
        article="细则第二十九条",
        records="宣誓仪式记录",
    ),
    Step(
        21,
        "probation_education",
        "probation",
        "继续教育考察",
        "继续教育考察",
        ("placement",),
        (_i("approval", "min", article="细则第三十条"),),
        (Field("summary", "考察情况"),),
        article="细则第三十条",
        records="预备期考察记录",
        repeatable_on_extension=True,
    ),
    Step(
        22,
        "conversion_application",
        "probation",
        "提出转正申请",
        "提出转正申请",
        ("oath", "probation_education"),
        checks=("probation_ended",),
        article="细则第三十一条",
        records="本人书面转正申请",
        repeatable_on_extension=True,
    ),
    Step(
        23,
        "conversion_meeting",
        "probation",
        "支部大会讨论转正",
        "支部大会讨论转正",
        ("conversion_application",),
        (_i("conversion_application", "min", article="细则第三十二条"),),
        (
            Field("outcome", "讨论结果", "choice", choices=CONVERSION_OUTCOME),
            Field("extension_months", "延长预备期（月，6–12）", "int", required=False),
        ),
        checks=("probation_ended", "conversion_vote"),
        article="党章第七条、细则第三十二条",
        records="支部大会表决记录、决议",
        repeatable_on_extension=True,
    ),
    Step(
        24,
        "conversion_approval",
        "probation",
        "上级党委审批",
        "转正审批",
        ("conversion_meeting",),
        (
            _i("conversion_meeting", "min", article="细则第三十三条"),
            _i("conversion_meeting", "max", "conversion_approval_months", article="细则第三十三条", soft=True),
        ),
        (Field("result", "审批结果", "choice", choices=APPROVAL),),
        effects=("conversion",),
        performer="higher",
        article="细则第三十三条",
        records="党委审批意见",
        repeatable_on_extension=True,
    ),
    Step(
        25,
        "archive",
        "probation",
        "材料归档",
        "材料归档",
        ("conversion_approval",),
        (_i("conversion_approval", "min", article="细则第三十四条"),),
        (Field("archived_items", "归档材料（入党申请书、志愿书、政审材料、转正申请、考察材料）"),),
        effects=("archive",),
        article="细则第三十四条",
        records="入党申请书、入党志愿书、政治审查材料、转正申请书、培养考察材料",
    ),
]
STEP_BY_CODE = {s.code: s for s in STEPS}
STEP_BY_NUMBER = {s.number: s for s in STEPS}
STEP_CHOICES = [(s.code, f"{s.number}. {s.name}") for s in STEPS]
assert len(STEPS) == 25 and [s.number for s in STEPS] == list(range(1, 26))
for _s in STEPS:
    for _p in _s.prerequisites:
        assert STEP_BY_CODE[_p].number < _s.number, _s.code
    for _iv in _s.intervals:
        assert STEP_BY_CODE[_iv.after].number < _s.number, _s.code
