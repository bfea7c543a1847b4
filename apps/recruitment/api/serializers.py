from rest_framework import serializers

from apps.members import codes as member_codes

from .. import rules
from ..models import DevelopmentFile, DevelopmentPlan, DevelopmentStep, PublicNotice, Vote


class StepSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(label="步骤名称")
    rule_version = serializers.IntegerField(source="rule_version_id", read_only=True, label="规则版本")

    class Meta:
        model = DevelopmentStep
        fields = ["id", "code", "number", "name", "date", "performer_name", "performer_role", "rule_version", "data", "notes", "superseded"]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return rules.STEP_BY_CODE[obj.code].name


class DueSerializer(serializers.Serializer):
    code = serializers.CharField(label="步骤代码")
    number = serializers.IntegerField(label="序号")
    name = serializers.CharField(label="步骤名称")
    earliest = serializers.DateField(label="最早办理日期", allow_null=True)
    deadline = serializers.DateField(label="最晚办理日期", allow_null=True)
    overdue = serializers.BooleanField(label="已逾期")
    performer = serializers.CharField(label="办理主体")


class FileSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="负责组织")

    class Meta:
        model = DevelopmentFile
        fields = [
            "id",
            "name",
            "sex",
            "ethnicity",
            "birth_date",
            "id_number_masked",
            "phone_masked",
            "education",
            "occupation",
            "work_unit",
            "source",
            "organisation",
            "organisation_name",
            "stage",
            "status",
            "member",
            "application_date",
            "activist_date",
            "target_date",
            "admission_date",
            "approval_date",
            "probation_end",
            "extension_months",
            "conversion_date",
            "next_step",
            "next_deadline",
        ]
        read_only_fields = fields


class FileDetailSerializer(FileSerializer):
    steps = StepSerializer(many=True, read_only=True, label="已办理步骤")
    due = serializers.SerializerMethodField(label="待办步骤")

    class Meta(FileSerializer.Meta):
        fields = [*FileSerializer.Meta.fields, "steps", "due"]
        read_only_fields = fields

    def get_due(self, obj) -> list[dict]:
        from ..engine import due_steps

        return DueSerializer(due_steps(obj), many=True).data


class FileCreateSerializer(serializers.Serializer):
    name = serializers.CharField(label="姓名", max_length=40)
    id_number = serializers.CharField(label="身份证号", max_length=18)
    ethnicity = serializers.ChoiceField(label="民族", choices=member_codes.ETHNICITY_CHOICES, default=member_codes.HAN)
    phone = serializers.CharField(label="联系电话", required=False, allow_blank=True)
    education = serializers.ChoiceField(label="学历", choices=member_codes.EDUCATION_CHOICES)
    occupation = serializers.ChoiceField(label="职业", choices=member_codes.OCCUPATION_CHOICES)
    work_unit = serializers.CharField(label="工作单位", required=False, allow_blank=True)
    source = serializers.ChoiceField(label="来源", choices=rules.SOURCES, default="other")
    organisation = serializers.IntegerField(label="负责党组织ID")
    application_date = serializers.DateField(label="递交入党申请书日期")


class TakeStepSerializer(serializers.Serializer):
    code = serializers.ChoiceField(label="步骤", choices=rules.STEP_CHOICES)
    date = serializers.DateField(label="办理日期")
    data = serializers.DictField(label="步骤记录", required=False, default=dict)
    notes = serializers.CharField(label="备注", required=False, allow_blank=True, default="")


class ScopedFileMixin:
    """The file a vote/notice refers to must be in the caller's scope; ids outside it are
    answered exactly like ids that do not exist (no existence leak)."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if "file" in fields and request is not None:
            fields["file"].queryset = DevelopmentFile.objects.restrict(request.user, "change")
        return fields


class VoteSerializer(ScopedFileMixin, serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = [
            "id",
            "file",
            "proposal",
            "meeting_date",
            "should_attend",
            "present",
            "written_opinions",
            "yes",
            "no",
            "abstain",
            "passed",
        ]
        extra_kwargs = {"file": {"queryset": DevelopmentFile.objects.all(), "label": "发展档案"}}
        validators = []


class NoticeSerializer(ScopedFileMixin, serializers.ModelSerializer):
    class Meta:
        model = PublicNotice
        fields = ["id", "file", "purpose", "start_date", "end_date", "workdays", "place"]
        read_only_fields = ["end_date", "workdays"]
        extra_kwargs = {"file": {"queryset": DevelopmentFile.objects.all(), "label": "发展档案"}}


class PlanItemSerializer(serializers.Serializer):
    key = serializers.CharField(label="指标")
    label = serializers.CharField(label="指标名称")
    target = serializers.IntegerField(label="计划数")
    actual = serializers.IntegerField(label="完成数")
    pct = serializers.IntegerField(label="完成率（%）")


class PlanSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField(label="完成情况（按档案计算）")

    class Meta:
        model = DevelopmentPlan
        fields = [
            "id",
            "organisation",
            "kind",
            "start_year",
            "end_year",
            "total",
            "women",
            "youth",
            "high_school_plus",
            "college_plus",
            "farmers",
            "non_public",
            "note",
            "progress",
        ]
        read_only_fields = ["end_year", "progress"]
        validators = []

    def get_progress(self, obj) -> PlanItemSerializer(many=True):
        progress = self.context.get("progress", {})
        return progress.get(obj.pk, [])


class MonthlyReportSerializer(serializers.Serializer):
    organisation = serializers.DictField(label="组织")
    month = serializers.CharField(label="月份")
    rows = serializers.ListField(child=serializers.DictField(), label="各单位")
    total = serializers.DictField(label="合计")
    lagging_units = serializers.ListField(child=serializers.CharField(), label="滞后单位代码")
