"""Member forms. clean() hands the values to apps.members.services.validate_member_data
(the one place the registry rules live) and shows its messages inline; the view then
calls the write service."""

from django import forms
from django.core.exceptions import ValidationError

from apps.core.forms import DATE, ServiceForm, apply_service_errors
from apps.core.scoping import restrict
from apps.core.text import NAME_MAX, REMARKS_MAX
from apps.orgs.forms import OrgChoiceField
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgPickerField
from apps.orgs.rules import MEMBER_HOLDING_TYPES

from . import codes, services
from .codes import SELF_EDITABLE_FIELDS, SELF_REVIEWED_FIELDS


class MemberForm(ServiceForm):
    required_names = services.REQUIRED

    name = forms.CharField(label="姓名", max_length=NAME_MAX)
    id_number = forms.CharField(label="身份证号", max_length=18)
    sex = forms.ChoiceField(label="性别", choices=[("", "请选择"), *codes.SEX_CHOICES])
    birth_date = forms.DateField(label="出生日期", widget=DATE, help_text="须与身份证号一致")
    ethnicity = forms.ChoiceField(label="民族", choices=codes.ETHNICITY_CHOICES, initial=codes.HAN)
    native_place = forms.CharField(label="籍贯", max_length=60)
    education = forms.ChoiceField(label="学历", choices=[("", "请选择"), *codes.EDUCATION_CHOICES])
    degree = forms.ChoiceField(label="学位", choices=codes.DEGREE_CHOICES)
    occupation = forms.ChoiceField(label="工作岗位（职业）", choices=[("", "请选择"), *codes.OCCUPATION_CHOICES])
    work_unit = forms.CharField(label="工作单位", max_length=120)
    job_post = forms.CharField(label="职务", max_length=60)
    work_start_date = forms.DateField(label="参加工作日期", widget=DATE)
    phone = forms.CharField(label="联系电话", max_length=20)
    address = forms.CharField(label="家庭住址", max_length=200)
    application_date = forms.DateField(label="申请入党日期", widget=DATE)
    join_date = forms.DateField(label="入党日期", widget=DATE, help_text="接收为预备党员的日期")
    conversion_date = forms.DateField(label="转正日期", widget=DATE)
    member_type = forms.ChoiceField(label="人员类别", choices=[("", "请选择"), *codes.MEMBER_TYPE_CHOICES])
    increase_method = forms.ChoiceField(label="增加方式", choices=codes.INCREASE_METHOD_CHOICES, initial="other")
    organisation = OrgPickerField(label="所在党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    party_group = OrgChoiceField(label="所在党小组", queryset=Organisation.objects.none(), empty_label="无")
    categories = forms.MultipleChoiceField(label="党员类别", choices=codes.CATEGORY_CHOICES, widget=forms.CheckboxSelectMultiple)
    remarks = forms.CharField(label="备注", max_length=REMARKS_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, instance=None, organisation=None, **kwargs):
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            initial = {f: getattr(instance, f) for f in services.MEMBER_FIELDS if f not in ("id_number", "phone", "categories")}
            initial["organisation"] = instance.organisation_id
            initial["party_group"] = instance.party_group_id
            initial["categories"] = instance.category_codes()
            kwargs["initial"] = initial
        elif organisation is not None:
            kwargs.setdefault("initial", {})["organisation"] = organisation.pk
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)
        if instance is None:
            # Every party group in scope: too many for a drop-down; the service checks that
            # the group belongs to the chosen organisation.
            self.fields["party_group"] = OrgPickerField(label="所在党小组", action="change", org_types=("party_group",)).for_user(user)
            self.fields["party_group"].required = False
        else:
            groups = restrict(Organisation.objects.active(), user, "change").filter(org_type="party_group")
            self.fields["party_group"].queryset = groups.filter(path__startswith=instance.organisation.path)
            del self.fields["organisation"]
            self.fields["id_number"].help_text = f"当前：{instance.id_number_masked}；留空则不修改"
            self.fields["phone"].help_text = f"当前：{instance.phone_masked or '未填'}；留空则不修改"
            self.required_names = tuple(n for n in services.REQUIRED if n not in ("id_number", "organisation"))
            self.fields["member_type"].help_text = "转正、延长预备期、取消预备党员资格须在发展档案中按程序办理"

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in services.MEMBER_FIELDS}
        if self.instance is not None:
            data = {k: v for k, v in data.items() if k in self.changed_data}
            for k in ("id_number", "phone"):  # blank = keep the stored value
                if not data.get(k):
                    data.pop(k, None)
            if ("sex" in data or "birth_date" in data) and "id_number" not in data:
                # The service checks sex and birth date against the number it is given.
                data["id_number"] = self.instance.reveal_id_number()
        for k in ("sex",):
            if data.get(k) == "":
                data[k] = None
        return data

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = self.service_data()
        if self.instance is not None:
            data["organisation"] = self.instance.organisation
        else:
            data.setdefault("status", "normal")
        try:
            self.validated = services.validate_member_data(data, instance=self.instance)
        except ValidationError as exc:
            apply_service_errors(self, exc)
        return cleaned


