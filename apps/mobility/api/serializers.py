from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.members.models import Member
from apps.mobility import rules
from apps.mobility.models import (
    HostRegistration,
    HostReport,
    MobileContact,
    MobileRecord,
    MobilityRuleVersion,
    NonPublicCard,
    TemporaryBranch,
    Transfer,
    TransferStep,
)
from apps.orgs.models import Organisation


class MaskedPhoneField(serializers.CharField):
    """A phone shown masked (138****5678): the full number only on the web record page."""

    def to_representation(self, value):
        from apps.core.crypto import mask_phone

        return mask_phone(str(value or ""))


@extend_schema_serializer(component_name="TransferStep")  # "Step" is recruitment's development step
class StepSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, label="环节")

    class Meta:
        model = TransferStep
        fields = ["code", "label", "approved", "date", "by", "note"]
        read_only_fields = fields


class TransferSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    from_label = serializers.CharField(read_only=True, label="转出党组织")
    to_label = serializers.CharField(read_only=True, label="接收党组织")
    next_step_label = serializers.CharField(read_only=True, label="下一步")
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "member",
            "member_name",
            "organisation",
            "to_organisation",
            "from_label",
            "to_label",
            "outside_org_name",
            "across_province",
            "leaving_county",
            "reason",
            "requested_on",
            "validity_days",
            "status",
            "next_step",
            "next_step_label",
            "serial",
            "issued_on",
            "valid_until",
            "receipt_due",
            "received_on",
            "closed_note",
            "steps",
        ]
        read_only_fields = fields


class TransferCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    kind = serializers.ChoiceField(choices=rules.KIND_CHOICES[:2], default="internal", label="转接类型")
    to_organisation = serializers.IntegerField(required=False, allow_null=True, min_value=1, label="接收党组织ID（系统内）")
    outside_org_name = serializers.CharField(required=False, allow_blank=True, max_length=120, label="接收党组织（系统外）")
    across_province = serializers.BooleanField(required=False, default=False, label="跨省")
    reason = serializers.CharField(max_length=200, label="转接原因")
    validity_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999, label="有效期（天）")
    date = serializers.DateField(required=False, allow_null=True, label="申请日期")


class TransferActSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["approve", "reject", "accept", "refuse", "receipt", "reissue", "cancel"], label="操作")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="意见/理由")
    date = serializers.DateField(required=False, allow_null=True, label="日期")
    validity_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999, label="新介绍信有效期（天）")


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = MobileContact
        fields = ["id", "kind", "date", "content", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]
        extra_kwargs = {"date": {"required": False, "allow_null": True}}


class MobileRecordSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    home_contact_phone = MaskedPhoneField(read_only=True, label="联系人电话（脱敏）")

    class Meta:
        model = MobileRecord
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "certificate_no",
            "issued_on",
            "issued_by",
            "reason",
            "destination",
            "months",
            "expected_return",
            "home_contact",
            "home_contact_phone",
            "studying_abroad",
            "no_fixed_place",
            "host_name",
            "host_organisation",
            "host_registered_on",
            "temporary_branch",
            "last_report_on",
            "last_contact_on",
            "next_due",
            "status",
            "returned_on",
            "certificate_returned",
        ]
        read_only_fields = fields


class MobileCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    issued_on = serializers.DateField(required=False, allow_null=True, label="发证日期")
    reason = serializers.CharField(max_length=120, label="外出原因")
    destination = serializers.CharField(max_length=120, label="外出地点")
    months = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=999, label="外出期限（月，留空按规则默认值）")
    home_contact = serializers.CharField(max_length=60, label="流出地联系人")
    home_contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, label="联系人电话")
    host_name = serializers.CharField(required=False, allow_blank=True, max_length=120, label="流入地党组织")
    studying_abroad = serializers.BooleanField(required=False, default=False, label="出国（境）学习")
    no_fixed_place = serializers.BooleanField(required=False, default=False, label="长期外出无固定地点")


class ReturnSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, label="返回日期")
    certificate_returned = serializers.BooleanField(required=False, default=True, label="已交回活动证")


# ── registers (issue 17: every mobility register has an API) ─────────────────────────
class CardSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")

    class Meta:
        model = NonPublicCard
        fields = ["id", "member", "member_name", "organisation", "organisation_name", "number", "issued_on", "issued_by", "withdrawn_on"]
        read_only_fields = fields


class CardCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID", min_value=1)
    number = serializers.CharField(max_length=30, label="证号")
    issued_on = serializers.DateField(required=False, allow_null=True, label="发证日期（留空为今天）")
    issued_by = serializers.CharField(max_length=120, label="发证单位")


class CardWithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(required=False, allow_null=True, label="收回日期（留空为今天）")


