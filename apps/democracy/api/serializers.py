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
