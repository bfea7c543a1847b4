"""Organisational-life API: every queryset is `.restrict(request.user, action)`; writes
call the services (the same ones the web pages use)."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope
from apps.members.models import Member
from apps.orglife import selectors, services
from apps.orglife.models import AbsenceCase, Exclusion, Meeting
from apps.orgs.models import Organisation

from . import serializers as s

ORG_PARAM = OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）")
LIST_PARAMS = [
    ORG_PARAM,
    OpenApiParameter("kind", OpenApiTypes.STR, description="会议类型"),
    OpenApiParameter("year", OpenApiTypes.INT, description="年份"),
    OpenApiParameter("month", OpenApiTypes.INT, description="月份（1-12，与year同用）"),
    OpenApiParameter("q", OpenApiTypes.STR, description="议题、主题或组织名称"),
]


def _params(request) -> dict:
    return {k: v for k, v in request.query_params.items()}


@extend_schema(tags=["组织生活"], parameters=LIST_PARAMS)
class MeetingViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """会议记录（三会一课、主题党日、组织生活会等）。新增、修改经服务校验；出席情况用 attendance 子资源登记。"""

    serializer_class = s.MeetingSerializer
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if self.action in ("list",):
            return selectors.meeting_list(self.request.user, _params(self.request))
        act = "change" if self.action in ("partial_update", "update", "attendance") and self.request.method != "GET" else "view"
        return Meeting.objects.restrict(self.request.user, act).select_related("organisation", "rule_version").order_by("-held_on", "-id")

    @extend_schema(request=s.MeetingWriteSerializer, responses={201: s.MeetingSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.MeetingWriteSerializer)
        data["organisation"] = get_in_scope(Organisation.objects.all(), request.user, "change", pk=data["organisation"])
        meeting = services.create_meeting(data, actor=request.user)
        return self.reply(s.MeetingSerializer, meeting, created=True)

    @extend_schema(request=s.MeetingUpdateSerializer, responses={200: s.MeetingSerializer})
    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        d = self.body(s.MeetingUpdateSerializer, partial=True)
        meeting = services.update_meeting(meeting, d, actor=request.user)
        return self.reply(s.MeetingSerializer, meeting)

    @extend_schema(methods=["GET"], request=None, responses={200: s.AttendanceResultSerializer})
    @extend_schema(methods=["POST"], request=s.AttendanceWriteSerializer, responses={200: s.AttendanceResultSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def attendance(self, request, pk=None):
        """GET：出席情况；POST：登记（只列请假、缺席、在流入地参加的人员，其余视为出席）。"""
        meeting = self.get_object()
        if request.method == "POST":
            d = self.body(s.AttendanceWriteSerializer)
            meeting = services.record_attendance(meeting, [dict(m) for m in d["marks"]], actor=request.user)
        rows = meeting.attendance.select_related("member").order_by("id")
        return self.reply(s.AttendanceResultSerializer, {"meeting": meeting, "rows": rows})


@extend_schema(tags=["组织生活"], parameters=[ORG_PARAM, OpenApiParameter("q", OpenApiTypes.STR)])
class ExclusionViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """不列入应到人数的党员（经批准、注明日期）。"""

    serializer_class = s.ExclusionSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.exclusion_list(self.request.user, _params(self.request))
        return Exclusion.objects.restrict(self.request.user, "view").select_related("member").order_by("-starts_on", "-id")

    @extend_schema(request=s.ExclusionWriteSerializer, responses={201: s.ExclusionSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.ExclusionWriteSerializer)
        member = get_in_scope(Member.objects.all(), request.user, "change", pk=data.pop("member"))
        ex = services.create_exclusion(member, data, actor=request.user)
        return self.reply(s.ExclusionSerializer, ex, created=True)


@extend_schema(
    tags=["组织生活"],
    parameters=[ORG_PARAM, OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("month", OpenApiTypes.INT)],
    responses=s.ComplianceRowSerializer(many=True),
)
class LaggingListView(generics.GenericAPIView):
    """未按规定频次开展组织生活的党组织（到期未开的期数，含缺少的会议说明）。"""

    serializer_class = s.ComplianceRowSerializer
    filter_backends = []

    def get(self, request):
        params = _params(request)
        page = self.paginate_queryset(selectors.lagging_list(request.user, params))
        rows = selectors.lagging_details(list(page), params)
        return self.get_paginated_response(s.ComplianceRowSerializer(rows, many=True).data)


@extend_schema(tags=["组织生活"], parameters=[ORG_PARAM], responses=s.AbsenceRowSerializer(many=True))
class AbsenceListView(generics.GenericAPIView):
    """连续3个月以上未参加组织生活的党员（3个月提醒、5个月预警、6个月处置）。"""

    serializer_class = s.AbsenceRowSerializer
    filter_backends = []

    def get(self, request):
        page = self.paginate_queryset(selectors.absence_page(request.user, _params(request), timezone.localdate()))
        rows = selectors.absence_details(list(page))
        data = [
            {
                "member_id": r["member_id"],
                "member_name": r["member"].name if r["member"] else "",
                "organisation_id": r["organisation_id"],
                "months": r["months"],
                "first_month": r["first_month"],
                "last_month": r["last_month"],
                "level": r["level"],
            }
            for r in rows
        ]
        return self.get_paginated_response(data)


@extend_schema(
    tags=["组织生活"],
    parameters=[
        ORG_PARAM,
        OpenApiParameter("status", OpenApiTypes.STR, description="open 待决定 / decided 已决定"),
        OpenApiParameter("q", OpenApiTypes.STR),
    ],
)
class AbsenceCaseViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """连续6个月无正当理由不参加组织生活的处置（待支部大会决定；不自动除名）。"""

    serializer_class = s.AbsenceCaseSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.case_list(self.request.user, _params(self.request))
        act = "change" if self.action == "decide" else "view"
        return AbsenceCase.objects.restrict(self.request.user, act).select_related("member", "organisation").order_by("-opened_on", "-id")

    @extend_schema(request=s.AbsenceDecisionSerializer, responses=s.AbsenceCaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """记录支部大会决定：handling 提交组织处置 / resumed 已恢复参加 / good_reason 有正当理由。"""
        case = self.get_object()
        d = self.body(s.AbsenceDecisionSerializer)
        case = services.decide_absence_case(case, actor=request.user, **d)
        return self.reply(s.AbsenceCaseSerializer, case)


@extend_schema(
    tags=["组织生活"],
    parameters=[
        OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级；默认本人管理范围的最高一级）"),
        OpenApiParameter("year", OpenApiTypes.INT, description="年度", required=True),
        OpenApiParameter("month", OpenApiTypes.INT, description="月份（不填为全年）"),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
class ComplianceReportView(generics.GenericAPIView):
    """组织生活落实情况（与命令 orglife_compliance 相同）：下级各组织各类会议应开、已开次数，
    连续3/5/6个月未参加组织生活的党员。"""

    filter_backends = []
    pagination_class = None

    def get(self, request):
        params = _params(request)
        org = selectors.chosen_org(request.user, params)
        if org is None:
            raise Http404()
        year = selectors.chosen_year(params)
        month = selectors.chosen_month(params)
        return Response(selectors.compliance_report(request.user, org, year, month, selectors.report_as_of(year, month)))
