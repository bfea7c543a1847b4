"""The study archive (学习档案), the training classes of the three-level network, and
the versioned hour rules. Rows belong to an organisation (OrgScopedModel); a member's own
rows (study entries, enrolments) add SCOPE_MEMBER so the member sees them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel, RuleVersionModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class StudyRuleVersion(RuleVersionModel):
    """One version of the configurable hour rules."""

    DEFAULTS = rules.DEFAULTS

    class Meta(RuleVersionModel.Meta):
        verbose_name = verbose_name_plural = "学时规则版本"

    def __str__(self):
        return f"学时规则第{self.pk}版"


class StudyEntry(OrgScopedModel):
    """One line of a member's study archive. `organisation` is the member's organisation
    when the entry was made. Entries credited from a record (a class session, a meeting, a
    quiz) keep a reference to it (source_type, source_id): one credit per source and member,
    guarded by a unique constraint, so a re-send replaces and never adds."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已认定"
        REJECTED = "rejected", "未认定"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("学习日期", db_index=True)
    hours = models.DecimalField("学时", max_digits=6, decimal_places=1)
    form = models.CharField("学习形式", max_length=24, choices=rules.FORMS)
    content = models.CharField("学习内容", max_length=200)
    organiser = models.CharField("组织者", max_length=120, blank=True)
    participants = models.CharField("参加人员", max_length=200, blank=True)
    reflection = models.TextField("学习心得", blank=True)
    score = models.DecimalField("测试成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    origin = models.CharField("来源", max_length=16, choices=rules.ORIGINS, default="manual")
    source_type = models.CharField("来源记录类型", max_length=64, blank=True)
    source_id = models.BigIntegerField("来源记录编号", null=True, blank=True)
    training_class = models.ForeignKey(
        "education.TrainingClass", verbose_name="培训班", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("认定状态", max_length=16, choices=Status.choices, default=Status.APPROVED, db_index=True)
    rule_version = models.ForeignKey(StudyRuleVersion, verbose_name="学时规则版本", null=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "学习档案"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "member"],
                condition=Q(source_id__isnull=False),
                name="study_entry_one_credit_per_source",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="study_entry_hours_not_negative"),
        ]
        indexes = [
            models.Index(fields=["member", "date"], name="study_entry_member_date"),
            models.Index(fields=["org_path", "date"], name="study_entry_path_date", opclasses=["varchar_pattern_ops", "date_ops"]),
        ]

    def __str__(self):
        return f"{self.date} {self.content}（{self.hours}学时）"


class TrainingClass(OrgScopedModel):
    """A training class of the county party school, a township party school or a
    grassroots organisation: its plan, its sessions (curriculum), quotas and enrolment."""

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        FINISHED = "finished", "已结业"

    title = models.CharField("班次名称", max_length=120)
    level = models.CharField("层级", max_length=16, choices=rules.CLASS_LEVELS)
    kind = models.CharField("类别", max_length=24, choices=rules.CLASS_KINDS, default="general")
    start_date = models.DateField("开班日期")
    end_date = models.DateField("结业日期")
    plan = models.TextField("培训计划", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    finished_on = models.DateField("结业办理日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "培训班"
        ordering = ["-start_date", "-id"]
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="training_class_dates_in_order")]

    def __str__(self):
        return self.title


