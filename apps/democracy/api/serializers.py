"""Democracy API serializers. Choice fields are plain text codes with a *_display (the
schema has one enum per name, and "status"/"kind" are shared names)."""

from rest_framework import serializers

from .. import rules
from ..models import Consultation, Decision, Feedback, LifeRectification, Notice, Opinion


class DemocracyFeedbackSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    origin_name = serializers.CharField(source="origin.name", read_only=True)
    raiser_name = serializers.CharField(read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "origin",
            "origin_name",
            "raiser_name",
            "category",
            "category_name",
            "subject",
            "content",
            "raised_on",
            "due_on",
            "level",
            "escalations",
            "status",
            "status_display",
            "answer",
            "answered_on",
            "answered_in_time",
        ]


class DemocracyRaiseSerializer(serializers.Serializer):
    category = serializers.IntegerField(help_text="反馈类别ID")
    organisation = serializers.IntegerField(required=False, help_text="提交给（本组织或上级组织ID，默认本支部）")
    subject = serializers.CharField(max_length=100)
    content = serializers.CharField(max_length=3000)


class DemocracyAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=3000)


class DemocracyNoticeSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    audience = serializers.CharField(read_only=True)
    audience_display = serializers.CharField(source="get_audience_display", read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "category_name",
            "title",
            "body",
            "audience",
            "audience_display",
            "publish_on",
            "withdraw_on",
        ]


class DemocracyConsultationSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    audience = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    opinion_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "text",
            "audience",
            "opens_on",
            "deadline",
            "allow_anonymous",
            "status",
            "decision",
            "decided_on",
            "opinion_count",
        ]


class DemocracyOpinionSerializer(serializers.ModelSerializer):
    """As the organisation sees it: no name for an anonymous opinion."""

    member_name = serializers.SerializerMethodField()
    stance = serializers.CharField(read_only=True)

    class Meta:
        model = Opinion
        fields = ["id", "member_name", "stance", "text", "anonymous", "submitted_at"]

    def get_member_name(self, o) -> str:
        return "匿名" if o.anonymous else o.member.name


class DemocracyOpinionWriteSerializer(serializers.Serializer):
    stance = serializers.ChoiceField(choices=rules.STANCES)
    text = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False, default=False)


class DemocracyDecisionSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    category = serializers.CharField(read_only=True)
    result = serializers.CharField(read_only=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "topic",
            "category",
            "proposed_by",
            "consulted",
            "consultation",
            "meeting",
            "decided_on",
            "members_total",
            "members_present",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "result",
            "content",
            "notice_start",
            "notice_end",
        ]


class DemocracyRectificationSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    meeting_name = serializers.CharField(source="meeting.__str__", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = LifeRectification
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "meeting",
            "meeting_name",
            "problem",
            "responsible",
            "measure",
            "deadline",
            "status",
            "done_on",
            "done_note",
        ]


class DemocracyConsultationWriteSerializer(serializers.Serializer):
    """发起征求意见（截止日期不早于今天，最长期限见规则）。"""

    organisation = serializers.IntegerField(help_text="征求意见的党组织ID（本人管理范围内）")
    title = serializers.CharField(max_length=100)
    text = serializers.CharField(max_length=5000)
    audience = serializers.CharField(help_text="members（本组织党员）或 subtree（本组织及下级组织党员）")
    deadline = serializers.DateField()
    allow_anonymous = serializers.BooleanField(required=False, default=True, help_text="是否允许党员匿名提交（对组织匿名）")


class DemocracyDecideSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=3000)


class DemocracyDecisionWriteSerializer(serializers.Serializer):
    """登记集体决策：会议和征求意见只能选本组织的（服务校验）；结果按票数计算。"""

    organisation = serializers.IntegerField(help_text="决策的党组织ID（本人管理范围内）")
    topic = serializers.CharField(max_length=100)
    category = serializers.CharField(help_text="事项类别代码，如 major_matter、project")
    proposed_by = serializers.CharField(max_length=60)
    consulted = serializers.CharField(max_length=300)
    meeting = serializers.IntegerField(
        required=False, allow_null=True, help_text="决策会议（本组织的会议记录ID）；给出时会议日期取会议记录的"
    )
    consultation = serializers.IntegerField(required=False, allow_null=True, help_text="决策前的征求意见ID（本组织发起的）")
    decided_on = serializers.DateField(required=False, help_text="会议日期（未给会议记录时必填）")
    members_total = serializers.IntegerField()
    members_present = serializers.IntegerField()
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    votes_abstain = serializers.IntegerField()
    content = serializers.CharField(max_length=3000)
    notice_start = serializers.DateField(required=False, allow_null=True)


class DemocracyRectificationWriteSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(help_text="民主生活会/组织生活会（会议记录ID）")
    problem = serializers.CharField(max_length=300)
    responsible = serializers.CharField(max_length=60)
    measure = serializers.CharField(max_length=300)
    deadline = serializers.DateField()


class DemocracyRectificationDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False)
    done_note = serializers.CharField(max_length=300)
