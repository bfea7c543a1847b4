"""Dues (党费): income declarations, the monthly ledger, payments, reductions, voluntary
payments, collection/hand-over, annual remittance and arrears cases.

Every table is scoped by an organisation path copy (`org_path`, kept on tree moves by
signals.py) and, for a member's own rows, by `member_id`. Months are stored as the first
day of the month (DateField)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet

from . import rules

MONEY = {"max_digits": 12, "decimal_places": 2}


_OrgScoped = OrgScopedModel


class IncomeDeclaration(_OrgScoped):
    """A member's dues category and base from a month on (缴纳基数申报). The newest
    declaration whose effective month is not after M applies to month M; older ones stay
    as history."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_declarations")
    category = models.CharField("党费类别", max_length=16, choices=rules.CATEGORY_CHOICES)
    base = models.DecimalField("缴纳基数（元）", null=True, blank=True, **MONEY)
    fixed_amount = models.DecimalField("定额（元/月）", null=True, blank=True, max_digits=6, decimal_places=2)
    effective_month = models.DateField("起算月份", help_text="首次领取新收入的当月")
    declared_on = models.DateField("申报日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党费基数申报"
        ordering = ["member_id", "-effective_month"]
        constraints = [models.UniqueConstraint(fields=["member", "effective_month"], name="dues_declaration_member_month")]

    def __str__(self):
        return f"{self.member} {self.effective_month:%Y-%m} {self.get_category_display()}"


class LedgerMonth(_OrgScoped):
    """One generation run of an organisation's monthly ledger (the audited record of it)."""

    month = models.DateField("月份")
    line_count = models.PositiveIntegerField("生成条数", default=0)
    generated_by = models.CharField("生成人", max_length=150, blank=True)
    generated_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费台账生成记录"
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="dues_ledger_month_org")]

    def __str__(self):
        return f"{self.organisation} {self.month:%Y-%m}"


class DuesLine(_OrgScoped):
    """What one member owes for one month, at the organisation holding them that month."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", "未交"
        PAID = "paid", "已交"
        EXEMPT = "exempt", "免交"
        PAID_ELSEWHERE = "paid_elsewhere", "流入地缴纳"

    SETTLED = (Status.PAID, Status.EXEMPT, Status.PAID_ELSEWHERE)

    # The big table: indexes kept to what the queries use (member+month unique,
    # path+month, organisation+month, status+path for arrears); the other foreign keys are not indexed.
    organisation = models.ForeignKey("orgs.Organisation", verbose_name="党组织", on_delete=models.PROTECT, related_name="+", db_index=False)
    org_path = models.CharField(max_length=255, editable=False)
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_lines", db_index=False)
    month = models.DateField("月份")
    category = models.CharField("党费类别", max_length=16, choices=rules.CATEGORY_CHOICES)
    base = models.DecimalField("缴纳基数", null=True, blank=True, **MONEY)
    rate = models.DecimalField("比例", null=True, blank=True, max_digits=6, decimal_places=4)
    standard_amount = models.DecimalField("按规定应交", **MONEY)
    amount_due = models.DecimalField("应交金额", **MONEY)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.UNPAID)
    reduction = models.ForeignKey(
        "Reduction", verbose_name="减免", null=True, blank=True, on_delete=models.SET_NULL, related_name="lines", db_index=False
    )
    paid_elsewhere = models.BooleanField("在流入地缴纳", default=False)
    paid_elsewhere_note = models.CharField("缴纳地说明", max_length=120, blank=True)
    paid_on = models.DateField("缴纳日期", null=True, blank=True)
    payment = models.ForeignKey(
        "Payment", verbose_name="缴费记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="lines", db_index=False
    )

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党费台账"
        ordering = ["org_path", "month", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_line_member_month")]
        indexes = [
            models.Index(fields=["org_path", "month"], name="dues_line_path_month_idx", opclasses=["varchar_pattern_ops", "date_ops"]),
            models.Index(fields=["organisation", "month"], name="dues_line_org_month_idx"),
            # arrears (selectors.arrears_queryset): the few unpaid lines of a subtree, not
            # every line of it (13,562 of 241,073 in the demo county).
            models.Index(
                fields=["status", "org_path", "month"],
                name="dues_line_status_path_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.month:%Y-%m} {self.amount_due}元"

    @property
    def settled(self) -> bool:
        return self.status in self.SETTLED

    @property
    def rate_label(self) -> str:
        return rules.rate_label(self.rate)


class DuesTally(_OrgScoped):
    """Per organisation and month: its ledger lines, the settled ones and the amount due
    (lines paid elsewhere left out) of that dues month, and the payments received in that
    calendar month (by paid_on). Derived from the lines and the payments, never edited:
    every service that writes either recomputes the (organisation, month) pairs it touched
    (tally.retally), so that the statistics, the dues.collected health metric and the
    monthly report sum ~12 rows per organisation and year instead of reading every
    member's line (241,073 lines in the demo county's year) or payment (195,348).
    `check_org_tree` compares them with the lines and payments; `--fix-counts` rebuilds
    them."""

    month = models.DateField("月份")
    lines = models.PositiveIntegerField("应交人次", default=0)
    settled = models.PositiveIntegerField("已交人次", default=0)
    expected = models.DecimalField("应交金额", default=0, **MONEY)
    collected = models.DecimalField("当月收缴金额", default=0, **MONEY)

    class Meta:
        verbose_name = verbose_name_plural = "党费月度汇总"
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="dues_tally_org_month")]
        indexes = [
            models.Index(
                fields=["org_path", "month"],
                include=["lines", "settled", "expected", "collected"],
                name="dues_tally_path_month_cov",
                opclasses=["varchar_pattern_ops", "date_ops"],
            )
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.month:%Y-%m} {self.settled}/{self.lines}"


class Payment(_OrgScoped):
    """Money a member paid (or someone paid on their behalf) for one or more months."""

    class Mode(models.TextChoices):
        MONTHLY = "monthly", "按月"
        QUARTERLY = "quarterly", "按季度（经支部同意）"
        BACK = "back", "补交"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="dues_payments")
    amount = models.DecimalField("金额（元）", **MONEY)
    paid_on = models.DateField("缴纳日期")
    mode = models.CharField("缴纳方式", max_length=12, choices=Mode.choices, default=Mode.MONTHLY)
    branch_consent = models.BooleanField("支部同意按季度缴纳", default=False)
    payer_kind = models.CharField("缴纳人", max_length=12, choices=rules.PAYER_CHOICES, default="self")
    payer_name = models.CharField("代交人姓名", max_length=40, blank=True)
    method = models.CharField("支付方式", max_length=16, choices=rules.METHOD_CHOICES, default="cash")
    first_month = models.DateField("起始月份")
    last_month = models.DateField("截止月份")
    month_count = models.PositiveSmallIntegerField("月数")
    warning = models.CharField("提示", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党费缴纳记录"
        ordering = ["-paid_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "paid_on"], name="dues_payment_org_paid_idx"),
            # the year's collections of a subtree (stats.contribute), from the index alone
            models.Index(
                fields=["org_path", "paid_on"],
                include=["amount"],
                name="dues_payment_path_paid_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.first_month:%Y-%m}～{self.last_month:%Y-%m} {self.amount}元"


class PaymentMonth(models.Model):
    """One month settled by a payment. The unique (member, month) constraint is what makes
    two concurrent payments of the same month impossible."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="months")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField("月份")
    amount = models.DecimalField("金额", **MONEY)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "payment__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "缴费月份"
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_payment_month_unique")]

    def __str__(self):
        return f"{self.member_id} {self.month:%Y-%m}"


