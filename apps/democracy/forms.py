from django import forms

from apps.core.forms import DATE  # a date input takes ISO dates only (not the locale format)
from apps.core.ruletables import RuleRowForm
from apps.orgs.picker import OrgPickerField

from . import rules
from .models import FeedbackCategory, NoticeCategory


class RaiseForm(forms.Form):
    """A member raising a matter (to their organisation or one above)."""

    category = forms.ModelChoiceField(label="类别", queryset=FeedbackCategory.objects.filter(active=True), empty_label=None)
    organisation = forms.ModelChoiceField(label="提交给", queryset=None, empty_label=None)
    subject = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(label="内容", max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, member=None, **kwargs):
        from apps.orgs.models import Organisation

        super().__init__(*args, **kwargs)
        path = member.org_path if member else ""
        paths = [path[:n] for n in range(4, len(path) + 1, 4)]
        self.fields["organisation"].queryset = Organisation.objects.filter(path__in=paths).order_by("-depth")


class CitizenForm(forms.Form):
    """A branch recording a citizen's matter."""

    origin = OrgPickerField(label="受理党组织", action="change")
    citizen_name = forms.CharField(label="群众姓名", max_length=40)
    category = forms.ModelChoiceField(label="类别", queryset=FeedbackCategory.objects.filter(active=True), empty_label=None)
    subject = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(label="内容", max_length=3000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].for_user(user)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="答复", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class NoticeForm(forms.Form):
    organisation = OrgPickerField(label="发布组织", action="change")
    category = forms.ModelChoiceField(label="类别", queryset=NoticeCategory.objects.filter(active=True), empty_label=None)
    audience = forms.ChoiceField(label="公开范围", choices=rules.AUDIENCES)
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="内容", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    publish_on = forms.DateField(label="公开日期", widget=DATE)
    withdraw_on = forms.DateField(label="撤下日期", widget=DATE, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class WithdrawForm(forms.Form):
    withdraw_on = forms.DateField(label="撤下日期", widget=DATE)


class ConsultationForm(forms.Form):
    organisation = OrgPickerField(label="征求意见的党组织", action="change")
    title = forms.CharField(label="事项", max_length=100)
    text = forms.CharField(label="征求意见稿", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    audience = forms.ChoiceField(label="征求范围", choices=rules.CONSULTATION_AUDIENCES)
    deadline = forms.DateField(label="截止日期", widget=DATE)
    allow_anonymous = forms.BooleanField(label="允许匿名提交", required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class OpinionForm(forms.Form):
    stance = forms.ChoiceField(label="态度", choices=rules.STANCES, widget=forms.RadioSelect)
    text = forms.CharField(label="意见建议", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    anonymous = forms.BooleanField(label="匿名提交（党组织看不到您的姓名）", required=False)


class DecideForm(forms.Form):
    decision = forms.CharField(label="决定结果", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    organisation = OrgPickerField(label="决策的党组织", action="change")
    topic = forms.CharField(label="议题", max_length=100)
    category = forms.ChoiceField(label="事项类别", choices=rules.DECISION_CATEGORIES)
    proposed_by = forms.CharField(label="提议人", max_length=60)
    consulted = forms.CharField(label="个别酝酿（会前征求了谁的意见）", max_length=300)
    consultation = forms.ModelChoiceField(
        label="决策前的征求意见", queryset=None, required=False, empty_label="（无）", help_text="只列本组织近两年发起的征求意见"
    )
    meeting = forms.ModelChoiceField(
        label="决策会议（会议记录）",
        queryset=None,
        required=False,
        empty_label="（未在系统登记会议记录，手填会议日期）",
        help_text="只列本组织近两年已召开的支部委员会、党员大会、党委会议；选择后会议日期取会议记录的日期",
    )
    decided_on = forms.DateField(label="会议日期", widget=DATE, required=False)
    members_total = forms.IntegerField(label="应到委员", min_value=0, max_value=999)
    members_present = forms.IntegerField(label="实到委员", min_value=0, max_value=999)
    votes_for = forms.IntegerField(label="赞成", min_value=0, max_value=999)
    votes_against = forms.IntegerField(label="反对", min_value=0, max_value=999)
    votes_abstain = forms.IntegerField(label="弃权", min_value=0, max_value=999)
    content = forms.CharField(label="决定内容", max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))
    notice_start = forms.DateField(label="公示开始（需公示时填写）", widget=DATE, required=False)

    def __init__(self, *args, user=None, **kwargs):
        from .selectors import decision_choices

        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)
        org = self.data.get("organisation") if self.is_bound else self.initial.get("organisation")
        meetings, consultations = decision_choices(user, getattr(org, "pk", org))
        self.fields["meeting"].queryset = meetings
        self.fields["consultation"].queryset = consultations


class RectificationForm(forms.Form):
    problem = forms.CharField(label="查摆问题/批评意见", max_length=300)
    responsible = forms.CharField(label="责任人", max_length=60)
    measure = forms.CharField(label="整改措施", max_length=300)
    deadline = forms.DateField(label="整改时限", widget=DATE)


class RectificationDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DATE)
    done_note = forms.CharField(label="整改情况", max_length=300)


class FeedbackCategoryForm(RuleRowForm):
    name = forms.CharField(label="名称", max_length=40)
    answer_days = forms.IntegerField(label="答复时限（工作日）", min_value=1, max_value=rules.MAX_ANSWER_DAYS)
    active = forms.BooleanField(label="启用", required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=999)


class NoticeCategoryForm(RuleRowForm):
    name = forms.CharField(label="名称", max_length=40)
    active = forms.BooleanField(label="启用", required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=999)
