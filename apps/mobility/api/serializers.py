from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from apps.mobility import rules
from apps.mobility.models import MobileContact, MobileRecord, Transfer, TransferStep


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
    months = serializers.IntegerField(min_value=1, max_value=999, label="外出期限（月）")
    home_contact = serializers.CharField(max_length=60, label="流出地联系人")
    home_contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, label="联系人电话")
    host_name = serializers.CharField(required=False, allow_blank=True, max_length=120, label="流入地党组织")
    studying_abroad = serializers.BooleanField(required=False, default=False, label="出国（境）学习")
    no_fixed_place = serializers.BooleanField(required=False, default=False, label="长期外出无固定地点")


class ReturnSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, allow_null=True, label="返回日期")
    certificate_returned = serializers.BooleanField(required=False, default=True, label="已交回活动证")
