"""Thin forms: they parse; the services validate (one set of Chinese messages for web,
API and CLI) and apps.orgs.forms.apply_service_errors puts the messages on the form."""

from django import forms

from apps.core.forms import DATE, ServiceForm
from apps.members.forms import MemberForm
from apps.members.picker import MemberMultiPickerField, MemberPickerField
from apps.orgs.models import Organisation
from apps.orgs.picker import OrgPickerField
from apps.orgs.rules import MEMBER_HOLDING_TYPES

from . import rules
from .services import rule_values


class TargetOrgField(forms.CharField):
    """The receiving organisation by its 组织代码 or full name: any organisation of the
    deployment (the receiver is usually outside the sender's scope; only its name shows)."""

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        org = Organisation.objects.filter(code=text).first() or Organisation.objects.filter(name=text).order_by("id").first()
        if org is None:
            raise forms.ValidationError(f"接收党组织：未找到组织代码或全称为“{text}”的党组织")
        return org


class TransferFields(ServiceForm):
    required_names = ("kind", "reason")

    kind = forms.ChoiceField(label="转接类型", choices=rules.KIND_CHOICES[:2], initial="internal")
    to_organisation = TargetOrgField(label="接收党组织（系统内）", max_length=120, help_text="填写接收党支部的组织代码或全称")
    outside_org_name = forms.CharField(label="接收党组织（系统外）", max_length=120, help_text="转出本系统时填写，打印在纸质介绍信上")
    across_province = forms.BooleanField(label="跨省（区、市）转出")
    reason = forms.CharField(label="转接原因", max_length=200)
    validity_days = forms.IntegerField(label="介绍信有效期（天）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        v = rule_values()  # the rule table's current version
        self.fields["across_province"].help_text = f"跨省有效期{v['letter_days_across']}天，省内{v['letter_days_within']}天"
        self.fields["validity_days"].help_text = f"留空按规定；可填 {v['letter_days_min']}–{v['letter_days_max']} 天"


class TransferForm(TransferFields):
    required_names = ("member", "kind", "reason")
    field_order = ["member"]

    member = MemberPickerField(label="党员", action="change")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


class StepForm(forms.Form):
    """One act on a transfer (the op names it; services check whose turn it is)."""

    OPS = [
        ("approve", "同意"),
        ("reject", "不同意"),
        ("accept", "接收"),
        ("refuse", "退回"),
        ("receipt", "登记回执"),
        ("reissue", "补开介绍信"),
        ("cancel", "撤销"),
    ]
    op = forms.ChoiceField(choices=OPS)
    note = forms.CharField(required=False, max_length=200)
    date = forms.DateField(required=False, widget=DATE)
    validity_days = forms.IntegerField(required=False, min_value=1, max_value=999)


class ArrivalForm(MemberForm):
    """A member arriving from outside the system: the member record plus the letter."""

    outside_org_name = forms.CharField(label="转出党组织（系统外）", max_length=120)
    letter_serial = forms.CharField(label="介绍信编号", max_length=20)
    date = forms.DateField(label="转入日期", widget=DATE)
    reason = forms.CharField(label="转入原因", max_length=200)

    def service_data(self) -> dict:
        data = super().service_data()
        for k in ("outside_org_name", "letter_serial", "date", "reason"):
            data[k] = self.cleaned_data.get(k)
        return data


class MobileForm(ServiceForm):
    required_names = ("member", "reason", "destination", "home_contact")

    member = MemberPickerField(label="党员", action="change")
    issued_on = forms.DateField(label="发证日期", widget=DATE, help_text="留空为今天")
    reason = forms.CharField(label="外出原因", max_length=120)
    destination = forms.CharField(label="外出地点", max_length=120, help_text="如：广东省深圳市宝安区")
    months = forms.IntegerField(label="外出期限（月）")
    home_contact = forms.CharField(label="流出地联系人", max_length=60)
    home_contact_phone = forms.CharField(label="联系人电话", max_length=20)
    host_name = forms.CharField(label="流入地党组织", max_length=120)
    studying_abroad = forms.BooleanField(label="出国（境）学习")
    no_fixed_place = forms.BooleanField(label="长期外出无固定地点")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)
        v = rule_values()
        lo, hi, default = v["certificate_months_min"], v["certificate_months_max"], v["certificate_months_default"]
        self.fields["months"].help_text = f"{lo}–{hi} 个月；留空按 {default} 个月"
        self.fields["studying_abroad"].help_text = f"每{v['abroad_contact_months']}个月至少联系一次"
        self.fields["no_fixed_place"].help_text = f"外出{v['certificate_transfer_months']}个月以上仍发活动证时勾选"


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=rules.CONTACT_KIND_CHOICES)
    date = forms.DateField(label="日期", widget=DATE, required=False)
    content = forms.CharField(label="内容", max_length=300, required=False)


