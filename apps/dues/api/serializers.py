from rest_framework import serializers

from apps.dues import rules
from apps.dues.models import ArrearsCase, Collection, DuesLine, IncomeDeclaration, Payment, Reduction


class DuesLineSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")
    rate_label = serializers.CharField(read_only=True, label="比例")

    class Meta:
        model = DuesLine
        fields = [
            "id",
            "member",
            "member_name",
            "month",
            "organisation",
            "organisation_name",
            "category",
            "base",
            "rate",
            "rate_label",
            "standard_amount",
            "amount_due",
            "status",
            "paid_elsewhere",
            "paid_on",
            "payment",
            "reduction",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")

    class Meta:
        model = Payment
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "amount",
            "paid_on",
            "mode",
            "branch_consent",
            "payer_kind",
            "payer_name",
            "method",
            "first_month",
            "last_month",
            "month_count",
            "warning",
            "note",
            "recorded_at",
        ]
        read_only_fields = fields


class PaymentCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(label="党员ID")
    months = serializers.ListField(child=serializers.CharField(), label="缴纳月份（YYYY-MM）", allow_empty=False)
    amount = serializers.CharField(label="金额（元）")
    paid_on = serializers.DateField(label="缴纳日期", required=False, allow_null=True)
    mode = serializers.CharField(label="缴纳方式（monthly/quarterly）", required=False, default="monthly")
    branch_consent = serializers.BooleanField(label="支部同意按季度缴纳", required=False, default=False)
    payer_kind = serializers.CharField(label="缴纳人（self/proxy）", required=False, default="self")
    payer_name = serializers.CharField(label="代交人姓名", required=False, allow_blank=True, default="")
    method = serializers.CharField(label="支付方式", required=False, default="cash")
    kind = serializers.CharField(label="缴纳类型", required=False, default="regular")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="")


class PaymentResultSerializer(serializers.Serializer):
    payment = PaymentSerializer(label="缴费记录")
    warnings = serializers.ListField(child=serializers.CharField(), label="提示")


class DeclarationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")
    category = serializers.ChoiceField(choices=rules.CATEGORY_CHOICES, label="党费类别")
    base = serializers.CharField(label="缴纳基数（元）", required=False, allow_null=True, allow_blank=True)
    fixed_amount = serializers.CharField(label="定额（元/月）", required=False, allow_null=True, allow_blank=True)
    effective_month = serializers.CharField(label="起算月份（YYYY-MM）")
    member = serializers.IntegerField(source="member_id", label="党员ID")

    class Meta:
        model = IncomeDeclaration
        fields = [
            "id",
            "member",
            "member_name",
            "category",
            "base",
            "fixed_amount",
            "effective_month",
            "declared_on",
            "note",
            "recorded_by",
        ]
        read_only_fields = ["id", "member_name", "declared_on", "recorded_by"]


class ArrearsRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(label="党员ID")
    member_name = serializers.CharField(label="党员姓名")
    organisation_id = serializers.IntegerField(label="党组织ID")
    months = serializers.IntegerField(label="连续欠缴月数")
    first_unpaid = serializers.DateField(label="欠缴起始月份")
    last_unpaid = serializers.DateField(label="欠缴截止月份")
    level = serializers.CharField(label="提醒级别")
    level_text = serializers.CharField(label="提醒说明")
    case_id = serializers.IntegerField(label="处置编号", allow_null=True)


class ArrearsCaseSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")

    class Meta:
        model = ArrearsCase
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "opened_on",
            "first_unpaid_month",
            "months_unpaid",
            "status",
            "decision",
            "meeting_date",
            "decision_note",
            "decided_by",
        ]
        read_only_fields = fields


class CaseDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ArrearsCase.Decision.choices, label="支部大会决定")
    meeting_date = serializers.DateField(label="支部大会日期")
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="")


class CollectionSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="党组织")
    total_in_hand = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, label="实收合计")
    difference = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True, label="差额")

    class Meta:
        model = Collection
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "month",
            "expected",
            "collected",
            "received_from_below",
            "voluntary",
            "total_in_hand",
            "handed_over",
            "difference",
            "difference_note",
            "handed_to",
            "handed_on",
            "status",
            "handed_by",
            "confirmed_by",
            "confirmed_on",
        ]
        read_only_fields = fields


class HandOverSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(label="党组织ID")
    month = serializers.CharField(label="月份（YYYY-MM）")
    amount = serializers.CharField(label="上交金额（元）")
    handed_on = serializers.DateField(label="上交日期", required=False, allow_null=True)
    difference_note = serializers.CharField(label="差额说明", required=False, allow_blank=True, default="")


class ReductionSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, label="党员姓名")

    class Meta:
        model = Reduction
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "kind",
            "monthly_amount",
            "start_month",
            "end_month",
            "reason",
            "status",
            "proposed_by",
            "proposed_on",
            "decided_by",
            "decided_on",
            "decision_note",
        ]
        read_only_fields = fields


class GenerateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(label="党组织ID")
    month = serializers.CharField(label="月份（YYYY-MM）")


class GenerateResultSerializer(serializers.Serializer):
    month = serializers.DateField(label="月份")
    created = serializers.IntegerField(label="新增条数")
    existing = serializers.IntegerField(label="已存在条数")
    missing_declaration = serializers.ListField(child=serializers.IntegerField(), label="未申报基数的党员ID")
    cases_opened = serializers.IntegerField(label="新开启欠缴处置")
