"""Relationship transfers (组织关系转接) and mobile members (流动党员).

A transfer is seen by two subtrees, the sending and the receiving organisation's
(SCOPE_PATH names both path copies); the member sees their own (SCOPE_MEMBER). For a
transfer out of the system the "receiving" organisation in the tree is the sending
organisation's county committee, which signs the paper letter; for an arrival from
outside both organisations are the receiving one."""

from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel, RuleVersionModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class MobilityRuleVersion(RuleVersionModel):
    """One version of the county-editable amounts (rules.SETTINGS): letter validity and
    its range, the receipt limit, the certificate's duration, the report and abroad
    contact intervals. The newest is current; a county administrator saves a new version
    rather than editing an old one. A letter keeps the validity and receipt date it was
    issued with, a certificate its duration."""

    DEFAULTS = rules.DEFAULTS

    class Meta(RuleVersionModel.Meta):
        verbose_name = verbose_name_plural = "流动与转接规则版本"

    def __str__(self):
        return f"流动与转接规则第{self.pk}版"


class Transfer(OrgScopedModel):
    kind = models.CharField("转接类型", max_length=16, choices=rules.KIND_CHOICES, default="internal", db_index=True)
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="relationship_transfers")
    to_organisation = models.ForeignKey("orgs.Organisation", verbose_name="接收党组织", on_delete=models.PROTECT, related_name="+")
    to_org_path = models.CharField(max_length=255, editable=False, db_index=True)
    # outside the system: the other side's name and address as written on the letter
    outside_org_name = models.CharField("系统外党组织", max_length=120, blank=True)
    across_province = models.BooleanField("跨省（区、市）", default=False)
    leaving_county = models.BooleanField("转出本县", default=False)
    reason = models.CharField("转接原因", max_length=200)
    requested_on = models.DateField("申请日期")
    requested_by = models.CharField("申请人", max_length=150, blank=True)
    validity_days = models.PositiveSmallIntegerField("有效期（天）")
    status = models.CharField("状态", max_length=16, choices=rules.STATUS_CHOICES, default="requested", db_index=True)
    next_step = models.CharField("下一步", max_length=16, blank=True)
    # the path of the organisation whose turn it is (to-do lists of each side)
    next_org_path = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    # the current letter's figures, copied for lists and the overdue filter
    serial = models.CharField("介绍信编号", max_length=20, blank=True, db_index=True)
    issued_on = models.DateField("开具日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    receipt_due = models.DateField("回执应退回日期", null=True, blank=True, db_index=True)
    received_on = models.DateField("接收日期", null=True, blank=True)
    closed_note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE_PATH = ("org_path", "to_org_path")
    PATH_COPIES = {"org_path": "organisation", "to_org_path": "to_organisation", "next_org_path": None}
    SCOPE_MEMBER = "member_id"
    AUDIT_EXCLUDE = ("org_path", "to_org_path", "next_org_path")

    class Meta:
        verbose_name = verbose_name_plural = "组织关系转接"
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status__in=rules.OPEN_STATUSES), name="mobility_one_open_transfer"),
        ]

    def __str__(self):
        return f"{self.member.name} {self.from_label} → {self.to_label}"

    @property
    def is_open(self) -> bool:
        return self.status in rules.OPEN_STATUSES

    @property
    def from_label(self) -> str:
        return self.outside_org_name if self.kind == "in" else str(self.organisation)

    @property
    def to_label(self) -> str:
        return self.outside_org_name if self.kind == "out" else str(self.to_organisation)

    def next_step_label(self) -> str:
        return rules.STEP_LABELS.get(self.next_step, "")


class TransferStep(models.Model):
    """One dated act on a transfer: an approval, a refusal with its reason, a letter, the
    receipt. The chain itself is rules.CHAIN."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField("环节", max_length=16)
    approved = models.BooleanField("同意", default=True)
    date = models.DateField("日期")
    by = models.CharField("经办人", max_length=150)
    note = models.CharField("意见", max_length=200, blank=True)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = ("transfer__org_path", "transfer__to_org_path")

    class Meta:
        verbose_name = verbose_name_plural = "转接审批记录"
        ordering = ["transfer_id", "at", "id"]

    def __str__(self):
        return f"{self.label} {self.date} {self.by}"

    @property
    def label(self) -> str:
        return rules.STEP_LABELS.get(self.code, self.code)


class TransferLetter(models.Model):
    """One issued 介绍信 (a reissue voids the previous one and gets a new serial). The
    figures printed are fixed at issue: dues paid up to, validity, both sides."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="letters")
    serial = models.CharField("编号", max_length=20, unique=True)
    issued_on = models.DateField("开具日期")
    validity_days = models.PositiveSmallIntegerField("有效期（天）")
    valid_until = models.DateField("有效期至")
    dues_paid_up_to = models.DateField("党费缴纳至", null=True, blank=True)
    void = models.BooleanField("已作废", default=False)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    issued_by = models.CharField("开具人", max_length=150)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = ("transfer__org_path", "transfer__to_org_path")

    class Meta:
        verbose_name = verbose_name_plural = "组织关系介绍信"
        ordering = ["transfer_id", "issued_on", "id"]

    def __str__(self):
        return f"介绍信 {self.serial}"


