from rest_framework import serializers

from apps.education import rules
from apps.education.models import ClassSession, StudyEntry, TrainingClass


class StudyEntrySerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")

    class Meta:
        model = StudyEntry
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "organisation_name",
            "date",
            "hours",
            "form",
            "content",
            "organiser",
            "participants",
            "reflection",
            "score",
            "origin",
            "training_class",
            "status",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class StudyEntryCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1, max_value=2**62)
    date = serializers.DateField(label="学习日期")
    form = serializers.ChoiceField(label="学习形式", choices=rules.MANUAL_FORMS)
    duration = serializers.ChoiceField(label="时长", choices=rules.DURATIONS, default="actual")
    days = serializers.IntegerField(label="天数", min_value=1, max_value=30, default=1)
    hours = serializers.DecimalField(label="实际学时", max_digits=6, decimal_places=1, required=False, allow_null=True)
    content = serializers.CharField(label="学习内容", max_length=200)
    organiser = serializers.CharField(label="组织者", max_length=120, required=False, allow_blank=True)
    participants = serializers.CharField(label="参加人员", max_length=200, required=False, allow_blank=True)
    reflection = serializers.CharField(label="学习心得", max_length=5000, required=False, allow_blank=True)
    score = serializers.DecimalField(label="测试成绩", max_digits=5, decimal_places=1, required=False, allow_null=True)


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField(label="是否认定")
    note = serializers.CharField(label="审批意见", max_length=200, required=False, allow_blank=True, default="")


class CheckSerializer(serializers.Serializer):
    label = serializers.CharField()
    ok = serializers.BooleanField(allow_null=True)
    text = serializers.CharField()


class ProgressRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    member_name = serializers.CharField(source="member.name")
    organisation = serializers.CharField(source="member.organisation.name")
    role = serializers.CharField()
    hours = serializers.DecimalField(source="progress.hours", max_digits=8, decimal_places=1)
    required = serializers.IntegerField(source="progress.required")
    shortfall = serializers.DecimalField(source="progress.shortfall", max_digits=8, decimal_places=1)
    projected_shortfall = serializers.DecimalField(source="progress.projected_shortfall", max_digits=8, decimal_places=1)
    checks = CheckSerializer(many=True)


class ClassSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClassSession
        fields = ["id", "date", "topic", "lecturer", "duration", "hours", "attendance_taken"]
        read_only_fields = fields


class TrainingClassSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="举办组织")
    sessions = ClassSessionSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingClass
        fields = [
            "id",
            "title",
            "level",
            "kind",
            "organisation",
            "organisation_name",
            "start_date",
            "end_date",
            "plan",
            "status",
            "finished_on",
            "sessions",
        ]
        read_only_fields = fields
