"""Care API: the lists through the screens' own selectors (scoped; an organisation filter
outside scope is a 404); recording a visit calls the same service as the web page."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from apps.core.api.actions import ServiceActions
from apps.core.scoping import ScopeError, get_in_scope, restrict
from apps.members.models import Member

from .. import selectors, services
from ..models import CareOccasion, Fund, FundApplication, Hardship, Household, HouseholdContact, Nomination, Pairing, Visit
from . import serializers as s

ORG = OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）")
Q_ = OpenApiParameter("q", OpenApiTypes.STR, description="党员姓名")
YEAR = OpenApiParameter("year", OpenApiTypes.INT)
STATUS = OpenApiParameter("status", OpenApiTypes.STR)


def _params(request) -> dict:
    return {k: v for k, v in request.query_params.items()}


class _Listed(viewsets.ReadOnlyModelViewSet):
    """list: the screen's selector with the query parameters; retrieve: the same
    selector without filters (scope only)."""

    filter_backends = []
    select = staticmethod(lambda user, params: None)

    def get_queryset(self):
        return type(self).select(self.request.user, _params(self.request) if self.action == "list" else {})


@extend_schema(tags=["关怀帮扶"], parameters=[ORG, Q_, YEAR, OpenApiParameter("occasion", OpenApiTypes.STR, description="事由代码")])
class VisitViewSet(ServiceActions, mixins.CreateModelMixin, _Listed):
    """走访记录（四必访、节日走访慰问）。POST 登记走访（节日走访同时完成清单）。"""

    serializer_class = s.CareVisitSerializer
    select = staticmethod(selectors.visit_list)
    queryset = Visit.objects.none()

    @extend_schema(request=s.CareVisitWriteSerializer, responses={201: s.CareVisitSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.CareVisitWriteSerializer)
        data["member"] = get_in_scope(Member.objects.all(), request.user, "change", pk=data["member"])
        data["occasion"] = CareOccasion.objects.filter(code=data["occasion"]).first()
        visit = services.record_visit(data, actor=request.user)
        return self.reply(s.CareVisitSerializer, visit, created=True)


@extend_schema(
    tags=["关怀帮扶"],
    parameters=[ORG, Q_, STATUS, OpenApiParameter("cause", OpenApiTypes.STR), OpenApiParameter("level", OpenApiTypes.STR)],
)
class HardshipViewSet(_Listed):
    """困难党员名册（致困原因、困难程度、结对数）。"""

    serializer_class = s.CareHardshipSerializer
    select = staticmethod(selectors.hardship_list)
    queryset = Hardship.objects.none()


@extend_schema(
    tags=["关怀帮扶"], parameters=[ORG, Q_, STATUS, OpenApiParameter("due", OpenApiTypes.BOOL, description="超过一季度未登记帮扶")]
)
class PairingViewSet(_Listed):
    """党内扶贫三包结对。"""

    serializer_class = s.CarePairingSerializer
    select = staticmethod(selectors.pairing_list)
    queryset = Pairing.objects.none()


@extend_schema(tags=["关怀帮扶"], parameters=[ORG])
class FundViewSet(_Listed):
    """互助基金（余额）；movements：收支明细（?year=）。"""

    serializer_class = s.CareFundSerializer
    select = staticmethod(selectors.fund_list)
    queryset = Fund.objects.none()

    @extend_schema(parameters=[YEAR], responses={200: s.CareFundMovementSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def movements(self, request, pk=None):
        fund = self.get_object()
        page = self.paginate_queryset(selectors.movement_list(request.user, fund, _params(request)))
        return self.get_paginated_response(s.CareFundMovementSerializer(page, many=True).data)


@extend_schema(tags=["关怀帮扶"], parameters=[Q_, STATUS, OpenApiParameter("fund", OpenApiTypes.INT)])
class FundApplicationViewSet(_Listed):
    """互助基金申请（申请人支部与基金所属组织可见）。"""

    serializer_class = s.CareFundApplicationSerializer
    select = staticmethod(selectors.application_list)
    queryset = FundApplication.objects.none()


@extend_schema(tags=["表彰激励"], parameters=[ORG, Q_, YEAR, STATUS, OpenApiParameter("kind", OpenApiTypes.STR)])
class NominationViewSet(_Listed):
    """表彰推荐（资格审查、公示、审批）；honour_roll：光荣榜；mine：本人获得的表彰。"""

    serializer_class = s.CareNominationSerializer
    select = staticmethod(selectors.nomination_list)
    queryset = Nomination.objects.none()

    @extend_schema(responses={200: s.CareNominationSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="honour-roll")
    def honour_roll(self, request):
        page = self.paginate_queryset(selectors.honour_roll(request.user, _params(request)))
        return self.get_paginated_response(s.CareNominationSerializer(page, many=True).data)

    @extend_schema(responses={200: s.CareNominationSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        page = self.paginate_queryset(selectors.my_awards(request.user))
        return self.get_paginated_response(s.CareNominationSerializer(page, many=True).data)


@extend_schema(
    tags=["联系群众"],
    parameters=[
        ORG,
        OpenApiParameter("q", OpenApiTypes.STR, description="户主或党员姓名"),
        OpenApiParameter("needy", OpenApiTypes.BOOL, description="只看困难群众"),
        OpenApiParameter("gap", OpenApiTypes.BOOL, description="只看超过一季度未联系的"),
    ],
)
class HouseholdViewSet(ServiceActions, mixins.CreateModelMixin, _Listed):
    """党员联系户与结对帮扶的困难群众（电话只给部分号码）。POST 登记联系户；end：结束联系；phone：完整电话（记日志）；
    contacts：民情日记（GET 列表，POST 联系党员本人或支部登记一次联系）。"""

    serializer_class = s.CareHouseholdSerializer
    select = staticmethod(selectors.household_list)
    queryset = Household.objects.none()

    def get_queryset(self):
        if self.action in ("end",):
            return restrict(Household.objects.select_related("organisation", "member"), self.request.user, "change")
        return super().get_queryset()

    @extend_schema(request=s.CareHouseholdWriteSerializer, responses={201: s.CareHouseholdSerializer})
    def create(self, request, *args, **kwargs):
        """登记联系户（与网页同一服务：每名党员最多联系户数、同一户不重复联系）。"""
        data = self.body(s.CareHouseholdWriteSerializer)
        data["member"] = get_in_scope(Member.objects.all(), request.user, "change", pk=data["member"])
        h = services.add_household(data, actor=request.user)
        return self.reply(s.CareHouseholdSerializer, h, created=True)

    @extend_schema(request=s.CareHouseholdEndSerializer, responses={200: s.CareHouseholdSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """结束联系（写明帮扶成效或结束原因）。"""
        h = self.get_object()
        d = self.body(s.CareHouseholdEndSerializer)
        h = services.end_household(h, ended_on=d.get("ended_on"), outcome=d["outcome"], actor=request.user)
        return self.reply(s.CareHouseholdSerializer, h)

    @extend_schema(request=None, responses={200: s.CarePhoneSerializer})
    @action(detail=True, methods=["post"])
    def phone(self, request, pk=None):
        """完整联系电话：联系党员本人或有查看权限（reveal）的角色；每次查看记入敏感操作日志。"""
        h = self.get_object()
        try:
            phone = services.reveal_household_phone(h, actor=request.user)
        except ScopeError as exc:
            raise PermissionDenied(exc.message) from None
        return Response({"phone": phone}, headers={"Cache-Control": "no-store"})

    @extend_schema(methods=["GET"], request=None, responses={200: s.CareHouseholdContactSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.CareHouseholdContactSerializer, responses={201: s.CareHouseholdContactSerializer})
    @action(detail=True, methods=["get", "post"])
    def contacts(self, request, pk=None):
        h = self.get_object()
        if request.method == "POST":
            d = self.body(s.CareHouseholdContactSerializer)
            contact = services.record_contact(h, d, actor=request.user)
            return self.reply(s.CareHouseholdContactSerializer, contact, created=True)
        page = self.paginate_queryset(HouseholdContact.objects.filter(household=h).order_by("-on", "-id"))
        return self.get_paginated_response(s.CareHouseholdContactSerializer(page, many=True).data)
