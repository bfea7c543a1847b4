"""The study archive (学习档案), the training classes of the three-level network, and
the versioned hour rules. Rows belong to an organisation (OrgScopedModel); a member's own
rows (study entries, enrolments) add SCOPE_MEMBER so the member sees them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class StudyRuleVersion(models.Model):
    """One version of the configurable hour rules. The newest is current; a county
    administrator saves a new version rather than editing an old one."""

    values = models.JSONField("规则取值", default=dict)
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("修订时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "学时规则版本"
        ordering = ["-id"]

    def __str__(self):
        return f"学时规则第{self.pk}版"

    def all_values(self) -> dict:
        return {**rules.DEFAULTS, **{k: int(v) for k, v in self.values.items() if k in rules.DEFAULTS}}


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
