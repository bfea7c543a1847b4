"""Supervision API: every queryset is restricted to the user's scope; filters by query
parameters never widen it (an organisation outside scope is a 404). Writes (contact
visits, self-checks and their scores, rectifications, monthly reports) call the same
services as the web pages: an object outside the caller's view is a 404, one seen but not
changeable a 403, bad input a 400 with the Chinese rule message."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope
from apps.orgs.models import Organisation

from .. import annual, selectors, services
from ..models import Inspection, MonthlyReport, Rectification
from ..periods import parse_period
from . import serializers as s

ORG = OpenApiParameter("organisation", OpenApiTypes.INT, description="党组织ID（含下级）")
YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度")


def _org_filter(qs, request):
    raw = request.query_params.get("organisation")
    if raw:
        org = get_in_scope(Organisation.objects.all(), request.user, "view", pk=raw)
        qs = qs.filter(org_path__startswith=org.path)
    return qs


def _int_param(request, name):
    raw = request.query_params.get(name)
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 else None


@extend_schema(
    tags=["领导指导"], parameters=[YEAR, OpenApiParameter("kind", OpenApiTypes.STR), OpenApiParameter("mine", OpenApiTypes.BOOL)]
)
class ContactAssignmentViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """挂钩联系（含本季度走访次数、最近走访）。"""

    serializer_class = s.SupervisionContactAssignmentSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.assignments_for(self.request.user, {k: self.request.query_params.get(k) for k in ("year", "kind", "mine")})

    @extend_schema(request=s.SupervisionVisitInputSerializer, responses={201: s.SupervisionVisitSerializer})
    @action(detail=True, methods=["post"])
    def visits(self, request, pk=None):
        """登记一次走访或指导（由被联系的组织或其上级登记）。"""
        assignment = selectors.assignment_in_scope(request.user, pk)
        d = self.body(s.SupervisionVisitInputSerializer)
        visit = services.record_visit(assignment, d, actor=request.user)
        return self.reply(s.SupervisionVisitSerializer, visit, created=True)


@extend_schema(
    tags=["领导指导"], parameters=[ORG, YEAR, OpenApiParameter("kind", OpenApiTypes.STR), OpenApiParameter("quarter", OpenApiTypes.INT)]
)
class InspectionViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """十规范检查（自查、抽查、年终考评）；详情含逐项得分。"""

    filter_backends = []

    def get_serializer_class(self):
        return s.SupervisionInspectionDetailSerializer if self.action == "retrieve" else s.SupervisionInspectionSerializer

    def get_queryset(self):
        qs = Inspection.objects.restrict(self.request.user, "view").select_related("organisation", "version")
        if self.action == "retrieve":
            return qs.prefetch_related("scores__item")
        qs = _org_filter(qs, self.request)
        kind = self.request.query_params.get("kind")
        if kind in Inspection.Kind.values:
            qs = qs.filter(kind=kind)
        for name in ("year", "quarter"):
            value = _int_param(self.request, name)
            if value is not None:
                qs = qs.filter(**{name: value})
        return qs.order_by("-year", "-quarter", "org_path", "id")

    def _detail(self, inspection, code=status.HTTP_200_OK):
        inspection = Inspection.objects.select_related("organisation", "version").prefetch_related("scores__item").get(pk=inspection.pk)
        return Response(s.SupervisionInspectionDetailSerializer(inspection).data, status=code)

    @extend_schema(request=s.SupervisionSelfCheckInputSerializer, responses={201: s.SupervisionInspectionDetailSerializer})
    @action(detail=False, methods=["post"], url_path="self-check")
    def self_check(self, request):
        """开始季度自查：按数据计分的项目当即算好，其余项目用 scores 填写。"""
        data = self.body(s.SupervisionSelfCheckInputSerializer)
        org = get_in_scope(Organisation.objects.all(), request.user, "view", pk=data["organisation"])
        insp = services.start_self_check(org, data["year"], data["quarter"], actor=request.user)
        return self._detail(insp, status.HTTP_201_CREATED)

    @extend_schema(request=s.SupervisionScoresInputSerializer, responses=s.SupervisionInspectionDetailSerializer)
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        """逐项评分（人工项）、填写检查意见，可同时提交。"""
        insp = get_in_scope(Inspection.objects.select_related("organisation"), request.user, "view", pk=pk)
        data = self.body(s.SupervisionScoresInputSerializer)
        scores = {row["item"]: {"score": row.get("score") or "", "evidence": row.get("evidence") or ""} for row in data.get("scores", [])}
        insp = services.save_scores(insp, scores, note=data.get("note", ""), submit=data["submit"], actor=request.user)
        return self._detail(insp)

    @extend_schema(request=s.SupervisionRectificationInputSerializer, responses={201: s.SupervisionRectificationSerializer})
    @action(detail=True, methods=["post"])
    def rectifications(self, request, pk=None):
        """登记检查发现的问题及整改期限。"""
        insp = get_in_scope(Inspection.objects.select_related("organisation"), request.user, "view", pk=pk)
        d = self.body(s.SupervisionRectificationInputSerializer)
        rect = services.add_rectification(insp, d, actor=request.user)
        return self.reply(s.SupervisionRectificationSerializer, rect, created=True)


@extend_schema(tags=["领导指导"], parameters=[ORG, OpenApiParameter("status", OpenApiTypes.STR)])
class RectificationViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """整改事项。"""

    serializer_class = s.SupervisionRectificationSerializer
    filter_backends = []

    def get_queryset(self):
        qs = _org_filter(Rectification.objects.restrict(self.request.user, "view").select_related("organisation"), self.request)
        status = self.request.query_params.get("status")
        if status in Rectification.Status.values:
            qs = qs.filter(status=status)
        return qs.order_by("status", "deadline", "id")

    @extend_schema(request=s.SupervisionRectificationDoneSerializer, responses=s.SupervisionRectificationSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """整改完成：完成日期与整改情况。"""
        rect = get_in_scope(Rectification.objects.select_related("organisation"), request.user, "view", pk=pk)
        d = self.body(s.SupervisionRectificationDoneSerializer)
        rect = services.complete_rectification(rect, d, actor=request.user)
        return self.reply(s.SupervisionRectificationSerializer, rect)


@extend_schema(tags=["领导指导"], parameters=[ORG, YEAR, OpenApiParameter("month", OpenApiTypes.INT)])
class MonthlyReportViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """月报告。"""

    serializer_class = s.SupervisionMonthlyReportSerializer
    filter_backends = []

    def get_queryset(self):
        qs = _org_filter(MonthlyReport.objects.restrict(self.request.user, "view").select_related("organisation"), self.request)
        for name in ("year", "month"):
            value = _int_param(self.request, name)
            if value is not None:
                qs = qs.filter(**{name: value})
        return qs.order_by("-year", "-month", "org_path", "id")

    @extend_schema(request=s.SupervisionReportInputSerializer, responses=s.SupervisionMonthlyReportSerializer)
    def create(self, request):
        """保存（submit=true 时提交上级）某组织某月的月报告；数据部分在提交时汇总。"""
        data = self.body(s.SupervisionReportInputSerializer)
        org = get_in_scope(Organisation.objects.all(), request.user, "view", pk=data.pop("organisation"))
        report = services.save_report(org, data.pop("year"), data.pop("month"), data, submit=data.pop("submit"), actor=request.user)
        return self.reply(s.SupervisionMonthlyReportSerializer, report, created=True)


class HealthView(generics.GenericAPIView):
    serializer_class = s.SupervisionHealthSerializer
    filter_backends = []

    @extend_schema(
        tags=["领导指导"],
        parameters=[ORG, YEAR, OpenApiParameter("quarter", OpenApiTypes.INT, description="季度，空为全年")],
        responses=s.SupervisionHealthSerializer,
    )
    def get(self, request):
        """支部健康度及逐项原因。"""
        org = selectors.chosen_org(request.user, {"org": request.query_params.get("organisation")})
        if org is None:
            raise ApiValidationError({"organisation": ["您没有可查看的党组织"]})
        try:
            year, quarter = parse_period(request.query_params.get("year") or timezone.localdate().year, request.query_params.get("quarter"))
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from None
        h = selectors.health([org], year, quarter)[org.pk]
        return Response(s.SupervisionHealthSerializer({"organisation": org.pk, "year": year, "quarter": quarter, **h}).data)


class AnnualStatsView(generics.GenericAPIView):
    serializer_class = s.SupervisionAnnualSerializer
    filter_backends = []

    @extend_schema(
        tags=["领导指导"],
        parameters=[ORG, OpenApiParameter("year", OpenApiTypes.INT, description="统计年度（默认上一年）")],
        responses=s.SupervisionAnnualSerializer,
    )
    def get(self, request):
        """党内统计年报：12月31日基准（当年为今天），含上年及增减。"""
        org = selectors.chosen_org(request.user, {"org": request.query_params.get("organisation")})
        if org is None:
            raise ApiValidationError({"organisation": ["您没有可统计的党组织"]})
        try:
            year = annual.parse_year(request.query_params.get("year"))
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from None
        return Response(s.SupervisionAnnualSerializer(annual.annual_statistics(org, year)).data)


@extend_schema(tags=["领导指导"], parameters=[ORG, OpenApiParameter("kind", OpenApiTypes.STR), OpenApiParameter("year", OpenApiTypes.INT)])
class CadreTrainingViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """四训记录（例会培训、专训、轮训、普训）；登记后参训人员记入学时。"""

    serializer_class = s.SupervisionCadreTrainingSerializer
    filter_backends = []

    def get_queryset(self):
        params = {k: self.request.query_params.get(k) for k in ("kind", "year")}
        qs = selectors.trainings_for(self.request.user, params).prefetch_related("attendees")
        return _org_filter(qs, self.request)

    @extend_schema(request=s.SupervisionCadreTrainingInputSerializer, responses={201: s.SupervisionCadreTrainingSerializer})
    def create(self, request):
        """登记一次四训（举办组织须有维护权限）。"""
        data = self.body(s.SupervisionCadreTrainingInputSerializer)
        data["organisation"] = get_in_scope(Organisation.objects.all(), request.user, "view", pk=data["organisation"])
        training = services.record_cadre_training(data, actor=request.user)
        return self.reply(s.SupervisionCadreTrainingSerializer, training, created=True)
