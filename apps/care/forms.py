"""Web forms of the care domain: input shape only; the rules are in services."""

from django import forms

from apps.core.forms import DATE  # a date input takes ISO dates only (not the locale format)
from apps.core.ruletables import RuleRowForm
from apps.members.picker import MemberPickerField
from apps.orgs.picker import OrgPickerField

from . import rules
from .models import CareOccasion, Fund


class VisitForm(forms.Form):
    member = MemberPickerField(label="走访对象", action="change", required=False)
    occasion = forms.ModelChoiceField(label="走访事由", queryset=CareOccasion.objects.none(), empty_label=None)
    visited_on = forms.DateField(label="走访日期", widget=DATE)
    visitors = forms.CharField(label="走访人", max_length=120, help_text="如：支部书记王强、组织委员李敏")
    content = forms.CharField(label="走访内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.CharField(label="慰问金（元）", required=False, initial="0")
    follow_up = forms.CharField(label="后续事项", max_length=200, required=False)
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)
        qs = CareOccasion.objects.filter(active=True).exclude(kind=CareOccasion.Kind.GREETING)
        if item is not None:
            qs = qs.filter(pk=item.occasion_id)
        self.fields["occasion"].queryset = qs

    def clean(self):
        data = super().clean()
        if not data.get("item") and not data.get("member"):
            self.add_error("member", "请选择走访对象")
        return data


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label="办结日期", widget=DATE)


class ChecklistGenerateForm(forms.Form):
    occasion = forms.ModelChoiceField(label="事由", queryset=CareOccasion.objects.none(), to_field_name="code", empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occasion"].queryset = CareOccasion.objects.filter(
            active=True, kind__in=[CareOccasion.Kind.SEASONAL, CareOccasion.Kind.GREETING]
        )


class ItemsDoneForm(forms.Form):
    done_on = forms.DateField(label="送达日期", widget=DATE)


class HardshipForm(forms.Form):
    member = MemberPickerField(label="困难党员", action="change")
    cause = forms.ChoiceField(label="致困原因", choices=rules.HARDSHIP_CAUSES)
    level = forms.ChoiceField(label="困难程度", choices=rules.HARDSHIP_LEVELS)
    description = forms.CharField(label="困难情况", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    registered_on = forms.DateField(label="登记日期", widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


class CloseHardshipForm(forms.Form):
    closed_on = forms.DateField(label="脱困日期", widget=DATE)
    closure_note = forms.CharField(label="脱困情况", max_length=300)


class PairingForm(forms.Form):
    helper = MemberPickerField(label="帮扶责任人", action="view")
    started_on = forms.DateField(label="结对日期", widget=DATE)
    pledge_thought = forms.CharField(label="包思想", max_length=200)
    pledge_work = forms.CharField(label="包生产/就业", max_length=200)
    pledge_poverty = forms.CharField(label="包脱贫", max_length=200)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].for_user(user)


class PairingUpdateForm(forms.Form):
    on = forms.DateField(label="帮扶日期", widget=DATE)
    content = forms.CharField(label="帮扶情况", max_length=500)


class ClosePairingForm(forms.Form):
    closed_on = forms.DateField(label="结束日期", widget=DATE)
    outcome = forms.CharField(label="帮扶成效", max_length=300)


class FundForm(forms.Form):
    organisation = OrgPickerField(label="设立组织", action="change")
    name = forms.CharField(label="基金名称", max_length=60)
    opened_on = forms.DateField(label="设立日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class IncomeForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[c for c in rules.MOVEMENT_KINDS if c[0] in rules.INCOME_KINDS])
    amount = forms.CharField(label="金额（元）")
    on = forms.DateField(label="日期", widget=DATE)
    counterparty = forms.CharField(label="来源", max_length=120)
    note = forms.CharField(label="说明", max_length=200, required=False)


class ApplicationForm(forms.Form):
    fund = forms.ModelChoiceField(label="基金", queryset=Fund.objects.none())
    member = MemberPickerField(label="申请人", action="change")
    amount = forms.CharField(label="申请金额（元）")
    reason = forms.CharField(label="申请理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    applied_on = forms.DateField(label="申请日期", widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)
        # the funds above or at the user's organisations (a branch applies to its town's fund)
        from apps.core.scoping import user_scope

        scope = user_scope(user, "change")
        qs = Fund.objects.select_related("organisation")
        if not scope.everything:
            from django.db.models import Q

            cond = Q(pk__in=[])
            for p in scope.paths:
                cond |= Q(org_path__startswith=p)
                for n in range(4, len(p), 4):
                    cond |= Q(org_path=p[:n])
            qs = qs.filter(cond)
        self.fields["fund"].queryset = qs.order_by("org_path", "id")


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "批准"), ("0", "不批准")], coerce=lambda v: v == "1")
    approved_amount = forms.CharField(label="批准金额（元）", required=False)
    meeting = forms.CharField(label="审批会议", max_length=120, help_text="集体研究的会议及日期，如：镇党委会 2026-06-20")
    decided_on = forms.DateField(label="审批日期", widget=DATE)
    note = forms.CharField(label="审批意见", max_length=300, required=False)