class _StatusField(forms.ChoiceField):
    """Lists the statuses set here; a status a procedure owns (services.PROCEDURE_STATUSES)
    is not offered, and if posted the service refuses it naming the page to use."""

    def valid_value(self, value):
        return value in dict(codes.STATUS_CHOICES)


class StatusForm(ServiceForm):
    required_names = ("status", "date")

    status = _StatusField(
        label="新的党籍状态",
        choices=[("", "请选择"), *((c, label) for c, label in codes.STATUS_CHOICES if c not in services.PROCEDURE_STATUSES)],
        help_text="除名、劝其退党、自行脱党除名在“组织处置”中办理；停止党籍在“失联党员”中办理；开除党籍登记党纪处分；取消预备党员资格在发展档案中办理；转出本系统在“组织关系转接”中办理",
    )
    date = forms.DateField(label="变更日期", widget=DATE)
    lost_contact_reason = forms.ChoiceField(label="失联原因", choices=[("", "（标记失联时必填）"), *codes.LOST_CONTACT_REASONS])
    reason = forms.CharField(label="原因说明", max_length=200)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("status") and "status" not in self.errors:
            self.add_error("status", "新的党籍状态为必填项")
        if not cleaned.get("date") and "date" not in self.errors:
            self.add_error("date", "变更日期为必填项")
        return cleaned


class MoveMemberForm(ServiceForm):
    required_names = ("organisation", "date")

    organisation = OrgPickerField(label="转入党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    date = forms.DateField(label="转接日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args, user, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user).narrow(lambda qs: qs.exclude(pk=member.organisation_id))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("organisation") and "organisation" not in self.errors:
            self.add_error("organisation", "转入党组织为必填项")
        if not cleaned.get("date") and "date" not in self.errors:
            self.add_error("date", "转接日期为必填项")
        return cleaned


class SelfEditForm(ServiceForm):
    """A member's own record: phone and address change at once (codes.SELF_EDITABLE_FIELDS);
    education and degree (codes.SELF_REVIEWED_FIELDS) go to the branch for review."""

    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="家庭住址", max_length=200, required=False)
    education = forms.ChoiceField(label="学历", choices=codes.EDUCATION_CHOICES, required=False)
    degree = forms.ChoiceField(label="学位", choices=codes.DEGREE_CHOICES, required=False)
    reason = forms.CharField(
        label="学历/学位变化说明", max_length=200, required=False, help_text="如：2025年6月取得大学本科学历（证书编号…）"
    )

    def __init__(self, *args, instance, **kwargs):
        self.instance = instance
        kwargs.setdefault("initial", {"address": instance.address, "education": instance.education, "degree": instance.degree})
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.fields["phone"].help_text = f"当前：{instance.phone_masked or '未填'}；留空则不修改"
        self.fields["education"].help_text = "修改后须经党支部审核"

    def service_data(self) -> dict:
        fields = (*SELF_EDITABLE_FIELDS, *SELF_REVIEWED_FIELDS)
        data = {k: v for k, v in self.cleaned_data.items() if k in fields and k in self.changed_data}
        if not data.get("phone"):
            data.pop("phone", None)
        if not data.get("education"):
            data.pop("education", None)  # education cannot be emptied; blank means unchanged
        if any(k in SELF_REVIEWED_FIELDS for k in data):
            data["reason"] = self.cleaned_data.get("reason", "")
        return data

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            direct = {k: v for k, v in self.service_data().items() if k in SELF_EDITABLE_FIELDS}
            try:
                services.validate_member_data({**direct, "organisation": self.instance.organisation}, instance=self.instance)
            except ValidationError as exc:
                apply_service_errors(self, exc)
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过"), ("reject", "不通过")])
    note = forms.CharField(label="审核意见", max_length=200, required=False)


class DisciplineForm(ServiceForm):
    required_names = ("kind", "decided_on", "decided_by", "reason")

    kind = forms.ChoiceField(label="处分种类", choices=[("", "请选择"), *codes.DISCIPLINE_CHOICES])
    decided_on = forms.DateField(label="处分决定日期", widget=DATE)
    probation_years = forms.TypedChoiceField(
        label="留党察看期限",
        choices=[("", "（留党察看时必填）"), ("1", "一年"), ("2", "二年")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    decided_by = forms.CharField(label="作出决定的组织", max_length=120)
    reason = forms.CharField(label="处分事由", max_length=200)
