"""Intra-party democracy and openness (党内民主): the feedback channel upward (意见反馈:
raised by a member, or by a citizen through a branch; answered by the responsible
organisation within a time; escalated upward when overdue) and 党务公开 notices with
read receipts."""

from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet
from apps.orglife.models import Meeting

from . import rules


class FeedbackCategory(models.Model):
    """A kind of matter raised upward with its answer time limit (working days), edited
    by the county administrator; a matter keeps the due date computed when raised."""

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
    """A 党务公开 category (组织建设, 党员发展 …), edited by the county administrator."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    active = models.BooleanField("启用", default=True)
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


# ── 重大决策征求意见 ─────────────────────────────────────────────────────────────────────
class Consultation(OrgScopedModel):
    """征求意见: an organisation asks its members (or its subtree's) for opinions on a
    text until a deadline, then records the decision; respondents see the result."""

    class Status(models.TextChoices):
        OPEN = "open", "征求中"
        DECIDED = "decided", "已决定"

    title = models.CharField("事项", max_length=100)
    text = models.TextField("征求意见稿", max_length=5000)
    audience = models.CharField("征求范围", max_length=10, choices=rules.CONSULTATION_AUDIENCES)
    opens_on = models.DateField("开始日期")
    deadline = models.DateField("截止日期")
    allow_anonymous = models.BooleanField("允许匿名", default=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    decision = models.TextField("决定结果", max_length=3000, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    decided_by = models.CharField("决定登记人", max_length=150, blank=True)
    created_by = models.CharField("发起人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "征求意见"
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gte=models.F("opens_on")), name="democracy_consultation_dates"),
        ]

    def __str__(self):
        return self.title


class Opinion(models.Model):
    """One member's opinion on a consultation (at most one: DB constraint). `anonymous`
    hides the name from the organisation's pages and exports; the member id stays in the
    row and in the system administrator's audit log (docs/security.md)."""

    consultation = models.ForeignKey(Consultation, verbose_name="征求意见", on_delete=models.CASCADE, related_name="opinions")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    stance = models.CharField("态度", max_length=10, choices=rules.STANCES)
    text = models.TextField("意见建议", max_length=2000, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "consultation__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员意见"
        ordering = ["consultation_id", "id"]
        constraints = [models.UniqueConstraint(fields=["consultation", "member"], name="democracy_opinion_once")]

    def __str__(self):
        return f"{self.consultation} 的意见"

    def audit_org_path(self) -> str:
        # An anonymous opinion's history is the system administrator's only (no path).
        return "" if self.anonymous else self.consultation.org_path


# ── 集体决策记录 (集体领导、个别酝酿、会议决定) ──────────────────────────────────────────
class Decision(OrgScopedModel):
    """A committee's decision on a major matter: the agenda item, who proposed it, who
    was consulted beforehand (个别酝酿), the meeting (orglife's record) and the vote
    (票决); optionally a public notice (公示) of the result."""

    class Result(models.TextChoices):
        PASSED = "passed", "通过"
        FAILED = "failed", "未通过"

    topic = models.CharField("议题", max_length=100)
    category = models.CharField("事项类别", max_length=16, choices=rules.DECISION_CATEGORIES)
    proposed_by = models.CharField("提议人", max_length=60)
    consulted = models.CharField("个别酝酿（征求了谁的意见）", max_length=300)
    consultation = models.ForeignKey(
        Consultation, verbose_name="征求意见", null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        "orglife.Meeting", verbose_name="决策会议", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("会议日期")
    members_total = models.PositiveSmallIntegerField("应到委员")
    members_present = models.PositiveSmallIntegerField("实到委员")
    votes_for = models.PositiveSmallIntegerField("赞成")
    votes_against = models.PositiveSmallIntegerField("反对")
    votes_abstain = models.PositiveSmallIntegerField("弃权")
    result = models.CharField("表决结果", max_length=8, choices=Result.choices)
    content = models.TextField("决定内容", max_length=3000)
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "集体决策记录"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(members_present__lte=models.F("members_total")), name="democracy_decision_present"),
            models.CheckConstraint(
                condition=Q(votes_for__lte=models.F("members_present") - models.F("votes_against") - models.F("votes_abstain")),
                name="democracy_decision_votes",
            ),
        ]

    def __str__(self):
        return f"{self.decided_on} {self.topic}"


# ── 民主生活会 / 组织生活会 整改清单 (the meeting itself is orglife's record) ─────────────
class LifeRectification(OrgScopedModel):
    """A criticism or problem raised at a 民主生活会 / 组织生活会 (orglife.Meeting) and
    its rectification, followed until done."""

    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        DONE = "done", "已完成"

    meeting = models.ForeignKey(Meeting, verbose_name="生活会", on_delete=models.PROTECT, related_name="+")
    problem = models.CharField("查摆问题/批评意见", max_length=300)
    responsible = models.CharField("责任人", max_length=60)
    measure = models.CharField("整改措施", max_length=300)
    deadline = models.DateField("整改时限")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField("完成日期", null=True, blank=True)
    done_note = models.CharField("整改情况", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "生活会整改事项"
        ordering = ["status", "deadline", "id"]

    def __str__(self):
        return self.problem[:40]


class LifeMeeting(Meeting):
    """orglife's 民主生活会/组织生活会 records as this app reads them (a proxy: no table,
    no second meeting model; the rows are orglife's)."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "生活会"