class PayForm(forms.Form):
    paid_on = forms.DateField(label="支付日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=200, required=False)


class SubsidyPayForm(forms.Form):
    paid_on = forms.DateField(label="发放日期", widget=DATE)


class SubsidyRateForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    category = forms.ChoiceField(label="类别", choices=rules.SUBSIDY_CATEGORIES)
    amount = forms.CharField(label="年补助金额（元）")
    min_age = forms.IntegerField(label="年龄不低于", required=False, min_value=1, max_value=120)
    min_party_years = forms.IntegerField(label="党龄不少于（年）", required=False, min_value=1, max_value=120)


class NominationForm(forms.Form):
    organisation = OrgPickerField(label="推荐组织", action="change")
    kind = forms.ModelChoiceField(label="表彰项目", queryset=None, empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    member = MemberPickerField(label="被推荐党员", action="change", required=False, help_text="表彰党员个人时填写")
    nominee_org = OrgPickerField(label="被推荐组织", action="change", required=False, help_text="表彰基层党组织时填写")
    deeds = forms.CharField(label="主要事迹", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    nominated_on = forms.DateField(label="推荐日期", widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        from .models import CommendationKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = CommendationKind.objects.filter(active=True)
        for name in ("organisation", "member", "nominee_org"):
            self.fields[name].for_user(user)


class NoticeForm(forms.Form):
    notice_start = forms.DateField(label="公示开始日期", widget=DATE)


class NominationDecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "批准表彰"), ("0", "不批准")], coerce=lambda v: v == "1")
    decided_on = forms.DateField(label="审批日期", widget=DATE)
    feedback = forms.CharField(label="公示反映情况", max_length=300, required=False, help_text="公示期间群众反映的情况及核查结论")
    note = forms.CharField(label="审批意见", max_length=300, required=False)


class HouseholdForm(forms.Form):
    member = MemberPickerField(label="联系党员", action="change")
    head_name = forms.CharField(label="户主姓名", max_length=40)
    address = forms.CharField(label="住址", max_length=120, help_text="如：东村3组12号")
    size = forms.IntegerField(label="家庭人口", min_value=1, max_value=30, required=False)
    phone = forms.CharField(
        label="联系电话", max_length=20, required=False, help_text="加密保存；页面只显示部分号码，查看完整号码记入敏感操作日志"
    )
    needy = forms.BooleanField(label="困难群众（结对帮扶）", required=False)
    needs = forms.CharField(label="困难和需求", max_length=300, required=False, help_text="结对帮扶困难群众时必填")
    since_on = forms.DateField(label="联系开始", widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


class ContactForm(forms.Form):
    on = forms.DateField(label="联系日期", widget=DATE)
    way = forms.ChoiceField(label="方式", choices=rules.CONTACT_WAYS)
    situation = forms.CharField(label="民情（了解到的情况）", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    help_given = forms.CharField(label="为民办事（办了什么）", max_length=300, required=False)
    by = forms.CharField(label="联系人", max_length=60, required=False, help_text="默认为联系党员本人")


class HouseholdEndForm(forms.Form):
    ended_on = forms.DateField(label="结束日期", widget=DATE)
    outcome = forms.CharField(label="帮扶成效/结束原因", max_length=300)


class OccasionForm(RuleRowForm):
    ONLY_NEW = ("code", "kind")
    kind = forms.ChoiceField(label="类别", choices=CareOccasion.Kind.choices, help_text="保存后不能修改")
    name = forms.CharField(label="名称", max_length=40)
    month = forms.IntegerField(label="通常月份", min_value=1, max_value=12, required=False, help_text="节日走访和问候填写")
    targets = forms.MultipleChoiceField(label="走访对象", choices=rules.TARGETS, required=False, widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label="启用", required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=999)


class CommendationKindForm(RuleRowForm):
    ONLY_NEW = ("code", "nominee")
    nominee = forms.ChoiceField(label="表彰对象", choices=rules.NOMINEE_KINDS, help_text="保存后不能修改")
    name = forms.CharField(label="名称", max_length=40)
    level = forms.ChoiceField(label="表彰层级", choices=rules.AWARD_LEVELS)
    active = forms.BooleanField(label="启用（可推荐）", required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=999)
