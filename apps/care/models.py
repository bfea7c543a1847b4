"""Care and hardship (关怀帮扶): 四必访 visits, the seasonal visit and 七一 greeting
checklists, the hardship register with 三包 pairings, the 互助基金 ledger and living
subsidies for old members.

Every record belongs to one organisation (OrgScopedModel: `org_path` copy, scoped by it).
A fund application is seen by the member's branch and by the fund holder (two paths)."""

from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet

from . import rules

MONEY = rules.MONEY


class CareOccasion(models.Model):
    """An occasion of care as data (domain-rules §13): the 四必访 occasions, the
    twice-yearly visits and the 七一 greeting. A county administrator edits them."""

    class Kind(models.TextChoices):
        MUST_VISIT = "must_visit", "四必访"
        SEASONAL = "seasonal", "节日走访慰问"
        GREETING = "greeting", "节日问候"

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    month = models.PositiveSmallIntegerField("通常月份", null=True, blank=True)
    targets = models.JSONField("走访对象", default=list, blank=True, help_text="节日走访/问候的对象类别")
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "关怀事由"
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def has_checklist(self) -> bool:
        return self.kind in (self.Kind.SEASONAL, self.Kind.GREETING)

    @property
    def target_labels(self) -> str:
        return "、".join(rules.TARGET_LABELS.get(t, t) for t in self.targets)


class Visit(OrgScopedModel):
    """A visit to a member (四必访 or a seasonal visit): who went, what was done, follow-up."""

    member = models.ForeignKey("members.Member", verbose_name="走访对象", on_delete=models.PROTECT, related_name="care_visits")
    occasion = models.ForeignKey(CareOccasion, verbose_name="事由", on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField("走访日期")
    visitors = models.CharField("走访人", max_length=120)
    content = models.TextField("走访内容", max_length=2000)
    amount = models.DecimalField("慰问金（元）", default=rules.ZERO, **MONEY)
    follow_up = models.CharField("后续事项", max_length=200, blank=True)
    follow_up_done_on = models.DateField("后续事项办结日期", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["org_path", "visited_on"], name="care_visit_path_date")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="care_visit_amount_not_negative")]

    def __str__(self):
        return f"{self.member} {self.occasion} {self.visited_on}"


