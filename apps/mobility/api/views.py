"""Mobility API: every queryset is `.restrict(request.user, action)`; writes call services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.scoping import get_in_scope
from apps.members.models import Member
from apps.mobility import selectors, services
from apps.mobility.models import MobileRecord, Transfer
from apps.orgs.models import Organisation

from . import serializers as s


def _params(request) -> dict:
    return {k: request.query_params.get(k, "") for k in ("q", "status", "kind", "overdue", "side", "place", "abroad")}


@extend_schema(
    tags=["组织关系转接"],
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="党员姓名、拼音"),
        OpenApiParameter("status", OpenApiTypes.STR, description="状态（open=未办结）"),
        OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter("overdue", OpenApiTypes.STR, description="1=回执逾期"),
    ],
)
class TransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """组织关系转接：转出方与接收方两边都能看到；新增即提出转接申请。"""

    serializer_class = s.TransferSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.transfers(self.request.user, _params(self.request)).prefetch_related("steps")

    @extend_schema(request=s.TransferCreateSerializer, responses={201: s.TransferSerializer})
    def create(self, request, *args, **kwargs):
        ser = s.TransferCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = get_in_scope(Member.objects.all(), request.user, "view", pk=data.pop("member"))
        to = data.pop("to_organisation", None)
        if to is not None:
            data["to_organisation"] = get_in_scope(Organisation.objects.all(), _anyone(), "view", pk=to)
        t = services.request_transfer(member, data, actor=request.user)
        return Response(s.TransferSerializer(t).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TransferActSerializer, responses=s.TransferSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """办理下一步：同意/不同意（转出方）、接收/退回（接收方）、登记回执、补开介绍信、撤销。"""
        t = get_in_scope(Transfer.objects.all(), request.user, "view", pk=pk)
        ser = s.TransferActSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        op, note, date, user = d["op"], d.get("note") or "", d.get("date"), request.user
        if op in ("approve", "reject"):
            t = services.decide_step(t, approve=op == "approve", note=note, date=date, actor=user)
        elif op == "accept":
            t = services.accept_transfer(t, date=date, note=note, actor=user)
        elif op == "refuse":
            t = services.refuse_transfer(t, reason=note, date=date, actor=user)
        elif op == "receipt":
            t = services.record_receipt(t, date=date, note=note, actor=user)
        elif op == "reissue":
            t = services.reissue_letter(t, reason=note, validity_days=d.get("validity_days"), actor=user)
        else:
            t = services.cancel_transfer(t, reason=note, actor=user)
        return Response(s.TransferSerializer(Transfer.objects.prefetch_related("steps").get(pk=t.pk)).data)


def _anyone():
    """The receiving organisation of a transfer may be anywhere in the deployment."""
    from apps.core.actors import system_actor

    return system_actor("system")


@extend_schema(
    tags=["流动党员"],
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("overdue", OpenApiTypes.STR, description="1=逾期未报告/未返回"),
        OpenApiParameter("place", OpenApiTypes.STR),
        OpenApiParameter("abroad", OpenApiTypes.STR),
    ],
)
class MobileRecordViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """流动党员登记（流动党员活动证）；新增即发证。"""

    serializer_class = s.MobileRecordSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.mobile_records(self.request.user, _params(self.request))

    @extend_schema(request=s.MobileCreateSerializer, responses={201: s.MobileRecordSerializer})
    def create(self, request, *args, **kwargs):
        ser = s.MobileCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = get_in_scope(Member.objects.all(), request.user, "view", pk=data.pop("member"))
        record = services.register_mobile(member, data, actor=request.user)
        return Response(s.MobileRecordSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ContactSerializer, responses={201: s.ContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        """记录党员报告（每年至少一次）或组织联系（出国境学习每6个月至少一次）。"""
        record = get_in_scope(MobileRecord.objects.all(), request.user, "view", pk=pk)
        ser = s.ContactSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        contact = services.add_contact(record, dict(ser.validated_data), actor=request.user)
        return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReturnSerializer, responses=s.MobileRecordSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def record_return(self, request, pk=None):
        """登记返回、交回活动证。"""
        record = get_in_scope(MobileRecord.objects.all(), request.user, "view", pk=pk)
        ser = s.ReturnSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        record = services.record_return(record, actor=request.user, **ser.validated_data)
        return Response(s.MobileRecordSerializer(record).data)
