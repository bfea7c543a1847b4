"""Supervision API (read): every queryset is restricted to the user's scope; filters by
query parameters never widen it (an organisation outside scope is a 404)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from apps.core.scoping import get_in_scope
from apps.orgs.models import Organisation

from .. import selectors
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
class ContactAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """挂钩联系（含本季度走访次数、最近走访）。"""

    serializer_class = s.SupervisionContactAssignmentSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.assignments_for(self.request.user, {k: self.request.query_params.get(k) for k in ("year", "kind", "mine")})


@extend_schema(
    tags=["领导指导"], parameters=[ORG, YEAR, OpenApiParameter("kind", OpenApiTypes.STR), OpenApiParameter("quarter", OpenApiTypes.INT)]
)
class InspectionViewSet(viewsets.ReadOnlyModelViewSet):
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


@extend_schema(tags=["领导指导"], parameters=[ORG, OpenApiParameter("status", OpenApiTypes.STR)])
class RectificationViewSet(viewsets.ReadOnlyModelViewSet):
    """整改事项。"""

    serializer_class = s.SupervisionRectificationSerializer
    filter_backends = []

    def get_queryset(self):
        qs = _org_filter(Rectification.objects.restrict(self.request.user, "view").select_related("organisation"), self.request)
        status = self.request.query_params.get("status")
        if status in Rectification.Status.values:
            qs = qs.filter(status=status)
        return qs.order_by("status", "deadline", "id")


@extend_schema(tags=["领导指导"], parameters=[ORG, YEAR, OpenApiParameter("month", OpenApiTypes.INT)])
class MonthlyReportViewSet(viewsets.ReadOnlyModelViewSet):
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
