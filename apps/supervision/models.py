"""Leadership and standardisation: contact duties (挂钩联系) and their visits, the 十规范
checklist in versions, inspections (quarterly self-check, spot check, year-end evaluation)
with their item scores, rectifications, and the monthly report upward."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class ContactAssignment(OrgScopedModel):
    """A leader's contact point for a year: `organisation` is the contacted organisation
    (its subtree sees the assignment and its visits)."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="联系领导", on_delete=models.PROTECT, related_name="contact_assignments"
    )
    kind = models.CharField("联系类型", max_length=24, choices=rules.CONTACT_KIND_CHOICES)
    year = models.PositiveIntegerField("年度")
    note = models.CharField("说明", max_length=200, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "挂钩联系"
        ordering = ["-year", "leader_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["leader", "organisation", "year"], condition=Q(ended_on__isnull=True), name="contact_once_per_leader_org_year"
            )
        ]
        indexes = [models.Index(fields=["leader", "year"], name="contact_leader_year_idx")]

    def __str__(self):
        return f"{self.leader} {self.get_kind_display()} {self.organisation}（{self.year}年）"


class ContactVisit(OrgScopedModel):
    """One visit or guidance at a contact point (走访、指导、讲党课 …)."""

    assignment = models.ForeignKey(ContactAssignment, verbose_name="挂钩联系", on_delete=models.CASCADE, related_name="visits")
    date = models.DateField("日期")
    kind = models.CharField("形式", max_length=16, choices=rules.VISIT_KINDS, default="visit")
    content = models.TextField("内容", max_length=2000)
    problems = models.TextField("发现问题", max_length=2000, blank=True)
    guidance = models.TextField("指导意见", max_length=2000, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "联系走访记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["assignment", "date"], name="contact_visit_date_idx")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.organisation}"


class ChecklistVersion(models.Model):
    """One version of the 十规范 checklist. The newest is current; an administrator saves a
    new version rather than editing an old one, so every score names what it was scored by."""

    number = models.PositiveIntegerField("版本号", unique=True)
    note = models.CharField("修订说明", max_length=200, blank=True)
    created_by = models.CharField("修订人", max_length=150, blank=True)
    created_at = models.DateTimeField("修订时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "十规范检查表版本"
        ordering = ["-number"]

    def __str__(self):
        return f"十规范检查表第{self.number}版"

    @property
    def max_total(self):
        return sum(i.max_score for i in self.items.all())


class ChecklistItem(models.Model):
    version = models.ForeignKey(ChecklistVersion, verbose_name="版本", on_delete=models.CASCADE, related_name="items")
    area = models.PositiveSmallIntegerField("规范领域", choices=rules.AREA_CHOICES)
    code = models.CharField("编码", max_length=32)
    title = models.CharField("检查内容", max_length=200)
    evidence = models.CharField("应备材料", max_length=200, blank=True)
    max_score = models.PositiveSmallIntegerField("分值")
    metric = models.CharField("数据指标", max_length=64, blank=True, help_text="登记了该指标时按数据计分，否则由检查人评分")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "十规范检查项"
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="checklist_item_code_unique")]

    def __str__(self):
        return f"{self.get_area_display()}·{self.title}"


