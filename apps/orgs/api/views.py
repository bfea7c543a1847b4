from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from apps.core.scoping import get_in_scope, restrict

from .. import selectors, services
from ..models import Organisation
from .filters import OrganisationFilterSet
from .serializers import OrganisationSerializer, OrganisationWriteSerializer

WRITE_ACTIONS = {"create", "update", "partial_update"}


class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """党组织：列表、详情、新建、修改、直接下级。只返回当前用户管理范围内的组织。"""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    ordering_fields = ["path", "name", "code", "term_end", "direct_member_count"]
    ordering = ["path"]
    queryset = Organisation.objects.none()

    def get_queryset(self):
        scope_action = "change" if self.action in WRITE_ACTIONS else "view"
        return Organisation.objects.restrict(self.request.user, scope_action).order_by("path")

    def _serialize(self, orgs, many=True, **kwargs):
        orgs = list(orgs) if many else [orgs]
        context = {
            **self.get_serializer_context(),
            "counts": selectors.subtree_counts(orgs),
            "parents": selectors.parents_of(orgs),
        }
        return OrganisationSerializer(orgs if many else orgs[0], many=many, context=context, **kwargs).data

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self._serialize(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize(self.get_object(), many=False))

    @extend_schema(summary="直接下级组织（不分页）", responses=OrganisationSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def children(self, request, pk=None):
        org = self.get_object()
        # Not paged: an organisation's direct children are bounded by its fan-out; use
        # /api/orgs/?parent=<id> for a paged, filterable list.
        qs = restrict(Organisation.objects.all(), request.user).filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")
        return Response(self._serialize(qs))

    def _data(self, partial):
        ser = OrganisationWriteSerializer(data=self.request.data, partial=partial)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        data.pop("parent", None)
        return ser.validated_data, data

    @extend_schema(summary="新建组织", request=OrganisationWriteSerializer, responses={201: OrganisationSerializer})
    def create(self, request, *args, **kwargs):
        validated, data = self._data(partial=False)
        if "parent" not in validated:
            raise ValidationError({"parent": ["上级组织为必填项"]})
        parent = get_in_scope(Organisation.objects.all(), request.user, "view", pk=validated["parent"])
        org = services.create_organisation(data, parent=parent, actor=request.user)
        return Response(self._serialize(org, many=False), status=status.HTTP_201_CREATED)

    @extend_schema(summary="修改组织", request=OrganisationWriteSerializer, responses=OrganisationSerializer)
    def update(self, request, *args, **kwargs):
        org = self.get_object()
        _validated, data = self._data(partial=kwargs.get("partial", False))
        org = services.update_organisation(org, data, actor=request.user)
        return Response(self._serialize(org, many=False))

    @extend_schema(summary="修改组织（部分字段）", request=OrganisationWriteSerializer, responses=OrganisationSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)