class ClassSession(models.Model):
    """One session of a class's curriculum: date, topic, lecturer, hours."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField("日期")
    topic = models.CharField("课程", max_length=200)
    lecturer = models.CharField("授课人", max_length=60)
    duration = models.CharField("时长", max_length=16, choices=rules.DURATIONS, default="actual")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    attendance_taken = models.BooleanField("已考勤", default=False)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "training_class__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "培训课程"
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="class_session_hours_positive")]

    def __str__(self):
        return f"{self.date} {self.topic}"

    def audit_org_path(self) -> str:
        return self.training_class.org_path


class ClassQuota(models.Model):
    """How many places of a class an organisation (and its subtree) may fill."""

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班", on_delete=models.CASCADE, related_name="quotas")
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField("名额")

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "training_class__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "培训名额"
        constraints = [models.UniqueConstraint(fields=["training_class", "organisation"], name="class_quota_one_per_org")]

    def __str__(self):
        return f"{self.organisation} {self.seats}名"

    def audit_org_path(self) -> str:
        return self.training_class.org_path


class Enrolment(OrgScopedModel):
    """A member enrolled in a class. Seen by the member's organisation (org_path) and by
    the class's organiser (class_org_path)."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "在学"
        COMPLETED = "completed", "已结业"
        NOT_COMPLETED = "not_completed", "未结业"

    training_class = models.ForeignKey(TrainingClass, verbose_name="培训班", on_delete=models.PROTECT, related_name="enrolments")
    member = models.ForeignKey("members.Member", verbose_name="学员", on_delete=models.PROTECT, related_name="+")
    class_org = models.ForeignKey("orgs.Organisation", verbose_name="举办组织", on_delete=models.PROTECT, related_name="+")
    class_org_path = models.CharField(max_length=255, editable=False, db_index=True)
    quota_org = models.ForeignKey(
        "orgs.Organisation", verbose_name="名额单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ENROLLED)
    attended_hours = models.DecimalField("出勤学时", max_digits=6, decimal_places=1, default=0)
    certificate_no = models.CharField("结业证书编号", max_length=40, blank=True)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    SCOPE_PATH = ("org_path", "class_org_path")
    PATH_COPIES = {"org_path": "organisation", "class_org_path": "class_org"}
    SCOPE_MEMBER = "member_id"
    AUDIT_EXCLUDE = ("org_path", "class_org_path")

    class Meta:
        verbose_name = verbose_name_plural = "培训学员"
        ordering = ["training_class", "id"]
        constraints = [models.UniqueConstraint(fields=["training_class", "member"], name="enrolment_once_per_class")]

    def __str__(self):
        return f"{self.training_class} {self.member}"


class StudyReport(OrgScopedModel):
    """述学述评: a member's yearly study report, commented and graded by the branch (for a
    secretary, by the higher committee). The grade and the year's hours are shown to
    democratic appraisal and cadre selection (registry.member_facts)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待评议"
        GRADED = "graded", "已评议"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("述学报告")
    submitted_at = models.DateTimeField("提交时间", auto_now=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    grade = models.CharField("评议等次", max_length=16, choices=rules.REPORT_GRADES, blank=True)
    comment = models.CharField("评议意见", max_length=500, blank=True)
    reviewer_level = models.CharField("评议层级", max_length=16, choices=rules.REVIEWER_LEVELS, blank=True)
    graded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    graded_at = models.DateTimeField("评议时间", null=True, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "述学述评"
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="study_report_once_a_year")]

    def __str__(self):
        return f"{self.year}年述学报告"


# ---------------------------------------------------------------- 考学 (online quizzes)


class Question(OrgScopedModel):
    """One question of an organisation's bank. Options are lettered A, B, C…; `answer` is
    the letters of the correct options (single: one, multiple: one or more, true/false:
    A = 正确, B = 错误). The answer never leaves the server for a member."""

    kind = models.CharField("题型", max_length=16, choices=rules.QUESTION_KINDS)
    category = models.CharField("分类", max_length=40, db_index=True)
    difficulty = models.CharField("难度", max_length=16, choices=rules.DIFFICULTIES, default="medium")
    text = models.CharField("题干", max_length=500)
    options = models.JSONField("选项", default=list)
    answer = models.CharField("正确答案", max_length=8)
    explanation = models.CharField("解析", max_length=500, blank=True)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "题库"
        ordering = ["category", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(answer=""), name="question_has_a_correct_option"),
            models.UniqueConstraint(fields=["organisation", "text"], name="question_text_once_per_bank"),
        ]

    def __str__(self):
        return self.text[:40]


class Quiz(OrgScopedModel):
    """A 考学 (online test) of an organisation for the members of its subtree: a paper
    drawn at random per attempt (`draw`: {category: n}), a time limit, one attempt or the
    best of N, a pass mark and the hours credited to the study archive on passing."""

    title = models.CharField("考学名称", max_length=120)
    draw = models.JSONField("抽题规则", default=dict, help_text="每个分类抽取的题数")
    time_limit = models.PositiveSmallIntegerField("答题时限（分钟）")
    attempts_allowed = models.PositiveSmallIntegerField("作答次数", default=1, help_text="多次作答取最好成绩")
    pass_score = models.PositiveSmallIntegerField("合格分数", default=60)
    hours = models.DecimalField("合格记入学时", max_digits=4, decimal_places=1)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考学"
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="quiz_dates_in_order"),
            models.CheckConstraint(condition=Q(time_limit__gt=0, attempts_allowed__gt=0), name="quiz_limits_positive"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="quiz_hours_not_negative"),
        ]

    def __str__(self):
        return self.title

    @property
    def question_count(self) -> int:
        return sum(int(n) for n in self.draw.values())


class QuizAttempt(OrgScopedModel):
    """One attempt of a member at a quiz: the questions drawn (in order), the deadline,
    the answers and the automatic mark. `organisation` is the member's organisation; the
    member sees their own attempts (SCOPE_MEMBER). `is_best` marks the attempt whose score
    counts (the best of the member's submitted attempts)."""

    quiz = models.ForeignKey(Quiz, verbose_name="考学", on_delete=models.PROTECT, related_name="attempts")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField("第几次作答")
    question_ids = models.JSONField("试题", default=list)
    answers = models.JSONField("作答", default=dict)
    started_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("截止时间")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1, null=True, blank=True)
    correct = models.PositiveSmallIntegerField("答对题数", null=True, blank=True)
    passed = models.BooleanField("合格", default=False)
    is_best = models.BooleanField("计入成绩", default=False)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "考学答卷"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "member", "number"], name="quiz_attempt_number_once"),
            models.UniqueConstraint(fields=["quiz", "member"], condition=Q(is_best=True), name="quiz_attempt_one_best"),
        ]
        indexes = [models.Index(fields=["quiz", "is_best"], name="quiz_attempt_best")]

    def __str__(self):
        return f"{self.quiz} 第{self.number}次"


