"""Supervision API serializers (read-only). Choice fields are served as plain text codes
(with a *_display where useful): "kind" and "status" are names other apps' choice sets use
too, and the schema has one enum per name."""

from rest_framework import serializers

from ..models import CadreTraining, ContactAssignment, ContactVisit, Inspection, ItemScore, MonthlyReport, Rectification


class SupervisionContactAssignmentSerializer(serializers.ModelSerializer):
    leader_name = serializers.CharField(source="leader.__str__", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    visits_quarter = serializers.IntegerField(read_only=True)
    last_visit = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = ContactAssignment
        fields = [
            "id",
            "leader",
            "leader_name",
            "kind",
            "kind_display",
            "organisation",
            "organisation_name",
            "year",
            "note",
            "ended_on",
            "visits_quarter",
            "last_visit",
        ]


class SupervisionItemScoreSerializer(serializers.ModelSerializer):
    area = serializers.IntegerField(source="item.area", read_only=True)
    title = serializers.CharField(source="item.title", read_only=True)
    max_score = serializers.IntegerField(source="item.max_score", read_only=True)

    class Meta:
        model = ItemScore
        fields = ["item", "area", "title", "max_score", "score", "computed", "reason", "evidence"]


class SupervisionInspectionSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    kind = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    grade = serializers.CharField(read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "year",
            "quarter",
            "version",
            "version_number",
            "status",
            "total",
            "max_total",
            "grade",
            "inspector",
            "submitted_at",
        ]


class SupervisionInspectionDetailSerializer(SupervisionInspectionSerializer):
    scores = SupervisionItemScoreSerializer(many=True, read_only=True)

    class Meta(SupervisionInspectionSerializer.Meta):
        fields = [*SupervisionInspectionSerializer.Meta.fields, "note", "breakdown", "scores"]


class SupervisionRectificationSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "inspection",
            "problem",
            "measure",
            "deadline",
            "status",
            "done_on",
            "done_note",
        ]


class SupervisionMonthlyReportSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "year",
            "month",
            "status",
            "on_time",
            "submitted_at",
            "submitted_by",
            "sections",
            "work_done",
            "problems",
            "next_plan",
        ]


class SupervisionHealthLineSerializer(serializers.Serializer):
    metric = serializers.CharField()
    title = serializers.CharField()
    worth = serializers.DecimalField(max_digits=5, decimal_places=1)
    share = serializers.DecimalField(max_digits=5, decimal_places=0)
    earned = serializers.DecimalField(max_digits=5, decimal_places=1)
    lost = serializers.DecimalField(max_digits=5, decimal_places=1)
    reason = serializers.CharField()


class SupervisionHealthSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    lines = SupervisionHealthLineSerializer(many=True)
    missing = serializers.ListField(child=serializers.CharField())


class SupervisionAnnualRowSerializer(serializers.Serializer):
    table = serializers.CharField()
    item = serializers.CharField()
    count = serializers.IntegerField()
    previous = serializers.IntegerField()
    change = serializers.IntegerField()


class SupervisionAnnualSerializer(serializers.Serializer):
    organisation = serializers.DictField()
    year = serializers.IntegerField()
    basis = serializers.DateField()
    previous_year = serializers.IntegerField()
    previous_basis = serializers.DateField()
    rows = SupervisionAnnualRowSerializer(many=True)


# ── writes: the input of each service, validated there (Chinese rule messages) ────────
class SupervisionVisitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = ContactVisit
        fields = ["id", "assignment", "organisation", "date", "kind", "kind_display", "content", "problems", "guidance", "recorded_by"]
        read_only_fields = fields


class SupervisionVisitInputSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, help_text="走访日期（本联系年度内，不晚于今天）")
    kind = serializers.CharField(required=False, allow_blank=True, help_text="形式：visit/guidance/lecture/meeting")
    content = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    guidance = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class SupervisionSelfCheckInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="自查的基层党组织ID")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(help_text="季度 1–4")


class SupervisionScoreInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="检查项ID")
    score = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="得分，空为未评")
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=400)


class SupervisionScoresInputSerializer(serializers.Serializer):
    scores = SupervisionScoreInputSerializer(many=True, required=False, help_text="人工评分的检查项（按数据计分的项不在此修改）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    submit = serializers.BooleanField(required=False, default=False, help_text="提交（须每项都已评分）")


class SupervisionRectificationInputSerializer(serializers.Serializer):
    problem = serializers.CharField(required=False, allow_blank=True, max_length=400)
    measure = serializers.CharField(required=False, allow_blank=True, max_length=400)
    deadline = serializers.DateField(required=False, allow_null=True)


class SupervisionRectificationDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True)
    done_note = serializers.CharField(required=False, allow_blank=True, max_length=400)


class SupervisionReportInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)
    work_done = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    next_plan = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    submit = serializers.BooleanField(required=False, default=False, help_text="提交上级（提交后不能再改）")


class SupervisionCadreTrainingSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = CadreTraining
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "kind",
            "kind_display",
            "occasion",
            "date",
            "title",
            "venue",
            "hours",
            "attendee_count",
            "attendees",
            "recorded_by",
        ]
        read_only_fields = fields


class SupervisionCadreTrainingInputSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(help_text="举办培训的党组织ID")
    kind = serializers.CharField(required=False, allow_blank=True, help_text="regular/special/rotation/general")
    occasion = serializers.CharField(required=False, allow_blank=True, help_text="普训的会议：季训会/季谈会/月碰头会")
    date = serializers.DateField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=120)
    hours = serializers.CharField(required=False, allow_blank=True, max_length=10)
    attendees = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="参训党员ID")
