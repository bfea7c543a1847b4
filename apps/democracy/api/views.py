"""Democracy API: lists through the screens' selectors (scoped); a member's own writes
(raise a matter, give an opinion, read receipt) and the organisation's answer call the
same services as the web pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope, restrict
from apps.orgs.models import Organisation

from .. import selectors, services
from ..models import Consultation, Decision, Feedback, FeedbackCategory, LifeMeeting, LifeRectification, Notice, Opinion
from . import serializers as s

ORG = OpenApiParameter("org", OpenApiTypes.INT, description="党组织ID（含下级）")
Q_ = OpenApiParameter("q", OpenApiTypes.STR, description="标题/议题")
STATUS = OpenApiParameter("status", OpenApiTypes.STR)


def _params(request) -> dict:
    return {k: v for k, v in request.query_params.items()}


@extend_schema(
    tags=["党内民主"], parameters=[ORG, Q_, STATUS, OpenApiParameter("overdue", OpenApiTypes.BOOL, description="只看超期未答复")]
)
class FeedbackViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """意见反馈（负责答复或提出的组织可见）。answer：负责组织答复；mine / raise_：党员本人。"""

    serializer_class = s.DemocracyFeedbackSerializer
    queryset = Feedback.objects.none()  # the model (schema, access matrix); rows come from get_queryset
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.feedback_list(self.request.user, _params(self.request))
        if self.action == "mine":
            return selectors.my_feedback(self.request.user)
        return restrict(Feedback.objects.all(), self.request.user, "view").select_related("organisation", "origin", "raiser", "category")

    @extend_schema(request=s.DemocracyAnswerSerializer, responses={200: s.DemocracyFeedbackSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        fb = self.get_object()
        d = self.body(s.DemocracyAnswerSerializer)
        fb = services.answer_feedback(fb, answer=d["answer"], actor=request.user)
        return self.reply(s.DemocracyFeedbackSerializer, fb)

    @extend_schema(responses={200: s.DemocracyFeedbackSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """我的反馈（党员本人提出的，含答复）。"""
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.DemocracyFeedbackSerializer(page, many=True).data)

    @extend_schema(request=s.DemocracyRaiseSerializer, responses={201: s.DemocracyFeedbackSerializer})
    @mine.mapping.post
    def raise_(self, request):
        """党员本人提出意见、建议、申诉或控告（提交给本组织或上级组织）。"""
        if not request.user.member_id:
            raise NotFound("您的账号未关联党员档案")
        d = self.body(s.DemocracyRaiseSerializer)
        data = {"subject": d["subject"], "content": d["content"], "category": FeedbackCategory.objects.filter(pk=d["category"]).first()}
        if d.get("organisation"):
            path = request.user.member.org_path
            ancestors = Organisation.ancestor_paths(path)
            # only the member's own organisation or one above it: any other id is a 404
            data["organisation"] = Organisation.objects.filter(pk=d["organisation"], path__in=ancestors).first() or _missing()
        fb = services.raise_feedback(data, actor=request.user)
        return self.reply(s.DemocracyFeedbackSerializer, fb, created=True)


def _missing():
    raise NotFound("未找到该党组织")


def _org(request, pk) -> Organisation:
    """An organisation the user may change (404 outside the scope, as everywhere)."""
    return get_in_scope(Organisation.objects.all(), request.user, "change", pk=pk)


def _fail(field, message):
    raise DjangoValidationError({field: [message]})


@extend_schema(tags=["党内民主"], parameters=[ORG, Q_])
class NoticeViewSet(ServiceActions, viewsets.ReadOnlyModelViewSet):
    """党务公开（管理范围内）。mine：发给本人的；read：本人已阅回执。"""

    serializer_class = s.DemocracyNoticeSerializer
    queryset = Notice.objects.none()  # the model (schema, access matrix); rows come from get_queryset
    filter_backends = []

    def get_queryset(self):
        if self.action == "list":
            return selectors.notice_list(self.request.user, _params(self.request))
        if self.action in ("mine", "read"):
            member_id = self.request.user.member_id
            if not member_id:  # not a member: nothing addressed to this account
                return Notice.objects.none()
            return selectors.notices_for_member(member_id).select_related("organisation", "category").order_by("-publish_on", "-id")
        return restrict(Notice.objects.all(), self.request.user, "view").select_related("organisation", "category")

    @extend_schema(responses={200: s.DemocracyNoticeSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.DemocracyNoticeSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: s.DemocracyNoticeSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()
        services.mark_read(notice, actor=request.user)
        return self.reply(s.DemocracyNoticeSerializer, notice)


@extend_schema(tags=["党内民主"], parameters=[ORG, Q_, STATUS])
class ConsultationViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """征求意见（管理范围内，含意见数）。POST 发起；decide：截止后登记决定结果；opinions：意见（匿名者不显示姓名）；
    mine：向本人征求的；opinion：本人提交意见（每人一次；允许匿名时可匿名）。"""

    serializer_class = s.DemocracyConsultationSerializer
    queryset = Consultation.objects.none()  # the model (schema, access matrix); rows come from get_queryset
    filter_backends = []

    def get_queryset(self):
        if self.action in ("mine", "opinion"):
            member_id = self.request.user.member_id
            if not member_id:  # not a member: nothing asked of this account
                return Consultation.objects.none()
            return (
                selectors.consultations_for_member(member_id)
                .select_related("organisation")
                .annotate(opinion_count=Count("opinions"))
                .order_by("-opens_on", "-id")
            )
        return selectors.consultation_list(self.request.user, _params(self.request) if self.action == "list" else {})

    @extend_schema(request=s.DemocracyConsultationWriteSerializer, responses={201: s.DemocracyConsultationSerializer})
    def create(self, request, *args, **kwargs):
        d = self.body(s.DemocracyConsultationWriteSerializer)
        data = {**d, "organisation": _org(request, d["organisation"])}
        c = services.start_consultation(data, actor=request.user)
        return Response(self._shown(c), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DemocracyDecideSerializer, responses={200: s.DemocracyConsultationSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """截止后登记决定结果（提交过意见的党员可看到）。"""
        c = self.get_object()
        data = self.body(s.DemocracyDecideSerializer)
        c = services.decide_consultation(c, decision=data["decision"], actor=request.user)
        return Response(self._shown(c))

    def _shown(self, c) -> dict:
        """The consultation as the list shows it (with its opinion count)."""
        return s.DemocracyConsultationSerializer(selectors.consultation_list(self.request.user).get(pk=c.pk)).data

    @extend_schema(responses={200: s.DemocracyOpinionSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def opinions(self, request, pk=None):
        c = self.get_object()
        page = self.paginate_queryset(Opinion.objects.filter(consultation=c).select_related("member").order_by("id"))
        return self.get_paginated_response(s.DemocracyOpinionSerializer(page, many=True).data)

    @extend_schema(responses={200: s.DemocracyConsultationSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.DemocracyConsultationSerializer(page, many=True).data)

    @extend_schema(request=s.DemocracyOpinionWriteSerializer, responses={201: s.DemocracyOpinionSerializer})
    @action(detail=True, methods=["post"])
    def opinion(self, request, pk=None):
        c = self.get_object()
        d = self.body(s.DemocracyOpinionWriteSerializer)
        o = services.submit_opinion(c, d, actor=request.user)
        return self.reply(s.DemocracyOpinionSerializer, o, created=True)


@extend_schema(
    tags=["党内民主"], parameters=[ORG, Q_, OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("category", OpenApiTypes.STR)]
)
class DecisionViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """集体决策记录（议题、提议人、个别酝酿、会议、票决结果、公示）。POST 登记（会议、征求意见须是本组织的）。"""

    serializer_class = s.DemocracyDecisionSerializer
    queryset = Decision.objects.none()  # the model (schema, access matrix); rows come from get_queryset
    filter_backends = []

    def get_queryset(self):
        return selectors.decision_list(self.request.user, _params(self.request) if self.action == "list" else {})

    @extend_schema(request=s.DemocracyDecisionWriteSerializer, responses={201: s.DemocracyDecisionSerializer})
    def create(self, request, *args, **kwargs):
        from apps.orglife.models import Meeting

        data = self.body(s.DemocracyDecisionWriteSerializer)
        data["organisation"] = _org(request, data["organisation"])
        # Any id is handed to the service, which refuses another organisation's (a Chinese 400).
        if data.get("meeting") is not None:
            data["meeting"] = Meeting.objects.filter(pk=data["meeting"]).first() or _fail("meeting", "未找到该会议记录")
        if data.get("consultation") is not None:
            data["consultation"] = Consultation.objects.filter(pk=data["consultation"]).first() or _fail("consultation", "未找到该征求意见")
        d = services.record_decision(data, actor=request.user)
        return self.reply(s.DemocracyDecisionSerializer, d, created=True)


@extend_schema(
    tags=["党内民主"],
    parameters=[ORG, STATUS, OpenApiParameter("overdue", OpenApiTypes.BOOL), OpenApiParameter("meeting", OpenApiTypes.INT)],
)
class RectificationViewSet(ServiceActions, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """民主生活会、组织生活会整改事项。POST 登记整改事项；done：登记整改完成。"""

    serializer_class = s.DemocracyRectificationSerializer
    queryset = LifeRectification.objects.none()  # the model (schema, access matrix); rows come from get_queryset
    filter_backends = []

    def get_queryset(self):
        if self.action == "done":
            return restrict(LifeRectification.objects.select_related("organisation", "meeting"), self.request.user, "change")
        return selectors.rectification_list(self.request.user, _params(self.request) if self.action == "list" else {})

    @extend_schema(request=s.DemocracyRectificationWriteSerializer, responses={201: s.DemocracyRectificationSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.DemocracyRectificationWriteSerializer)
        meeting = get_in_scope(LifeMeeting.objects.select_related("organisation"), request.user, "change", pk=data.pop("meeting"))
        r = services.add_rectification(meeting, data, actor=request.user)
        return self.reply(s.DemocracyRectificationSerializer, r, created=True)

    @extend_schema(request=s.DemocracyRectificationDoneSerializer, responses={200: s.DemocracyRectificationSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        r = self.get_object()
        d = self.body(s.DemocracyRectificationDoneSerializer)
        r = services.complete_rectification(r, note=d["done_note"], done_on=d.get("done_on"), actor=request.user)
        return self.reply(s.DemocracyRectificationSerializer, r)
