"""Scoped REST endpoints: every queryset goes through .restrict(user, action); every
write goes through the engine/services."""

import datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.actions import ServiceActions
from apps.core.scoping import OutOfScope, get_in_scope
from apps.orgs.models import Organisation

from .. import engine, selectors, services
from ..models import DevelopmentFile, DevelopmentPlan, PublicNotice, Vote
from . import serializers as s

FILE_PREFETCH = ("steps", "assessments", "notices__objections", "votes", "political_reviews", "trainings")


def _file_for(request, pk, action="view"):
    return get_in_scope(
        DevelopmentFile.objects.select_related("organisation").prefetch_related(*FILE_PREFETCH), request.user, action, pk=pk
    )


class FileViewSet(ServiceActions, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """发展档案：列表、详情（含已办理步骤与待办期限）、新建入党申请、办理步骤。"""

    filterset_fields = ["stage", "status", "source"]
    ordering_fields = ["id", "next_deadline", "application_date"]

    def get_queryset(self):
        qs = DevelopmentFile.objects.restrict(self.request.user, "view").select_related("organisation").order_by("org_path", "id")
        if self.action == "retrieve":
            qs = qs.prefetch_related(*FILE_PREFETCH)
        if self.request.query_params.get("overdue") == "1":
            qs = qs.filter(next_deadline__lt=timezone.localdate())
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.FileDetailSerializer
        if self.action == "create":
            return s.FileCreateSerializer
        if self.action == "steps":
            return s.TakeStepSerializer
        return s.FileSerializer

    @extend_schema(request=s.FileCreateSerializer, responses={201: s.FileSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.FileCreateSerializer)
        org = Organisation.objects.filter(pk=data["organisation"]).first()
        if org is None:
            raise OutOfScope()  # the same 404 as an organisation outside the caller's scope
        data["organisation"] = org
        f = services.create_file(data, actor=request.user)
        return self.reply(s.FileSerializer, f, created=True)

    # Not paged: a file has a few dozen steps at most.
    @extend_schema(methods=["GET"], request=None, responses={200: s.StepSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.TakeStepSerializer, responses={201: s.StepSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def steps(self, request, pk=None):
        """GET：已办理步骤；POST：办理一个步骤（由发展党员规则引擎校验顺序、时限、材料与权限）。"""
        f = _file_for(request, pk)
        if request.method == "GET":
            return Response(s.StepSerializer(f.steps.all(), many=True).data)
        d = self.body(s.TakeStepSerializer)
        step = engine.take_step(
            f,
            d["code"],
            date=d["date"],
            actor=request.user,
            data=d["data"],
            notes=d["notes"],
        )
        return self.reply(s.StepSerializer, step, created=True)

    @extend_schema(responses=s.DueSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def due(self, request, pk=None):
        """待办步骤及期限（逾期标记）。"""
        f = _file_for(request, pk)
        return Response(s.DueSerializer(engine.due_steps(f), many=True).data)


class VoteViewSet(ServiceActions, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """支部大会表决（票决制）：法定人数与通过票数由引擎核算。"""

    serializer_class = s.VoteSerializer
    filterset_fields = ["file", "proposal"]

    def get_queryset(self):
        return Vote.objects.restrict(self.request.user, "view").order_by("-meeting_date", "-id")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        f = _file_for(request, ser.validated_data["file"].pk)
        data = {k: v for k, v in ser.validated_data.items() if k != "file"}
        vote = services.record_vote(f, data, actor=request.user)
        return self.reply(s.VoteSerializer, vote, created=True)


class NoticeViewSet(ServiceActions, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """公示（公示制）：结束日期按县工作日日历计算。"""

    serializer_class = s.NoticeSerializer
    filterset_fields = ["file", "purpose"]

    def get_queryset(self):
        return PublicNotice.objects.restrict(self.request.user, "view").order_by("-start_date", "-id")

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        f = _file_for(request, ser.validated_data["file"].pk)
        n = services.create_notice(
            f,
            start_date=ser.validated_data["start_date"],
            place=ser.validated_data.get("place", ""),
            purpose=ser.validated_data.get("purpose", "target"),
            actor=request.user,
        )
        return self.reply(s.NoticeSerializer, n, created=True)


class PlanViewSet(ServiceActions, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """发展党员规划与年度计划；完成情况按发展档案计算。"""

    serializer_class = s.PlanSerializer
    filterset_fields = ["kind", "start_year"]

    def get_queryset(self):
        return (
            DevelopmentPlan.objects.restrict(self.request.user, "view")
            .select_related("organisation")
            .order_by("organisation__path", "-start_year")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        progress = {p["plan"].pk: p["items"] for p in selectors.plan_progress(page)}
        ser = s.PlanSerializer(page, many=True, context={"progress": progress, "request": request})
        return self.get_paginated_response(ser.data)

    def create(self, request, *args, **kwargs):
        raw = str(request.data.get("organisation") or "").strip()
        if raw.isdigit() and not Organisation.objects.filter(pk=int(raw)).exists():
            # An id that does not exist answers as one outside the caller's scope (404),
            # not 400: the two must not be told apart.
            raise OutOfScope()
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        plan = services.save_plan(dict(ser.validated_data), actor=request.user)
        return Response(s.PlanSerializer(plan, context={"progress": {}}).data, status=status.HTTP_201_CREATED)


class MonthlyReportView(APIView):
    """发展党员月报告：各单位本月与累计数、年度计划、滞后单位。"""

    @extend_schema(
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, description="组织代码", required=True),
            OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM", required=True),
        ],
        responses=s.MonthlyReportSerializer,
    )
    def get(self, request):
        org = get_in_scope(Organisation.objects.all(), request.user, "view", code=request.query_params.get("org", ""))
        try:
            d = datetime.datetime.strptime(request.query_params.get("month", ""), "%Y-%m").date()
        except ValueError:
            return Response({"month": ["月份格式应为 YYYY-MM"]}, status=status.HTTP_400_BAD_REQUEST)
        return Response(selectors.report_json(selectors.monthly_report(org, d.year, d.month)))