class TemporaryBranch(OrgScopedModel):
    """A temporary branch or group (临时党支部/党小组) formed where 3 or more members of
    the organisation are away together: its own record with an end date."""

    name = models.CharField("名称", max_length=120)
    place = models.CharField("所在地", max_length=120)
    formed_on = models.DateField("成立日期")
    end_date = models.DateField("撤销日期（预计）")
    secretary_name = models.CharField("负责人", max_length=40, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=rules.TEMPORARY_STATUS_CHOICES, default="active", db_index=True)
    closed_on = models.DateField("撤销日期", null=True, blank=True)
    closed_by = models.CharField("撤销经办人", max_length=150, blank=True)
    closed_note = models.CharField("撤销说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "临时党支部"
        ordering = ["-formed_on", "-id"]

    def __str__(self):
        return self.name

    def expired_on(self, day) -> bool:
        """Past its end date and not yet closed: refuses new members, waits to be closed."""
        return self.status == "active" and self.end_date < day


class MobileRecord(OrgScopedModel):
    """A 流动党员活动证 and the member's time away: the home organisation's register."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="mobile_records")
    certificate_no = models.CharField("活动证编号", max_length=20, unique=True)
    issued_on = models.DateField("发证日期")
    issued_by = models.CharField("发证党组织", max_length=120)
    reason = models.CharField("外出原因", max_length=120)
    destination = models.CharField("外出地点", max_length=120, db_index=True)
    months = models.PositiveSmallIntegerField("外出期限（月）")
    expected_return = models.DateField("预计返回日期", db_index=True)
    home_contact = models.CharField("流出地联系人", max_length=60)
    home_contact_phone = models.CharField("联系人电话", max_length=20, blank=True)
    studying_abroad = models.BooleanField("出国（境）学习", default=False)
    no_fixed_place = models.BooleanField("长期外出无固定地点", default=False)
    host_name = models.CharField("流入地党组织", max_length=120, blank=True)
    host_organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="流入地党组织（本系统）", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    host_registered_on = models.DateField("流入地登记日期", null=True, blank=True)
    temporary_branch = models.ForeignKey(
        TemporaryBranch, verbose_name="临时党支部", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    last_report_on = models.DateField("最近报告日期", null=True, blank=True)
    last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    # the earliest of: the yearly report, the abroad contact (every 6 months)
    next_due = models.DateField("下次报告/联系期限", db_index=True)
    status = models.CharField("状态", max_length=16, choices=rules.MOBILE_STATUS_CHOICES, default="away", db_index=True)
    returned_on = models.DateField("返回日期", null=True, blank=True)
    certificate_returned = models.BooleanField("活动证已交回", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "流动党员登记"
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="away"), name="mobility_one_open_mobile_record"),
        ]

    def __str__(self):
        return f"{self.member.name} 活动证{self.certificate_no}"


class HostRegistration(OrgScopedModel):
    """The host side's register: a mobile member of another organisation of the system
    joining this organisation's party life (votes only at home)."""

    record = models.ForeignKey(MobileRecord, on_delete=models.CASCADE, related_name="host_registrations")
    registered_on = models.DateField("登记日期")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "流入党员登记"
        ordering = ["-registered_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["record", "organisation"], name="mobility_host_once")]

    def __str__(self):
        return f"{self.record.member.name} 流入登记"


class HostReport(models.Model):
    """The host organisation's yearly report on an incoming member to the home
    organisation (表现情况通报): seen by both — the host's subtree through the
    registration, the home's through the member's away record."""

    registration = models.ForeignKey(HostRegistration, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField("年度")
    date = models.DateField("报告日期")
    content = models.CharField("表现情况", max_length=500)
    recorded_by = models.CharField("记录人", max_length=150)
    at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = ("registration__org_path", "registration__record__org_path")

    class Meta:
        verbose_name = verbose_name_plural = "流入地年度报告"
        ordering = ["registration_id", "-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["registration", "year"], name="mobility_host_report_once_a_year")]

    def __str__(self):
        return f"{self.year}年度流入地报告"


class MobileContact(models.Model):
    """A report by the member to home (yearly) or a contact by home (abroad: every 6
    months)."""

    record = models.ForeignKey(MobileRecord, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField("类型", max_length=16, choices=rules.CONTACT_KIND_CHOICES)
    date = models.DateField("日期")
    content = models.CharField("内容", max_length=300)
    recorded_by = models.CharField("记录人", max_length=150)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "record__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "流动党员报告与联系"
        ordering = ["record_id", "-date", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class NonPublicCard(OrgScopedModel):
    """非公企业党员证 register: who holds one, issued when, by whom."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="non_public_cards")
    number = models.CharField("证号", max_length=30, unique=True)
    issued_on = models.DateField("发证日期")
    issued_by = models.CharField("发证单位", max_length=120)
    withdrawn_on = models.DateField("收回日期", null=True, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "非公企业党员证"
        ordering = ["-issued_on", "-id"]
        constraints = [
            # a member holds at most one card at a time (a withdrawn card may be followed by a new one)
            models.UniqueConstraint(fields=["member"], condition=Q(withdrawn_on__isnull=True), name="mobility_one_held_card"),
        ]

    def __str__(self):
        return f"{self.member.name} {self.number}"
