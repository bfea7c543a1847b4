"""Web forms: they parse input; the rules live in apps.dues.services."""

from django import forms

from . import rules
from .models import ArrearsCase, Payment, Reduction

DATE = forms.DateInput(attrs={"type": "date"})
MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


class PaymentForm(forms.Form):
    from_month = forms.CharField(label="起始月份", widget=MONTH)
    to_month = forms.CharField(label="截止月份", required=False, widget=MONTH, help_text="只交一个月时留空")
    amount = forms.CharField(label="金额（元）", widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    paid_on = forms.DateField(label="缴纳日期", required=False, widget=DATE)
    mode = forms.ChoiceField(label="缴纳方式", choices=[("monthly", "按月"), ("quarterly", "按季度（经支部同意）")], initial="monthly")
    branch_consent = forms.BooleanField(label="支部已同意按季度缴纳", required=False)
    payer_kind = forms.ChoiceField(label="缴纳人", choices=rules.PAYER_CHOICES, initial="self")
    payer_name = forms.CharField(label="代交人姓名", required=False, max_length=40)
    method = forms.ChoiceField(label="支付方式", choices=rules.METHOD_CHOICES, initial="cash")
    note = forms.CharField(label="备注", required=False, max_length=200)

    def months(self):
        from . import months as mo

        first = mo.parse_month(self.cleaned_data["from_month"], "from_month", "起始月份")
        last = self.cleaned_data.get("to_month")
        last = mo.parse_month(last, "to_month", "截止月份") if last else first
        if last < first:
            from django.core.exceptions import ValidationError

            raise ValidationError({"to_month": ["截止月份不能早于起始月份"]})
        if (last.year - first.year) * 12 + last.month - first.month > 60:
            from django.core.exceptions import ValidationError

            raise ValidationError({"to_month": ["一次最多登记60个月"]})
        return mo.months_between(first, last)


class DeclarationForm(forms.Form):
    category = forms.ChoiceField(label="党费类别", choices=rules.CATEGORY_CHOICES)
    base = forms.CharField(label="缴纳基数（元）", required=False, help_text="定额类别无需填写")
    fixed_amount = forms.CharField(label="农民每月定额（元）", required=False, help_text="0.20～1.00，默认0.50")
    effective_month = forms.CharField(label="起算月份", widget=MONTH, help_text="首次领取新收入的当月")
    note = forms.CharField(label="说明", required=False, max_length=200)


class VoluntaryForm(forms.Form):
    amount = forms.CharField(label="自愿多交金额（元）")
    paid_on = forms.DateField(label="缴纳日期", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, max_length=200)


class ReductionForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=Reduction.Kind.choices)
    monthly_amount = forms.CharField(label="减交后每月交纳（元）", required=False)
    start_month = forms.CharField(label="起始月份", widget=MONTH)
    end_month = forms.CharField(label="截止月份", widget=MONTH)
    reason = forms.CharField(label="理由（支部讨论意见）", widget=forms.Textarea(attrs={"rows": 2}), max_length=300)
    proposed_on = forms.DateField(label="支部讨论日期", required=False, widget=DATE)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label="审批结果", choices=[("1", "批准"), ("0", "不批准")], coerce=lambda v: v == "1")
    note = forms.CharField(label="审批意见", required=False, max_length=300)


class HandOverForm(forms.Form):
    amount = forms.CharField(label="上交金额（元）")
    handed_on = forms.DateField(label="上交日期", required=False, widget=DATE)
    difference_note = forms.CharField(label="差额说明", required=False, max_length=300)


class RemittanceForm(forms.Form):
    year = forms.IntegerField(label="年度")
    amount_remitted = forms.CharField(label="实际上缴金额（元）")
    rate = forms.CharField(label="上缴比例", required=False, help_text="默认0.05（5%）")
    remitted_on = forms.DateField(label="上缴日期", required=False, widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


class CaseDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="支部大会决定", choices=ArrearsCase.Decision.choices)
    meeting_date = forms.DateField(label="支部大会日期", widget=DATE)
    note = forms.CharField(label="说明", required=False, max_length=300)


class PaidElsewhereForm(forms.Form):
    note = forms.CharField(label="流入地党组织", max_length=120)


PAYMENT_MODES = dict(Payment.Mode.choices)
