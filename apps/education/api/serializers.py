from rest_framework import serializers

from apps.education import rules
from apps.education.models import (
    ClassSession,
    Courseware,
    EducationPlan,
    JointMeeting,
    PlanItem,
    Question,
    Quiz,
    QuizAttempt,
    StudyEntry,
    TrainingClass,
    Venue,
)


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


class QuestionSerializer(serializers.ModelSerializer):
    """A bank question, with its answer: only for the bank's managers (view scope)."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="题库")

    class Meta:
        model = Question
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "category",
            "difficulty",
            "text",
            "options",
            "answer",
            "explanation",
            "active",
        ]
        read_only_fields = fields


class QuizSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="举办组织")
    question_count = serializers.IntegerField(read_only=True, label="每份题数")

    class Meta:
        model = Quiz
        fields = [
            "id",
            "title",
            "organisation",
            "organisation_name",
            "draw",
            "question_count",
            "time_limit",
            "attempts_allowed",
            "pass_score",
            "hours",
            "opens_on",
            "closes_on",
        ]
        read_only_fields = fields


class PaperQuestionSerializer(serializers.Serializer):
    """A question as the member sees it: no answer key, ever."""

    number = serializers.IntegerField()
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    options = serializers.SerializerMethodField()
    given = serializers.CharField()
    right = serializers.BooleanField(required=False, allow_null=True, default=None)

    def get_options(self, item) -> list[dict]:
        return [{"letter": letter, "text": label} for letter, label, _picked in item["options"]]


class AttemptSerializer(serializers.ModelSerializer):
    quiz_title = serializers.CharField(source="quiz.title", read_only=True)
    paper = serializers.SerializerMethodField()

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "quiz",
            "quiz_title",
            "member",
            "number",
            "started_at",
            "deadline",
            "submitted_at",
            "score",
            "correct",
            "passed",
            "is_best",
            "paper",
        ]
        read_only_fields = fields

    def get_paper(self, attempt) -> list[dict]:
        from apps.education import selectors

        return PaperQuestionSerializer(selectors.attempt_paper(attempt), many=True).data


class SubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        label="作答", child=serializers.CharField(max_length=8, allow_blank=True), help_text='{试题ID: 选项字母，如 "B" 或 "ACD"}'
    )


class EducationPlanItemSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, label="执行（done 已执行 / missed 未执行 / pending 未到期）")
    # plain strings (the codes of rules.PLAN_AUDIENCES, CLASS_LEVELS, FORMS): read-only here,
    # and an enum per field would collide with other apps' "form"/"level" enums in the schema
    audience = serializers.CharField(read_only=True, label="对象")
    level = serializers.CharField(read_only=True, label="层级")
    form = serializers.CharField(read_only=True, label="学习形式")

    class Meta:
        model = PlanItem
        fields = ["id", "plan", "year", "month", "topic", "audience", "level", "form", "hours", "training_class", "state"]
        read_only_fields = fields


class EducationPlanSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="组织")
    item_count = serializers.IntegerField(read_only=True)
    planned_hours = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True, allow_null=True)

    class Meta:
        model = EducationPlan
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "title",
            "start_year",
            "end_year",
            "note",
            "item_count",
            "planned_hours",
        ]
        read_only_fields = fields


class VenueSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="所属组织")

    class Meta:
        model = Venue
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "name",
            "address",
            "area",
            "seats",
            "equipment",
            "investment",
            "opened_on",
        ]
        read_only_fields = fields


class CoursewareSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="所属组织")

    class Meta:
        model = Courseware
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "title",
            "category",
            "minutes",
            "link",
            "file_name",
            "file_size",
            "download",
            "speaker",
        ]
        read_only_fields = fields

    download = serializers.SerializerMethodField(label="下载地址")

    def get_download(self, obj) -> str:
        """The web download (scoped, access-logged) of an uploaded file; empty without one."""
        from django.urls import reverse

        return reverse("education:courseware_download", args=[obj.pk]) if obj.file else ""


class JointMeetingSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="召集组织")

    class Meta:
        model = JointMeeting
        fields = ["id", "organisation", "organisation_name", "date", "topic", "attendees", "decisions"]
        read_only_fields = fields
