from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Subquery
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from apps.core.models import AccessLog
from apps.core.paging import KeysetPagination
from apps.core.scoping import can_act_on_org, get_in_scope
from apps.orgs.models import Organisation

from .. import selectors, services
from ..filters import ORDERING, MemberFilterSet
from ..models import Member
from .serializers import (
    MemberListSerializer,
    MemberSerializer,
    MemberWriteSerializer,
    MoveSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
    StatusChangeSerializer,
)

# The columns the list reads: MemberListSerializer's and every sort key of
# apps.members.filters.ORDERING (the keyset cursors hold them).
LIST_COLUMNS = (
    *(f for f in MemberListSerializer.Meta.fields if not f.endswith("_display") and f not in ("organisation_name", "categories")),
    "category_bits",
    *sorted({key.lstrip("-") for keys in ORDERING.values() for key in keys}),
)
ORGANISATION_NAME = Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).order_by().values("name")[:1])
WRITE_ACTIONS = {"create", "update", "partial_update", "status", "move"}
REVEAL = {
    "id_number": (AccessLog.Kind.REVEAL_ID, "reveal_id_number", "身份证号"),
    "phone": (AccessLog.Kind.REVEAL_PHONE, "reveal_phone", "联系电话"),
}


class RosterPagination(KeysetPagination):
    """Keyset pages; a text search's total is counted to SEARCH_COUNT_CAP only."""

    def count_cap(self, request) -> int:
        return selectors.roster_count_cap(request.query_params)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """党员名册：列表（搜索、筛选、排序、分页）、详情、新增、修改、党籍状态变更、组织关系调整、查看完整身份证号/电话（留痕）。
    身份证号和电话只以脱敏形式返回。"""

    serializer_class = MemberSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MemberFilterSet
    # deep pages through cursors in the next/previous links, never by OFFSET (apps.core.paging)
    pagination_class = RosterPagination
    queryset = Member.objects.none()

    def get_serializer_class(self):
        return MemberListSerializer if self.action == "list" else MemberSerializer

    def get_queryset(self):
        if self.action == "list":
            # filter_queryset replaces it with selectors.roster (scoped there): not built per request
            return self.queryset
        scope_action = "change" if self.action in WRITE_ACTIONS else "view"
        return Member.objects.restrict(self.request.user, scope_action).select_related("organisation").prefetch_related("categories")

    def filter_queryset(self, queryset):
        """The list is the roster selector (the same rows as the web page and the export);
        filterset_class above documents its parameters in the schema."""
        if self.action != "list":
            return super().filter_queryset(queryset)
        try:
            rows = selectors.roster(self.request.user, self.request.query_params, request=self.request)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        # The list serializer reads the categories from Member.category_bits: no prefetch;
        # only the columns it shows (not the ciphertexts, remarks …) and the sort keys the
        # keyset cursors are made of, as dicts (serializers.list_row): no model instance per row.
        # The organisation's name as a scalar subquery, not a join: no Organisation object
        # per row, and the capped count (which drops unused annotations) reads no second table.
        return rows.values(*LIST_COLUMNS, organisation_name=ORGANISATION_NAME)

    def _org(self, pk):
        if pk is None:
            return None
        return get_in_scope(Organisation.objects.all(), self.request.user, "view", pk=pk)

    def _write_data(self, partial):
        ser = MemberWriteSerializer(data=self.request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if "organisation" in data:
            data["organisation"] = self._org(data["organisation"])
        if "party_group" in data:
            data["party_group"] = self._org(data["party_group"])
        return data

    def _out(self, member, code=status.HTTP_200_OK):
        member = self.get_queryset().model.objects.select_related("organisation").prefetch_related("categories").get(pk=member.pk)
        return Response(MemberSerializer(member, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="新增党员", request=MemberWriteSerializer, responses={201: MemberSerializer})
    def create(self, request, *args, **kwargs):
        member = services.create_member(self._write_data(partial=False), actor=request.user)
        return self._out(member, status.HTTP_201_CREATED)

    @extend_schema(summary="修改党员信息", request=MemberWriteSerializer, responses=MemberSerializer)
    def update(self, request, *args, **kwargs):
        member = self.get_object()
        member = services.update_member(member, self._write_data(partial=True), actor=request.user)
        return self._out(member)

    @extend_schema(summary="修改党员信息（部分字段）", request=MemberWriteSerializer, responses=MemberSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @extend_schema(summary="党籍状态变更", request=StatusChangeSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        member = self.get_object()
        ser = StatusChangeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        member = services.change_status(
            member,
            d["status"],
            date=d["date"],
            reason=d.get("reason", ""),
            lost_contact_reason=d.get("lost_contact_reason", ""),
            actor=request.user,
        )
        return self._out(member)

    @extend_schema(summary="组织关系调整（系统内转接）", request=MoveSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        member = self.get_object()
        ser = MoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        d = ser.validated_data
        member = services.move_member(member, self._org(d["organisation"]), date=d["date"], reason=d.get("reason", ""), actor=request.user)
        return self._out(member)

    @extend_schema(
        summary="查看完整身份证号或电话（记入敏感操作日志）", request=RevealRequestSerializer, responses=RevealResponseSerializer
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        member = self.get_object()
        ser = RevealRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        field = ser.validated_data["field"]
        if not can_act_on_org(request.user, member.organisation, "reveal"):
            raise PermissionDenied("您没有查看完整个人信息的权限")
        kind, method, label = REVEAL[field]
        value = getattr(member, method)()
        AccessLog.record(
            kind,
            user=request.user,
            target=f"党员 {member.name}（#{member.pk}）{label}",
            org_path=member.org_path,
            member_id=member.pk,
            field=field,
        )
        response = Response({"field": field, "value": value})
        response["Cache-Control"] = "no-store"
        return response
