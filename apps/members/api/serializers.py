"""Thin serializers: personal data only in masked form on the way out; writes are parsed
here and validated by apps.members.services."""

from rest_framework import serializers

from apps.core.text import NAME_MAX, REMARKS_MAX

from .. import codes
from ..models import Member


class MemberSerializer(serializers.ModelSerializer):
    sex_display = serializers.CharField(source="get_sex_display", read_only=True, label="性别名称")
    education_display = serializers.CharField(source="get_education_display", read_only=True, label="学历名称")
    occupation_display = serializers.CharField(source="get_occupation_display", read_only=True, label="工作岗位名称")
    member_type_display = serializers.CharField(source="get_member_type_display", read_only=True, label="人员类别名称")
    status_display = serializers.CharField(source="get_status_display", read_only=True, label="党籍状态名称")
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, label="所在党组织名称")
    categories = serializers.SerializerMethodField(label="党员类别")

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "sex",
            "sex_display",
            "ethnicity",
            "birth_date",
            "id_number_masked",
            "phone_masked",
            "native_place",
            "education",
            "education_display",
            "degree",
            "occupation",
            "occupation_display",
            "work_unit",
            "job_post",
            "work_start_date",
            "address",
            "application_date",
            "join_date",
            "conversion_date",
            "member_type",
            "member_type_display",
            "status",
            "status_display",
            "status_since",
            "lost_contact_reason",
            "increase_method",
            "organisation",
            "organisation_name",
            "party_group",
            "categories",
            "remarks",
            "updated_at",
        ]
        read_only_fields = fields

    def get_categories(self, obj) -> list[str]:
        return sorted(c.code for c in obj.categories.all())


_LABELS = {
    "sex": dict(codes.SEX_CHOICES),
    "education": dict(codes.EDUCATION_CHOICES),
    "occupation": dict(codes.OCCUPATION_CHOICES),
    "member_type": dict(codes.MEMBER_TYPE_CHOICES),
    "status": dict(codes.STATUS_CHOICES),
}


def _iso(d):
    return d.isoformat() if d else None


def list_row(v: dict) -> dict:
    """One list row from a dict of the member's columns (the list view reads
    `.values(*LIST_VALUES)`: no model instance per row). Says exactly what
    MemberListSerializer says of the same member as a model instance (tests compare the
    two renderings byte for byte)."""
    return {
        "id": v["id"],
        "name": v["name"],
        "sex": v["sex"],
        "sex_display": _SEX.get(v["sex"], v["sex"]),
        "ethnicity": v["ethnicity"],
        "birth_date": _iso(v["birth_date"]),
        "id_number_masked": v["id_number_masked"],
        "phone_masked": v["phone_masked"],
        "education": v["education"],
        "education_display": _EDUCATION.get(v["education"], v["education"]),
        "occupation": v["occupation"],
        "occupation_display": _OCCUPATION.get(v["occupation"], v["occupation"]),
        "join_date": _iso(v["join_date"]),
        "conversion_date": _iso(v["conversion_date"]),
        "member_type": v["member_type"],
        "member_type_display": _MEMBER_TYPE.get(v["member_type"], v["member_type"]),
        "status": v["status"],
        "status_display": _STATUS.get(v["status"], v["status"]),
        "organisation": v["organisation"],
        "organisation_name": v["organisation_name"],
        "categories": codes.category_codes(v["category_bits"]),
    }


_SEX, _EDUCATION, _OCCUPATION, _MEMBER_TYPE, _STATUS = (_LABELS[k] for k in ("sex", "education", "occupation", "member_type", "status"))
# the member's own columns list_row reads
_ROW_COLUMNS = (
    "id",
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number_masked",
    "phone_masked",
    "education",
    "occupation",
    "join_date",
    "conversion_date",
    "member_type",
    "status",
    "category_bits",
)


