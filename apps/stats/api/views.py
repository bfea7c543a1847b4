from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.stats.selectors import party_statistics
from apps.stats.views import BadParameter, parse_as_of, resolve_org


class PartyStatisticsView(APIView):
    """党内统计：组织（含下级）的组织数、党员数及各项构成。组织不在管理范围内返回404。"""

    @extend_schema(
        summary="党内统计",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（默认：管理范围内的最上级组织）"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计基准日 YYYY-MM-DD（默认今天）"),
        ],
        responses={200: OpenApiTypes.OBJECT},
        tags=["stats"],
    )
    def get(self, request):
        try:
            as_of = parse_as_of(request.query_params.get("as_of"))
        except BadParameter as exc:
            raise ValidationError({"as_of": [str(exc)]})
        org = resolve_org(request.user, request.query_params.get("org"))
        return Response(party_statistics(org, as_of))
