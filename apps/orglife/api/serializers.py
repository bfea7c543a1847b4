from rest_framework import serializers

from apps.orglife import rules
from apps.orglife.models import Attendance, Exclusion, Meeting


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason", "host_org"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "status",
            "held_on",
            "start_time",
            "end_time",
            "hours",
            "place",
            "host",
            "recorder",
            "topic",
            "content",
            "minutes",
            "resolutions",
            "lecturer",
            "lecture_topic",
            "theme",
            "has_vote",
            "is_election",
            "attendance_taken",
            "should_attend",
            "present",
            "elsewhere",
            "on_leave",
            "absent",
            "excluded",
            "quorum_met",
            "counted",
            "rule_version",
        ]
        read_only_fields = [
            "id",
            "organisation_name",
            "hours",
            "attendance_taken",
            "should_attend",
            "present",
            "elsewhere",
            "on_leave",
            "absent",
            "excluded",
            "quorum_met",
            "counted",
            "rule_version",
        ]


class MeetingWriteSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(label="党组织ID")
    kind = serializers.ChoiceField(choices=rules.KIND_CHOICES, label="会议类型")
    status = serializers.ChoiceField(choices=Meeting.Status.choices, default=Meeting.Status.HELD)
    held_on = serializers.DateField(label="日期")
    start_time = serializers.TimeField(required=False, allow_null=True)
    end_time = serializers.TimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=120)
    host = serializers.CharField(required=False, allow_blank=True, max_length=40)
    recorder = serializers.CharField(required=False, allow_blank=True, max_length=40)
    topic = serializers.CharField(max_length=200)
    content = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    minutes = serializers.CharField(required=False, allow_blank=True, max_length=50000)
    resolutions = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    lecturer = serializers.CharField(required=False, allow_blank=True, max_length=40)
    lecture_topic = serializers.CharField(required=False, allow_blank=True, max_length=200)
    theme = serializers.CharField(required=False, allow_blank=True, max_length=200)
    has_vote = serializers.BooleanField(required=False, default=False)
    is_election = serializers.BooleanField(required=False, default=False)


class MeetingUpdateSerializer(MeetingWriteSerializer):
    organisation = None
    kind = serializers.ChoiceField(choices=rules.KIND_CHOICES, required=False)
    held_on = serializers.DateField(required=False)
    topic = serializers.CharField(max_length=200, required=False)
    status = serializers.ChoiceField(choices=Meeting.Status.choices, required=False)
    has_vote = serializers.BooleanField(required=False)
    is_election = serializers.BooleanField(required=False)


class MarkSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    status = serializers.ChoiceField(choices=[c for c in rules.ATTENDANCE_CHOICES if c[0] != rules.EXCLUDED])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    host_org = serializers.CharField(required=False, allow_blank=True, max_length=120)


class AttendanceWriteSerializer(serializers.Serializer):
    marks = MarkSerializer(many=True, label="例外情况（未列出的人员视为出席）")


class ExclusionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")

    class Meta:
        model = Exclusion
        fields = ["id", "member", "member_name", "organisation", "reason", "starts_on", "ends_on", "approved_by", "approved_on", "note"]
        read_only_fields = fields


class ExclusionWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    reason = serializers.ChoiceField(choices=rules.EXCLUSION_CHOICES)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    approved_by = serializers.CharField(max_length=120)
    approved_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ComplianceRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    due = serializers.IntegerField(label="到期应开（期）")
    missing = serializers.IntegerField(label="缺（期）")
    lacking = serializers.CharField(label="缺少的会议")


class AbsenceRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField()
    member_name = serializers.CharField()
    organisation_id = serializers.IntegerField()
    months = serializers.IntegerField(label="连续未参加月数")
    first_month = serializers.DateField()
    last_month = serializers.DateField()
    level = serializers.CharField()