class ChecklistRun(OrgScopedModel):
    """One generation of an organisation subtree's checklist for an occasion and year (the
    audited record of it; the items are ChecklistItem rows, one per member)."""

    occasion = models.ForeignKey(CareOccasion, verbose_name="事由", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    item_count = models.PositiveIntegerField("新增对象数", default=0)
    generated_by = models.CharField("生成人", max_length=150, blank=True)
    generated_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访清单生成记录"
        constraints = [models.UniqueConstraint(fields=["organisation", "occasion", "year"], name="care_checklist_run_unique")]

    def __str__(self):
        return f"{self.organisation} {self.year}年{self.occasion}"


class ChecklistItem(OrgScopedModel):
    """A member who must be visited (or greeted) on an occasion in a year, at their branch."""

    occasion = models.ForeignKey(CareOccasion, verbose_name="事由", on_delete=models.PROTECT, related_name="checklist_items")
    year = models.PositiveSmallIntegerField("年度")
    member = models.ForeignKey("members.Member", verbose_name="对象", on_delete=models.PROTECT, related_name="care_checklist")
    reasons = models.CharField("列入原因", max_length=100)
    visit = models.ForeignKey(
        Visit, verbose_name="走访记录", null=True, blank=True, on_delete=models.SET_NULL, related_name="checklist_items"
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访慰问清单"
        ordering = ["org_path", "member_id"]
        indexes = [models.Index(fields=["occasion", "year", "org_path"], name="care_checklist_occ_year_path")]
        constraints = [models.UniqueConstraint(fields=["occasion", "year", "member"], name="care_checklist_item_unique")]

    def __str__(self):
        return f"{self.year}年{self.occasion} {self.member}"

    @property
    def reason_labels(self) -> str:
        return "、".join(rules.TARGET_LABELS.get(r, r) for r in self.reasons.split(",") if r)


class Hardship(OrgScopedModel):
    """困难党员登记: a member in hardship, with cause and level, until closed."""

    class Status(models.TextChoices):
        OPEN = "open", "帮扶中"
        CLOSED = "closed", "已脱困"

    member = models.ForeignKey("members.Member", verbose_name="困难党员", on_delete=models.PROTECT, related_name="care_hardships")
    cause = models.CharField("致困原因", max_length=16, choices=rules.HARDSHIP_CAUSES)
    level = models.CharField("困难程度", max_length=16, choices=rules.HARDSHIP_LEVELS)
    description = models.CharField("困难情况", max_length=500)
    registered_on = models.DateField("登记日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField("脱困日期", null=True, blank=True)
    closure_note = models.CharField("脱困情况", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "困难党员"
        ordering = ["org_path", "-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="care_hardship_one_open_per_member"),
        ]

    def __str__(self):
        return f"{self.member}（{self.get_cause_display()}·{self.get_level_display()}）"


class Pairing(OrgScopedModel):
    """党内扶贫结对 (三包): a cadre or capable member takes on a hardship member."""

    class Status(models.TextChoices):
        ACTIVE = "active", "帮扶中"
        CLOSED = "closed", "已结束"

    hardship = models.ForeignKey(Hardship, verbose_name="困难党员", on_delete=models.PROTECT, related_name="pairings")
    helper = models.ForeignKey("members.Member", verbose_name="帮扶责任人", on_delete=models.PROTECT, related_name="care_pairings_helping")
    started_on = models.DateField("结对日期")
    pledge_thought = models.CharField("包思想", max_length=200)
    pledge_work = models.CharField("包生产/就业", max_length=200)
    pledge_poverty = models.CharField("包脱贫", max_length=200)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    last_update_on = models.DateField("最近帮扶日期", null=True, blank=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    outcome = models.CharField("帮扶成效", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "三包结对"
        ordering = ["org_path", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hardship", "helper"], condition=Q(status="active"), name="care_pairing_one_active_per_helper"),
        ]

    def __str__(self):
        return f"{self.helper} 帮扶 {self.hardship.member}"


class PairingUpdate(models.Model):
    """A periodic record of what the helper did (帮扶记录)."""

    pairing = models.ForeignKey(Pairing, verbose_name="结对", on_delete=models.CASCADE, related_name="updates")
    on = models.DateField("日期")
    content = models.CharField("帮扶情况", max_length=500)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "pairing__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "帮扶记录"
        ordering = ["-on", "-id"]

    def __str__(self):
        return f"{self.pairing} {self.on}"

    def audit_org_path(self) -> str:
        return self.pairing.org_path


# ── 互助基金 ────────────────────────────────────────────────────────────────────────────
class Fund(OrgScopedModel):
    """A mutual-aid fund held by an organisation. `balance` is kept by the services under a
    row lock and can never go below zero (CheckConstraint)."""

    name = models.CharField("基金名称", max_length=60)
    balance = models.DecimalField("余额（元）", default=rules.ZERO, **MONEY)
    opened_on = models.DateField("设立日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "互助基金"
        ordering = ["org_path", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="care_fund_balance_not_negative"),
            models.UniqueConstraint(fields=["organisation", "name"], name="care_fund_name_unique"),
        ]

    def __str__(self):
        return self.name


class FundApplication(OrgScopedModel):
    """A member's application for help from a fund: applied by the branch, decided by the
    fund holder's committee, then paid once. Seen by the member's branch and the holder."""

    class Status(models.TextChoices):
        APPLIED = "applied", "待审批"
        APPROVED = "approved", "已批准待支付"
        REJECTED = "rejected", "未批准"
        PAID = "paid", "已支付"

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT, related_name="applications")
    fund_org_path = models.CharField(max_length=255, editable=False, db_index=True)
    member = models.ForeignKey("members.Member", verbose_name="申请人", on_delete=models.PROTECT, related_name="care_fund_applications")
    amount = models.DecimalField("申请金额（元）", **MONEY)
    reason = models.CharField("申请理由", max_length=500)
    applied_on = models.DateField("申请日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.APPLIED)
    approved_amount = models.DecimalField("批准金额（元）", null=True, blank=True, **MONEY)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    meeting = models.CharField("审批会议", max_length=120, blank=True, help_text="如：镇党委会 2026-06-20")
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    decided_by = models.CharField("审批人", max_length=150, blank=True)

    SCOPE_PATH = ("org_path", "fund_org_path")
    PATH_COPIES = {"org_path": "organisation", "fund_org_path": "fund__organisation"}
    AUDIT_EXCLUDE = ("org_path", "fund_org_path")

    class Meta:
        verbose_name = verbose_name_plural = "互助基金申请"
        ordering = ["-applied_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="care_fund_application_amount_positive")]

    def __str__(self):
        return f"{self.member} 申请{self.fund} {self.amount}元"

    def save(self, *args, **kwargs):
        self.fund_org_path = self.fund.org_path
        super().save(*args, **kwargs)


class FundMovement(OrgScopedModel):
    """One movement of a fund: income (contribution, allocation) or a payout of an approved
    application (at most one per application: UniqueConstraint)."""

    fund = models.ForeignKey(Fund, verbose_name="基金", on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField("类别", max_length=16, choices=rules.MOVEMENT_KINDS)
    amount = models.DecimalField("金额（元）", **MONEY)
    on = models.DateField("日期")
    counterparty = models.CharField("来源/收款人", max_length=120)
    application = models.ForeignKey(
        FundApplication, verbose_name="申请", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    balance_after = models.DecimalField("变动后余额（元）", **MONEY)
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.CharField("经办人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "互助基金收支"
        ordering = ["fund_id", "-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="care_fund_movement_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="care_fund_movement_balance_not_negative"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(application__isnull=False), name="care_fund_one_payout_per_application"
            ),
        ]

    def __str__(self):
        return f"{self.fund} {self.get_kind_display()} {self.amount}"

    @property
    def signed_amount(self):
        return -self.amount if self.kind == "payout" else self.amount


# ── 生活补助 ────────────────────────────────────────────────────────────────────────────
class SubsidyRate(models.Model):
    """The county's living-subsidy amount for a category in a year, with its thresholds."""

    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("类别", max_length=16, choices=rules.SUBSIDY_CATEGORIES)
    amount = models.DecimalField("年补助金额（元）", **MONEY)
    min_age = models.PositiveSmallIntegerField("年龄不低于", null=True, blank=True)
    min_party_years = models.PositiveSmallIntegerField("党龄不少于（年）", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "生活补助标准"
        ordering = ["-year", "category"]
        constraints = [
            models.UniqueConstraint(fields=["year", "category"], name="care_subsidy_rate_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="care_subsidy_rate_amount_positive"),
        ]

    def __str__(self):
        return f"{self.year}年{self.get_category_display()} {self.amount}元"


class SubsidyPayment(OrgScopedModel):
    """A year's living subsidy paid to a member (one per member and year)."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="care_subsidies")
    rate = models.ForeignKey(SubsidyRate, verbose_name="补助标准", on_delete=models.PROTECT, related_name="payments")
    year = models.PositiveSmallIntegerField("年度")
    category = models.CharField("类别", max_length=16, choices=rules.SUBSIDY_CATEGORIES)
    amount = models.DecimalField("金额（元）", **MONEY)
    paid_on = models.DateField("发放日期")
    recorded_by = models.CharField("经办人", max_length=150, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "生活补助发放"
        ordering = ["-year", "org_path", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="care_subsidy_one_per_member_year")]

    def __str__(self):
        return f"{self.member} {self.year}年{self.get_category_display()}"


# ── 表彰激励 ────────────────────────────────────────────────────────────────────────────
class CommendationKind(models.Model):
    """A commendation as data (先进基层党组织, 优秀共产党员 …) with its awarding level."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    nominee = models.CharField("表彰对象", max_length=16, choices=rules.NOMINEE_KINDS)
    level = models.CharField("表彰层级", max_length=16, choices=rules.AWARD_LEVELS)
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "表彰项目"
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.name}（{self.get_level_display()}）"


class Nomination(OrgScopedModel):
    """A nomination by an organisation: vetting from data → 公示 → approval. An approved
    nomination is the award (on the member's record, on the honour roll)."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", "已推荐待公示"
        NOTICE = "notice", "公示中"
        APPROVED = "approved", "已表彰"
        REJECTED = "rejected", "未批准"

    kind = models.ForeignKey(CommendationKind, verbose_name="表彰项目", on_delete=models.PROTECT, related_name="nominations")
    year = models.PositiveSmallIntegerField("年度")
    member = models.ForeignKey(
        "members.Member", verbose_name="被推荐党员", null=True, blank=True, on_delete=models.PROTECT, related_name="care_nominations"
    )
    nominee_org = models.ForeignKey(
        "orgs.Organisation", verbose_name="被推荐组织", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deeds = models.TextField("主要事迹", max_length=2000)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.NOMINATED)
    vetting = models.JSONField("资格审查", default=list, blank=True)
    nominated_on = models.DateField("推荐日期")
    notice_start = models.DateField("公示开始", null=True, blank=True)
    notice_end = models.DateField("公示结束", null=True, blank=True)
    notice_feedback = models.CharField("公示反映情况", max_length=300, blank=True)
    decided_on = models.DateField("审批日期", null=True, blank=True)
    decided_by = models.CharField("审批人", max_length=150, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    nominated_by = models.CharField("推荐人", max_length=150, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "表彰推荐"
        ordering = ["-year", "kind__order", "org_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "member"],
                condition=Q(member__isnull=False) & ~Q(status="rejected"),
                name="care_nomination_member_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "year", "nominee_org"],
                condition=Q(nominee_org__isnull=False) & ~Q(status="rejected"),
                name="care_nomination_org_once",
            ),
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(nominee_org__isnull=True)) | (Q(member__isnull=True) & Q(nominee_org__isnull=False)),
                name="care_nomination_one_nominee",
            ),
        ]

    def __str__(self):
        return f"{self.year}年{self.kind.name}：{self.nominee_name}"

    @property
    def nominee_name(self) -> str:
        return self.member.name if self.member_id else self.nominee_org.name


# ── 联系群众 (党员联系户, 结对帮扶困难群众, 民情日记/为民办事) ──────────────────────────────
class Household(OrgScopedModel):
    """A household a member keeps in contact with (党员联系户); `needy` marks a needy
    non-member household the member is paired with (结对帮扶困难群众: needs → help →
    outcome). The organisation is the member's branch. `last_contact_on` is kept by the
    services (the gap list reads it without aggregating)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "联系中"
        ENDED = "ended", "已结束"

    member = models.ForeignKey("members.Member", verbose_name="联系党员", on_delete=models.PROTECT, related_name="care_households")
    head_name = models.CharField("户主姓名", max_length=40)
    address = models.CharField("住址", max_length=120)
    size = models.PositiveSmallIntegerField("家庭人口", null=True, blank=True)
    # 联系电话: personal data of a non-member, encrypted; pages and exports show the
    # masked copy; the full number only through reveal_household_phone (logged).
    phone_enc = models.TextField("联系电话（密文）", blank=True, editable=False)
    phone_hash = models.CharField("联系电话索引", max_length=64, blank=True, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, blank=True, editable=False)
    needy = models.BooleanField("困难群众结对帮扶", default=False)
    needs = models.CharField("困难和需求", max_length=300, blank=True)
    since_on = models.DateField("联系开始")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.ACTIVE)
    last_contact_on = models.DateField("最近联系", null=True, blank=True, db_index=True)
    contact_count = models.PositiveIntegerField("联系次数", default=0)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    outcome = models.CharField("帮扶成效/结束原因", max_length=300, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    SCOPE_MEMBER = "member_id"  # the member keeping the household sees it (and writes its diary)
    AUDIT_EXCLUDE = ("org_path", "last_contact_on", "contact_count", "phone_enc", "phone_hash")

    class Meta:
        verbose_name = verbose_name_plural = "党员联系户"
        ordering = ["org_path", "member_id", "id"]
        indexes = [models.Index(fields=["org_path", "status"], name="care_household_path_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "head_name", "address"], condition=Q(status="active"), name="care_household_active_once"
            ),
        ]

    def __str__(self):
        return f"{self.head_name}户（{self.address}）"


class HouseholdContact(models.Model):
    """One contact with a household (民情日记): what was heard, and what was done for
    them (为民办事), by whom."""

    household = models.ForeignKey(Household, verbose_name="联系户", on_delete=models.CASCADE, related_name="contacts")
    on = models.DateField("联系日期")
    way = models.CharField("方式", max_length=12, choices=rules.CONTACT_WAYS)
    situation = models.CharField("民情（了解到的情况）", max_length=500)
    help_given = models.CharField("为民办事（办了什么）", max_length=300, blank=True)
    by = models.CharField("联系人", max_length=60)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "household__org_path"
    SCOPE_MEMBER = "household__member_id"

    class Meta:
        verbose_name = verbose_name_plural = "民情日记"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["household", "on"], name="care_hh_contact_on")]

    def __str__(self):
        return f"{self.household} {self.on}"

    def audit_org_path(self) -> str:
        return self.household.org_path