# ---------------------------------------------------------------- education plans


class EducationPlan(OrgScopedModel):
    """An organisation's annual education plan, or its mid-term plan (规划, several years),
    made of items; the execution rate is read from the records (selectors.plan_items)."""

    kind = models.CharField("计划类型", max_length=16, choices=rules.PLAN_KINDS, default="annual")
    title = models.CharField("计划名称", max_length=120)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "教育培训计划"
        ordering = ["-start_year", "org_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "start_year"], name="education_plan_once_per_org_kind_year"),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="education_plan_years_in_order"),
        ]

    def __str__(self):
        return self.title


class PlanItem(models.Model):
    """One item of a plan: a topic for an audience in a month with its planned hours, at a
    level of the training network; optionally the training class that carries it out."""

    plan = models.ForeignKey(EducationPlan, verbose_name="计划", on_delete=models.CASCADE, related_name="items")
    year = models.PositiveSmallIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    topic = models.CharField("主题", max_length=200)
    audience = models.CharField("对象", max_length=24, choices=rules.PLAN_AUDIENCES, default="all")
    level = models.CharField("层级", max_length=16, choices=rules.CLASS_LEVELS, default="branch")
    form = models.CharField("学习形式", max_length=24, choices=rules.FORMS, default="collective_study")
    hours = models.DecimalField("计划学时", max_digits=5, decimal_places=1)
    training_class = models.ForeignKey(
        TrainingClass, verbose_name="培训班", null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_items"
    )

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "plan__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "计划项目"
        ordering = ["year", "month", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="plan_item_month_valid"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="plan_item_hours_positive"),
        ]

    def __str__(self):
        return f"{self.year}年{self.month}月 {self.topic}"

    def audit_org_path(self) -> str:
        return self.plan.org_path


# ---------------------------------------------------------------- venues, courseware, joint meetings


class Venue(OrgScopedModel):
    """A place of study of an organisation: activity room, 电教室, distance-education site."""

    kind = models.CharField("类型", max_length=24, choices=rules.VENUE_KINDS)
    name = models.CharField("名称", max_length=120)
    address = models.CharField("地址", max_length=200, blank=True)
    area = models.PositiveIntegerField("面积（平方米）", null=True, blank=True)
    seats = models.PositiveIntegerField("座位数", null=True, blank=True)
    equipment = models.CharField("设备", max_length=200, blank=True)
    investment = models.DecimalField("投入（万元）", max_digits=9, decimal_places=2, null=True, blank=True)
    opened_on = models.DateField("启用日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "学习阵地"
        ordering = ["org_path", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="venue_name_once_per_org")]

    def __str__(self):
        return self.name


def courseware_path(instance, filename):
    return f"education/courseware/{instance.organisation_id}/{filename}"


class Courseware(OrgScopedModel):
    """A courseware item of the library: title, length and where it is on the intranet —
    a link, or a file uploaded here (downloaded through a scoped, access-logged view)."""

    title = models.CharField("课件名称", max_length=200)
    category = models.CharField("分类", max_length=40, blank=True)
    minutes = models.PositiveIntegerField("时长（分钟）")
    link = models.CharField("内网地址", max_length=500, blank=True, help_text="内网上的文件或播放地址")
    file = models.FileField("课件文件", upload_to=courseware_path, max_length=300, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField("文件大小（字节）", null=True, blank=True)
    speaker = models.CharField("主讲人", max_length=60, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    AUDIT_EXCLUDE = ("org_path", "file")  # a FieldFile: the history keeps its name (audit_extra)

    class Meta:
        verbose_name = verbose_name_plural = "课件库"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="courseware_title_once_per_org"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="courseware_minutes_positive"),
            models.CheckConstraint(condition=~Q(link="") | ~Q(file=""), name="courseware_has_link_or_file"),
        ]

    def __str__(self):
        return self.title

    def audit_extra(self) -> dict:
        return {"file": self.file.name or ""}


class JointMeeting(OrgScopedModel):
    """A 联席会议 on party-member education: date, topic, who attended, what was decided."""

    date = models.DateField("日期")
    topic = models.CharField("议题", max_length=200)
    attendees = models.CharField("参加单位和人员", max_length=500)
    decisions = models.TextField("议定事项")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "教育联席会议"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.topic}"