class SpotCheckRound(OrgScopedModel):
    """A round of spot checks run by a township or the county (`organisation`): a sample
    of organisations per township drawn with `seed` (the same seed draws the same sample)."""

    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度")
    seed = models.CharField("随机种子", max_length=40)
    per_township = models.PositiveSmallIntegerField("每个乡镇抽取数")
    sample = models.JSONField("抽中组织", default=list)  # ids in draw order
    created_by = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "抽查批次"
        ordering = ["-year", "-quarter", "-id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "quarter"], name="spot_round_once_per_quarter")]

    def __str__(self):
        return f"{self.organisation} {self.year}年第{self.quarter}季度抽查"


class Inspection(OrgScopedModel):
    """A scored 十规范 inspection of one organisation, against one checklist version."""

    class Kind(models.TextChoices):
        SELF_CHECK = "self_check", "季度自查"
        SPOT_CHECK = "spot_check", "抽查"
        YEAR_END = "year_end", "年终考评"

    class Status(models.TextChoices):
        DRAFT = "draft", "填写中"
        SUBMITTED = "submitted", "已提交"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    year = models.PositiveIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", null=True, blank=True)
    version = models.ForeignKey(ChecklistVersion, verbose_name="检查表版本", on_delete=models.PROTECT, related_name="inspections")
    round = models.ForeignKey(
        SpotCheckRound, verbose_name="抽查批次", null=True, blank=True, on_delete=models.CASCADE, related_name="inspections"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField("得分", max_digits=6, decimal_places=2, default=0)
    max_total = models.DecimalField("满分", max_digits=6, decimal_places=2, default=0)
    breakdown = models.JSONField("计算说明", default=dict, blank=True)  # year-end: the parts combined
    inspector = models.CharField("检查人", max_length=150, blank=True)
    note = models.TextField("检查意见", max_length=2000, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "十规范检查"
        ordering = ["-year", "-quarter", "org_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "quarter"], condition=Q(kind="self_check"), name="self_check_once_per_quarter"
            ),
            models.UniqueConstraint(fields=["organisation", "round"], condition=Q(kind="spot_check"), name="spot_check_once_per_round"),
            models.UniqueConstraint(fields=["organisation", "year"], condition=Q(kind="year_end"), name="year_end_once_per_year"),
        ]
        indexes = [models.Index(fields=["kind", "year", "org_path"], name="inspection_kind_year_idx")]

    def __str__(self):
        period = f"{self.year}年" + (f"第{self.quarter}季度" if self.quarter else "")
        return f"{self.organisation} {period}{self.get_kind_display()}"

    @property
    def grade(self) -> str:
        if not self.max_total:
            return ""
        pct = self.total * 100 / self.max_total
        return next(label for floor, label in rules.GRADES if pct >= floor)


class ItemScore(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ChecklistItem, verbose_name="检查项", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField("得分", max_digits=5, decimal_places=2, null=True, blank=True)
    computed = models.BooleanField("按数据计分", default=False)
    reason = models.CharField("计分依据", max_length=400, blank=True)
    evidence = models.CharField("查验材料", max_length=400, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "inspection__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "检查项得分"
        ordering = ["inspection", "item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="item_score_once")]

    def __str__(self):
        return f"{self.item} {self.score}"


class Rectification(OrgScopedModel):
    """A problem an inspection found, to be put right by a deadline and tracked to done."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        DONE = "done", "已整改"

    inspection = models.ForeignKey(
        Inspection, verbose_name="检查", null=True, blank=True, on_delete=models.CASCADE, related_name="rectifications"
    )
    problem = models.CharField("存在问题", max_length=400)
    measure = models.CharField("整改措施", max_length=400, blank=True)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.CharField("整改情况", max_length=400, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "整改事项"
        ordering = ["status", "deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="rectification_due_idx")]

    def __str__(self):
        return f"{self.organisation}：{self.problem[:40]}"


class MonthlyReport(OrgScopedModel):
    """One organisation's report upward for a month: the figures assembled from every
    domain's report section (frozen when submitted) and the parts only people know."""

    class Status(models.TextChoices):
        DRAFT = "draft", "未提交"
        SUBMITTED = "submitted", "已提交"

    year = models.PositiveIntegerField("年度")
    month = models.PositiveSmallIntegerField("月份")
    sections = models.JSONField("数据部分", default=list, blank=True)  # [{"name","title","figures":[[label, value]]}]
    work_done = models.TextField("本月主要工作", max_length=4000, blank=True)
    problems = models.TextField("存在问题", max_length=4000, blank=True)
    next_plan = models.TextField("下月打算", max_length=4000, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.CharField("提交人", max_length=150, blank=True)
    on_time = models.BooleanField("按时提交", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "月报告"
        ordering = ["-year", "-month", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year", "month"], name="monthly_report_once")]
        indexes = [models.Index(fields=["year", "month", "org_path"], name="monthly_report_period_idx")]

    def __str__(self):
        return f"{self.organisation} {self.year}年{self.month}月报告"


def _point_path(instance, filename):
    return f"supervision/points/{instance.point_id}/{filename}"


class ModelPoint(OrgScopedModel):
    """A typical model point (示范点) being cultivated: designation, cultivation plan,
    progress and experience materials, review."""

    class Status(models.TextChoices):
        CULTIVATING = "cultivating", "培育中"
        ACCEPTED = "accepted", "已命名"
        REVOKED = "revoked", "已取消"

    category = models.CharField("类别", max_length=24, choices=rules.MODEL_POINT_CATEGORIES)
    theme = models.CharField("创建主题", max_length=120)
    designated_on = models.DateField("确定日期")
    plan = models.TextField("培育计划", max_length=4000)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.CULTIVATING)
    reviewed_on = models.DateField("验收日期", null=True, blank=True)
    review_note = models.CharField("验收意见", max_length=400, blank=True)
    reviewed_by = models.CharField("验收人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "示范点"
        ordering = ["status", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["organisation"], condition=~Q(status="revoked"), name="model_point_once_per_org"),
        ]

    def __str__(self):
        return f"{self.organisation}（{self.theme}）"


class ModelPointProgress(OrgScopedModel):
    """A progress entry of a model point, optionally with an experience material."""

    point = models.ForeignKey(ModelPoint, verbose_name="示范点", on_delete=models.CASCADE, related_name="progress")
    date = models.DateField("日期")
    content = models.TextField("进展情况", max_length=2000)
    material = models.FileField("经验材料", upload_to=_point_path, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    AUDIT_EXCLUDE = ("org_path", "material")

    class Meta:
        verbose_name = verbose_name_plural = "示范点培育进展"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.point}"

    def audit_extra(self) -> dict:
        return {"material": self.material.name}


class InstructorPost(OrgScopedModel):
    """A 党建指导员 sent to a non-public enterprise or social organisation's party
    organisation (`organisation`)."""

    name = models.CharField("指导员姓名", max_length=40)
    sent_by = models.CharField("选派单位", max_length=120)
    start_date = models.DateField("派驻日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建指导员"
        ordering = ["org_path", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], condition=Q(end_date__isnull=True), name="instructor_once_per_org"),
        ]

    def __str__(self):
        return f"{self.name} → {self.organisation}"


class InstructorReport(OrgScopedModel):
    post = models.ForeignKey(InstructorPost, verbose_name="党建指导员", on_delete=models.CASCADE, related_name="reports")
    date = models.DateField("日期")
    content = models.TextField("工作情况", max_length=2000)
    problems = models.TextField("问题与建议", max_length=2000, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党建指导员工作报告"
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.post}"


class CadreTraining(OrgScopedModel):
    """One 四训 session held by `organisation` for party-work cadres: 例会培训, 专训, 轮训
    (at a party school) or 普训 (at a 季训会/季谈会/月碰头会). Its attendees are credited
    the hours in their study archive (education, through apps.core.signals)."""

    kind = models.CharField("类别", max_length=16, choices=rules.CADRE_TRAINING_KIND_CHOICES)
    occasion = models.CharField("会议", max_length=16, blank=True)
    date = models.DateField("日期")
    title = models.CharField("培训内容", max_length=200)
    venue = models.CharField("地点（党校）", max_length=120, blank=True)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    attendees = models.ManyToManyField("members.Member", verbose_name="参训人员", related_name="+", blank=True)
    attendee_count = models.PositiveIntegerField("参训人数", default=0)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "四训记录"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["kind", "date"], name="cadre_training_kind_date_idx")]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="cadre_training_hours_positive")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.title}"
