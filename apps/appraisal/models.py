"""Democratic appraisal campaigns, per-branch procedure, anonymous rating, and the cases
of organisational handling.

Anonymity of the rating lives in the schema (docs/adr/0005-appraisal-anonymous-rating.md): a vote is split into
`VoteCast` — who has voted, nothing about how — and `RatingTally` — how many votes each
grade got for each appraisee, nothing about who or when. There is no ballot row, so no
id order, timestamp or key can join a voter to a grade."""

from django.db import models
from django.db.models import Q

from apps.core.models import OrgScopedModel
from apps.core.querysets import ScopedQuerySet

from . import rules


class Campaign(OrgScopedModel):
    """A yearly appraisal opened by a county or township administrator for a subtree."""

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    report_by = models.DateField("书记述职截止")
    self_by = models.DateField("个人自评截止")
    peer_by = models.DateField("党员互评截止")
    rating_by = models.DateField("民主测评截止")
    proposal_by = models.DateField("组织评定截止")
    feedback_by = models.DateField("结果反馈截止")
    cap_numerator = models.PositiveSmallIntegerField("优秀比例上限（分子）", default=rules.EXCELLENT_CAP.numerator)
    cap_denominator = models.PositiveSmallIntegerField("优秀比例上限（分母）", default=rules.EXCELLENT_CAP.denominator)
    rating_weight = models.PositiveSmallIntegerField("民主测评权重（%）", default=rules.RATING_WEIGHT)
    opened_by = models.CharField("发起人", max_length=150, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "民主评议"
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="appraisal_one_campaign_per_org_year")]

    def __str__(self):
        return self.title

    @property
    def cap(self):
        from fractions import Fraction

        return Fraction(self.cap_numerator, self.cap_denominator)

    def phase_deadline(self, phase: str):
        return {
            "report": self.report_by,
            "self": self.self_by,
            "peer": self.peer_by,
            "rating": self.rating_by,
            "proposal": self.proposal_by,
            "feedback": self.feedback_by,
        }.get(phase)


