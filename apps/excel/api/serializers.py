from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import ExportJob, ImportJob


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(label="行号", allow_null=True)
    column = serializers.CharField(label="列")
    header = serializers.CharField(label="列名")
    value = serializers.CharField(label="填写值（个人信息已脱敏）")
    message = serializers.CharField(label="错误说明")


class ImportSummarySerializer(serializers.Serializer):
    rows_total = serializers.IntegerField(label="数据行数")
    to_create = serializers.IntegerField(label="将新增")
    to_update = serializers.IntegerField(label="将更新")
    unchanged = serializers.IntegerField(label="无变化")
    created = serializers.IntegerField(label="已新增")
    updated = serializers.IntegerField(label="已更新")
    error_count = serializers.IntegerField(label="错误数")
    refused = serializers.CharField(label="文件被拒绝的原因")
    warnings = serializers.ListField(child=serializers.CharField(), label="提示")


class ImportJobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态说明")
    percent = serializers.IntegerField(read_only=True, label="进度（%）")
    rate = serializers.FloatField(read_only=True, label="速度（行/秒）")
    organisation_code = serializers.CharField(source="organisation.code", read_only=True, allow_null=True, label="导入到（组织代码）")
    summary = serializers.SerializerMethodField(label="结果汇总（任务结束后才有）")
    errors = serializers.SerializerMethodField(label="错误清单（前1000条）")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "dry_run",
            "update_existing",
            "organisation_code",
            "status",
            "status_display",
            "phase",
            "rows_total",
            "rows_done",
            "percent",
            "rate",
            "summary",
            "error_count",
            "errors",
            "message",
            "cancel_requested",
            "created_at",
            "started",
            "finished",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportSummarySerializer(allow_null=True))
    def get_summary(self, obj):
        # A queued or running job has no summary yet (an empty dict): null, not a 500.
        return ImportSummarySerializer(obj.summary).data if obj.summary else None

    @extend_schema_field(RowErrorSerializer(many=True))
    def get_errors(self, obj):
        return obj.errors[:1000]


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(label="党员名册（.xlsx）")
    dry_run = serializers.BooleanField(label="仅预览", default=True)
    update_existing = serializers.BooleanField(label="更新已在册党员", default=True)
    org_code = serializers.CharField(label="导入到组织（组织代码）", required=False, allow_blank=True)


class ExportJobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态说明")
    percent = serializers.IntegerField(read_only=True, label="进度（%）")
    rate = serializers.FloatField(read_only=True, label="速度（行/秒）")
    download_url = serializers.SerializerMethodField(label="下载地址")

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "list_name",
            "params",
            "full_pii",
            "status",
            "status_display",
            "rows_total",
            "rows_done",
            "percent",
            "rate",
            "filename",
            "download_url",
            "message",
            "created_at",
            "started",
            "finished",
        ]
        read_only_fields = fields

    def get_download_url(self, obj) -> str | None:
        from django.urls import reverse

        if obj.status == "done" and obj.file:
            return reverse("export-job-download", args=[obj.pk])
        return None


class ExportCreateSerializer(serializers.Serializer):
    full = serializers.BooleanField(label="导出完整个人信息（需“导出完整信息”授权，记入敏感操作日志）", default=False)
    filters = serializers.DictField(label="筛选条件（与党员名册列表相同的参数）", required=False, default=dict)
