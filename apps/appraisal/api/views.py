"""Appraisal API: every queryset is `.restrict(request.user, action)`; writes call services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.appraisal import rules, selectors, services
from apps.appraisal.models import (
    BranchAppraisal,
    Campaign,
    GoalSheet,
    HandlingCase,
    MemberPost,
    PostAssignment,
    SupervisionRecord,
    TalentEntry,
)
from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope
from apps.members.models import Member
from apps.orgs.models import Organisation

from . import serializers as s

ORG_PARAM = OpenApiParameter("organisation", OpenApiTypes.INT, description="党组织ID（含下级）")
YEAR_PARAM = OpenApiParameter("year", OpenApiTypes.INT, description="年度")


def _org(request):
    raw = request.query_params.get("organisation")
    if raw in (None, ""):
        return None
    if not str(raw).isdigit():
        raise ApiValidationError({"organisation": ["党组织ID须为整数"]})
    return get_in_scope(Organisation.objects.all(), request.user, "view", pk=raw)


def _year(request):
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return None
    if not str(raw).isdigit() or not 1900 < int(raw) < 3000:
        raise ApiValidationError({"year": ["年度须为四位数字"]})
    return int(raw)


@extend_schema(tags=["民主评议"], parameters=[ORG_PARAM, YEAR_PARAM])
class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """民主评议（年度、范围、各环节截止日期、优秀比例上限）。"""

    serializer_class = s.AppraisalCampaignSerializer
    filter_backends = []

    def get_queryset(self):
        qs = Campaign.objects.restrict(self.request.user, "view").select_related("organisation").order_by("-year", "org_path", "id")
        if org := _org(self.request):
            qs = qs.filter(org_path__startswith=org.path)
        if year := _year(self.request):
            qs = qs.filter(year=year)
        return qs


@extend_schema(tags=["民主评议"], parameters=[ORG_PARAM, YEAR_PARAM, OpenApiParameter("phase", OpenApiTypes.STR)])
class BranchAppraisalViewSet(viewsets.ReadOnlyModelViewSet):
    """各党支部的评议进度。"""

    serializer_class = s.BranchAppraisalSerializer
    filter_backends = []

    def get_queryset(self):
        qs = (
            BranchAppraisal.objects.restrict(self.request.user, "view")
            .select_related("organisation", "campaign")
            .order_by("org_path", "id")
        )
        if org := _org(self.request):
            qs = qs.filter(org_path__startswith=org.path)
        if year := _year(self.request):
            qs = qs.filter(campaign__year=year)
        phase = self.request.query_params.get("phase")
        if phase:
            qs = qs.filter(phase=phase) if phase in rules.PHASE_LABELS else qs.none()
        return qs


@extend_schema(
    tags=["组织处置"],
    parameters=[
        ORG_PARAM,
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter("q", OpenApiTypes.STR),
    ],
)
class HandlingCaseViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """不合格党员组织处置（限期改正、劝其退党、除名、自行脱党除名）。"""

    serializer_class = s.HandlingCaseSerializer
    filter_backends = []

    def get_queryset(self):
        qs = selectors.case_list(self.request.user, self.request.query_params)
        if org := _org(self.request):
            qs = qs.filter(org_path__startswith=org.path)
        return qs

    @extend_schema(request=s.HandlingCaseStepSerializer, responses=s.HandlingCaseSerializer)
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """办理下一环节（备案 → 谈话 → 支部大会表决 → 上级审批 → 决定 [→ 期满考察]）。"""
        return self.act_on(
            HandlingCase,
            pk,
            lambda case, d: services.take_step(case, d.pop("step"), d, actor=request.user),
            using=s.HandlingCaseStepSerializer,
            reply=s.HandlingCaseSerializer,
        )


@extend_schema(tags=["民主评议"], parameters=[ORG_PARAM, YEAR_PARAM], responses=s.AppraisalResultsSerializer)
class ResultsView(APIView):
    """评议结果：各支部参评人数、各等次人数、优秀占比（不超过三分之一）、办理中的组织处置。"""

    def get(self, request):
        org = _org(request) or selectors.chosen_org(request.user, {})
        if org is None:
            raise ApiValidationError({"organisation": ["请指定党组织"]})
        year = _year(request) or selectors._year({})
        data = selectors.results(org, year)

        def row(r, name):
            return {
                "organisation": name,
                "appraised": r["n"],
                "graded": r["graded"],
                "grades": {g: r[f"g_{g}"] for g, _ in rules.GRADES},
                "excellent_share": r["excellent_share"],
                "excellent_within_cap": r["cap_ok"],
                "open_cases": r["open_cases"],
            }

        return Response(
            {"year": year, "total": row(data["total"], org.name), "branches": [row(b, b["organisation__name"]) for b in data["branches"]]}
        )


@extend_schema(
    tags=["设岗定责"],
    parameters=[
        OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）"),
        OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter("post_type", OpenApiTypes.STR),
        OpenApiParameter("state", OpenApiTypes.STR, description="空=在用，ended=已撤销，all=全部"),
        OpenApiParameter("q", OpenApiTypes.STR),
    ],
)
class PostViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """设岗定责、党员示范岗、党员责任区、党员中心户：岗位、在岗党员、评岗。"""

    filter_backends = []

    def get_serializer_class(self):
        if self.action == "create":
            return s.PostCreateSerializer
        return s.PostDetailSerializer if self.action == "retrieve" else s.PostSerializer

    def get_queryset(self):
        return selectors.post_list(self.request.user, self.request.query_params if self.action == "list" else {"state": "all"})

    @extend_schema(request=s.PostCreateSerializer, responses={201: s.PostDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.PostCreateSerializer)
        post = services.create_post(self.in_scope(Organisation, data.pop("organisation")), data, actor=request.user)
        return self.reply(s.PostDetailSerializer, self.get_queryset().get(pk=post.pk), created=True)

    @extend_schema(request=s.PostAssignSerializer, responses={201: s.PostAssignmentSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """安排本支部党员上岗（明确承担的职责）。"""
        return self.act_on(
            MemberPost,
            pk,
            lambda post, d: services.assign_member(
                post, self.in_scope(Member, d["member"]), duties=d["duties"], start_on=d.get("start_on"), actor=request.user
            ),
            using=s.PostAssignSerializer,
            reply=s.PostAssignmentSerializer,
            created=True,
        )

    @extend_schema(request=s.PostReviewCreateSerializer, responses={201: s.PostReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """评岗：登记一名在岗党员半年的履职情况和等次。"""

        def review(post, d):
            a = PostAssignment.objects.filter(post=post, pk=d.pop("assignment")).first()
            if a is None:
                raise ApiValidationError({"assignment": ["该党员不在这个岗位上"]})
            return services.review_post(a, d, actor=request.user)

        return self.act_on(MemberPost, pk, review, using=s.PostReviewCreateSerializer, reply=s.PostReviewSerializer, created=True)


@extend_schema(
    tags=["监督管理"],
    parameters=[
        OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）"),
        OpenApiParameter("kind", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("q", OpenApiTypes.STR),
    ],
)
class SupervisionRecordViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """监督管理：重大事项报告、谈心谈话、听取群众意见。"""

    filter_backends = []

    def get_serializer_class(self):
        return s.SupervisionCreateSerializer if self.action == "create" else s.SupervisionRecordSerializer

    def get_queryset(self):
        return selectors.supervision_list(self.request.user, self.request.query_params if self.action == "list" else {})

    @extend_schema(request=s.SupervisionCreateSerializer, responses={201: s.SupervisionRecordSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.SupervisionCreateSerializer)
        member = self.in_scope(Member, data.pop("member"))
        if data.get("counterpart"):
            data["counterpart"] = self.in_scope(Member, data["counterpart"], "view")
        return self.reply(s.SupervisionRecordSerializer, services.record_supervision(member, data, actor=request.user), created=True)

    @extend_schema(request=s.SupervisionConcludeSerializer, responses=s.SupervisionRecordSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        """办结：重大事项报告写明答复；群众意见核实（属实、部分属实须写明处理结果）。"""
        return self.act_on(
            SupervisionRecord,
            pk,
            lambda record, d: services.conclude_supervision(record, d, actor=request.user),
            using=s.SupervisionConcludeSerializer,
            reply=s.SupervisionRecordSerializer,
        )


@extend_schema(
    tags=["目标管理"],
    parameters=[
        OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）"),
        OpenApiParameter("year", OpenApiTypes.INT),
        OpenApiParameter("checked", OpenApiTypes.STR, description="no=未年终自查"),
        OpenApiParameter("q", OpenApiTypes.STR),
    ],
)
class GoalSheetViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """党员年度目标（按党员类别的目标和本人补充）与年终自查。"""

    filter_backends = []

    def get_serializer_class(self):
        return s.GoalSetSerializer if self.action == "create" else s.GoalSheetSerializer

    def get_queryset(self):
        return selectors.goal_list(self.request.user, self.request.query_params if self.action == "list" else {})

    @extend_schema(request=s.GoalSetSerializer, responses={201: s.GoalSheetSerializer})
    def create(self, request, *args, **kwargs):
        d = self.body(s.GoalSetSerializer)
        member = self.in_scope(Member, d["member"], "view")
        sheet = services.set_goals(member, year=d["year"], own_goals=d.get("own_goals", ""), actor=request.user)
        return self.reply(s.GoalSheetSerializer, sheet, created=True)

    @extend_schema(request=s.GoalCheckSerializer, responses=s.GoalSheetSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """年终自查（目标年度12月起）：党员本人或党支部填写。"""
        return self.act_on(
            GoalSheet,
            pk,
            lambda sheet, d: services.check_goals(sheet, text=d["self_check"], grade=d["check_grade"], actor=request.user),
            using=s.GoalCheckSerializer,
            reply=s.GoalSheetSerializer,
            action="view",  # a member checks their own sheet; the service decides who may write
        )


class TalentViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """三培养人才库：把党员培养成骨干、把骨干培养成党员、把党员骨干培养成村干部。"""

    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return s.TalentCreateSerializer
        return s.TalentDetailSerializer if self.action == "retrieve" else s.TalentEntrySerializer

    def get_queryset(self):
        qs = selectors.talent_list(self.request.user, self.request.query_params if self.action == "list" else {"status": "all"})
        return qs.prefetch_related("stage_changes") if self.action == "retrieve" else qs

    def _detail(self, entry):
        return s.TalentDetailSerializer(
            selectors.talent_list(self.request.user, {"status": "all"}).prefetch_related("stage_changes").get(pk=entry.pk)
        ).data

    @extend_schema(request=s.TalentCreateSerializer, responses={201: s.TalentDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.TalentCreateSerializer)
        if data.get("member"):
            data["member"] = self.in_scope(Member, data["member"])
        if data.get("organisation"):
            data["organisation"] = self.in_scope(Organisation, data["organisation"])
        data["mentor"] = self.in_scope(Member, data["mentor"], "view")
        return self.reply(self._detail, services.add_talent(data, actor=request.user), created=True)

    @extend_schema(request=s.TalentUpdateSerializer, responses=s.TalentDetailSerializer)
    def partial_update(self, request, pk=None):
        """修改培养联系人、特长、联系电话、培养措施（阶段只能通过 stage 变更）。"""
        entry = self.in_scope(TalentEntry, pk)
        data = self.body(s.TalentUpdateSerializer, partial=True)
        if "mentor" in data:
            data["mentor"] = self.in_scope(Member, data["mentor"], "view")
        return self.reply(self._detail, services.update_talent(entry, data, actor=request.user))

    @extend_schema(request=s.TalentStageSerializer, responses=s.TalentDetailSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        """调整培养阶段（记录日期、原阶段、新阶段、操作人）。"""
        return self.act_on(
            TalentEntry,
            pk,
            lambda entry, d: services.change_talent_stage(entry, d["stage"], on=d["on"], note=d.get("note", ""), actor=request.user),
            using=s.TalentStageSerializer,
            reply=self._detail,
        )

    @extend_schema(request=s.TalentCloseSerializer, responses=s.TalentDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """结束培养：培养成功、终止培养（写明原因）、调离或迁出。"""
        return self.act_on(
            TalentEntry,
            pk,
            lambda entry, d: services.close_talent(entry, d["outcome"], on=d["on"], note=d.get("note", ""), actor=request.user),
            using=s.TalentCloseSerializer,
            reply=self._detail,
        )
