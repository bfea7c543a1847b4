from rest_framework import serializers

from apps.accounts.models import ApiToken


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label="账号")
    password = serializers.CharField(label="密码", style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        label="用途", max_length=60, required=False, allow_blank=True, help_text="便于在令牌列表中辨认，如“统计脚本”"
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(label="接口令牌", help_text="请求头：Authorization: Token <令牌>；只显示这一次")
    username = serializers.CharField(label="账号")
    id = serializers.IntegerField(label="令牌编号")
    expires_at = serializers.DateTimeField(label="到期时间")


class ApiTokenSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(label="本次请求所用")

    class Meta:
        model = ApiToken
        fields = ["id", "name", "key_prefix", "created_at", "expires_at", "last_used_at", "created_ip", "current"]
        read_only_fields = fields

    def get_current(self, token) -> bool:
        request = self.context.get("request")
        return bool(request is not None and isinstance(request.auth, ApiToken) and request.auth.pk == token.pk)


class AssignmentSerializer(serializers.Serializer):
    role = serializers.CharField(label="角色代码")
    role_label = serializers.CharField(label="角色")
    organisation_id = serializers.IntegerField(label="党组织编号")
    organisation_code = serializers.CharField(label="组织代码")
    organisation_name = serializers.CharField(label="党组织")
    valid_from = serializers.DateField(label="生效日期")
    valid_to = serializers.DateField(label="截止日期", allow_null=True)


class ScopeRootSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="党组织编号")
    code = serializers.CharField(label="组织代码")
    name = serializers.CharField(label="党组织")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(label="用户编号")
    username = serializers.CharField(label="账号")
    display_name = serializers.CharField(label="姓名")
    member_id = serializers.IntegerField(label="对应党员编号", allow_null=True)
    must_change_password = serializers.BooleanField(label="须修改密码")
    whole_tree = serializers.BooleanField(label="全部范围")
    roles = AssignmentSerializer(many=True, label="当前角色")
    scope_roots = ScopeRootSerializer(many=True, label="管理范围（顶层组织）")
    actions = serializers.ListField(child=serializers.CharField(), label="拥有的操作权限")
