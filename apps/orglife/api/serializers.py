"""Organisational-life API serializers. Choice fields are plain text codes (their labels
in help_text): "kind", "status" and "reason" are names other apps' choice sets use too,
and the schema keeps one enum per name. The services validate every code."""

from rest_framework import serializers

from apps.orglife import rules
from apps.orglife.models import AbsenceCase, Attendance, Exclusion, Meeting


def _codes(choices) -> str:
    return "；".join(f"{code}={label}" for code, label in choices)


KIND_HELP = _codes(rules.KIND_CHOICES)
STATUS_HELP = _codes(Meeting.Status.choices)
MARK_HELP = _codes([c for c in rules.ATTENDANCE_CHOICES if c[0] != rules.EXCLUDED])


class AttendanceSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    status = serializers.CharField(read_only=True, help_text=_codes(rules.ATTENDANCE_CHOICES))

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason", "host_org"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

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
    kind = serializers.CharField(label="会议类型", max_length=24, help_text=KIND_HELP)
    status = serializers.CharField(max_length=12, default=Meeting.Status.HELD, help_text=STATUS_HELP)
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
    kind = serializers.CharField(max_length=24, required=False, help_text=KIND_HELP)
    held_on = serializers.DateField(required=False)
    topic = serializers.CharField(max_length=200, required=False)
    status = serializers.CharField(max_length=12, required=False, help_text=STATUS_HELP)
    has_vote = serializers.BooleanField(required=False)
    is_election = serializers.BooleanField(required=False)


class MarkSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    status = serializers.CharField(max_length=12, help_text=MARK_HELP)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    host_org = serializers.CharField(required=False, allow_blank=True, max_length=120)


class AttendanceWriteSerializer(serializers.Serializer):
    marks = MarkSerializer(many=True, label="例外情况（未列出的人员视为出席）")


class AttendanceResultSerializer(serializers.Serializer):
    meeting = MeetingSerializer(read_only=True)
    rows = AttendanceSerializer(many=True, read_only=True)


class ExclusionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    reason = serializers.CharField(read_only=True, help_text=_codes(rules.EXCLUSION_CHOICES))

    class Meta:
        model = Exclusion
        fields = ["id", "member", "member_name", "organisation", "reason", "starts_on", "ends_on", "approved_by", "approved_on", "note"]
        read_only_fields = fields


class ExclusionWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    reason = serializers.CharField(max_length=24, help_text=_codes(rules.EXCLUSION_CHOICES))
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


class AbsenceCaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状态")
    decision_label = serializers.CharField(source="get_decision_display", read_only=True, label="支部大会决定")
    status = serializers.CharField(read_only=True, help_text=_codes(AbsenceCase.Status.choices))
    decision = serializers.CharField(read_only=True, help_text=_codes(rules.CASE_DECISION_CHOICES))

    class Meta:
        model = AbsenceCase
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "opened_on",
            "first_month",
            "months",
            "status",
            "status_label",
            "decision",
            "decision_label",
            "meeting_date",
            "decision_note",
        ]
        read_only_fields = fields


class AbsenceDecisionSerializer(serializers.Serializer):
    decision = serializers.CharField(max_length=20, label="支部大会决定", help_text=_codes(rules.CASE_DECISION_CHOICES))
    meeting_date = serializers.DateField(label="支部大会日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, label="决定说明")