class BranchAppraisal(OrgScopedModel):
    """One branch's procedure in a campaign (§5: report → self → peer → rating → proposal
    → feedback)."""

    campaign = models.ForeignKey(Campaign, verbose_name="民主评议", on_delete=models.CASCADE, related_name="branches")
    phase = models.CharField("当前环节", max_length=12, choices=rules.PHASES, default="report", db_index=True)
    report = models.TextField("书记述职报告", blank=True)
    report_on = models.DateField("述职日期", null=True, blank=True)
    peer_by_group = models.BooleanField("按党小组互评", default=False)
    meeting_date = models.DateField("评定会议日期", null=True, blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "支部民主评议"
        ordering = ["org_path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "organisation"], name="appraisal_one_branch_per_campaign")]

    def __str__(self):
        return f"{self.organisation} · {self.campaign.year}年民主评议"


class Appraisee(OrgScopedModel):
    """A member appraised in a branch's procedure: their self-assessment, the peers'
    opinion, the proposed and the final grade."""

    branch = models.ForeignKey(BranchAppraisal, verbose_name="支部民主评议", on_delete=models.CASCADE, related_name="appraisees")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="appraisals")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    member_type = models.CharField("人员类别", max_length=16)
    self_assessment = models.TextField("个人自评", blank=True)
    self_submitted_on = models.DateField("自评日期", null=True, blank=True)
    peer_opinion = models.TextField("互评意见", blank=True)
    score = models.DecimalField("评定参考分", max_digits=5, decimal_places=1, null=True, blank=True)
    proposed_grade = models.CharField("评定等次", max_length=20, choices=rules.GRADES, blank=True)
    final_grade = models.CharField("评议结果", max_length=20, choices=rules.GRADES, blank=True, db_index=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "参评党员"
        ordering = ["branch_id", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["branch", "member"], name="appraisal_member_once_per_branch")]
        indexes = [models.Index(fields=["member", "year"], name="appraisee_member_year_idx")]

    def __str__(self):
        return f"{self.member.name} · {self.year}年"


class RatingTally(models.Model):
    """The anonymous rating of one appraisee: votes per grade. No voter, no time, no
    order: a vote adds one to a counter (see VoteCast for who has voted)."""

    appraisee = models.ForeignKey(Appraisee, verbose_name="参评党员", on_delete=models.CASCADE, related_name="tallies")
    grade = models.CharField("等次", max_length=20, choices=rules.GRADES)
    votes = models.PositiveIntegerField("票数", default=0)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "appraisee__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "民主测评计票"
        constraints = [models.UniqueConstraint(fields=["appraisee", "grade"], name="appraisal_one_tally_per_grade")]


class VoteCast(OrgScopedModel):
    """That a member has voted in a branch's rating (每人一票) — and nothing about how."""

    branch = models.ForeignKey(BranchAppraisal, verbose_name="支部民主评议", on_delete=models.CASCADE, related_name="votes_cast")
    voter = models.ForeignKey("members.Member", verbose_name="投票人", on_delete=models.PROTECT, related_name="+")

    SCOPE_MEMBER = "voter_id"

    class Meta:
        verbose_name = verbose_name_plural = "已投票记录"
        constraints = [models.UniqueConstraint(fields=["branch", "voter"], name="appraisal_one_vote_per_member")]

    def __str__(self):
        return f"{self.voter_id} 已投票"


class HandlingCase(OrgScopedModel):
    """不合格党员组织处置: one case per member at a time, through the steps of its kind."""

    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        CLOSED = "closed", "已结案"

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="handling_cases")
    kind = models.CharField("处置方式", max_length=20, choices=rules.CASE_KIND_CHOICES)
    source = models.CharField("案由来源", max_length=40)
    source_note = models.CharField("案由", max_length=300)
    opened_on = models.DateField("立案日期")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    step = models.CharField("已完成环节", max_length=12, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    filed_with = models.CharField("备案党组织", max_length=100, blank=True)
    talk_on = models.DateField("谈话日期", null=True, blank=True)
    talk_notes = models.TextField("谈话情况", blank=True)
    meeting_date = models.DateField("支部大会日期", null=True, blank=True)
    should_attend = models.PositiveSmallIntegerField("应到有表决权党员", null=True, blank=True)
    present = models.PositiveSmallIntegerField("实到", null=True, blank=True)
    yes = models.PositiveSmallIntegerField("赞成", null=True, blank=True)
    no = models.PositiveSmallIntegerField("反对", null=True, blank=True)
    abstain = models.PositiveSmallIntegerField("弃权", null=True, blank=True)
    defence = models.TextField("本人申辩意见", blank=True)
    approved_on = models.DateField("上级批准日期", null=True, blank=True)
    approved_by = models.CharField("审批人", max_length=150, blank=True)
    approval_note = models.CharField("审批意见", max_length=300, blank=True)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    letter_no = models.CharField("决定文号", max_length=60, blank=True)
    deadline = models.DateField("改正期限", null=True, blank=True, db_index=True)
    outcome = models.CharField("结果", max_length=20, choices=rules.OUTCOMES, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    rejoin_blocked_until = models.DateField("不得重新入党至", null=True, blank=True, db_index=True)
    id_number_hash = models.CharField("身份证号索引", max_length=64, blank=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "组织处置"
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["member"], condition=Q(status="open"), name="appraisal_one_open_case_per_member")]

    def __str__(self):
        return f"{self.member.name} · {self.get_kind_display()}"

    @property
    def kind_rule(self) -> rules.CaseKind:
        return rules.CASE_KIND[self.kind]

    @property
    def next_step(self) -> str | None:
        steps = self.kind_rule.steps
        if self.status != self.Status.OPEN:
            return None
        if not self.step:
            return steps[0]
        i = steps.index(self.step)
        return steps[i + 1] if i + 1 < len(steps) else None

    @property
    def next_step_label(self) -> str:
        return rules.STEP_LABELS.get(self.next_step or "", "")


# ── 设岗定责: posts, the members on them, 评岗 ─────────────────────────────────────────────
class MemberPost(OrgScopedModel):
    """A post a branch sets for its members (设岗定责 / 无职党员设岗), or one of the
    registers of 党员示范岗, 党员责任区 and 党员中心户 with the area or households covered.
    `kind` and `post_type` come from rules.POST_KINDS / rules.POST_TYPES."""

    kind = models.CharField("类别", max_length=16, choices=rules.POST_KIND_CHOICES, db_index=True)
    post_type = models.CharField("岗位类型", max_length=24, choices=rules.POST_TYPE_CHOICES, blank=True)
    title = models.CharField("名称", max_length=60)
    duties = models.TextField("岗位职责", max_length=2000)
    coverage = models.CharField("覆盖区域或联系农户", max_length=200, blank=True)
    households = models.PositiveSmallIntegerField("联系户数", null=True, blank=True)
    set_up_on = models.DateField("设立日期")
    ended_on = models.DateField("撤销日期", null=True, blank=True)
    created_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "党员岗位"
        ordering = ["org_path", "kind", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "title"], condition=Q(ended_on__isnull=True), name="appraisal_post_title_unique"
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.title}"

    @property
    def kind_rule(self) -> rules.PostKind:
        return rules.POST_KIND[self.kind]


