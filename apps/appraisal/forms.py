"""Web forms: they parse input; the rules live in apps.appraisal.services and rules."""

import datetime

from django import forms
from django.utils import timezone

from apps.members.picker import MemberPickerField
from apps.orgs.picker import OrgPickerField
from apps.orgs.rules import BRANCH_TYPES

from . import rules

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what a date input accepts
TEXT = forms.Textarea(attrs={"rows": 5})


class CampaignForm(forms.Form):
    organisation = OrgPickerField(label="评议范围（党组织及其下级）", action="approve")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="名称", required=False, max_length=100, help_text="留空时为“XXXX年度民主评议党员”")
    report_by = forms.DateField(label="书记述职截止", widget=DATE)
    self_by = forms.DateField(label="个人自评截止", widget=DATE)
    peer_by = forms.DateField(label="党员互评截止", widget=DATE)
    rating_by = forms.DateField(label="民主测评截止", widget=DATE)
    proposal_by = forms.DateField(label="组织评定截止", widget=DATE)
    feedback_by = forms.DateField(label="结果反馈截止", widget=DATE)
    cap_numerator = forms.IntegerField(label="优秀比例上限（分子）", initial=rules.EXCELLENT_CAP.numerator, min_value=1)
    cap_denominator = forms.IntegerField(label="优秀比例上限（分母）", initial=rules.EXCELLENT_CAP.denominator, min_value=2)
    rating_weight = forms.IntegerField(label="民主测评在评定参考分中的权重（%）", initial=rules.RATING_WEIGHT, min_value=0, max_value=100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)
        if not self.is_bound:
            year = timezone.localdate().year
            self.initial.update(
                {
                    "year": year,
                    "report_by": datetime.date(year, 11, 15),
                    "self_by": datetime.date(year, 11, 30),
                    "peer_by": datetime.date(year, 12, 10),
                    "rating_by": datetime.date(year, 12, 20),
                    "proposal_by": datetime.date(year, 12, 31),
                    "feedback_by": datetime.date(year + 1, 1, 15),
                }
            )


class ReportForm(forms.Form):
    report = forms.CharField(label="书记述职报告（要点）", widget=TEXT, max_length=5000)
    report_on = forms.DateField(label="述职日期", widget=DATE, initial=timezone.localdate)


class TextForm(forms.Form):
    text = forms.CharField(label="内容", widget=TEXT, max_length=3000)


class DateForm(forms.Form):
    on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)


