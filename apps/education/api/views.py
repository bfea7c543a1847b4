"""Education API: every queryset is `.restrict(request.user, action)` (or a selector that
does it); writes call services."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.accounts.scoping import get_in_scope
from apps.education import selectors, services
from apps.education.models import StudyEntry, TrainingClass
from apps.members.models import Member

from . import serializers as s

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="年度（自然年）")
ORG = OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）")


def _params(request) -> dict:
    return {k: request.query_params.get(k) for k in request.query_params}


@extend_schema(
    tags=["学习教育"],
    parameters=[
        YEAR,
        ORG,
        OpenApiParameter("q", OpenApiTypes.STR, description="党员姓名或学习内容"),
        OpenApiParameter("form", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR),
    ],
)
class StudyEntryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """学习档案；新增即支部登记学习记录（超过规则规定学时的待上级审批）。"""

    filter_backends = []

    def get_serializer_class(self):
        return {"create": s.StudyEntryCreateSerializer, "decide": s.DecideSerializer}.get(self.action, s.StudyEntrySerializer)

    def get_queryset(self):
        if self.action == "list":
            return selectors.entry_list(self.request.user, _params(self.request))
        action_name = "approve" if self.action == "decide" else "view"
        return StudyEntry.objects.restrict(self.request.user, action_name).select_related("member", "organisation")

    @extend_schema(request=s.StudyEntryCreateSerializer, responses={201: s.StudyEntrySerializer})
    def create(self, request, *args, **kwargs):
        ser = s.StudyEntryCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data["member"] = get_in_scope(Member.objects.select_related("organisation"), request.user, "change", pk=data.pop("member"))
        entry = services.add_entry(data, actor=request.user)
        return Response(s.StudyEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DecideSerializer, responses={200: s.StudyEntrySerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        entry = self.get_object()
        ser = s.DecideSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        entry = services.decide_entry(entry, approve=ser.validated_data["approve"], note=ser.validated_data["note"], actor=request.user)
        return Response(s.StudyEntrySerializer(entry).data)


@extend_schema(
    tags=["学习教育"],
    parameters=[
        YEAR,
        ORG,
        OpenApiParameter("q", OpenApiTypes.STR),
        OpenApiParameter("behind", OpenApiTypes.BOOL, description="只看进度落后"),
        OpenApiParameter("cadre", OpenApiTypes.BOOL, description="只看书记和班子成员"),
    ],
)
class ProgressListView(generics.ListAPIView):
    """学时进度：每名党员的已学学时、要求、尚差、预计年底尚差和各项要求。"""

    serializer_class = s.ProgressRowSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.progress_queryset(self.request.user, _params(self.request))

    def list(self, request, *args, **kwargs):
        try:
            year = selectors.chosen_year(_params(request))
        except Http404:
            year = None
        qs = self.get_queryset() if year else StudyEntry.objects.none()
        page = self.paginate_queryset(qs)
        rows = selectors.progress_rows(list(page), year, timezone.localdate(), services.current_rules().all_values()) if year else []
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


@extend_schema(
    tags=["学习教育"],
    parameters=[
        OpenApiParameter("level", OpenApiTypes.STR),
        OpenApiParameter("kind", OpenApiTypes.STR),
        YEAR,
        OpenApiParameter("q", OpenApiTypes.STR),
    ],
)
class TrainingClassViewSet(viewsets.ReadOnlyModelViewSet):
    """培训班（县委党校、乡镇党校、基层党组织）及其课程安排。"""

    serializer_class = s.TrainingClassSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.class_list(self.request.user, _params(self.request)).prefetch_related("sessions")
        return TrainingClass.objects.restrict(self.request.user, "view").select_related("organisation").prefetch_related("sessions")
