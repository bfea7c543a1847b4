from rest_framework import serializers

from apps.appraisal import rules
from apps.appraisal.models import BranchAppraisal, Campaign, HandlingCase


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