class GradesForm(forms.Form):
    """One grade per appraisee (field g_<appraisee id>): the ballot and the proposal."""

    def __init__(self, *args, appraisees, initial_grades=None, meeting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.appraisees = list(appraisees)
        for a in self.appraisees:
            self.fields[f"g_{a.pk}"] = forms.ChoiceField(
                label=a.member.name,
                choices=[("", "请选择"), *rules.GRADES],
                widget=forms.RadioSelect,
                initial=(initial_grades or {}).get(a.pk, ""),
                required=False,
            )
        if meeting:
            self.fields["meeting_date"] = forms.DateField(label="评定会议日期", widget=DATE, initial=timezone.localdate)

    def grades(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(f"g_{a.pk}") or "" for a in self.appraisees if self.cleaned_data.get(f"g_{a.pk}")}

    def rows(self):
        return [(a, self[f"g_{a.pk}"]) for a in self.appraisees]


class CaseOpenForm(forms.Form):
    member = MemberPickerField(label="党员", action="change")
    kind = forms.ChoiceField(label="处置方式", choices=rules.CASE_KIND_CHOICES)
    source = forms.CharField(widget=forms.HiddenInput, required=False, initial="manual")
    source_note = forms.CharField(label="案由", max_length=300)
    opened_on = forms.DateField(label="立案日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


STEP_FIELDS = {
    "filed": {
        "filed_on": forms.DateField(label="备案日期", widget=DATE),
        "filed_with": forms.CharField(label="备案的基层党委", max_length=100, required=False, help_text="留空为上级党组织"),
    },
    "talked": {
        "talk_on": forms.DateField(label="谈话日期", widget=DATE),
        "talk_notes": forms.CharField(label="谈话情况", widget=TEXT, max_length=5000),
    },
    "voted": {
        "meeting_date": forms.DateField(label="支部大会日期", widget=DATE),
        "should_attend": forms.IntegerField(label="应到有表决权党员", min_value=0),
        "present": forms.IntegerField(label="实到", min_value=0),
        "yes": forms.IntegerField(label="赞成", min_value=0),
        "no": forms.IntegerField(label="反对", min_value=0),
        "abstain": forms.IntegerField(label="弃权", min_value=0),
        "defence": forms.CharField(label="本人申辩意见", widget=TEXT, required=False, max_length=3000),
    },
    "approved": {
        "approved_on": forms.DateField(label="批准日期", widget=DATE),
        "approval_note": forms.CharField(label="审批意见", max_length=300, required=False),
    },
    "decided": {
        "decided_on": forms.DateField(label="决定日期", widget=DATE),
        "letter_no": forms.CharField(label="决定文号", max_length=60),
        "deadline": forms.DateField(label="改正期限（限期改正）", widget=DATE, required=False, help_text="留空为6个月；最长不超过1年"),
    },
    "concluded": {
        "closed_on": forms.DateField(label="考察日期", widget=DATE),
        "outcome": forms.ChoiceField(label="考察结果", choices=rules.OUTCOMES),
    },
}


def step_form(step: str, data=None, *, kind: str = ""):
    fields = dict(STEP_FIELDS[step])
    if step == "decided" and kind != rules.CORRECTION:
        fields.pop("deadline")
    cls = type(f"Step_{step}", (forms.Form,), {k: v for k, v in fields.items()})
    return cls(data)


# ── 设岗定责 ──────────────────────────────────────────────────────────────────────────────
class PostForm(forms.Form):
    organisation = OrgPickerField(label="党支部", action="change", org_types=BRANCH_TYPES)
    kind = forms.ChoiceField(label="类别", choices=rules.POST_KIND_CHOICES)
    post_type = forms.ChoiceField(label="岗位类型（设岗定责）", choices=[("", "—"), *rules.POST_TYPE_CHOICES], required=False)
    title = forms.CharField(label="名称", max_length=60, required=False, help_text="设岗定责留空时为岗位类型名称")
    duties = forms.CharField(label="岗位职责", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    coverage = forms.CharField(label="覆盖区域或联系农户", max_length=200, required=False, help_text="党员责任区、党员中心户必填")
    households = forms.IntegerField(label="联系户数（党员中心户）", required=False, min_value=0, max_value=999)
    set_up_on = forms.DateField(label="设立日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class AssignForm(forms.Form):
    member = MemberPickerField(label="党员", action="change")
    duties = forms.CharField(label="承担职责", max_length=300)
    start_on = forms.DateField(label="上岗日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, user, under=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user, under=under)


class PostReviewForm(forms.Form):
    assignment = forms.TypedChoiceField(label="党员", coerce=int)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label="期间", choices=rules.REVIEW_PERIODS, coerce=int)
    grade = forms.ChoiceField(label="评岗等次", choices=rules.POST_GRADES)
    fulfilment = forms.CharField(label="履职情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reviewed_on = forms.DateField(label="评岗日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [(a.pk, a.member.name) for a in assignments]
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("year", today.year if today.month > 6 else today.year - 1)
            self.initial.setdefault("half", 1 if today.month > 6 else 2)


# ── 监督管理 ──────────────────────────────────────────────────────────────────────────────
def _matter_choices():
    out = [("", "—")]
    for k in rules.SUPERVISION_KINDS:
        out += [(code, f"{k.label}·{label}") for code, label in k.matters]
    return out


class SupervisionForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=rules.SUPERVISION_KIND_CHOICES)
    member = MemberPickerField(label="党员（报告人、谈话对象或群众反映的党员）", action="change")
    counterpart = MemberPickerField(label="谈话人（谈心谈话）", action="view", required=False)
    on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    matter = forms.ChoiceField(label="事项类别 / 意见来源", choices=_matter_choices(), required=False)
    content = forms.CharField(label="内容（报告事项、谈话主题、群众意见）", widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
    follow_up = forms.CharField(label="后续跟进", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)
        self.fields["counterpart"].for_user(user)


class ConcludeForm(forms.Form):
    verification = forms.ChoiceField(label="核实结果（群众意见）", choices=[("", "—"), *rules.VERIFICATION_CHOICES], required=False)
    follow_up = forms.CharField(label="答复或处理结果", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)
    closed_on = forms.DateField(label="办结日期", widget=DATE, initial=timezone.localdate)


# ── 目标管理 ──────────────────────────────────────────────────────────────────────────────
class GoalSetForm(forms.Form):
    member = MemberPickerField(label="党员", action="change")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    own_goals = forms.CharField(label="补充目标（可不填）", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)


class MyGoalForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year)
    own_goals = forms.CharField(label="我的补充目标（可不填）", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False)


class GoalCheckForm(forms.Form):
    self_check = forms.CharField(label="年终自查（对照目标逐条说明完成情况）", widget=forms.Textarea(attrs={"rows": 6}), max_length=3000)
    check_grade = forms.ChoiceField(label="完成情况", choices=rules.GOAL_CHECK_GRADES)


# ── 三培养 ──────────────────────────────────────────────────────────────────────────────
class TalentForm(forms.Form):
    track = forms.ChoiceField(label="培养方向", choices=rules.TALENT_TRACK_CHOICES)
    member = MemberPickerField(label="党员（把党员培养成骨干、把党员骨干培养成村干部）", action="change", required=False)
    organisation = OrgPickerField(label="负责培养的党支部（把骨干培养成党员）", action="change", org_types=BRANCH_TYPES, required=False)
    name = forms.CharField(label="姓名（把骨干培养成党员）", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    strengths = forms.CharField(label="特长或从事行业", max_length=100, required=False)
    mentor = MemberPickerField(label="培养联系人", action="view")
    start_on = forms.DateField(label="列入日期", widget=DATE, initial=timezone.localdate)
    plan = forms.CharField(label="培养措施", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user)
        self.fields["organisation"].for_user(user)
        self.fields["mentor"].for_user(user)


class TalentEditForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    strengths = forms.CharField(label="特长或从事行业", max_length=100, required=False)
    mentor = MemberPickerField(label="培养联系人", action="view")
    plan = forms.CharField(label="培养措施", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False)

    def __init__(self, *args, user, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].for_user(user)
        if entry.member_id:
            del self.fields["name"]


class TalentStageForm(forms.Form):
    stage = forms.ChoiceField(label="新阶段")
    on = forms.DateField(label="变更日期", widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label="说明", max_length=300, required=False)

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(c, label) for c, label in entry.track_rule.stages if c != entry.stage]


class TalentCloseForm(forms.Form):
    outcome = forms.ChoiceField(label="培养结果")
    on = forms.DateField(label="结束日期", widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label="说明（终止培养须写明原因）", max_length=300, required=False)

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            (c, entry.track_rule.achieved if c == "achieved" else label) for c, label in rules.TALENT_OUTCOMES
        ]
