"""Care API serializers. Choice fields are plain text codes with a *_display (one enum per
name in the schema; "status"/"kind" are shared names). Members by id and name only."""

from rest_framework import serializers

from .. import rules
from ..models import Fund, FundApplication, FundMovement, Hardship, Household, HouseholdContact, Nomination, Pairing, Visit


class CareVisitSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    occasion_code = serializers.CharField(source="occasion.code", read_only=True)
    occasion_name = serializers.CharField(source="occasion.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "organisation_name",
            "occasion_code",
            "occasion_name",
            "visited_on",
            "visitors",
            "content",
            "amount",
            "follow_up",
            "follow_up_done_on",
        ]


class CareVisitWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="走访对象（党员ID）")
    occasion = serializers.CharField(help_text="事由代码，如 illness、july_first")
    visited_on = serializers.DateField()
    visitors = serializers.CharField(max_length=120)
    content = serializers.CharField(max_length=2000)
    amount = serializers.CharField(required=False, allow_blank=True, help_text="慰问金（元）")
    follow_up = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CareHardshipSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    cause = serializers.CharField(read_only=True)
    cause_display = serializers.CharField(source="get_cause_display", read_only=True)
    level = serializers.CharField(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    status = serializers.CharField(read_only=True)
    active_pairings = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Hardship
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "organisation_name",
            "cause",
            "cause_display",
            "level",
            "level_display",
            "description",
            "registered_on",
            "status",
            "closed_on",
            "closure_note",
            "active_pairings",
        ]


class CarePairingSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="hardship.member.name", read_only=True)
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Pairing
        fields = [
            "id",
            "hardship",
            "member_name",
            "helper",
            "helper_name",
            "organisation",
            "organisation_name",
            "started_on",
            "pledge_thought",
            "pledge_work",
            "pledge_poverty",
            "status",
            "last_update_on",
            "closed_on",
            "outcome",
        ]


class CareFundSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Fund
        fields = ["id", "organisation", "organisation_name", "name", "balance", "opened_on", "note"]


class CareFundMovementSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = FundMovement
        fields = ["id", "kind", "kind_display", "amount", "on", "counterparty", "application", "balance_after", "note"]


class CareFundApplicationSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    fund_name = serializers.CharField(source="fund.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = FundApplication
        fields = [
            "id",
            "fund",
            "fund_name",
            "member",
            "member_name",
            "organisation",
            "organisation_name",
            "amount",
            "reason",
            "applied_on",
            "status",
            "approved_amount",
            "decided_on",
            "meeting",
            "decision_note",
        ]


class CareNominationSerializer(serializers.ModelSerializer):
    kind_name = serializers.CharField(source="kind.name", read_only=True)
    level = serializers.CharField(source="kind.get_level_display", read_only=True)
    nominee_name = serializers.CharField(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "kind",
            "kind_name",
            "level",
            "year",
            "member",
            "nominee_org",
            "nominee_name",
            "organisation",
            "organisation_name",
            "deeds",
            "status",
            "vetting",
            "nominated_on",
            "notice_start",
            "notice_end",
            "decided_on",
        ]


class CareHouseholdSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "member",
            "member_name",
            "organisation",
            "organisation_name",
            "head_name",
            "address",
            "size",
            "phone_masked",
            "needy",
            "needs",
            "since_on",
            "status",
            "last_contact_on",
            "contact_count",
            "ended_on",
            "outcome",
        ]


class CareHouseholdWriteSerializer(serializers.Serializer):
    """登记党员联系户或结对帮扶的困难群众（needy=true 时 needs 必填）。"""

    member = serializers.IntegerField(help_text="联系党员ID（本人管理范围内）")
    head_name = serializers.CharField(max_length=40)
    address = serializers.CharField(max_length=120)
    size = serializers.IntegerField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="联系电话（加密保存，返回时只给部分号码）")
    needy = serializers.BooleanField(required=False, default=False)
    needs = serializers.CharField(max_length=300, required=False, allow_blank=True)
    since_on = serializers.DateField(required=False)


class CareHouseholdEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False)
    outcome = serializers.CharField(max_length=300)


class CarePhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(read_only=True, help_text="完整联系电话（本次查看已记入敏感操作日志）")


class CareHouseholdContactSerializer(serializers.ModelSerializer):
    way = serializers.ChoiceField(choices=rules.CONTACT_WAYS)

    class Meta:
        model = HouseholdContact
        fields = ["id", "on", "way", "situation", "help_given", "by"]
        extra_kwargs = {"by": {"required": False}, "help_given": {"required": False}}
