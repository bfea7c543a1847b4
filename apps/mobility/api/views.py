"""Mobility API: lists are the screens' selectors (scoped with `restrict`) with the query
parameters validated by the FilterSets of api/filters.py; one object outside the caller's
scope is a 404; every write calls the same service as the web page."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError

from apps.core.api.actions import ServiceActions
from apps.core.scoping import get_in_scope, has_action
from apps.members.models import Member
from apps.mobility import selectors, services
from apps.mobility.models import (
    HostRegistration,
    HostReport,
    MobileContact,
    MobileRecord,
    MobilityRuleVersion,
    NonPublicCard,
    TemporaryBranch,
    Transfer,
)
from apps.orgs.models import Organisation

from . import filters as f
from . import serializers as s


class _Selected(ServiceActions, viewsets.GenericViewSet):
    """list: the screen's selector with the FilterSet's validated parameters (a bad value
    is a 400 naming the parameter); retrieve and actions: the selector without filters,
    i.e. the caller's scope only."""

    filter_backends = [DjangoFilterBackend]
    select = staticmethod(lambda user, params: None)

    def get_queryset(self):
        return type(self).select(self.request.user, {})

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        fs = self.filterset_class(self.request.query_params, queryset=queryset, request=self.request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        return type(self).select(self.request.user, fs.params())

    def _one(self, pk):
        return type(self).select(self.request.user, {}).get(pk=pk)


@extend_schema(tags=["组织关系转接"])
class TransferViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """组织关系转接：转出方与接收方两边都能看到；新增即提出转接申请。"""

    serializer_class = s.TransferSerializer
    filterset_class = f.TransferFilterSet
    queryset = Transfer.objects.none()
    select = staticmethod(lambda user, params: selectors.transfers(user, params).prefetch_related("steps"))

    @extend_schema(request=s.TransferCreateSerializer, responses={201: s.TransferSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.TransferCreateSerializer)
        member = self.in_scope(Member, data.pop("member"), "view")
        to = data.pop("to_organisation", None)
        if to is not None:
            data["to_organisation"] = get_in_scope(Organisation.objects.all(), _anyone(), "view", pk=to)
        return self.reply(s.TransferSerializer, services.request_transfer(member, data, actor=request.user), created=True)

    @extend_schema(request=s.TransferActSerializer, responses=s.TransferSerializer)
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        """办理下一步：同意/不同意（转出方）、接收/退回（接收方）、登记回执、补开介绍信、撤销。"""
        t = self.in_scope(Transfer, pk, "view")
        d = self.body(s.TransferActSerializer)
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
        return self.reply(s.TransferSerializer, Transfer.objects.prefetch_related("steps").get(pk=t.pk))


def _anyone():
    """The receiving organisation of a transfer may be anywhere in the deployment."""
    from apps.core.actors import system_actor

    return system_actor("system")


@extend_schema(tags=["流动党员"])
class MobileRecordViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """流动党员登记（流动党员活动证）；新增即发证（外出期限留空按规则默认值）。联系人电话脱敏。"""

    serializer_class = s.MobileRecordSerializer
    filterset_class = f.MobileRecordFilterSet
    queryset = MobileRecord.objects.none()
    select = staticmethod(selectors.mobile_records)

    @extend_schema(request=s.MobileCreateSerializer, responses={201: s.MobileRecordSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.MobileCreateSerializer)
        member = self.in_scope(Member, data.pop("member"), "view")
        return self.reply(s.MobileRecordSerializer, services.register_mobile(member, data, actor=request.user), created=True)

    @extend_schema(request=s.ContactSerializer, responses={201: s.ContactSerializer})
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        """记录党员报告（每年至少一次）或组织联系（出国境学习每6个月至少一次）。"""
        return self.act_on(
            MobileRecord,
            pk,
            lambda record, d: services.add_contact(record, d, actor=request.user),
            using=s.ContactSerializer,
            reply=s.ContactSerializer,
            action="view",
            created=True,
        )

    @extend_schema(request=s.ReturnSerializer, responses=s.MobileRecordSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def record_return(self, request, pk=None):
        """登记返回、交回活动证。"""
        return self.act_on(
            MobileRecord,
            pk,
            lambda record, d: services.record_return(record, actor=request.user, **d),
            using=s.ReturnSerializer,
            reply=s.MobileRecordSerializer,
            action="view",
        )


# ── registers ────────────────────────────────────────────────────────────────────────
@extend_schema(tags=["流动党员"])
class CardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """非公企业党员证登记簿（谁持证、何时、由谁发）；新增即登记发证，withdraw 收回。"""

    serializer_class = s.CardSerializer
    filterset_class = f.CardFilterSet
    queryset = NonPublicCard.objects.none()
    select = staticmethod(selectors.non_public_cards)

    @extend_schema(request=s.CardCreateSerializer, responses={201: s.CardSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.CardCreateSerializer)
        member = get_in_scope(Member.objects.all(), request.user, "change", pk=data.pop("member"))
        card = services.issue_non_public_card(member, data, actor=request.user)
        return self.reply(s.CardSerializer, self._one(card.pk), created=True)

    @extend_schema(request=s.CardWithdrawSerializer, responses=s.CardSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """收回（离开企业、换证）：登记收回日期，收回后才能发新证。"""
        card = self.in_scope(NonPublicCard, pk)
        data = self.body(s.CardWithdrawSerializer)
        services.withdraw_non_public_card(card, date=data.get("withdrawn_on"), actor=request.user)
        return self.reply(s.CardSerializer, self._one(card.pk))


@extend_schema(tags=["流动党员"])
class HostRegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """流入党员登记（流入地党组织一方）：按活动证编号和姓名登记外来流动党员；列表含流出地党组织和最近一次
    向流出地报告的年度。reports：流入地向流出地的年度报告（GET 列表，POST 报告）。不含电话、身份证号。"""

    serializer_class = s.HostRegistrationSerializer
    filterset_class = f.HostRegistrationFilterSet
    queryset = HostRegistration.objects.none()
    select = staticmethod(selectors.host_registrations)

    @extend_schema(request=s.HostRegistrationCreateSerializer, responses={201: s.HostRegistrationSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.HostRegistrationCreateSerializer)
        host = get_in_scope(Organisation.objects.all(), request.user, "change", pk=data["host"])
        reg = services.register_host(
            data["certificate_no"], data["member_name"], host, date=data.get("date"), note=data.get("note") or "", actor=request.user
        )
        return self.reply(s.HostRegistrationSerializer, self._one(reg.pk), created=True)

    @extend_schema(methods=["GET"], request=None, responses={200: s.HostReportSerializer(many=True)})
    @extend_schema(methods=["POST"], request=s.HostReportCreateSerializer, responses={201: s.HostReportSerializer})
    @action(detail=True, methods=["get", "post"])
    def reports(self, request, pk=None):
        if request.method == "POST":
            reg = self.in_scope(HostRegistration, pk)
            report = services.record_host_report(reg, self.body(s.HostReportCreateSerializer), actor=request.user)
            report = selectors.host_reports(request.user, {}).get(pk=report.pk)
            return self.reply(s.HostReportSerializer, report, created=True)
        reg = self.get_object()
        page = self.paginate_queryset(selectors.host_reports(request.user, {"registration": str(reg.pk)}))
        return self.get_paginated_response(s.HostReportSerializer(page, many=True).data)


@extend_schema(tags=["流动党员"])
class HostReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """流入地年度报告：流入地（报告方）和流出地（接收方）都能看到；流出地按 record 查某名党员的报告。"""

    serializer_class = s.HostReportSerializer
    filterset_class = f.HostReportFilterSet
    queryset = HostReport.objects.none()
    select = staticmethod(selectors.host_reports)


@extend_schema(tags=["流动党员"])
class TemporaryBranchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """临时党支部（党小组）：新增即成立（同一地点达到规定人数的流动党员）；members 编入（已过撤销日期的拒绝）；
    close 撤销（留记录）。status=expired 列出已过撤销日期、待撤销的。"""

    serializer_class = s.TemporaryBranchSerializer
    filterset_class = f.TemporaryBranchFilterSet
    queryset = TemporaryBranch.objects.none()
    select = staticmethod(selectors.temporary_branches)

    @extend_schema(request=s.TemporaryBranchCreateSerializer, responses={201: s.TemporaryBranchSerializer})
    def create(self, request, *args, **kwargs):
        data = self.body(s.TemporaryBranchCreateSerializer)
        org = get_in_scope(Organisation.objects.all(), request.user, "change", pk=data.pop("organisation"))
        members = data.pop("members")
        branch = services.form_temporary_branch(org, data, members, actor=request.user)
        return self.reply(s.TemporaryBranchSerializer, self._one(branch.pk), created=True)

    @extend_schema(request=s.TemporaryMembersSerializer, responses=s.TemporaryBranchSerializer)
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        branch = self.in_scope(TemporaryBranch, pk)
        services.add_temporary_members(branch, self.body(s.TemporaryMembersSerializer)["members"], actor=request.user)
        return self.reply(s.TemporaryBranchSerializer, self._one(branch.pk))

    @extend_schema(request=s.TemporaryCloseSerializer, responses=s.TemporaryBranchSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        branch = self.in_scope(TemporaryBranch, pk)
        data = self.body(s.TemporaryCloseSerializer)
        services.close_temporary_branch(branch, date=data.get("date"), note=data.get("note") or "", actor=request.user)
        return self.reply(s.TemporaryBranchSerializer, self._one(branch.pk))


@extend_schema(tags=["流动党员"])
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Selected):
    """报告与联系记录（党员向流出地报告、流出地联系党员）；abroad=true 为出国（境）学习党员的定期联系记录。
    新增记录：POST /mobility/mobile-records/{id}/contacts/。"""

    serializer_class = s.ContactListSerializer
    filterset_class = f.ContactFilterSet
    queryset = MobileContact.objects.none()
    select = staticmethod(selectors.contacts)


@extend_schema(tags=["流动党员"])
class RetiredBranchViewSet(mixins.ListModelMixin, _Selected):
    """离退休党支部登记簿（单位类型为“离退休”的党组织）。"""

    serializer_class = s.RetiredBranchSerializer
    filterset_class = f.RetiredBranchFilterSet
    queryset = Organisation.objects.none()
    select = staticmethod(selectors.retired_branches)


@extend_schema(tags=["流动党员"])
class UnemployedMemberViewSet(mixins.ListModelMixin, _Selected):
    """下岗/失业党员名单及所在党组织（留守支部）；只有姓名和组织，无身份证号和电话。"""

    serializer_class = s.UnemployedMemberSerializer
    filterset_class = f.UnemployedMemberFilterSet
    queryset = Member.objects.none()
    select = staticmethod(selectors.unemployed_members)


@extend_schema(tags=["流动党员"])
class RuleVersionViewSet(ServiceActions, mixins.ListModelMixin, viewsets.GenericViewSet):
    """流动与转接规则版本（最新一版为现行规则）：介绍信有效期及可填范围、回执期限、活动证外出期限、
    报告与联系间隔。新增即保存新版本（仅县委组织部管理员，即有“设置”权限的用户）。"""

    serializer_class = s.RuleVersionSerializer
    queryset = MobilityRuleVersion.objects.none()
    filter_backends = []

    def get_queryset(self):
        if not has_action(self.request.user, "view"):
            return MobilityRuleVersion.objects.none()
        services.current_rules()  # the seed, after a flush
        return MobilityRuleVersion.objects.select_related("created_by").order_by("-id")

    @extend_schema(request=s.RuleWriteSerializer, responses={201: s.RuleVersionSerializer})
    def create(self, request, *args, **kwargs):
        if not has_action(request.user, "configure"):
            raise NotFound("未找到该记录，或不在您的管理范围内")
        data = self.body(s.RuleWriteSerializer)
        note = data.pop("note")
        return self.reply(s.RuleVersionSerializer, services.save_rules(data, note=note, actor=request.user), created=True)
