from django import forms

from apps.orgs.picker import OrgPickerField

from . import rules
from .models import FeedbackCategory, NoticeCategory

DATE = forms.DateInput(attrs={"type": "date"})


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
    category = forms.ModelChoiceField(label="类别", queryset=NoticeCategory.objects.all(), empty_label=None)
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
