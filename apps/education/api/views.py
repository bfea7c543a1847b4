"""Education API: every queryset is `.restrict(request.user, action)` (or a selector that
does it); writes call services."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action

from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope
from apps.education import selectors, services
from apps.education.models import Question, Quiz, QuizAttempt, StudyEntry, TrainingClass
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
class StudyEntryViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
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
        data = self.body(s.StudyEntryCreateSerializer)
        data["member"] = get_in_scope(Member.objects.select_related("organisation"), request.user, "change", pk=data.pop("member"))
        entry = services.add_entry(data, actor=request.user)
        return self.reply(s.StudyEntrySerializer, entry, created=True)

    @extend_schema(request=s.DecideSerializer, responses={200: s.StudyEntrySerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        entry = self.get_object()
        d = self.body(s.DecideSerializer)
        entry = services.decide_entry(entry, approve=d["approve"], note=d["note"], actor=request.user)
        return self.reply(s.StudyEntrySerializer, entry)


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


@extend_schema(tags=["学习教育"], parameters=[ORG, OpenApiParameter("q", OpenApiTypes.STR), OpenApiParameter("category", OpenApiTypes.STR)])
class QuestionViewSet(viewsets.ReadOnlyModelViewSet):
    """题库（含正确答案，仅题库所属组织及上级可见）。"""

    serializer_class = s.QuestionSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.question_list(self.request.user, _params(self.request))
        return Question.objects.restrict(self.request.user, "view").select_related("organisation")


@extend_schema(tags=["学习教育"], parameters=[YEAR, OpenApiParameter("q", OpenApiTypes.STR)])
class QuizViewSet(viewsets.ReadOnlyModelViewSet):
    """考学（举办组织及上级查看）。"""

    serializer_class = s.QuizSerializer
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.quiz_list(self.request.user, _params(self.request))
        return Quiz.objects.restrict(self.request.user, "view").select_related("organisation")


def _member_of(request) -> Member | None:
    if not getattr(request.user, "member_id", None):
        return None
    return get_in_scope(Member.objects.select_related("organisation"), request.user, "view", pk=request.user.member_id)


@extend_schema(tags=["学习教育"])
class MyQuizViewSet(ServiceActions, mixins.ListModelMixin, viewsets.GenericViewSet):
    """面向本人的考学；start 开始（或继续）作答，返回不含答案的试卷。"""

    serializer_class = s.QuizSerializer
    filter_backends = []

    def get_queryset(self):
        member = _member_of(self.request)
        if member is None:
            return Quiz.objects.none()
        today = timezone.localdate()
        qs = selectors.quizzes_for_member(member)
        return qs.filter(opens_on__lte=today, closes_on__gte=today).order_by("closes_on", "id") if self.action == "list" else qs

    @extend_schema(request=None, responses={201: s.AttemptSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        attempt = services.start_attempt(self.get_object(), actor=request.user)
        return self.reply(s.AttemptSerializer, attempt, created=True)


@extend_schema(tags=["学习教育"])
class AttemptViewSet(ServiceActions, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """考学答卷：试卷不含答案；submit 交卷，服务端阅卷。"""

    serializer_class = s.AttemptSerializer
    filter_backends = []

    def get_queryset(self):
        return QuizAttempt.objects.restrict(self.request.user, "view").select_related("quiz")

    @extend_schema(request=s.SubmitSerializer, responses={200: s.AttemptSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        attempt = self.get_object()
        d = self.body(s.SubmitSerializer)
        attempt = services.submit_attempt(attempt, d["answers"], actor=request.user)
        return self.reply(s.AttemptSerializer, attempt)


@extend_schema(tags=["学习教育"], parameters=[ORG, YEAR, OpenApiParameter("kind", OpenApiTypes.STR)])
class EducationPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """教育培训计划（年度计划、中期规划）。"""

    serializer_class = s.EducationPlanSerializer
    filter_backends = []

    def get_queryset(self):
        params = _params(self.request) if self.action == "list" else {}
        return selectors.plan_list(self.request.user, params)


@extend_schema(tags=["学习教育"], parameters=[OpenApiParameter("plan", OpenApiTypes.INT, description="计划ID"), YEAR])
class PlanItemListView(generics.ListAPIView):
    """计划项目及其执行情况（执行按学习档案和培训班考勤计算）。"""

    serializer_class = s.EducationPlanItemSerializer
    filter_backends = []

    def get_queryset(self):
        return selectors.plan_item_list(self.request.user, _params(self.request))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.plan_item_prepare(list(page))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def _resource_viewset(selector, serializer, doc: str):
    @extend_schema(tags=["学习教育"], parameters=[ORG, OpenApiParameter("q", OpenApiTypes.STR)])
    class ResourceViewSet(viewsets.ReadOnlyModelViewSet):
        __doc__ = doc
        serializer_class = serializer
        filter_backends = []

        def get_queryset(self):
            return selector(self.request.user, _params(self.request) if self.action == "list" else {})

    ResourceViewSet.__name__ = ResourceViewSet.__qualname__ = f"{serializer.Meta.model.__name__}ViewSet"
    return ResourceViewSet


VenueViewSet = _resource_viewset(selectors.venue_list, s.VenueSerializer, "学习阵地（党员活动室、电教室、远程教育站点）。")
CoursewareViewSet = _resource_viewset(selectors.courseware_list, s.CoursewareSerializer, "课件库。")
JointMeetingViewSet = _resource_viewset(selectors.joint_meeting_list, s.JointMeetingSerializer, "党员教育联席会议记录。")
