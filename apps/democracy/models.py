"""Intra-party democracy and openness (党内民主): the feedback channel upward (意见反馈:
raised by a member, or by a citizen through a branch; answered by the responsible
organisation within a time; escalated upward when overdue) and 党务公开 notices with
read receipts."""

from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class FeedbackCategory(models.Model):
    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    answer_days = models.PositiveSmallIntegerField("答复时限（工作日）")
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "反馈类别"
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(answer_days__gte=1), name="democracy_category_answer_days_positive")]

    def __str__(self):
        return self.name


class Feedback(OrgScopedModel):
    """A matter raised upward. `organisation` is the organisation now responsible for the
    answer (moves up on escalation); `origin` is where it was raised and keeps seeing it."""

    class Status(models.TextChoices):
        OPEN = "open", "待答复"
        ANSWERED = "answered", "已答复"

    origin = models.ForeignKey("orgs.Organisation", verbose_name="提出组织", on_delete=models.PROTECT, related_name="+")
    origin_path = models.CharField(max_length=255, editable=False, db_index=True)
    raiser = models.ForeignKey(
        "members.Member", verbose_name="提出党员", null=True, blank=True, on_delete=models.PROTECT, related_name="democracy_feedback"
    )
    citizen_name = models.CharField("群众姓名", max_length=40, blank=True)
    category = models.ForeignKey(FeedbackCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("标题", max_length=100)
    content = models.TextField("内容", max_length=3000)
    raised_on = models.DateField("提出日期")
    due_on = models.DateField("答复期限", db_index=True)
    level = models.PositiveSmallIntegerField("上交次数", default=0)
    escalations = models.JSONField("上交记录", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField("答复", max_length=3000, blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.CharField("答复人", max_length=150, blank=True)
    answered_in_time = models.BooleanField("按期答复", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    SCOPE_PATH = ("org_path", "origin_path")
    SCOPE_MEMBER = "raiser_id"
    PATH_COPIES = {"org_path": "organisation", "origin_path": "origin"}
    AUDIT_EXCLUDE = ("org_path", "origin_path")

    class Meta:
        verbose_name = verbose_name_plural = "意见反馈"
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(raiser__isnull=False) & Q(citizen_name="")) | (Q(raiser__isnull=True) & ~Q(citizen_name="")),
                name="democracy_feedback_one_raiser",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def raiser_name(self) -> str:
        return self.raiser.name if self.raiser_id else f"{self.citizen_name}（群众）"


class NoticeCategory(models.Model):
    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "党务公开类别"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Notice(OrgScopedModel):
    """党务公开: a notice from an organisation to an audience, published from a date until
    withdrawn."""

    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=5000)
    category = models.ForeignKey(NoticeCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="+")
    audience = models.CharField("公开范围", max_length=10, choices=rules.AUDIENCES)
    publish_on = models.DateField("公开日期")
    withdraw_on = models.DateField("撤下日期", null=True, blank=True)
    author = models.CharField("发布人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党务公开"
        ordering = ["-publish_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdraw_on__isnull=True) | Q(withdraw_on__gte=models.F("publish_on")), name="democracy_notice_dates"
            )
        ]

    def __str__(self):
        return self.title


class NoticeRead(models.Model):
    """A member's read receipt of a notice (one per member and notice)."""

    notice = models.ForeignKey(Notice, verbose_name="公开事项", on_delete=models.CASCADE, related_name="reads")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField("阅读时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "notice__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "阅读回执"
        constraints = [models.UniqueConstraint(fields=["notice", "member"], name="democracy_notice_read_once")]

    def __str__(self):
        return f"{self.member} 已读 {self.notice}"
