"""Forms of the supervision pages: they parse input; the rules live in services."""

from django import forms

from apps.accounts.models import RoleAssignment, User
from apps.core.scoping import restrict
from apps.orgs.picker import OrgPickerField
from apps.orgs.rules import GRASSROOTS_TYPES

from . import rules

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser's date field takes ISO only
CONTACT_ROLES = sorted({r for k in rules.CONTACT_KINDS for r in k.roles})


class LeaderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return str(user)


class AssignForm(forms.Form):
    leader = LeaderChoiceField(
        label="联系领导",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "联系领导：请从列表中选择（只列出您管理范围内担任联系职责的人员）"},
    )
    kind = forms.ChoiceField(label="联系类型", choices=rules.CONTACT_KIND_CHOICES)
    organisation = OrgPickerField(label="联系的党组织", action="approve")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        holders = restrict(RoleAssignment.objects.current().filter(role__in=CONTACT_ROLES), user, "view").values("user_id")
        self.fields["leader"].queryset = User.objects.filter(pk__in=holders, is_active=True).order_by("username")
        self.fields["organisation"].for_user(user)


class VisitForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    kind = forms.ChoiceField(label="形式", choices=rules.VISIT_KINDS)
    content = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label="发现问题", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    guidance = forms.CharField(label="指导意见", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SelfCheckForm(forms.Form):
    org = OrgPickerField(label="自查组织", action="change", org_types=sorted(GRASSROOTS_TYPES))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)], coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].for_user(user)


class SpotCheckForm(forms.Form):
    org = OrgPickerField(label="组织抽查的党委", action="approve", org_types=("county_committee", "committee", "general_branch"))
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label="季度", choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)], coerce=int)
    per_township = forms.IntegerField(
        label="每个乡镇抽取数", min_value=1, max_value=rules.SPOT_CHECK_MAX_PER_TOWNSHIP, initial=rules.SPOT_CHECK_DEFAULT_PER_TOWNSHIP
    )
    seed = forms.CharField(label="随机种子", max_length=40, required=False, help_text="留空则自动生成并记录；用同一种子可复现抽样结果")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].for_user(user)


class EvaluateForm(forms.Form):
    org = OrgPickerField(label="考评范围（党委）", action="approve")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].for_user(user)


class RectifyForm(forms.Form):
    problem = forms.CharField(label="存在问题", max_length=400)
    measure = forms.CharField(label="整改措施", max_length=400, required=False)
    deadline = forms.DateField(label="整改期限", widget=DATE)


class DoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DATE)
    done_note = forms.CharField(label="整改情况", max_length=400)


class ReportForm(forms.Form):
    work_done = forms.CharField(label="本月主要工作", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label="存在问题", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_plan = forms.CharField(label="下月打算", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PointForm(forms.Form):
    organisation = OrgPickerField(label="培育的党组织", action="approve", org_types=sorted(GRASSROOTS_TYPES))
    category = forms.ChoiceField(label="类别", choices=rules.MODEL_POINT_CATEGORIES)
    theme = forms.CharField(label="创建主题", max_length=120)
    designated_on = forms.DateField(label="确定日期", widget=DATE)
    plan = forms.CharField(label="培育计划", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class ProgressForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    content = forms.CharField(label="进展情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    material = forms.FileField(label="经验材料（PDF、图片或Word，可不传）", required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="验收结论", choices=rules.MODEL_POINT_DECISIONS)
    review_note = forms.CharField(label="验收意见", max_length=400)


class InstructorForm(forms.Form):
    organisation = OrgPickerField(label="派驻的党组织", action="approve")
    name = forms.CharField(label="指导员姓名", max_length=40)
    sent_by = forms.CharField(label="选派单位", max_length=120)
    start_date = forms.DateField(label="派驻日期", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class InstructorReportForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    content = forms.CharField(label="工作情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label="问题与建议", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CadreTrainingForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=rules.CADRE_TRAINING_KIND_CHOICES)
    occasion = forms.ChoiceField(
        label="会议（普训）", required=False, choices=[("", "—")] + [(o, o) for o in rules.CADRE_TRAINING_OCCASIONS]
    )
    date = forms.DateField(label="日期", widget=DATE)
    title = forms.CharField(label="培训内容", max_length=200)
    venue = forms.CharField(label="地点（党校）", max_length=120, required=False)
    hours = forms.DecimalField(label="学时", max_digits=4, decimal_places=1, min_value=0.5, widget=forms.NumberInput(attrs={"step": "0.5"}))
    attendees = forms.TypedMultipleChoiceField(label="参训人员（党务干部）", coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = list(cadres)