class ReturnForm(forms.Form):
    date = forms.DateField(label="返回日期", widget=DATE, required=False)
    certificate_returned = forms.BooleanField(label="已交回活动证", required=False, initial=True)


class HostForm(ServiceForm):
    required_names = ("certificate_no", "member_name", "host")

    certificate_no = forms.CharField(label="活动证编号", max_length=20)
    member_name = forms.CharField(label="姓名", max_length=40)
    host = OrgPickerField(label="流入地党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    date = forms.DateField(label="登记日期", widget=DATE)
    note = forms.CharField(label="备注", max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].for_user(user)


class TemporaryBranchForm(ServiceForm):
    required_names = ("organisation", "name", "place", "end_date", "records")

    organisation = OrgPickerField(label="组建党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    name = forms.CharField(label="名称", max_length=120, help_text="如：某镇驻深圳流动党员临时党支部")
    place = forms.CharField(label="所在地", max_length=120)
    formed_on = forms.DateField(label="成立日期", widget=DATE)
    end_date = forms.DateField(label="撤销日期（预计）", widget=DATE)
    secretary_name = forms.CharField(label="负责人", max_length=40)
    records = MemberMultiPickerField(label="流动党员", action="change")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)
        self.fields["records"].for_user(user)
        self.fields["records"].widget.slots = 6


class CardForm(ServiceForm):
    required_names = ("member", "number", "issued_by")

    member = MemberPickerField(label="党员", action="change")
    number = forms.CharField(label="证号", max_length=30)
    issued_on = forms.DateField(label="发证日期", widget=DATE)
    issued_by = forms.CharField(label="发证单位", max_length=120)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


class CardWithdrawForm(forms.Form):
    """收回 a 非公企业党员证 (the service checks scope and dates)."""

    card = forms.IntegerField()
    withdrawn_on = forms.DateField(required=False, widget=DATE)


class TemporaryMembersForm(ServiceForm):
    """More members join a temporary branch (the service refuses an expired one)."""

    required_names = ("records",)
    records = MemberMultiPickerField(label="编入流动党员", action="change")

    def __init__(self, *args, user, under=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["records"].for_user(user, under=under)
        self.fields["records"].widget.slots = 3


class TemporaryCloseForm(forms.Form):
    date = forms.DateField(label="撤销日期", widget=DATE, required=False)
    note = forms.CharField(label="撤销说明", max_length=200, required=False)


class HostReportForm(ServiceForm):
    required_names = ("content",)

    year = forms.IntegerField(label="年度", help_text="留空为报告日期所在年度")
    date = forms.DateField(label="报告日期", widget=DATE, help_text="留空为今天")
    content = forms.CharField(label="表现情况", max_length=500, widget=forms.Textarea(attrs={"rows": 4}))


class RulesForm(forms.Form):
    note = forms.CharField(label="修订说明", max_length=200)

    def __init__(self, *args, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        for s in rules.SETTINGS:
            self.fields[s.key] = forms.IntegerField(
                label=f"{s.label}（{s.unit}）",
                min_value=s.minimum,
                max_value=s.maximum,
                initial=(initial_values or rules.DEFAULTS)[s.key],
                help_text=s.source,
            )
            self.fields[s.key].error_messages.update(
                min_value=f"{s.label}须在 {s.minimum}–{s.maximum} {s.unit}之间",
                max_value=f"{s.label}须在 {s.minimum}–{s.maximum} {s.unit}之间",
                invalid=f"{s.label}应为整数",
                required=f"请填写{s.label}",
            )
