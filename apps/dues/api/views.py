"""Dues API: every queryset is `.restrict(request.user, action)`; writes call services."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope
from apps.dues import selectors, services
from apps.dues.models import ArrearsCase, Collection, DuesLine, IncomeDeclaration, Payment
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import serializers as s

MONTH_PARAM = OpenApiParameter("month", OpenApiTypes.STR, description="月份 YYYY-MM")
ORG_PARAM = OpenApiParameter("organisation", OpenApiTypes.INT, description="党组织ID（含下级）")


def _month_filter(qs, request, field="month"):
    from django.core.exceptions import ValidationError

    from apps.dues import months as mo

    raw = request.query_params.get("month")
    if raw:
        try:
            qs = qs.filter(**{field: mo.parse_month(raw)})
        except ValidationError:
            return qs.none()
    return qs


def _org_filter(qs, request, user, lookup="org_path__startswith"):
    raw = request.query_params.get("organisation")
    if raw:
        org = get_in_scope(Organisation.objects.all(), user, "view", pk=raw)
        qs = qs.filter(**{lookup: org.path})
    return qs


@extend_schema(
    tags=["党费"],
    parameters=[MONTH_PARAM, ORG_PARAM, OpenApiParameter("status", OpenApiTypes.STR), OpenApiParameter("member", OpenApiTypes.INT)],
)
class DuesLineViewSet(viewsets.ReadOnlyModelViewSet):
    """党费台账（逐人逐月）。"""

    serializer_class = s.DuesLineSerializer
    filter_backends = []

    def get_queryset(self):
        qs = (
            DuesLine.objects.restrict(self.request.user, "view")
            .select_related("member", "organisation")
            .order_by("org_path", "month", "member_id")
        )
        qs = _month_filter(qs, self.request)
        qs = _org_filter(qs, self.request, self.request.user)
        if st := self.request.query_params.get("status"):
            qs = qs.filter(status=st)
        if member := self.request.query_params.get("member"):
            qs = qs.filter(member_id=member) if member.isdigit() else qs.none()
        return qs


@extend_schema(tags=["党费"], parameters=[OpenApiParameter("member", OpenApiTypes.INT), ORG_PARAM])
class PaymentViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """党费缴纳记录；新增即登记缴费（按月、按季度、代交、补交）。"""

    filter_backends = []

    def get_serializer_class(self):
        return s.PaymentCreateSerializer if self.action == "create" else s.PaymentSerializer

    def get_queryset(self):
        qs = Payment.objects.restrict(self.request.user, "view").select_related("member").order_by("-paid_on", "-id")
        qs = _org_filter(qs, self.request, self.request.user)
        if member := self.request.query_params.get("member"):
            qs = qs.filter(member_id=member) if member.isdigit() else qs.none()
        return qs

    @extend_schema(request=s.PaymentCreateSerializer, responses={201: s.PaymentResultSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.PaymentCreateSerializer)
        member = get_in_scope(Member.objects.all(), request.user, "change", pk=data.pop("member"))
        result = services.record_payment(member, actor=request.user, **data)
        out = s.PaymentResultSerializer({"payment": result.payment, "warnings": result.warnings})
        return Response(out.data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["党费"], parameters=[OpenApiParameter("member", OpenApiTypes.INT)])
class DeclarationViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """党费缴纳基数申报（含历史）。"""

    serializer_class = s.DeclarationSerializer
    filter_backends = []

    def get_queryset(self):
        qs = (
            IncomeDeclaration.objects.restrict(self.request.user, "view").select_related("member").order_by("member_id", "-effective_month")
        )
        if member := self.request.query_params.get("member"):
            qs = qs.filter(member_id=member) if member.isdigit() else qs.none()
        return qs

    def create(self, request, *args, **kwargs):
        ser = self.get_serializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        member = get_in_scope(Member.objects.all(), request.user, "change", pk=data.pop("member_id"))
        decl = services.declare_income(member, actor=request.user, **data)
        return self.reply(s.DeclarationSerializer, decl, created=True)


@extend_schema(tags=["党费"], parameters=[ORG_PARAM], responses=s.ArrearsRowSerializer(many=True))
class ArrearsListView(generics.GenericAPIView):
    """连续欠缴3个月以上的党员（3个月提醒、5个月预警、6个月处置）。"""

    serializer_class = s.ArrearsRowSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request):
        org = None
        if raw := request.query_params.get("organisation"):
            org = get_in_scope(Organisation.objects.all(), request.user, "view", pk=raw)
        rows = selectors.arrears_list(request.user, org, timezone.localdate())
        data = [
            {
                "member_id": r["member_id"],
                "member_name": r["member"].name,
                "organisation_id": r["organisation_id"],
                "months": r["months"],
                "first_unpaid": r["first_unpaid"],
                "last_unpaid": r["last_unpaid"],
                "level": r["level"],
                "level_text": r["level_text"],
                "case_id": r["case"].pk if r["case"] else None,
            }
            for r in rows
        ]
        return Response(s.ArrearsRowSerializer(data, many=True).data)


@extend_schema(tags=["党费"])
class ArrearsCaseViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """欠缴党费处置（支部大会决定）。"""

    serializer_class = s.ArrearsCaseSerializer
    filter_backends = []

    def get_queryset(self):
        return ArrearsCase.objects.restrict(self.request.user, "view").select_related("member").order_by("-opened_on", "-id")

    @extend_schema(request=s.CaseDecisionSerializer, responses=s.ArrearsCaseSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        case = get_in_scope(ArrearsCase.objects.all(), request.user, "change", pk=pk)
        d = self.body(s.CaseDecisionSerializer)
        case = services.decide_arrears_case(case, actor=request.user, **d)
        return self.reply(s.ArrearsCaseSerializer, case)


@extend_schema(tags=["党费"], parameters=[MONTH_PARAM, ORG_PARAM])
class CollectionViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """党费收缴与上交（支部→基层党委→县委），含应收、实收、上交与差额说明。"""

    serializer_class = s.CollectionSerializer
    filter_backends = []

    def get_queryset(self):
        qs = Collection.objects.restrict(self.request.user, "view").select_related("organisation").order_by("-month", "org_path")
        qs = _month_filter(qs, self.request)
        return _org_filter(qs, self.request, self.request.user)

    @extend_schema(request=s.HandOverSerializer, responses={201: s.CollectionSerializer})
    @action(detail=False, methods=["post"], url_path="hand-over")
    def hand_over(self, request):
        data = self.body(s.HandOverSerializer)
        org = get_in_scope(Organisation.objects.all(), request.user, "change", pk=data.pop("organisation"))
        coll = services.hand_over(org, data.pop("month"), actor=request.user, **data)
        return self.reply(s.CollectionSerializer, coll, created=True)

    @extend_schema(request=None, responses=s.CollectionSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        coll = get_in_scope(Collection.objects.all(), request.user, "view", pk=pk)
        coll = services.confirm_collection(coll, actor=request.user)
        return self.reply(s.CollectionSerializer, coll)


@extend_schema(tags=["党费"], request=s.GenerateSerializer, responses={201: s.GenerateResultSerializer})
class GenerateView(ServiceActions, generics.GenericAPIView):
    """生成某月党费台账（幂等）。"""

    serializer_class = s.GenerateSerializer
    filter_backends = []

    def post(self, request):
        d = self.body(s.GenerateSerializer)
        org = get_in_scope(Organisation.objects.all(), request.user, "change", pk=d["organisation"])
        r = services.generate_month(org, d["month"], actor=request.user)
        data = {
            "month": r.month,
            "created": r.created,
            "existing": r.existing,
            "missing_declaration": [m.pk for m in r.missing_declaration],
            "cases_opened": r.cases_opened,
        }
        return self.reply(s.GenerateResultSerializer, data, created=True)
