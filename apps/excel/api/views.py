"""REST endpoints for imports and exports; scoped through services.*_jobs_for (which use
restrict()), thin over apps.excel.services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from apps.core.scoping import has_action
from apps.core.xlsx import XLSX_CONTENT_TYPE
from apps.orgs.models import Organisation

from .. import services
from ..models import ExportJob, ImportJob, JobStatus
from .serializers import ExportCreateSerializer, ExportJobSerializer, ImportCreateSerializer, ImportJobSerializer


class ImportJobViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """党员名册导入任务：上传（预览或直接导入）、查看进度和错误、确认导入、取消。"""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        if not has_action(self.request.user, "change"):
            return services.import_jobs_for(self.request.user).none()
        return services.import_jobs_for(self.request.user).select_related("organisation")

    @extend_schema(request=ImportCreateSerializer, responses={201: ImportJobSerializer}, summary="上传党员名册，创建导入任务")
    def create(self, request, *args, **kwargs):
        params = ImportCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if not has_action(request.user, "change"):
            raise PermissionDenied("您没有维护党员信息的权限，不能导入")
        org = None
        if data.get("org_code"):
            org = Organisation.objects.restrict(request.user, "change").filter(code=data["org_code"]).first()
            if org is None:
                raise ValidationError({"org_code": [f"组织代码“{data['org_code']}”不存在或不在您的维护范围内"]})
        upload = data["file"]
        job = services.start_import(
            request.user, upload, filename=upload.name, org=org, dry_run=data["dry_run"], update_existing=data["update_existing"]
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportJobSerializer}, summary="确认导入（预览通过的任务）")
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        job = services.request_commit(self.get_object(), request.user)
        return Response(ImportJobSerializer(job).data)

    @extend_schema(request=None, responses={200: ImportJobSerializer}, summary="取消导入任务（已处理的数据全部回滚）")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        services.cancel(job)
        return Response(ImportJobSerializer(job).data)


class ExportJobViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """导出任务：按党员名册的筛选条件在后台导出，查看进度并下载。"""

    serializer_class = ExportJobSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExportJob.objects.none()
        return services.export_jobs_for(self.request.user)

    @extend_schema(
        request=ExportCreateSerializer,
        responses={201: ExportJobSerializer, 200: ExportJobSerializer},
        summary="按筛选条件导出党员名册（后台任务）；同一用户相同的导出正在进行时返回该任务（200）",
    )
    @action(detail=False, methods=["post"], url_path="members")
    def members(self, request):
        params = ExportCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        filters = {k: v for k, v in params.validated_data.get("filters", {}).items()}
        try:
            job = services.export_members_for(request.user, filters, full_pii=params.validated_data["full"], force_background=True)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        reused = getattr(job, "reused", False)
        return Response(ExportJobSerializer(job).data, status=status.HTTP_200_OK if reused else status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="导出的 .xlsx 文件")}, summary="下载导出文件"
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job: ExportJob = self.get_object()
        if job.status != JobStatus.DONE or not job.file:
            raise NotFound("导出文件尚未生成或已过期")
        with job.file.open("rb") as fh:
            response = HttpResponse(fh.read(), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, job.filename or "export.xlsx")
        return response

    @extend_schema(request=None, responses={200: ExportJobSerializer}, summary="取消导出任务")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        services.cancel(job)
        return Response(ExportJobSerializer(job).data)