class HostRegistrationSerializer(serializers.ModelSerializer):
    """The host's view of an incoming member: the home organisation, no phone, no ID."""

    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="流入地党组织")
    member_name = serializers.CharField(source="record.member.name", read_only=True, label="党员姓名")
    certificate_no = serializers.CharField(source="record.certificate_no", read_only=True, label="活动证编号")
    home_organisation = serializers.IntegerField(source="record.organisation_id", read_only=True, label="流出地党组织ID")
    home_organisation_name = serializers.CharField(source="record.organisation.name", read_only=True, label="流出地党组织")
    destination = serializers.CharField(source="record.destination", read_only=True, label="外出地点")
    expected_return = serializers.DateField(source="record.expected_return", read_only=True, label="预计返回日期")
    status = serializers.ChoiceField(source="record.status", choices=rules.MOBILE_STATUS_CHOICES, read_only=True, label="外出状态")
    last_report_year = serializers.IntegerField(read_only=True, allow_null=True, label="最近报告年度")
    last_report_on = serializers.DateField(read_only=True, allow_null=True, label="最近报告日期")

    class Meta:
        model = HostRegistration
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "registered_on",
            "note",
            "member_name",
            "certificate_no",
            "home_organisation",
            "home_organisation_name",
            "destination",
            "expected_return",
            "status",
            "last_report_year",
            "last_report_on",
        ]
        read_only_fields = fields


class HostRegistrationCreateSerializer(serializers.Serializer):
    certificate_no = serializers.CharField(max_length=20, label="活动证编号")
    member_name = serializers.CharField(max_length=40, label="姓名（须与活动证一致）")
    host = serializers.IntegerField(min_value=1, label="流入地党组织ID（本人管理范围内）")
    date = serializers.DateField(required=False, allow_null=True, label="登记日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="备注")


class HostReportSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="registration.record.member.name", read_only=True, label="党员姓名")
    host_organisation_name = serializers.CharField(source="registration.organisation.name", read_only=True, label="流入地党组织")
    home_organisation_name = serializers.CharField(source="registration.record.organisation.name", read_only=True, label="流出地党组织")

    class Meta:
        model = HostReport
        fields = [
            "id",
            "registration",
            "member_name",
            "host_organisation_name",
            "home_organisation_name",
            "year",
            "date",
            "content",
            "recorded_by",
        ]
        read_only_fields = fields


class HostReportCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=9999, label="年度（留空为报告日期所在年度）")
    date = serializers.DateField(required=False, allow_null=True, label="报告日期（留空为今天）")
    content = serializers.CharField(max_length=500, label="表现情况")


class TemporaryBranchSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="组建党组织")
    member_count = serializers.IntegerField(source="n", read_only=True, label="人数")
    expired = serializers.SerializerMethodField(label="已过撤销日期（待撤销）")

    class Meta:
        model = TemporaryBranch
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "name",
            "place",
            "formed_on",
            "end_date",
            "secretary_name",
            "note",
            "status",
            "expired",
            "closed_on",
            "closed_by",
            "closed_note",
            "member_count",
        ]
        read_only_fields = fields

    def get_expired(self, obj) -> bool:
        from django.utils import timezone

        return obj.expired_on(timezone.localdate())


class TemporaryBranchCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(min_value=1, label="组建党组织ID")
    name = serializers.CharField(max_length=120, label="名称")
    place = serializers.CharField(max_length=120, label="所在地")
    formed_on = serializers.DateField(required=False, allow_null=True, label="成立日期（留空为今天）")
    end_date = serializers.DateField(label="撤销日期（预计）")
    secretary_name = serializers.CharField(required=False, allow_blank=True, max_length=40, label="负责人")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="备注")
    members = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=500, label="流动党员的党员ID")


class TemporaryMembersSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500, label="编入的党员ID")


class TemporaryCloseSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, label="撤销日期（留空为今天）")
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label="撤销说明")


class ContactListSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="record.member.name", read_only=True, label="党员姓名")
    organisation_name = serializers.CharField(source="record.organisation.name", read_only=True, label="流出地党组织")
    studying_abroad = serializers.BooleanField(source="record.studying_abroad", read_only=True, label="出国（境）学习")

    class Meta:
        model = MobileContact
        fields = ["id", "record", "member_name", "organisation_name", "studying_abroad", "kind", "date", "content", "recorded_by"]
        read_only_fields = fields


class RetiredBranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "org_type", "direct_member_count", "contact_person"]
        read_only_fields = fields


class UnemployedMemberSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="所在党组织（留守支部）")

    class Meta:
        model = Member
        fields = ["id", "name", "organisation", "organisation_name", "status"]
        read_only_fields = fields


class RuleVersionSerializer(serializers.ModelSerializer):
    values = serializers.SerializerMethodField(label="规则取值（含默认值）")
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None, label="修订人")

    class Meta:
        model = MobilityRuleVersion
        fields = ["id", "values", "note", "created_by", "created_at"]
        read_only_fields = fields

    def get_values(self, obj) -> dict[str, int]:
        return obj.all_values()


def _rule_fields() -> dict:
    fields = {
        s.key: serializers.IntegerField(required=False, label=f"{s.label}（{s.unit}，{s.minimum}–{s.maximum}，留空沿用现行值）")
        for s in rules.SETTINGS
    }
    fields["note"] = serializers.CharField(max_length=200, label="修订说明")
    return fields


RuleWriteSerializer = type("MobilityRuleWriteSerializer", (serializers.Serializer,), _rule_fields())
