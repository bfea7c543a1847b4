from django import forms

from apps.core.models import AccessLog, ChangeLog

from .roles import ROLE_CHOICES


def _org_field(help_text: str):
    """The organisation of a role: picked by name or code from suggestions (no code typed by
    hand); the view still checks it lies in the user-management scope."""
    from apps.orgs.picker import OrgPickerField

    return OrgPickerField(
        label="所属组织",
        action="view",
        help_text=help_text,
        error_messages={"not_found": "{label}：未找到“{value}”，或该组织不在您的用户管理范围内。请从提示中选择，或输入组织代码"},
    )


class _WithOrg(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["org_code"].for_user(user)


class GrantRoleForm(_WithOrg):
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)
    org_code = _org_field("输入组织名称或代码，从提示中选择；在该组织及其下级组织范围内授权")
    valid_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CreateUserForm(_WithOrg):
    username = forms.CharField(label="账号", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=40, required=False)
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(render_value=False), help_text="至少10位，不能过于常见，不能与账号相似；首次登录须修改"
    )
    role = forms.ChoiceField(label="角色", choices=ROLE_CHOICES)
    org_code = _org_field("输入组织名称或代码，从提示中选择")


class UserSearchForm(forms.Form):
    q = forms.CharField(label="账号或姓名", required=False)
    inactive = forms.BooleanField(label="含已停用", required=False)


class _PeriodForm(forms.Form):
    user = forms.CharField(label="操作人账号", required=False)
    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    request_id = forms.CharField(label="请求编号", required=False, max_length=64)


def audited_types():
    """(label, 中文名) of every model of the project's own apps, for the object-type filter."""
    from django.apps import apps

    types = sorted((m._meta.label_lower, str(m._meta.verbose_name)) for m in apps.get_models() if m.__module__.startswith("apps."))
    return [("", "全部"), *types]


class ChangeLogFilterForm(_PeriodForm):
    object_type = forms.ChoiceField(label="对象类型", required=False, choices=audited_types)
    object_id = forms.CharField(label="对象编号", required=False)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部"), *ChangeLog.Action.choices])


class AccessLogFilterForm(_PeriodForm):
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *AccessLog.Kind.choices])
    target = forms.CharField(label="对象", required=False)