class PostAssignment(OrgScopedModel):
    """A member on a post, with the duties they took on (定责), from a date until ended."""

    post = models.ForeignKey(MemberPost, verbose_name="岗位", on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="post_assignments")
    duties = models.CharField("承担职责", max_length=300)
    start_on = models.DateField("上岗日期")
    end_on = models.DateField("离岗日期", null=True, blank=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员定岗"
        ordering = ["post_id", "start_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], condition=Q(end_on__isnull=True), name="appraisal_post_member_once")
        ]
        indexes = [models.Index(fields=["member", "end_on"], name="post_assignment_member_idx")]

    def __str__(self):
        return f"{self.member.name} · {self.post.title}"


class PostReview(OrgScopedModel):
    """评岗: the branch grades how a member fulfilled a post in a period (year, half)."""

    assignment = models.ForeignKey(PostAssignment, verbose_name="定岗", on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField("年度")
    half = models.PositiveSmallIntegerField("期间", choices=rules.REVIEW_PERIODS)
    grade = models.CharField("评岗等次", max_length=16, choices=rules.POST_GRADES)
    fulfilment = models.TextField("履职情况", max_length=2000)
    reviewed_on = models.DateField("评岗日期")
    reviewed_by = models.CharField("评定人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评岗记录"
        ordering = ["-year", "-half", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "year", "half"], name="appraisal_post_review_once_per_period")]

    def __str__(self):
        return f"{self.assignment} {self.year}年{self.get_half_display()}：{self.get_grade_display()}"


# ── 监督管理: 重大事项报告, 谈心谈话, 听取群众意见 ─────────────────────────────────────────────
class SupervisionRecord(OrgScopedModel):
    """One supervision record about a member (rules.SUPERVISION_KINDS): a 重大事项报告 the
    member made, a 谈心谈话 with a committee member (the pair, topics, follow-up), or an
    opinion the masses gave about the member (verified, with the outcome)."""

    class Status(models.TextChoices):
        OPEN = "open", "待办结"
        CLOSED = "closed", "已办结"

    kind = models.CharField("类别", max_length=24, choices=rules.SUPERVISION_KIND_CHOICES, db_index=True)
    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="supervision_records")
    counterpart = models.ForeignKey(
        "members.Member", verbose_name="谈话人", null=True, blank=True, on_delete=models.PROTECT, related_name="talks_held"
    )
    on = models.DateField("日期")
    matter = models.CharField("事项类别/意见来源", max_length=24, blank=True)
    content = models.TextField("内容", max_length=3000)
    follow_up = models.TextField("后续跟进/处理情况", max_length=2000, blank=True)
    verification = models.CharField("核实结果", max_length=16, choices=rules.VERIFICATION_CHOICES, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "监督管理记录"
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "kind", "on"], name="supervision_member_kind_idx")]

    def __str__(self):
        return f"{self.member.name} · {self.get_kind_display()} · {self.on:%Y-%m-%d}"

    @property
    def kind_rule(self) -> rules.SupervisionKind:
        return rules.SUPERVISION_KIND[self.kind]

    @property
    def matter_label(self) -> str:
        return dict(self.kind_rule.matters).get(self.matter, self.matter)