class MemberListSerializer(serializers.ModelSerializer):
    """The list's columns (what the member list screen shows). Declared like any
    serializer for the schema; to_representation builds each row directly, because the
    generic field machinery cost most of a 50-row page (docs/performance.md)."""

    # (not in the docstring, which the OpenAPI schema shows) The list view hands it dicts
    # of column values (list_row); a model instance is rendered from its attributes.

    sex_display = serializers.CharField(read_only=True, label="性别名称")
    education_display = serializers.CharField(read_only=True, label="学历名称")
    occupation_display = serializers.CharField(read_only=True, label="工作岗位名称")
    member_type_display = serializers.CharField(read_only=True, label="人员类别名称")
    status_display = serializers.CharField(read_only=True, label="党籍状态名称")
    organisation_name = serializers.CharField(read_only=True, label="所在党组织名称")
    categories = serializers.ListField(child=serializers.CharField(), read_only=True, label="党员类别")

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "sex",
            "sex_display",
            "ethnicity",
            "birth_date",
            "id_number_masked",
            "phone_masked",
            "education",
            "education_display",
            "occupation",
            "occupation_display",
            "join_date",
            "conversion_date",
            "member_type",
            "member_type_display",
            "status",
            "status_display",
            "organisation",
            "organisation_name",
            "categories",
        ]
        read_only_fields = fields

    def to_representation(self, m):
        # the list view hands it dicts of column values; a model instance gives the same
        # columns from its attributes, the organisation's name annotated by the list view
        # (apps.members.api.views.ORGANISATION_NAME) or read from the relation
        if not isinstance(m, dict):
            m = {
                **{name: getattr(m, name) for name in _ROW_COLUMNS},
                "organisation": m.organisation_id,
                "organisation_name": m.organisation_name if hasattr(m, "organisation_name") else m.organisation.name,
            }
        return list_row(m)


class MemberWriteSerializer(serializers.Serializer):
    """Values for create/update. Every registry rule is checked by the service."""

    name = serializers.CharField(
        required=False, allow_blank=True, max_length=NAME_MAX, label="姓名", error_messages={"max_length": f"姓名不能超过{NAME_MAX}个字"}
    )
    sex = serializers.CharField(required=False, allow_blank=True, label="性别", help_text="M / F")
    # Columns that are never empty (a default, not required): blank is refused here, not
    # stored as "" (found by the API fuzz test; the schema lists only real codes).
    ethnicity = serializers.CharField(required=False, label="民族", error_messages={"blank": "民族不能为空；不修改时请省略该字段"})
    birth_date = serializers.DateField(required=False, allow_null=True, label="出生日期")
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=18, write_only=True, label="身份证号")
    native_place = serializers.CharField(required=False, allow_blank=True, max_length=60, label="籍贯")
    education = serializers.CharField(required=False, allow_blank=True, label="学历")
    degree = serializers.CharField(required=False, allow_blank=True, label="学位")
    occupation = serializers.CharField(required=False, allow_blank=True, label="工作岗位（职业）")
    work_unit = serializers.CharField(required=False, allow_blank=True, max_length=120, label="工作单位")
    job_post = serializers.CharField(required=False, allow_blank=True, max_length=60, label="职务")
    work_start_date = serializers.DateField(required=False, allow_null=True, label="参加工作日期")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, write_only=True, label="联系电话")
    address = serializers.CharField(required=False, allow_blank=True, max_length=200, label="家庭住址")
    application_date = serializers.DateField(required=False, allow_null=True, label="申请入党日期")
    join_date = serializers.DateField(required=False, allow_null=True, label="入党日期")
    conversion_date = serializers.DateField(required=False, allow_null=True, label="转正日期")
    member_type = serializers.CharField(required=False, allow_blank=True, label="人员类别")
    increase_method = serializers.CharField(
        required=False, label="增加方式", error_messages={"blank": "增加方式不能为空；不修改时请省略该字段"}
    )
    organisation = serializers.IntegerField(required=False, label="所在党组织", help_text="组织 id")
    party_group = serializers.IntegerField(required=False, allow_null=True, label="所在党小组", help_text="党小组的组织 id")
    categories = serializers.ListField(child=serializers.CharField(), required=False, label="党员类别")
    remarks = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=REMARKS_MAX,
        label="备注",
        error_messages={"max_length": f"备注不能超过{REMARKS_MAX}个字"},
    )


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=codes.STATUS_CHOICES, label="新的党籍状态")
    date = serializers.DateField(label="变更日期")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, label="原因")
    lost_contact_reason = serializers.ChoiceField(choices=codes.LOST_CONTACT_REASONS, required=False, allow_blank=True, label="失联原因")


class MoveSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(label="转入党组织", help_text="组织 id")
    date = serializers.DateField(label="转接日期")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200, label="原因")


class RevealRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("id_number", "身份证号"), ("phone", "联系电话")], label="字段")


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField(label="字段")
    value = serializers.CharField(label="完整值")
