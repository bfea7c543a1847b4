"""Dues rules declared once as data (domain-rules §2, 中组发〔2008〕3号) and the one engine
that reads them: `monthly_amount(category, base, on=date) -> (rate, amount)`.

A rule set is dated (`effective_from`): a future revision of the regulation is a new
RuleSet appended to RULE_SETS, and months before it keep being computed with the old one.
Money is Decimal, rounded to the fen (0.01 yuan) with ROUND_HALF_UP (docs/dues-rounding.md).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError

FEN = Decimal("0.01")
ROUNDING = ROUND_HALF_UP


@dataclass(frozen=True)
class Bracket:
    """Applies when base ≤ upper (upper None: no ceiling). One rate on the whole base."""

    upper: Decimal | None
    rate: Decimal

    @property
    def label(self) -> str:
        return f"{(self.rate * 100).normalize()}%"


@dataclass(frozen=True)
class CategoryRule:
    code: str
    label: str
    kind: str  # "percent": base × bracket rate; "fixed": a fixed monthly amount
    base_label: str = ""
    brackets: tuple[Bracket, ...] = ()
    fixed_default: Decimal | None = None
    fixed_min: Decimal | None = None
    fixed_max: Decimal | None = None

    @property
    def needs_base(self) -> bool:
        return self.kind == "percent"

    @property
    def fixed_configurable(self) -> bool:
        return self.kind == "fixed" and self.fixed_min != self.fixed_max


@dataclass(frozen=True)
class RuleSet:
    effective_from: datetime.date
    source: str
    categories: dict[str, CategoryRule] = field(default_factory=dict)


_D = Decimal
STANDARD_BRACKETS = (
    Bracket(_D("3000.00"), _D("0.005")),
    Bracket(_D("5000.00"), _D("0.01")),
    Bracket(_D("10000.00"), _D("0.015")),
    Bracket(None, _D("0.02")),
)
RETIREE_BRACKETS = (
    Bracket(_D("5000.00"), _D("0.005")),
    Bracket(None, _D("0.01")),
)
_FIXED_020 = {"kind": "fixed", "fixed_default": _D("0.20"), "fixed_min": _D("0.20"), "fixed_max": _D("0.20")}

RULES_2008 = RuleSet(
    effective_from=datetime.date(2008, 4, 1),
    source="中组发〔2008〕3号《关于中国共产党党费收缴、使用和管理的规定》",
    categories={
        r.code: r
        for r in [
            CategoryRule("salaried", "在职工资收入", "percent", "每月工资收入（税后）中的固定部分", STANDARD_BRACKETS),
            CategoryRule("annual_salary", "实行年薪制", "percent", "当月实际领取的薪酬收入", STANDARD_BRACKETS),
            CategoryRule("self_employed", "个体经营/无固定工资", "percent", "上一季度月平均纯收入", STANDARD_BRACKETS),
            CategoryRule("retiree", "离退休", "percent", "实际领取的离退休费总额", RETIREE_BRACKETS),
            CategoryRule("farmer", "农民", "fixed", fixed_default=_D("0.50"), fixed_min=_D("0.20"), fixed_max=_D("1.00")),
            CategoryRule("student", "学生", **_FIXED_020),
            CategoryRule("unemployed", "下岗失业", **_FIXED_020),
            CategoryRule("relief", "依靠抚恤或救济生活", **_FIXED_020),
            CategoryRule("dibao", "领取最低生活保障金", **_FIXED_020),
        ]
    },
)

RULE_SETS: list[RuleSet] = [RULES_2008]

CATEGORY_CHOICES = [(c.code, c.label) for c in RULES_2008.categories.values()]
CATEGORY_LABEL = dict(CATEGORY_CHOICES)

# Default category by the member's occupation (members.codes.OCCUPATION_CHOICES), used when
# a member has no income declaration: fixed-amount categories need no base, the others
# wait for a declaration.
DEFAULT_CATEGORY_BY_OCCUPATION = {"farmer": "farmer", "student": "student"}

# Payment rules (domain-rules §2).
BACK_PAYMENT_WARN_MONTHS = 6  # back payment "generally ≤ 6 months": warn beyond, allow
QUARTER_MONTHS = 3
VOLUNTARY_CENTRE_THRESHOLD = _D("1000.00")  # a one-off voluntary payment ≥ this goes wholly to the centre
ANNUAL_REMITTANCE_RATE = _D("0.05")  # provincial level remits 5% of the year's dues upward
ANNUAL_REMITTANCE_DUE = (4, 30)  # by the end of April of the following year

PAYER_CHOICES = [("self", "本人缴纳"), ("proxy", "他人代交")]
METHOD_CHOICES = [("cash", "现金"), ("bank_transfer", "银行转账"), ("wechat", "微信"), ("alipay", "支付宝"), ("other", "其他")]
KIND_CHOICES = [("regular", "按月交纳党费")]
# What the regulation forbids, with the message the system answers (field, message).
REFUSED_PAYERS = {
    "organisation": ("payer_kind", "党组织或单位不得代替党员交纳党费，党费须由党员本人交纳或由其委托他人代交"),
    "unit": ("payer_kind", "党组织或单位不得代替党员交纳党费，党费须由党员本人交纳或由其委托他人代交"),
}
REFUSED_METHODS = {
    "payroll_deduction": ("method", "不得从党员工资中直接扣缴党费，党费须由党员主动交纳"),
    "deduction": ("method", "不得从党员工资中直接扣缴党费，党费须由党员主动交纳"),
}
REFUSED_KINDS = {
    "special": ("kind", "不得以任何名义向党员收取“特殊党费”，自愿多交请登记为“自愿多交党费”"),
}
# Names that reveal an organisation paying on members' behalf.
ORGANISATION_PAYER_WORDS = ("党委", "党支部", "党总支", "支部", "委员会", "公司", "单位", "政府", "集团", "财务")

# Arrears (self_withdrawal, 党章第九条): levels by consecutive unpaid months.
ARREARS_LEVELS = [
    (3, "warning", "欠缴3个月：支部书记与本人谈话提醒"),
    (5, "escalation", "欠缴5个月：上报上级党组织预警"),
    (6, "case", "连续6个月未交纳：启动自行脱党处置程序，由支部大会决定"),
]
ARREARS_WARNING, ARREARS_ESCALATION, ARREARS_CASE = (n for n, _, _ in ARREARS_LEVELS)


def arrears_level(months: int) -> tuple[str, str] | None:
    found = None
    for n, code, text in ARREARS_LEVELS:
        if months >= n:
            found = (code, text)
    return found


def rule_set_on(on: datetime.date | None = None) -> RuleSet:
    if on is None:
        from django.utils import timezone

        on = timezone.localdate()
    applicable = [r for r in RULE_SETS if r.effective_from <= on]
    if not applicable:
        raise ValidationError({"month": [f"{on:%Y年%m月}早于党费规定施行日期，无适用的计算规则"]})
    return max(applicable, key=lambda r: r.effective_from)


def category_rule(category: str, on: datetime.date | None = None) -> CategoryRule:
    rules = rule_set_on(on)
    try:
        return rules.categories[category]
    except KeyError:
        known = "、".join(f"{c.code}（{c.label}）" for c in rules.categories.values())
        raise ValidationError({"category": [f"党费类别“{category}”无效，可选：{known}"]})


def parse_money(value, field_name: str = "amount", label: str = "金额", *, allow_zero: bool = True) -> Decimal:
    """A yuan amount as Decimal with at most two decimals; Chinese error otherwise."""
    if isinstance(value, float):
        value = repr(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field_name: [f"{label}不能为空"]})
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field_name: [f"{label}“{value}”不是有效的数字"]})
    if not amount.is_finite():
        raise ValidationError({field_name: [f"{label}“{value}”不是有效的数字"]})
    if amount < 0:
        raise ValidationError({field_name: [f"{label}不能为负数（{value}）"]})
    if amount == 0 and not allow_zero:
        raise ValidationError({field_name: [f"{label}必须大于0"]})
    if amount != amount.quantize(FEN):
        raise ValidationError({field_name: [f"{label}最多保留两位小数（精确到分）：{value}"]})
    if amount >= Decimal("100000000"):
        raise ValidationError({field_name: [f"{label}超出合理范围：{value}"]})
    return amount.quantize(FEN)


def bracket_for(rule: CategoryRule, base: Decimal) -> Bracket:
    for bracket in rule.brackets:
        if bracket.upper is None or base <= bracket.upper:
            return bracket
    raise AssertionError("the last bracket has no ceiling")  # pragma: no cover


def round_fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUNDING)


def monthly_amount(category: str, base=None, on: datetime.date | None = None, *, fixed_amount=None) -> tuple[Decimal | None, Decimal]:
    """(rate, monthly amount) for a category and declared base in force on `on`.

    Percent categories: one rate on the whole base, chosen by the bracket the base falls in
    (upper bounds inclusive: 3000.00 → 0.5 %, 3000.01 → 1 %), amount = base × rate rounded
    to the fen, ROUND_HALF_UP. Fixed categories: rate None, amount the fixed sum (farmers:
    `fixed_amount` within 0.20–1.00, default 0.50; the base is ignored)."""
    rule = category_rule(category, on)
    if rule.kind == "fixed":
        if fixed_amount is None or fixed_amount == "":
            return None, rule.fixed_default
        amount = parse_money(fixed_amount, "fixed_amount", "定额")
        if not (rule.fixed_min <= amount <= rule.fixed_max):
            if rule.fixed_min == rule.fixed_max:
                msg = f"{rule.label}党员每月交纳党费{rule.fixed_min}元，不能改为{amount}元"
            else:
                msg = f"{rule.label}党员每月交纳党费{rule.fixed_min}～{rule.fixed_max}元，{amount}元超出范围"
            raise ValidationError({"fixed_amount": [msg]})
        return None, amount
    if base is None or base == "":
        raise ValidationError({"base": [f"{rule.label}党员须申报缴纳基数（{rule.base_label}）"]})
    base = parse_money(base, "base", "缴纳基数")
    bracket = bracket_for(rule, base)
    return bracket.rate, round_fen(base * bracket.rate)


def quarter_average(incomes) -> Decimal:
    """Self-employed base: average monthly net income of the previous quarter (three
    monthly figures), rounded to the fen."""
    values = [parse_money(v, "base", "月纯收入") for v in incomes]
    if len(values) != QUARTER_MONTHS:
        raise ValidationError({"base": ["上一季度月平均纯收入须按三个月的纯收入计算"]})
    return round_fen(sum(values, Decimal("0")) / QUARTER_MONTHS)


def money(value) -> Decimal:
    """A database SUM as yuan to the fen (SQLite sums decimals in floating point)."""
    return round_fen(Decimal(str(value))) if value is not None else Decimal("0.00")


def rate_label(rate: Decimal | None) -> str:
    if rate is None:
        return "定额"
    return f"{(rate * 100).normalize():f}%"


def remittance_amount(total: Decimal, rate: Decimal = ANNUAL_REMITTANCE_RATE) -> Decimal:
    return round_fen(total * rate)
