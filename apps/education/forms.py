"""Web forms: they parse input; the rules live in apps.education.services."""

from django import forms

from apps.members.picker import MemberPickerField
from apps.orgs.picker import OrgPickerField

from . import rules

DATE = forms.DateInput(attrs={"type": "date"})
DECIMAL = forms.TextInput(attrs={"inputmode": "decimal"})


class EntryForm(forms.Form):
    member = MemberPickerField(label="党员", action="change")
    date = forms.DateField(label="学习日期", widget=DATE)
    form = forms.ChoiceField(label="学习形式", choices=rules.MANUAL_FORMS, initial="collective_study")
    duration = forms.ChoiceField(label="时长", choices=rules.DURATIONS, initial="actual", help_text="全天、半天按学时规则折算")
    days = forms.IntegerField(label="天数", min_value=1, max_value=30, initial=1, required=False, help_text="全天、半天的天数")
    hours = forms.CharField(label="实际学时", required=False, widget=DECIMAL, help_text="按实际学时计算时填写")
    content = forms.CharField(label="学习内容", max_length=200)
    organiser = forms.CharField(label="组织者", max_length=120, required=False)
    participants = forms.CharField(label="参加人员", max_length=200, required=False)
    reflection = forms.CharField(label="学习心得", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    score = forms.CharField(label="测试成绩", required=False, widget=DECIMAL)

    def __init__(self, *args, user, org=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user, under=org)


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "认定"), ("0", "不予认定")], coerce=lambda v: v == "1")
    note = forms.CharField(label="审批意见", required=False, max_length=200)