class Reduction(_OrgScoped):
    """Hardship reduction or exemption: the branch proposes (reason, period), the
    next-level committee approves."""

    class Kind(models.TextChoices):
        REDUCE = "reduce", "减交"
        EXEMPT = "exempt", "免交"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "未批准"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_reductions")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    monthly_amount = models.DecimalField("减免后每月交纳（元）", default=0, **MONEY)
    start_month = models.DateField("起始月份")
    end_month = models.DateField("截止月份")
    reason = models.CharField("理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_by = models.CharField("提出人", max_length=150, blank=True)
    proposed_on = models.DateField("支部讨论日期")
    decided_by = models.CharField("审批人", max_length=150, blank=True)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党费减免"
        ordering = ["-proposed_on", "-id"]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.start_month:%Y-%m}～{self.end_month:%Y-%m}"

    def covers(self, month) -> bool:
        return self.start_month <= month <= self.end_month


class VoluntaryPayment(_OrgScoped):
    """Voluntary extra dues (自愿多交党费); a one-off ≥ 1000 yuan goes wholly to the centre."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="dues_voluntary")
    amount = models.DecimalField("金额（元）", **MONEY)
    paid_on = models.DateField("缴纳日期")
    remit_to_centre = models.BooleanField("全额上缴中央", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "自愿多交党费"
        ordering = ["-paid_on", "-id"]

    def __str__(self):
        return f"{self.member} {self.amount}元"


class Collection(_OrgScoped):
    """One organisation's monthly collection and hand-over to the level above (支部 →
    基层党委 → 县委). expected/collected are computed from the ledger (own lines) plus
    what the organisations below handed over; a difference must be explained."""

    class Status(models.TextChoices):
        OPEN = "open", "未上交"
        HANDED_OVER = "handed_over", "已上交待确认"
        CONFIRMED = "confirmed", "上级已确认"

    month = models.DateField("月份")
    expected = models.DecimalField("应收", default=0, **MONEY)
    collected = models.DecimalField("实收", default=0, **MONEY)
    received_from_below = models.DecimalField("下级上交", default=0, **MONEY)
    voluntary = models.DecimalField("自愿多交", default=0, **MONEY)
    handed_over = models.DecimalField("上交金额", default=0, **MONEY)
    handed_to = models.ForeignKey(
        "orgs.Organisation", verbose_name="上交至", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_on = models.DateField("上交日期", null=True, blank=True)
    difference_note = models.CharField("差额说明", max_length=300, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    handed_by = models.CharField("经手人", max_length=150, blank=True)
    confirmed_by = models.CharField("确认人", max_length=150, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费收缴上交"
        ordering = ["-month", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="dues_collection_org_month")]

    def __str__(self):
        return f"{self.organisation} {self.month:%Y-%m}"

    @property
    def total_in_hand(self):
        return self.collected + self.received_from_below + self.voluntary

    @property
    def difference(self):
        return self.total_in_hand - self.handed_over


class AnnualRemittance(_OrgScoped):
    """The year's upward remittance (5 % of the year's dues by the end of April)."""

    year = models.PositiveSmallIntegerField("年度")
    total_dues = models.DecimalField("全年党费合计", **MONEY)
    rate = models.DecimalField("上缴比例", max_digits=5, decimal_places=4, default=rules.ANNUAL_REMITTANCE_RATE)
    amount_due = models.DecimalField("应上缴", **MONEY)
    amount_remitted = models.DecimalField("实际上缴", default=0, **MONEY)
    due_by = models.DateField("上缴期限")
    remitted_on = models.DateField("上缴日期", null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "党费年度上缴"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="dues_remittance_org_year")]

    def __str__(self):
        return f"{self.organisation} {self.year}年"


class ArrearsCase(_OrgScoped):
    """Opened when a member has not paid for 6 consecutive months without good reason.
    The member is NOT removed automatically: the general meeting decides and the case
    records the decision."""

    class Status(models.TextChoices):
        OPEN = "open", "待支部大会决定"
        DECIDED = "decided", "已决定"

    class Decision(models.TextChoices):
        SELF_WITHDRAWAL = "self_withdrawal", "按自行脱党处理（另行办理党籍变更）"
        PAID_UP = "paid_up", "已补交，继续保留党籍"
        GOOD_REASON = "good_reason", "有正当理由，不作处理"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.CASCADE, related_name="dues_arrears_cases")
    opened_on = models.DateField("立案日期")
    first_unpaid_month = models.DateField("欠缴起始月份")
    months_unpaid = models.PositiveSmallIntegerField("连续欠缴月数")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    decision = models.CharField("支部大会决定", max_length=20, choices=Decision.choices, blank=True)
    meeting_date = models.DateField("支部大会日期", null=True, blank=True)
    decision_note = models.CharField("决定说明", max_length=300, blank=True)
    decided_by = models.CharField("登记人", max_length=150, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "欠缴党费处置"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="dues_arrears_one_open_case"),
        ]

    def __str__(self):
        return f"{self.member} 连续欠缴{self.months_unpaid}个月"


class ArrearsStanding(models.Model):
    """A member's run of unpaid months at a cutoff month (standing.py): the unpaid lines
    after the last settled month (paid, paid elsewhere, exempt) up to `cutoff`, over all of
    the member's lines wherever they were held — what selectors.arrears_queryset counts for
    one member. Derived data, never edited: the dues services that write lines of months up
    to the cutoff recompute the members they touched (standing.restand) in their own
    transaction, and the daily `dues_arrears` rebuilds every member when the cutoff moves on
    (standing.rebuild, which also writes ArrearsStandingBuild). The arrears counts of the
    statistics, the to-do list and the arrears page read these rows — a few thousand at a
    province — instead of every unpaid line of the subtree (27,093 lines and one sub-query
    each for 200,000 members with a year of dues). A member belongs to the subtree of their
    current organisation (member.org_path), like the case the run opens."""

    member = models.OneToOneField(
        "members.Member", verbose_name="党员", primary_key=True, on_delete=models.CASCADE, related_name="arrears_standing"
    )
    cutoff = models.DateField("计算截至月份")
    months = models.PositiveSmallIntegerField("连续欠缴月数", default=0)
    first_unpaid = models.DateField("欠缴起始月份", null=True, blank=True)
    last_unpaid = models.DateField("欠缴截止月份", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "member__org_path"
    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员欠缴状况"
        indexes = [models.Index(fields=["cutoff", "months"], name="dues_standing_cutoff_idx")]

    def __str__(self):
        return f"{self.member_id} {self.cutoff:%Y-%m} 连续欠缴{self.months}个月"


class ArrearsStandingBuild(models.Model):
    """One row per cutoff month for which every member's ArrearsStanding was rebuilt: the
    rows count only while the build of the current cutoff exists and no row has another
    cutoff (standing.current)."""

    cutoff = models.DateField("计算截至月份", unique=True)
    built_at = models.DateTimeField("生成时间", auto_now=True)
    members = models.PositiveIntegerField("有欠缴的党员数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "党员欠缴状况生成记录"

    def __str__(self):
        return f"{self.cutoff:%Y-%m}（{self.members}人）"