# ── 目标管理 ──────────────────────────────────────────────────────────────────────────────
class GoalSheet(OrgScopedModel):
    """A member's goals for a year (from rules.GOALS_BY_CATEGORY at the time, plus their
    own) and the year-end self-check, shown to the appraisal committee."""

    member = models.ForeignKey("members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="goal_sheets")
    year = models.PositiveSmallIntegerField("年度")
    goals = models.JSONField("年度目标", default=list)
    own_goals = models.TextField("本人补充目标", max_length=1000, blank=True)
    self_check = models.TextField("年终自查", max_length=3000, blank=True)
    check_grade = models.CharField("完成情况", max_length=12, choices=rules.GOAL_CHECK_GRADES, blank=True)
    checked_on = models.DateField("自查日期", null=True, blank=True)
    created_by = models.CharField("制定人", max_length=150, blank=True)
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "党员目标"
        ordering = ["-year", "org_path", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="appraisal_goal_sheet_once_per_year")]

    def __str__(self):
        return f"{self.member.name} · {self.year}年目标"


# ── 三培养: the talent pool ──────────────────────────────────────────────────────────────
class TalentEntry(OrgScopedModel):
    """A person in the 三培养 talent pool of a branch: the track (rules.TALENT_TRACKS), the
    current stage, the mentor (a member) and, once closed, the outcome. Stage changes are
    kept in TalentStageChange (who, when, before, after)."""

    class Status(models.TextChoices):
        OPEN = "open", "培养中"
        CLOSED = "closed", "已结束"

    track = models.CharField("培养方向", max_length=24, choices=rules.TALENT_TRACK_CHOICES, db_index=True)
    member = models.ForeignKey(
        "members.Member", verbose_name="党员", null=True, blank=True, on_delete=models.PROTECT, related_name="talent_entries"
    )
    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    strengths = models.CharField("特长或从事行业", max_length=100, blank=True)
    stage = models.CharField("培养阶段", max_length=16)
    mentor = models.ForeignKey("members.Member", verbose_name="培养联系人", on_delete=models.PROTECT, related_name="talent_mentees")
    start_on = models.DateField("列入日期")
    plan = models.TextField("培养措施", max_length=2000, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN, db_index=True)
    closed_on = models.DateField("结束日期", null=True, blank=True)
    outcome = models.CharField("培养结果", max_length=12, choices=rules.TALENT_OUTCOMES, blank=True)
    outcome_note = models.CharField("结果说明", max_length=300, blank=True)
    created_by = models.CharField("登记人", max_length=150, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    SCOPE_MEMBER = "member_id"

    class Meta:
        verbose_name = verbose_name_plural = "三培养人才库"
        ordering = ["org_path", "track", "start_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "track"], condition=Q(status="open", member__isnull=False), name="appraisal_talent_open_once_per_track"
            )
        ]
        indexes = [models.Index(fields=["track", "status", "org_path"], name="talent_track_status_idx")]

    def __str__(self):
        return f"{self.name} · {self.get_track_display()}"

    @property
    def track_rule(self) -> rules.TalentTrack:
        return rules.TALENT_TRACK[self.track]

    @property
    def stage_label(self) -> str:
        return rules.TALENT_STAGE_LABELS.get(self.stage, self.stage)

    @property
    def outcome_label(self) -> str:
        if self.outcome == "achieved":
            return self.track_rule.achieved
        return rules.TALENT_OUTCOME_LABELS.get(self.outcome, "")


class TalentStageChange(models.Model):
    """One stage change of a talent-pool entry: when, by whom, before and after."""

    entry = models.ForeignKey(TalentEntry, verbose_name="人才库条目", on_delete=models.CASCADE, related_name="stage_changes")
    on = models.DateField("日期")
    before = models.CharField("原阶段", max_length=16, blank=True)
    after = models.CharField("新阶段", max_length=16)
    note = models.CharField("说明", max_length=300, blank=True)
    changed_by = models.CharField("操作人", max_length=150, blank=True)
    changed_at = models.DateTimeField("操作时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "entry__org_path"

    class Meta:
        verbose_name = verbose_name_plural = "培养阶段变更"
        ordering = ["entry_id", "on", "id"]

    def __str__(self):
        return f"{self.entry_id}: {self.before} → {self.after}"

    @property
    def before_label(self) -> str:
        return rules.TALENT_STAGE_LABELS.get(self.before, "")

    @property
    def after_label(self) -> str:
        return rules.TALENT_STAGE_LABELS.get(self.after, self.after)