class ClassForm(forms.Form):
    organisation = OrgPickerField(label="举办组织", action="change")
    title = forms.CharField(label="班次名称", max_length=120)
    level = forms.ChoiceField(label="层级", choices=rules.CLASS_LEVELS)
    kind = forms.ChoiceField(label="类别", choices=rules.CLASS_KINDS, initial="general")
    start_date = forms.DateField(label="开班日期", widget=DATE)
    end_date = forms.DateField(label="结业日期", widget=DATE)
    plan = forms.CharField(label="培训计划", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class SessionForm(forms.Form):
    date = forms.DateField(label="日期", widget=DATE)
    topic = forms.CharField(label="课程", max_length=200)
    lecturer = forms.CharField(label="授课人", max_length=60)
    duration = forms.ChoiceField(label="时长", choices=rules.DURATIONS, initial="actual")
    hours = forms.CharField(label="学时", required=False, widget=DECIMAL, help_text="按实际学时计算时填写")


class QuotaForm(forms.Form):
    organisation = OrgPickerField(label="名额单位", action="view", active_only=True)
    seats = forms.IntegerField(label="名额", min_value=0, max_value=100000)

    def __init__(self, *args, user, under=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class EnrolForm(forms.Form):
    member = MemberPickerField(label="学员", action="view")

    def __init__(self, *args, user, under=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].for_user(user, under=under)


class RulesForm(forms.Form):
    note = forms.CharField(label="修订说明", max_length=200)

    def __init__(self, *args, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        for s in rules.SETTINGS:
            self.fields[s.key] = forms.IntegerField(
                label=s.label if s.label.endswith(f"（{s.unit}）") else f"{s.label}（{s.unit}）",  # not 培训（次）（次）
                min_value=s.minimum,
                max_value=s.maximum,
                initial=(initial_values or rules.DEFAULTS)[s.key],
                help_text=s.source,
            )


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    text = forms.CharField(
        label="述学报告",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=rules.REPORT_MAX_CHARS,
        help_text=f"本年度学了什么、有什么收获、如何联系实际（{rules.REPORT_MIN_CHARS}～{rules.REPORT_MAX_CHARS}字）",
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in years]


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label="评议等次", choices=rules.REPORT_GRADES)
    comment = forms.CharField(label="评议意见", max_length=500)


class QuestionForm(forms.Form):
    organisation = OrgPickerField(label="题库所属组织", action="change")
    kind = forms.ChoiceField(label="题型", choices=rules.QUESTION_KINDS)
    category = forms.CharField(label="分类", max_length=40)
    difficulty = forms.ChoiceField(label="难度", choices=rules.DIFFICULTIES, initial="medium")
    text = forms.CharField(label="题干", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    options = forms.CharField(
        label="选项", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个选项，依次为A、B、C…；判断题不填"
    )
    answer = forms.CharField(label="正确答案", max_length=8, help_text="选项字母，如 B 或 ACD；判断题填“对”或“错”")
    explanation = forms.CharField(label="解析", max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)

    def clean_options(self):
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines() if line.strip()]


class QuestionImportForm(forms.Form):
    organisation = OrgPickerField(label="题库所属组织", action="change")
    file = forms.FileField(label="题库文件（.xlsx）", help_text="列：" + "、".join(rules.QUESTION_COLUMNS))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class QuizForm(forms.Form):
    organisation = OrgPickerField(label="举办组织", action="change", help_text="本组织及下级组织的党员参加")
    title = forms.CharField(label="考学名称", max_length=120)
    draw = forms.CharField(
        label="抽题规则", widget=forms.Textarea(attrs={"rows": 3}), help_text="每行“分类：题数”，如“党章党规：5”；每人每次随机抽题"
    )
    time_limit = forms.IntegerField(label="答题时限（分钟）", min_value=1, max_value=rules.MAX_TIME_LIMIT, initial=30)
    attempts_allowed = forms.IntegerField(
        label="作答次数", min_value=1, max_value=rules.MAX_QUIZ_ATTEMPTS, initial=1, help_text="多次作答取最好成绩"
    )
    pass_score = forms.IntegerField(label="合格分数", min_value=0, max_value=100, initial=60)
    hours = forms.DecimalField(label="合格记入学时", min_value=0, max_value=rules.MAX_QUIZ_HOURS, decimal_places=1, initial=2)
    opens_on = forms.DateField(label="开始日期", widget=DATE)
    closes_on = forms.DateField(label="截止日期", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)

    def clean_draw(self):
        draw: dict[str, str] = {}
        for line in (self.cleaned_data.get("draw") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("：", ":", " ", "\t"):
                if sep in line:
                    category, n = line.rsplit(sep, 1)
                    break
            else:
                raise forms.ValidationError(f"“{line}”应写成“分类：题数”")
            draw[category.strip()] = n.strip()
        return draw


class PlanForm(forms.Form):
    organisation = OrgPickerField(label="制定计划的组织", action="change")
    kind = forms.ChoiceField(label="计划类型", choices=rules.PLAN_KINDS, initial="annual")
    title = forms.CharField(label="计划名称", max_length=120)
    start_year = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="截止年度", min_value=2000, max_value=2100, required=False, help_text="年度计划不填")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class PlanItemForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False, help_text="中期规划填写；年度计划不填")
    month = forms.IntegerField(label="月份", min_value=1, max_value=12)
    topic = forms.CharField(label="主题", max_length=200)
    audience = forms.ChoiceField(label="对象", choices=rules.PLAN_AUDIENCES)
    level = forms.ChoiceField(label="层级", choices=rules.CLASS_LEVELS, initial="branch")
    form = forms.ChoiceField(label="学习形式", choices=rules.FORMS, initial="collective_study")
    hours = forms.DecimalField(label="计划学时", min_value=0, max_digits=5, decimal_places=1)
    training_class = forms.ModelChoiceField(
        label="培训班", queryset=None, required=False, help_text="由培训班落实的项目：关联后按其考勤判断执行"
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import TrainingClass

        self.fields["training_class"].queryset = TrainingClass.objects.filter(
            org_path__startswith=plan.org_path, start_date__year__gte=plan.start_year, start_date__year__lte=plan.end_year
        ).order_by("-start_date")


class VenueForm(forms.Form):
    organisation = OrgPickerField(label="所属组织", action="change")
    kind = forms.ChoiceField(label="类型", choices=rules.VENUE_KINDS)
    name = forms.CharField(label="名称", max_length=120)
    address = forms.CharField(label="地址", max_length=200, required=False)
    area = forms.IntegerField(label="面积（平方米）", required=False, min_value=0)
    seats = forms.IntegerField(label="座位数", required=False, min_value=0)
    equipment = forms.CharField(label="设备", max_length=200, required=False, help_text="如：电视、投影、远程教育终端")
    investment = forms.DecimalField(label="投入（万元）", required=False, max_digits=9, decimal_places=2)
    opened_on = forms.DateField(label="启用日期", required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class CoursewareForm(forms.Form):
    organisation = OrgPickerField(label="所属组织", action="change")
    title = forms.CharField(label="课件名称", max_length=200)
    category = forms.CharField(label="分类", max_length=40, required=False)
    minutes = forms.IntegerField(label="时长（分钟）", min_value=1, max_value=rules.MAX_COURSEWARE_MINUTES)
    link = forms.CharField(label="内网地址", max_length=500, required=False, help_text="内网上的文件或播放地址；也可在下方上传文件")
    file = forms.FileField(
        label="课件文件",
        required=False,
        help_text=f"{'、'.join(sorted(rules.COURSEWARE_TYPES))}，不超过{rules.size_text(rules.COURSEWARE_MAX_BYTES)}",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in sorted(rules.COURSEWARE_TYPES))}),
    )
    speaker = forms.CharField(label="主讲人", max_length=60, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class VenueEditForm(VenueForm):
    """Editing keeps the organisation (a venue does not move between organisations)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["organisation"]


class CoursewareEditForm(CoursewareForm):
    remove_file = forms.BooleanField(label="删除已上传的文件", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["organisation"]
        self.fields["file"].label = "更换课件文件"
        self.fields["file"].widget = forms.FileInput(attrs=self.fields["file"].widget.attrs)


class JointMeetingForm(forms.Form):
    organisation = OrgPickerField(label="召集组织", action="change")
    date = forms.DateField(label="日期", widget=DATE)
    topic = forms.CharField(label="议题", max_length=200)
    attendees = forms.CharField(label="参加单位和人员", max_length=500)
    decisions = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].for_user(user)


class QuestionEditForm(QuestionForm):
    """Editing keeps the bank (organisation) of a question."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["organisation"]


class QuizEditForm(QuizForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        del self.fields["organisation"]


class PlanEditForm(forms.Form):
    title = forms.CharField(label="计划名称", max_length=120)
    end_year = forms.IntegerField(label="截止年度", min_value=2000, max_value=2100, required=False, help_text="年度计划不填")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
