from rest_framework import serializers

from apps.appraisal import rules
from apps.appraisal.models import (
    BranchAppraisal,
    Campaign,
    GoalSheet,
    HandlingCase,
    MemberPost,
    PostAssignment,
    PostReview,
    SupervisionRecord,
    TalentEntry,
    TalentStageChange,
)


class AppraisalCampaignSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")

    class Meta:
        model = Campaign
        fields = [
            "id",
            "year",
            "title",
            "organisation",
            "organisation_name",
            "report_by",
            "self_by",
            "peer_by",
            "rating_by",
            "proposal_by",
            "feedback_by",
            "cap_numerator",
            "cap_denominator",
            "rating_weight",
        ]


class BranchAppraisalSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党支部")
    phase_display = serializers.CharField(source="get_phase_display", read_only=True, label="当前环节")
    year = serializers.IntegerField(source="campaign.year", read_only=True, label="年度")

    class Meta:
        model = BranchAppraisal
        fields = [
            "id",
            "campaign",
            "year",
            "organisation",
            "organisation_name",
            "phase",
            "phase_display",
            "report_on",
            "meeting_date",
            "feedback_on",
        ]


class HandlingCaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="处置方式")
    next_step = serializers.CharField(read_only=True, allow_null=True, label="下一环节")

    class Meta:
        model = HandlingCase
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "kind",
            "kind_display",
            "source",
            "source_note",
            "opened_on",
            "status",
            "step",
            "next_step",
            "filed_on",
            "talk_on",
            "meeting_date",
            "should_attend",
            "present",
            "yes",
            "no",
            "abstain",
            "approved_on",
            "decided_on",
            "letter_no",
            "deadline",
            "outcome",
            "closed_on",
            "rejoin_blocked_until",
        ]


class HandlingCaseStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(rules.STEP_LABELS.items()), label="环节")
    filed_on = serializers.DateField(required=False, label="备案日期")
    filed_with = serializers.CharField(required=False, max_length=100, label="备案的基层党委")
    talk_on = serializers.DateField(required=False, label="谈话日期")
    talk_notes = serializers.CharField(required=False, max_length=5000, label="谈话情况")
    meeting_date = serializers.DateField(required=False, label="支部大会日期")
    should_attend = serializers.IntegerField(required=False, min_value=0, max_value=10000, label="应到")
    present = serializers.IntegerField(required=False, min_value=0, max_value=10000, label="实到")
    yes = serializers.IntegerField(required=False, min_value=0, max_value=10000, label="赞成")
    no = serializers.IntegerField(required=False, min_value=0, max_value=10000, label="反对")
    abstain = serializers.IntegerField(required=False, min_value=0, max_value=10000, label="弃权")
    defence = serializers.CharField(required=False, allow_blank=True, max_length=3000, label="本人申辩意见")
    approved_on = serializers.DateField(required=False, label="批准日期")
    approval_note = serializers.CharField(required=False, allow_blank=True, max_length=300, label="审批意见")
    decided_on = serializers.DateField(required=False, label="决定日期")
    letter_no = serializers.CharField(required=False, max_length=60, label="决定文号")
    deadline = serializers.DateField(required=False, label="改正期限")
    closed_on = serializers.DateField(required=False, label="考察日期")
    outcome = serializers.ChoiceField(required=False, choices=rules.OUTCOMES, label="考察结果")


class AppraisalResultRowSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    appraised = serializers.IntegerField()
    graded = serializers.IntegerField()
    grades = serializers.DictField(child=serializers.IntegerField())
    excellent_share = serializers.FloatField(allow_null=True)
    excellent_within_cap = serializers.BooleanField()
    open_cases = serializers.IntegerField()


class AppraisalResultsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    total = AppraisalResultRowSerializer()
    branches = AppraisalResultRowSerializer(many=True)


class PostReviewSerializer(serializers.ModelSerializer):
    grade_display = serializers.CharField(source="get_grade_display", read_only=True, label="评岗等次名称")

    class Meta:
        model = PostReview
        fields = ["id", "assignment", "year", "half", "grade", "grade_display", "fulfilment", "reviewed_on", "reviewed_by"]
        read_only_fields = fields


class PostAssignmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员")
    reviews = PostReviewSerializer(many=True, read_only=True)

    class Meta:
        model = PostAssignment
        fields = ["id", "member", "member_name", "duties", "start_on", "end_on", "reviews"]
        read_only_fields = fields


class PostHolderSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="定岗ID")
    member = serializers.IntegerField(source="member_id", label="党员ID")
    member_name = serializers.CharField(source="member.name", label="党员")


# "kind" is a plain string in the schema: several domains have a choice field of that name,
# and each set of codes would compete for one enum name (drf-spectacular W001).
POST_KIND_HELP = "post=设岗定责；model=党员示范岗；area=党员责任区；household=党员中心户"
SUPERVISION_KIND_HELP = "major_report=重大事项报告；heart_to_heart_talk=谈心谈话；public_opinion=听取群众意见"


class PostSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label="类别", help_text=POST_KIND_HELP)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党支部")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类别名称")
    post_type_display = serializers.CharField(source="get_post_type_display", read_only=True, label="岗位类型名称")
    holders = PostHolderSerializer(source="current", many=True, read_only=True, label="在岗党员")

    class Meta:
        model = MemberPost
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "kind_display",
            "post_type",
            "post_type_display",
            "title",
            "duties",
            "coverage",
            "households",
            "set_up_on",
            "ended_on",
            "holders",
        ]
        read_only_fields = fields


class PostDetailSerializer(PostSerializer):
    assignments = serializers.SerializerMethodField(label="党员与评岗")

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "assignments"]
        read_only_fields = fields

    def get_assignments(self, obj) -> list[dict]:
        from apps.appraisal.selectors import post_detail

        return PostAssignmentSerializer(post_detail(obj), many=True).data


class PostCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(label="党支部ID")
    kind = serializers.CharField(max_length=16, label="类别", help_text=POST_KIND_HELP)
    post_type = serializers.ChoiceField(choices=rules.POST_TYPE_CHOICES, required=False, allow_blank=True, label="岗位类型")
    title = serializers.CharField(required=False, allow_blank=True, max_length=60, label="名称")
    duties = serializers.CharField(max_length=2000, label="岗位职责")
    coverage = serializers.CharField(required=False, allow_blank=True, max_length=200, label="覆盖区域或联系农户")
    households = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=999, label="联系户数")
    set_up_on = serializers.DateField(required=False, label="设立日期")


class PostAssignSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID")
    duties = serializers.CharField(max_length=300, label="承担职责")
    start_on = serializers.DateField(required=False, label="上岗日期")


class PostReviewCreateSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(label="定岗ID")
    year = serializers.IntegerField(label="年度")
    half = serializers.ChoiceField(choices=rules.REVIEW_PERIODS, label="期间（1上半年，2下半年）")
    grade = serializers.ChoiceField(choices=rules.POST_GRADES, label="评岗等次")
    fulfilment = serializers.CharField(max_length=2000, label="履职情况")
    reviewed_on = serializers.DateField(required=False, label="评岗日期")


class SupervisionRecordSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, label="类别", help_text=SUPERVISION_KIND_HELP)
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员")
    counterpart_name = serializers.CharField(source="counterpart.name", read_only=True, default=None, allow_null=True, label="谈话人")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, label="类别名称")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")

    class Meta:
        model = SupervisionRecord
        fields = [
            "id",
            "kind",
            "kind_display",
            "member",
            "member_name",
            "counterpart",
            "counterpart_name",
            "organisation",
            "organisation_name",
            "on",
            "matter",
            "content",
            "follow_up",
            "verification",
            "status",
            "closed_on",
            "recorded_by",
        ]
        read_only_fields = fields


class SupervisionCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=24, label="类别", help_text=SUPERVISION_KIND_HELP)
    member = serializers.IntegerField(label="党员ID")
    counterpart = serializers.IntegerField(required=False, allow_null=True, label="谈话人党员ID（谈心谈话）")
    on = serializers.DateField(label="日期")
    matter = serializers.CharField(required=False, allow_blank=True, max_length=24, label="事项类别或意见来源")
    content = serializers.CharField(max_length=3000, label="内容")
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="后续跟进")


class SupervisionConcludeSerializer(serializers.Serializer):
    verification = serializers.ChoiceField(choices=rules.VERIFICATION_CHOICES, required=False, label="核实结果（群众意见）")
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="答复或处理结果")
    closed_on = serializers.DateField(required=False, label="办结日期")


class GoalSheetSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员")
    check_grade_display = serializers.CharField(source="get_check_grade_display", read_only=True, label="完成情况名称")

    class Meta:
        model = GoalSheet
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "year",
            "goals",
            "own_goals",
            "self_check",
            "check_grade",
            "check_grade_display",
            "checked_on",
        ]
        read_only_fields = fields


class GoalSetSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID")
    year = serializers.IntegerField(label="年度")
    own_goals = serializers.CharField(required=False, allow_blank=True, max_length=1000, label="补充目标")


class GoalCheckSerializer(serializers.Serializer):
    self_check = serializers.CharField(max_length=3000, label="年终自查")
    check_grade = serializers.ChoiceField(choices=rules.GOAL_CHECK_GRADES, label="完成情况")


# ── 三培养 ──────────────────────────────────────────────────────────────────────────────
TALENT_TRACK_HELP = "；".join(
    f"{t.code}={t.label}（阶段：{'、'.join(f'{c}={label}' for c, label in t.stages)}）" for t in rules.TALENT_TRACKS
)


TALENT_OUTCOME_HELP = "；".join(f"{c}={label}" for c, label in rules.TALENT_OUTCOMES)


class TalentStageChangeSerializer(serializers.ModelSerializer):
    before_label = serializers.CharField(read_only=True, label="原阶段名称")
    after_label = serializers.CharField(read_only=True, label="新阶段名称")

    class Meta:
        model = TalentStageChange
        fields = ["id", "on", "before", "before_label", "after", "after_label", "note", "changed_by", "changed_at"]


class TalentEntrySerializer(serializers.ModelSerializer):
    track = serializers.CharField(read_only=True, label="培养方向", help_text=TALENT_TRACK_HELP)
    track_display = serializers.CharField(source="get_track_display", read_only=True, label="培养方向名称")
    stage_label = serializers.CharField(read_only=True, label="培养阶段名称")
    mentor_name = serializers.CharField(source="mentor.name", read_only=True, label="培养联系人")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党支部")
    outcome_label = serializers.CharField(read_only=True, label="培养结果名称")
    # plain strings: drf-spectacular names enums by field name, and other components
    # already have "status"/"outcome" enums with other choices (check --deploy W001)
    status = serializers.CharField(read_only=True, label="状态", help_text="open=培养中；closed=已结束")
    outcome = serializers.CharField(read_only=True, label="培养结果", help_text=TALENT_OUTCOME_HELP)

    class Meta:
        model = TalentEntry
        fields = [
            "id",
            "track",
            "track_display",
            "member",
            "name",
            "strengths",
            "organisation",
            "organisation_name",
            "stage",
            "stage_label",
            "mentor",
            "mentor_name",
            "start_on",
            "plan",
            "status",
            "closed_on",
            "outcome",
            "outcome_label",
            "outcome_note",
        ]
        read_only_fields = fields


class TalentDetailSerializer(TalentEntrySerializer):
    stage_changes = TalentStageChangeSerializer(many=True, read_only=True, label="培养阶段记录")

    class Meta(TalentEntrySerializer.Meta):
        fields = [*TalentEntrySerializer.Meta.fields, "phone", "stage_changes"]
        read_only_fields = fields


class TalentCreateSerializer(serializers.Serializer):
    track = serializers.CharField(max_length=24, label="培养方向", help_text=TALENT_TRACK_HELP)
    member = serializers.IntegerField(required=False, allow_null=True, label="党员ID（把党员培养成骨干、把党员骨干培养成村干部）")
    organisation = serializers.IntegerField(required=False, allow_null=True, label="党支部ID（把骨干培养成党员）")
    name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="姓名（把骨干培养成党员）")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, label="联系电话")
    strengths = serializers.CharField(required=False, allow_blank=True, max_length=100, label="特长或从事行业")
    mentor = serializers.IntegerField(label="培养联系人党员ID")
    start_on = serializers.DateField(label="列入日期")
    plan = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="培养措施")


class TalentUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=40, label="姓名（非党员骨干）")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, label="联系电话")
    strengths = serializers.CharField(required=False, allow_blank=True, max_length=100, label="特长或从事行业")
    mentor = serializers.IntegerField(required=False, label="培养联系人党员ID")
    plan = serializers.CharField(required=False, allow_blank=True, max_length=2000, label="培养措施")
    stage = serializers.CharField(required=False, label="培养阶段（只能通过 stage 操作变更）")


class TalentStageSerializer(serializers.Serializer):
    stage = serializers.CharField(max_length=16, label="新阶段")
    on = serializers.DateField(label="变更日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, label="说明")


class TalentCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=12, label="培养结果", help_text=TALENT_OUTCOME_HELP)
    on = serializers.DateField(label="结束日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, label="说明（终止培养须写明原因）")
