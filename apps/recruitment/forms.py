"""Forms only parse input; every rule is checked by the engine/services."""

import datetime

from django import forms
from django.utils import timezone

from apps.accounts.scoping import visible_orgs
from apps.members import codes as member_codes
from apps.members.picker import MemberMultiPickerField
from apps.orgs.picker import OrgPickerField
from apps.orgs.rules import MEMBER_HOLDING_TYPES, ORG_TYPES

from . import rules
from .models import Assessment, DevelopmentPlan, Vote

DATE = {"type": "date"}


def org_choices(user, action="change", holding_only=True):
    qs = visible_orgs(user, action).filter(status="active")
    if holding_only:
        qs = qs.filter(org_type__in=MEMBER_HOLDING_TYPES)
    return qs.order_by("path")


NOT_PARTY_GROUP = tuple(t for t, _ in ORG_TYPES if t != "party_group")


class FileForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(label="身份证号", max_length=18, help_text="出生日期与性别由身份证号核对")
    ethnicity = forms.ChoiceField(label="民族", choices=member_codes.ETHNICITY_CHOICES, initial=member_codes.HAN)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    education = forms.ChoiceField(label="学历", choices=member_codes.EDUCATION_CHOICES)
    occupation = forms.ChoiceField(label="职业", choices=member_codes.OCCUPATION_CHOICES)
    work_unit = forms.CharField(label="工作单位", max_length=120, required=False)
    source = forms.ChoiceField(label="来源", choices=rules.SOURCES, initial="other")
    organisation = OrgPickerField(label="负责党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    application_date = forms.DateField(label="递交入党申请书日期", widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


def step_form_class(rule: rules.Step, *, user=None, members_under=None):
    """A form with exactly what this step needs (the rule table's fields). Members
    (contacts, introducers) are chosen with member pickers: 正式党员 in the user's scope
    under `members_under`."""
    fields = {
        "date": forms.DateField(label="办理日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate),
    }
    for f in rule.fields:
        if f.kind == "choice":
            field = forms.ChoiceField(label=f.label, choices=[("", "—"), *f.choices], required=f.required)
        elif f.kind == "int":
            field = forms.IntegerField(label=f.label, required=f.required, min_value=0)
        elif f.kind == "bool":
            field = forms.BooleanField(label=f.label, required=False)
        elif f.kind == "members":
            field = MemberMultiPickerField(label=f.label, required=f.required, full_only=True, help_text="每栏选一名正式党员")
            field.for_user(user, under=members_under)
        else:
            field = forms.CharField(
                label=f.label,
                required=f.required,
                widget=forms.Textarea(attrs={"rows": 2}) if "记录" in f.label or "材料" in f.label or "意见" in f.label else None,
            )
        fields[f.name] = field
    fields["performer_role"] = forms.CharField(label="经办人身份", required=False, help_text="如：支部书记、组织委员、党委组织员")
    if any(iv.kind == "max" and iv.soft for iv in rule.intervals) and "extension_reason" not in fields:
        fields["late_reason"] = forms.CharField(label="逾期办理原因", required=False, help_text="超过规定期限办理时必填（责任追究）")
    fields["notes"] = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    fields["attachment"] = forms.FileField(label="附件（扫描件）", required=False)
    fields["attachment_note"] = forms.CharField(label="附件说明", required=False, max_length=120)
    return type(f"Step{rule.number}Form", (forms.Form,), fields)


def step_data(rule: rules.Step, cleaned: dict) -> dict:
    data = {}
    for f in rule.fields:
        value = cleaned.get(f.name)
        if f.kind == "members" and value is not None:
            value = [m.pk for m in value]
        data[f.name] = value
    for extra in ("performer_role", "late_reason"):
        if cleaned.get(extra):
            data[extra] = cleaned[extra]
    return data


class VoteForm(forms.Form):
    proposal = forms.ChoiceField(label="表决事项", choices=Vote.PROPOSALS)
    meeting_date = forms.DateField(label="会议日期", widget=forms.DateInput(attrs=DATE))
    should_attend = forms.IntegerField(label="应到有表决权正式党员", min_value=0)
    present = forms.IntegerField(label="实到有表决权正式党员", min_value=0)
    written_opinions = forms.IntegerField(label="未到会党员书面意见", min_value=0, initial=0, required=False)
    yes = forms.IntegerField(label="赞成", min_value=0)
    no = forms.IntegerField(label="反对", min_value=0, initial=0)
    abstain = forms.IntegerField(label="弃权", min_value=0, initial=0)
    passed = forms.BooleanField(label="决议通过", required=False)


class NoticeForm(forms.Form):
    start_date = forms.DateField(label="公示开始日期", widget=forms.DateInput(attrs=DATE))
    place = forms.CharField(label="公示范围/地点", max_length=120, required=False)


class ObjectionForm(forms.Form):
    received = forms.DateField(label="收到日期", widget=forms.DateInput(attrs=DATE))
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolved = forms.DateField(label="处理完毕日期", widget=forms.DateInput(attrs=DATE))
    resolution = forms.CharField(label="核查处理结果", widget=forms.Textarea(attrs={"rows": 2}))
    substantiated = forms.BooleanField(label="反映问题属实", required=False)


class AssessmentForm(forms.Form):
    date = forms.DateField(label="考察日期", widget=forms.DateInput(attrs=DATE))
    period = forms.CharField(label="考察期", max_length=20, help_text="如 2026上半年")
    evaluator = forms.ChoiceField(label="测评类型", choices=Assessment.Evaluator.choices)
    score = forms.DecimalField(label="测评得分", max_digits=5, decimal_places=2, required=False)
    comment = forms.CharField(label="考察意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    to_org = OrgPickerField(label="转入党组织", action="change", org_types=MEMBER_HOLDING_TYPES)
    date = forms.DateField(label="转接日期", widget=forms.DateInput(attrs=DATE), initial=timezone.localdate)
    reason = forms.CharField(label="原因", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_org"].for_user(user)


class PlanForm(forms.Form):
    organisation = OrgPickerField(label="党组织", action="change", org_types=NOT_PARTY_GROUP)
    kind = forms.ChoiceField(label="类型", choices=DevelopmentPlan.Kind.choices, initial="annual")
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    total = forms.IntegerField(label="发展总数", min_value=0)
    women = forms.IntegerField(label="女性", min_value=0, initial=0)
    youth = forms.IntegerField(label="35岁及以下", min_value=0, initial=0)
    high_school_plus = forms.IntegerField(label="高中及以上", min_value=0, initial=0)
    college_plus = forms.IntegerField(label="大专及以上", min_value=0, initial=0)
    farmers = forms.IntegerField(label="农牧渔民", min_value=0, initial=0)
    non_public = forms.IntegerField(label="非公企业人员", min_value=0, initial=0)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class HolidayForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs=DATE))
    is_workday = forms.BooleanField(label="调休上班（周末上班日）", required=False)
    name = forms.CharField(label="名称", max_length=40, required=False)


def settings_form_class():
    fields = {
        s.key: forms.IntegerField(
            label=f"{s.label}（{rules.UNIT_LABEL[s.unit]}）", min_value=s.minimum, max_value=s.maximum, help_text=s.source
        )
        for s in rules.SETTINGS
    }
    fields["note"] = forms.CharField(label="修订说明", max_length=200)
    return type("RuleSettingsForm", (forms.Form,), fields)


class MonthForm(forms.Form):
    month = forms.CharField(label="月份", required=False, widget=forms.DateInput(attrs={"type": "month"}))

    def month_tuple(self):
        raw = (self.data.get("month") or "").strip()
        try:
            d = datetime.datetime.strptime(raw, "%Y-%m").date()
            return d.year, d.month
        except ValueError:
            today = timezone.localdate()
            return today.year, today.month


class TrainingClassForm(forms.Form):
    organisation = OrgPickerField(label="举办组织", action="change", org_types=NOT_PARTY_GROUP)
    kind = forms.ChoiceField(
        label="类别", choices=[("activist", "入党积极分子培训班"), ("development", "发展对象培训班")], initial="activist", required=False
    )
    name = forms.CharField(label="班次名称", max_length=120)
    start_date = forms.DateField(label="开班日期", widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(label="结业日期", widget=forms.DateInput(attrs=DATE))
    days = forms.IntegerField(label="天数", min_value=1, initial=3, help_text="每天登记一次课程")
    hours = forms.IntegerField(label="学时", min_value=0, initial=24)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)
