"""Organisational life: meetings (三会一课, 主题党日, 组织生活会 …), who should attend and
who did, exclusions from "should attend", attachments, and the versioned rule table.

Meetings, attendance rows and exclusions are scoped by a copy of their organisation's path
(OrgScopedModel); a member sees their own attendance and exclusions (SCOPE_MEMBER)."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from apps.core.models import OrgScopedModel, RuleVersionModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class RuleVersion(RuleVersionModel):
    """One version of the county-editable part of the rule table (frequencies, quorum,
    study credit, thresholds). The newest is current; a county administrator saves a new
    version rather than editing an old one, and every meeting keeps the version it used."""

    values = models.JSONField("规则取值", default=rules.defaults)

    class Meta(RuleVersionModel.Meta):
        verbose_name = verbose_name_plural = "组织生活规则版本"

    def __str__(self):
        return f"第{self.pk}版"

    def kind(self, code: str) -> dict:
        """The editable values of a kind, defaults filled in."""
        return {**rules.KIND_DEFAULTS[code], **(self.values.get("kinds") or {}).get(code, {})}

    def general(self, key: str) -> int:
        return int(self.values.get(key, rules.GENERAL_DEFAULTS[key]))

    def frequency(self, code: str) -> str:
        return self.kind(code)["frequency"]

    def counts_as_study(self, code: str) -> bool:
        return bool(rules.KIND_BY_CODE[code].study_form) and bool(self.kind(code).get("study"))


class Meeting(OrgScopedModel):
    """One meeting or activity of an organisation (会议记录)."""

    class Status(models.TextChoices):
        PLANNED = "planned", "计划"
        HELD = "held", "已召开"

    kind = models.CharField("会议类型", max_length=24, choices=rules.KIND_CHOICES)
    rule_version = models.ForeignKey(RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.HELD)
    held_on = models.DateField("日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    hours = models.DecimalField("时长（小时）", max_digits=4, decimal_places=1, default=Decimal("0"))
    place = models.CharField("地点", max_length=120, blank=True)
    host = models.CharField("主持人", max_length=40, blank=True)
    recorder = models.CharField("记录人", max_length=40, blank=True)
    topic = models.CharField("议题", max_length=200)
    content = models.TextField("内容", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    resolutions = models.TextField("决议事项", blank=True)
    lecturer = models.CharField("授课人", max_length=40, blank=True)
    lecture_topic = models.CharField("党课题目", max_length=200, blank=True)
    theme = models.CharField("活动主题", max_length=200, blank=True)
    has_vote = models.BooleanField("有表决事项", default=False)
    is_election = models.BooleanField("选举会议", default=False)
    # Attendance figures, filled by services.record_attendance.
    attendance_taken = models.BooleanField("已登记出席", default=False)
    should_attend = models.PositiveIntegerField("应到", default=0)
    present = models.PositiveIntegerField("实到", default=0)
    elsewhere = models.PositiveIntegerField("流入地参加", default=0)
    on_leave = models.PositiveIntegerField("请假", default=0)
    absent = models.PositiveIntegerField("缺席", default=0)
    excluded = models.PositiveIntegerField("不列入应到", default=0)
    quorum_met = models.BooleanField("达到法定人数", null=True, blank=True)
    # Held and not below its quorum: what compliance counts.
    counted = models.BooleanField("计入召开次数", default=False)
    created_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    AUDIT_EXCLUDE = ("org_path", "created_at", "updated_at")

    class Meta:
        verbose_name = verbose_name_plural = "会议记录"
        ordering = ["-held_on", "-id"]
        indexes = [
            # (status, counted) too: the compliance counts (compliance.lagging_figures,
            # org_compliance) read the index alone instead of every meeting row
            models.Index(fields=["organisation", "kind", "held_on", "status", "counted"], name="orglife_meeting_org_kind_cov"),
            models.Index(fields=["org_path", "held_on"], name="orglife_meeting_path_idx", opclasses=["varchar_pattern_ops", "date_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=True) | Q(end_time__gt=F("start_time")),
                name="orglife_meeting_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_kind_display()}：{self.topic}"

    @property
    def kind_rule(self) -> rules.Kind:
        return rules.KIND_BY_CODE[self.kind]

    @property
    def below_quorum(self) -> bool:
        return self.quorum_met is False

    @property
    def attended(self) -> int:
        return self.present + self.elsewhere


class Attendance(OrgScopedModel):
    """One person due at a meeting and what became of it. The big table: indexes kept to
    what the queries use (the path copy, member+month, status+path for absences, the unique meeting+member, which
    also serves the meeting's rows); the foreign keys are not indexed on their own."""

    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="+", db_index=False)
    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attendance", db_index=False)
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField("月份")  # first day of the meeting's month: the party-life count
    status = models.CharField("出席情况", max_length=12, choices=rules.ATTENDANCE_CHOICES, default=rules.PRESENT)
    reason = models.CharField("事由", max_length=200, blank=True)
    host_org = models.CharField("参加活动的组织", max_length=120, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "出席情况"
        ordering = ["meeting_id", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="orglife_attendance_once")]
        indexes = [
            models.Index(fields=["member", "month"], name="orglife_attendance_member_idx"),
            # absences (compliance.absence_queryset): the few absent rows of a subtree, not
            # every attendance of it (4,747 of 267,084 in the demo county).
            models.Index(
                fields=["status", "org_path", "month"],
                name="orglife_attendance_status_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class Exclusion(OrgScopedModel):
    """A member approved to be left out of "should attend" for a period (domain-rules §3)."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("情形", max_length=24, choices=rules.EXCLUSION_CHOICES)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期", null=True, blank=True)
    approved_by = models.CharField("批准组织", max_length=120)
    approved_on = models.DateField("批准日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"
    AUDIT_EXCLUDE = ("org_path", "created_at")

    class Meta:
        verbose_name = verbose_name_plural = "不列入应到人员"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="orglife_exclusion_dates"),
        ]

    def __str__(self):
        return f"{self.member} {self.get_reason_display()}"

    def active_on(self, d) -> bool:
        return self.starts_on <= d and (self.ends_on is None or self.ends_on >= d)


def _upload_to(instance, filename):
    return f"orglife/{instance.meeting.held_on:%Y/%m}/{filename}"


class Attachment(models.Model):
    """A photo, sign-in sheet or other file of a meeting."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类别", max_length=12, choices=rules.ATTACHMENT_CHOICES, default="photo")
    file = models.FileField("文件", upload_to=_upload_to, max_length=255)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.CharField("上传人", max_length=150, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "meeting__org_path"
    AUDIT_EXCLUDE = ("file",)

    class Meta:
        verbose_name = verbose_name_plural = "会议附件"
        ordering = ["meeting_id", "id"]

    def __str__(self):
        return self.name

    def audit_org_path(self) -> str:
        return self.meeting.org_path

    def audit_extra(self) -> dict:
        return {"file": self.file.name}


class AbsenceCase(OrgScopedModel):
    """The branch's case for a member who has gone `exit_months` (6) consecutive months
    without party life and without good reason (党章第九条: 自行脱党), as the dues arrears
    case does for unpaid dues. The member is NOT removed here: the general meeting decides.
    "提交组织处置" leaves the member to the exit handling (apps.appraisal lists them through
    the exit trigger); "已恢复" / "有正当理由" close the run (the trigger stops naming them
    until a new run of absences begins). One open case per member (a DB constraint); one
    case per run (member + first month)."""

    class Status(models.TextChoices):
        OPEN = "open", "待支部大会决定"
        DECIDED = "decided", "已决定"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="+")
    opened_on = models.DateField("立案日期")
    first_month = models.DateField("未参加起始月份")
    months = models.PositiveSmallIntegerField("立案时连续月数")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    decision = models.CharField("支部大会决定", max_length=20, choices=rules.CASE_DECISION_CHOICES, blank=True)
    meeting_date = models.DateField("支部大会日期", null=True, blank=True)
    decision_note = models.CharField("决定说明", max_length=300, blank=True)
    decided_by = models.CharField("登记人", max_length=150, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "不参加组织生活处置"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="orglife_absence_one_open_case"),
            models.UniqueConstraint(fields=["member", "first_month"], name="orglife_absence_case_per_run"),
        ]

    def __str__(self):
        return f"{self.member} 连续{self.months}个月未参加组织生活"
