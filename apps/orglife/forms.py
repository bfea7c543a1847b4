"""Web forms: they parse input; the rules live in apps.orglife.services."""

from django import forms

from apps.members.picker import MemberPickerField
from apps.orgs.picker import OrgPickerField

from . import rules
from .models import Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})


class MeetingForm(forms.Form):
    organisation = OrgPickerField(label="党组织", action="change")
    kind = forms.ChoiceField(label="会议类型", choices=rules.KIND_CHOICES)
    status = forms.ChoiceField(label="状态", choices=Meeting.Status.choices, initial=Meeting.Status.HELD)
    held_on = forms.DateField(label="日期", widget=DATE)
    start_time = forms.TimeField(label="开始时间", required=False, widget=TIME)
    end_time = forms.TimeField(label="结束时间", required=False, widget=TIME)
    place = forms.CharField(label="地点", required=False, max_length=120)
    host = forms.CharField(label="主持人", required=False, max_length=40)
    recorder = forms.CharField(label="记录人", required=False, max_length=40)
    topic = forms.CharField(label="议题", max_length=200)
    theme = forms.CharField(label="活动主题（主题党日）", required=False, max_length=200)
    lecturer = forms.CharField(label="授课人（党课）", required=False, max_length=40)
    lecture_topic = forms.CharField(label="党课题目（党课）", required=False, max_length=200)
    content = forms.CharField(label="内容", required=False, widget=TEXT)
    minutes = forms.CharField(label="会议记录", required=False, widget=TEXT, help_text="分段填写即可")
    resolutions = forms.CharField(label="决议事项", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    has_vote = forms.BooleanField(label="有表决事项", required=False)
    is_election = forms.BooleanField(label="选举会议（到会须超过五分之四）", required=False)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)
        if editing:
            del self.fields["organisation"]


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=rules.ATTACHMENT_CHOICES, initial="photo")
    file = forms.FileField(label="文件")


class QuickThemeDayForm(forms.Form):
    theme = forms.CharField(label="活动主题", max_length=200)
    held_on = forms.DateField(label="日期", widget=DATE)
    place = forms.CharField(label="地点", required=False, max_length=120)
    photo = forms.FileField(
        label="活动照片", required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )


class ExclusionForm(forms.Form):
    member = MemberPickerField(label="党员", action="change")
    reason = forms.ChoiceField(label="情形", choices=rules.EXCLUSION_CHOICES)
    starts_on = forms.DateField(label="起始日期", widget=DATE)
    ends_on = forms.DateField(label="截止日期", required=False, widget=DATE, help_text="未定可留空")
    approved_by = forms.CharField(label="批准组织", max_length=120)
    approved_on = forms.DateField(label="批准日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


class EndExclusionForm(forms.Form):
    ends_on = forms.DateField(label="截止日期", widget=DATE)


class SettingsForm(forms.Form):
    note = forms.CharField(label="修订说明", max_length=200)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in rules.KINDS:
            v = version.kind(kind.code)
            self.fields[f"{kind.code}_frequency"] = forms.ChoiceField(
                label=f"{kind.label}·频次", choices=rules.FREQUENCY_CHOICES, initial=v["frequency"]
            )
            self.fields[f"{kind.code}_quorum"] = forms.ChoiceField(
                label=f"{kind.label}·法定人数", choices=list(rules.QUORUM_LABEL.items()), initial=v["quorum"]
            )
            self.fields[f"{kind.code}_hours"] = forms.DecimalField(
                label=f"{kind.label}·默认时长（小时）", initial=v["hours"], max_digits=4, decimal_places=1
            )
            if kind.study_form:
                self.fields[f"{kind.code}_study"] = forms.BooleanField(
                    label=f"{kind.label}·计入学习学时", required=False, initial=v.get("study")
                )
        for key, label in rules.GENERAL_LABEL.items():
            self.fields[key] = forms.IntegerField(label=label, initial=version.general(key))

    def values(self) -> dict:
        d = self.cleaned_data
        kinds = {}
        for kind in rules.KINDS:
            entry = {"frequency": d[f"{kind.code}_frequency"], "quorum": d[f"{kind.code}_quorum"], "hours": str(d[f"{kind.code}_hours"])}
            if kind.study_form:
                entry["study"] = d.get(f"{kind.code}_study", False)
            kinds[kind.code] = entry
        return {"kinds": kinds, **{k: d[k] for k in rules.GENERAL_LABEL}}


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="支部大会决定", choices=rules.CASE_DECISION_CHOICES, widget=forms.RadioSelect)
    meeting_date = forms.DateField(label="支部大会日期", widget=DATE)
    note = forms.CharField(label="决定说明", required=False, max_length=300, help_text="不作处理时须写明理由")
