"""Thin serializers: they describe and parse; apps.orgs.services validates and writes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import services
from ..models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    org_type_display = serializers.CharField(source="get_org_type_display", read_only=True, label="组织类别名称")
    unit_type_display = serializers.CharField(source="get_unit_type_display", read_only=True, label="单位类型名称")
    # A plain string in the schema: "status" is also the member status enum's name.
    status = serializers.CharField(read_only=True, label="状态", help_text="active 正常 / dissolved 已撤销")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="状态名称")
    parent = serializers.SerializerMethodField(label="上级组织")
    subtree_member_count = serializers.SerializerMethodField(label="党员数（含下级）")
    term_state = serializers.SerializerMethodField(label="换届状态")
    numchild = serializers.IntegerField(read_only=True, label="下级组织数")
    depth = serializers.IntegerField(read_only=True, label="层级")

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "code",
            "org_type",
            "org_type_display",
            "unit_type",
            "unit_type_display",
            "founded_on",
            "term_start",
            "term_end",
            "term_state",
            "contact_person",
            "contact_phone",
            "address",
            "status",
            "status_display",
            "dissolved_on",
            "depth",
            "numchild",
            "parent",
            "direct_member_count",
            "subtree_member_count",
        ]
        read_only_fields = fields

    def get_parent(self, obj) -> int | None:  # null for the county committee (the root)
        parent = self.context.get("parents", {}).get(obj.pk)
        return parent.pk if parent else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_subtree_member_count(self, obj) -> int:
        return self.context.get("counts", {}).get(obj.pk, 0)

    @extend_schema_field(serializers.ChoiceField(choices=[("overdue", "已到期"), ("due", "即将到期"), ("ok", "任期内"), ("", "未记录")]))
    def get_term_state(self, obj) -> str:
        return services.term_state(obj)


class OrganisationWriteSerializer(serializers.Serializer):
    """Values for create/update; every rule (required fields, allowed types under the
    parent, unique code, term dates) is checked by apps.orgs.services."""

    parent = serializers.IntegerField(required=False, label="上级组织", help_text="新建时必填：上级组织的 id")
    name = serializers.CharField(required=False, allow_blank=True, max_length=120, label="组织全称")
    short_name = serializers.CharField(required=False, allow_blank=True, max_length=60, label="简称")
    code = serializers.CharField(required=False, allow_blank=True, max_length=32, label="组织代码")
    org_type = serializers.CharField(
        required=False, allow_blank=True, label="组织类别", help_text="county_committee / committee / general_branch / branch …"
    )
    unit_type = serializers.CharField(required=False, allow_blank=True, label="单位类型")
    founded_on = serializers.DateField(required=False, allow_null=True, label="成立日期")
    term_start = serializers.DateField(required=False, allow_null=True, label="本届任期开始")
    term_end = serializers.DateField(required=False, allow_null=True, label="本届任期届满")
    contact_person = serializers.CharField(required=False, allow_blank=True, max_length=40, label="联系人")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40, label="联系电话")
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, label="地址")
