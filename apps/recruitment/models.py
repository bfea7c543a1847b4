"""Member development (发展党员): one DevelopmentFile per person, its steps and the
records of the five systems (测评, 预审, 公示, 票决, 责任追究). Writes go through
apps.recruitment.engine / services only."""

from django.conf import settings
from django.db import models

from apps.core import crypto
from apps.core.models import RuleVersionModel
from apps.core.querysets import ScopedQuerySet
from apps.members import codes as member_codes

from . import rules


class RuleVersion(RuleVersionModel):
    """One version of the configurable values of the rule table."""

    DEFAULTS = rules.DEFAULTS

    class Meta(RuleVersionModel.Meta):
        verbose_name = verbose_name_plural = "发展党员规则版本"

    def __str__(self):
        return f"第{self.pk}版"

    def value(self, key: str) -> int:
        return int(self.values.get(key, rules.DEFAULTS[key]))


class Holiday(models.Model):
    """The county's working-day calendar: a holiday (is_workday False) or an adjusted
    working weekend day (调休, is_workday True). Other days: Monday–Friday work.

    Rows come from the State Council's calendar (source OFFICIAL, loaded by
    apps.recruitment.holidays on migrate) or from an administrator (MANUAL: entered, or an
    official row edited); reloading the calendar never overwrites a MANUAL row."""

    class Source(models.TextChoices):
        OFFICIAL = "official", "国务院办公厅通知"
        MANUAL = "manual", "管理员录入"

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("调休上班", default=False)
    name = models.CharField("名称", max_length=40, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.MANUAL, db_default=Source.MANUAL)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class OfficialHolidayYear(models.Model):
    """A year whose State Council calendar was loaded into Holiday: a later migrate does
    not load it again, so rows an administrator deleted stay deleted (`manage.py
    load_holidays --year Y` reloads a year on purpose)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    days = models.PositiveSmallIntegerField("天数", default=0)
    source = models.CharField("数据来源", max_length=60, blank=True)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "已载入的法定节假日年份"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年"


class DevelopmentFile(models.Model):
    """A person's development file (发展档案), from application to full membership."""

    class Status(models.TextChoices):
        ACTIVE = "active", "进行中"
        CLOSED = "closed", "已完成"
        CANCELLED = "cancelled", "已终止"

    name = models.CharField("姓名", max_length=40)
    sex = models.CharField("性别", max_length=1, choices=member_codes.SEX_CHOICES)
    ethnicity = models.CharField("民族", max_length=8, choices=member_codes.ETHNICITY_CHOICES, default=member_codes.HAN)
    birth_date = models.DateField("出生日期")
    id_number_enc = models.TextField("身份证号（密文）", editable=False)
    id_number_hash = models.CharField("身份证号索引", max_length=64, editable=False, db_index=True)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    phone_enc = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_hash = models.CharField("联系电话索引", max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    education = models.CharField("学历", max_length=24, choices=member_codes.EDUCATION_CHOICES)
    occupation = models.CharField("职业", max_length=24, choices=member_codes.OCCUPATION_CHOICES)
    work_unit = models.CharField("工作单位", max_length=120, blank=True)
    source = models.CharField("来源", max_length=32, choices=rules.SOURCES, default="other", db_index=True)
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="负责党组织", on_delete=models.PROTECT, related_name="development_files"
    )
    org_path = models.CharField(max_length=255, editable=False)
    stage = models.CharField("所处阶段", max_length=16, choices=rules.FILE_STAGES, default="applicant", db_index=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    member = models.OneToOneField(
        "members.Member", verbose_name="党员记录", null=True, blank=True, on_delete=models.PROTECT, related_name="development_file"
    )
    # Key dates copied from the steps (lists, statistics and plans read them in one query).
    application_date = models.DateField("申请入党日期", null=True, blank=True, db_index=True)
    activist_date = models.DateField("确定积极分子日期", null=True, blank=True, db_index=True)
    target_date = models.DateField("确定发展对象日期", null=True, blank=True, db_index=True)
    admission_date = models.DateField("支部大会接收日期", null=True, blank=True, db_index=True)
    approval_date = models.DateField("上级审批日期", null=True, blank=True, db_index=True)
    probation_end = models.DateField("预备期满日期", null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", default=0)
    conversion_date = models.DateField("转正日期", null=True, blank=True, db_index=True)
    closed_date = models.DateField("结束日期", null=True, blank=True)
    closed_reason = models.CharField("结束原因", max_length=200, blank=True)
    # The engine's view of what comes next (kept by engine.refresh_state after each write).
    next_step = models.CharField("下一步", max_length=32, blank=True)
    next_deadline = models.DateField("最近期限", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "org_path"
    PATH_COPIES = {"org_path": "organisation"}
    AUDIT_EXCLUDE = ("id_number_enc", "id_number_hash", "phone_enc", "phone_hash", "org_path", "created_at", "updated_at")

    class Meta:
        verbose_name = verbose_name_plural = "发展档案"
        ordering = ["org_path", "id"]
        indexes = [
            models.Index(fields=["org_path", "id"], name="devfile_org_path_idx", opclasses=["varchar_pattern_ops", "int8_ops"]),
        ]
        constraints = [
            # 一人一档: one active file per person, held by the database (concurrent creates).
            models.UniqueConstraint(fields=["id_number_hash"], condition=models.Q(status="active"), name="devfile_one_active_per_person"),
        ]

    def __str__(self):
        return f"{self.name}的发展档案"

    def audit_org_path(self) -> str:
        return self.org_path

    def reveal_id_number(self) -> str:
        return crypto.decrypt(self.id_number_enc)

    def reveal_phone(self) -> str:
        return crypto.decrypt(self.phone_enc)


class DevelopmentStep(models.Model):
    """One step taken on a file: when, by whom (责任追究), under which rule version."""

    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="steps")
    code = models.CharField("步骤", max_length=32, choices=rules.STEP_CHOICES)
    number = models.PositiveSmallIntegerField("序号")
    date = models.DateField("日期")
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    performer_name = models.CharField("经办人", max_length=60, blank=True)
    performer_role = models.CharField("经办人身份", max_length=60, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="办理组织", null=True, on_delete=models.PROTECT, related_name="+")
    rule_version = models.ForeignKey(RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+")
    data = models.JSONField("步骤记录", default=dict, blank=True)
    notes = models.TextField("备注", blank=True)
    superseded = models.BooleanField("已被延长预备期取代", default=False)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "发展步骤"
        ordering = ["file", "number", "id"]
        indexes = [models.Index(fields=["code", "date"], name="devstep_code_date_idx")]

    def __str__(self):
        return f"{self.file.name} 第{self.number}步 {self.get_code_display()}"

    def audit_org_path(self) -> str:
        return self.file.org_path

    @property
    def rule(self):
        return rules.STEP_BY_CODE[self.code]


def attachment_path(instance, filename):
    return f"recruitment/{instance.file_id}/{filename}"


class Attachment(models.Model):
    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(
        DevelopmentStep, verbose_name="步骤", null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    upload = models.FileField("附件", upload_to=attachment_path)
    description = models.CharField("说明", max_length=120, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"
    AUDIT_EXCLUDE = ("upload",)  # a FieldFile: the history keeps its name (audit_extra)

    class Meta:
        verbose_name = verbose_name_plural = "附件"

    def __str__(self):
        return self.description or self.upload.name

    def audit_extra(self) -> dict:
        return {"upload": self.upload.name}

    def audit_org_path(self) -> str:
        return self.file.org_path


class FilePerson(models.Model):
    """A full member attached to a file: cultivation contact (培养联系人) or introducer (入党介绍人)."""

    class Role(models.TextChoices):
        CONTACT = "contact", "培养联系人"
        INTRODUCER = "introducer", "入党介绍人"

    file = models.ForeignKey(DevelopmentFile, on_delete=models.CASCADE, related_name="people")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("身份", max_length=16, choices=Role.choices)
    since = models.DateField("确定日期")

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "联系人与介绍人"
        constraints = [models.UniqueConstraint(fields=["file", "member", "role"], name="fileperson_unique")]

    def __str__(self):
        return f"{self.get_role_display()} {self.member}"


class Assessment(models.Model):
    """测评制: an assessment of an activist (every 6 months) or development target."""

    class Evaluator(models.TextChoices):
        MASS = "mass", "群众测评"
        MEMBER = "member", "党员测评"
        BRANCH = "branch", "支部考察"

    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="assessments")
    date = models.DateField("考察日期")
    period = models.CharField("考察期", max_length=20, help_text="如 2026上半年")
    evaluator = models.CharField("测评类型", max_length=8, choices=Evaluator.choices)
    score = models.DecimalField("测评得分", max_digits=5, decimal_places=2, null=True, blank=True)
    comment = models.TextField("考察意见", blank=True)
    recorded_by = models.CharField("记录人", max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "考察测评"
        ordering = ["file", "date"]

    def __str__(self):
        return f"{self.file.name} {self.period} {self.get_evaluator_display()}"

    def audit_org_path(self) -> str:
        return self.file.org_path


class PublicNotice(models.Model):
    """公示制: a public notice before listing a development target; end date counted in
    working days on the county calendar."""

    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="notices")
    purpose = models.CharField(
        "公示事项", max_length=16, default="target", choices=[("target", "拟确定为发展对象"), ("admission", "拟接收为预备党员")]
    )
    start_date = models.DateField("公示开始")
    end_date = models.DateField("公示结束")
    workdays = models.PositiveSmallIntegerField("公示工作日数")
    place = models.CharField("公示范围/地点", max_length=120, blank=True)
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "公示"
        ordering = ["-start_date"]

    def __str__(self):
        return f"{self.file.name} 公示 {self.start_date}–{self.end_date}"

    def audit_org_path(self) -> str:
        return self.file.org_path


class Objection(models.Model):
    notice = models.ForeignKey(PublicNotice, verbose_name="公示", on_delete=models.CASCADE, related_name="objections")
    received = models.DateField("收到日期")
    content = models.TextField("反映内容")
    resolved = models.DateField("处理完毕日期", null=True, blank=True)
    resolution = models.TextField("核查处理结果", blank=True)
    substantiated = models.BooleanField("反映问题属实", default=False)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "notice__file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["received", "id"]

    def __str__(self):
        return f"异议 {self.received}"

    def audit_org_path(self) -> str:
        return self.notice.file.org_path


class Vote(models.Model):
    """票决制: a general meeting's vote on one candidate (one vote per candidate per meeting)."""

    PROPOSALS = [("admit", "接收为预备党员"), ("convert", "按期转正"), ("extend", "延长预备期"), ("cancel", "取消预备党员资格")]

    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="votes")
    proposal = models.CharField("表决事项", max_length=16, choices=PROPOSALS)
    meeting_date = models.DateField("会议日期")
    should_attend = models.PositiveIntegerField("应到有表决权正式党员")
    present = models.PositiveIntegerField("实到有表决权正式党员")
    written_opinions = models.PositiveIntegerField("未到会书面意见", default=0)
    yes = models.PositiveIntegerField("赞成")
    no = models.PositiveIntegerField("反对")
    abstain = models.PositiveIntegerField("弃权")
    passed = models.BooleanField("决议通过")
    recorded_by = models.CharField("记录人", max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "支部大会表决"
        ordering = ["-meeting_date", "-id"]
        constraints = [models.UniqueConstraint(fields=["file", "meeting_date"], name="vote_one_per_candidate_meeting")]

    def __str__(self):
        return f"{self.file.name} {self.get_proposal_display()} {self.meeting_date}"

    def audit_org_path(self) -> str:
        return self.file.org_path


class PoliticalReview(models.Model):
    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="political_reviews")
    date = models.DateField("审查日期")
    conclusion = models.CharField("结论", max_length=8, choices=rules.CONCLUSION)
    summary = models.TextField("政审综合材料")
    valid_until = models.DateField("有效期至")

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "政治审查"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.file.name} 政审 {self.date} {self.get_conclusion_display()}"


class TrainingRecord(models.Model):
    """Training a person attended: a place in an education training class of the kinds
    入党积极分子培训班 / 发展对象培训班 (one class mechanism: apps.education), or training
    recorded with step 11 itself (training_class empty, days/hours as entered). For a
    class the days and hours come from the class once it has completed (结业), read by
    engine.training_credit; days/hours here stay 0."""

    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="trainings")
    training_class = models.ForeignKey(
        "education.TrainingClass",
        verbose_name="培训班",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recruitment_trainees",
    )
    date = models.DateField("结业日期")
    days = models.PositiveSmallIntegerField("天数", default=0)
    hours = models.PositiveSmallIntegerField("学时", default=0)
    provider = models.CharField("培训单位", max_length=120, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "培训记录"
        constraints = [
            models.UniqueConstraint(
                fields=["file", "training_class"], condition=models.Q(training_class__isnull=False), name="training_once_per_class"
            )
        ]

    def __str__(self):
        return f"{self.file.name} 培训 {self.date}"


class FileTransfer(models.Model):
    """A file moving with the person to another organisation; time served carries over."""

    file = models.ForeignKey(DevelopmentFile, verbose_name="发展档案", on_delete=models.CASCADE, related_name="transfers")
    from_org = models.ForeignKey("orgs.Organisation", verbose_name="转出组织", on_delete=models.PROTECT, related_name="+")
    to_org = models.ForeignKey("orgs.Organisation", verbose_name="转入组织", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("转接日期")
    valid_until = models.DateField("有效期至")
    reason = models.CharField("原因", max_length=200, blank=True)
    by = models.CharField("经办人", max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "file__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "发展档案转接"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.file.name} {self.from_org} → {self.to_org}"


class DevelopmentPlan(models.Model):
    """A development plan: the county's three-year plan or an organisation's annual plan.
    Progress is computed from the files (selectors.plan_progress), never typed in."""

    class Kind(models.TextChoices):
        THREE_YEAR = "three_year", "三年规划"
        ANNUAL = "annual", "年度计划"

    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="development_plans")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("截止年度")
    total = models.PositiveIntegerField("发展总数")
    women = models.PositiveIntegerField("女性", default=0)
    youth = models.PositiveIntegerField("35岁及以下", default=0)
    high_school_plus = models.PositiveIntegerField("高中及以上", default=0)
    college_plus = models.PositiveIntegerField("大专及以上", default=0)
    farmers = models.PositiveIntegerField("农牧渔民", default=0)
    non_public = models.PositiveIntegerField("非公企业人员", default=0)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "organisation__path"

    class Meta:
        verbose_name = verbose_name_plural = "发展党员计划"
        ordering = ["organisation__path", "-start_year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "start_year"], name="plan_unique_per_org_kind_year")]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()} {self.start_year}–{self.end_year}"

    def audit_org_path(self) -> str:
        return self.organisation.path


class LaggingUnit(models.Model):
    """滞后单位重点管理: an organisation behind plan stays listed until it catches up."""

    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="+")
    flagged_month = models.DateField("列入月份")
    cleared_month = models.DateField("移出月份", null=True, blank=True)
    behind_by = models.IntegerField("差额（人）", default=0)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "organisation__path"

    class Meta:
        verbose_name = verbose_name_plural = "发展党员滞后单位"
        ordering = ["organisation__path", "-flagged_month"]

    def __str__(self):
        return f"{self.organisation} 滞后（{self.flagged_month:%Y-%m}起）"
