import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.dues import services, standing, tally
from apps.dues.models import DuesLine, IncomeDeclaration, LedgerMonth, Payment, PaymentMonth, Reduction, VoluntaryPayment
from apps.members import services as member_services
from tests.dues.conftest import salaried
from tests.factories import make_member

D = Decimal
TODAY = datetime.date(2026, 6, 15)


def line(member, month):
    return DuesLine.objects.get(member=member, month=datetime.date.fromisoformat(month + "-01"))


def test_generate_month_prices_and_is_idempotent(branch, secretary):
    a = salaried(branch, "3000.01")
    b = make_member(branch, occupation="farmer")  # default farmer fixed amount, no declaration needed
    c = make_member(branch, occupation="professional")  # no declaration: reported, not charged
    r = services.generate_month(branch, "2026-03", actor=secretary, today=TODAY)
    assert (r.created, r.existing, [m.pk for m in r.missing_declaration]) == (2, 0, [c.pk])
    la = line(a, "2026-03")
    assert (la.rate, la.amount_due, la.status, la.org_path) == (D("0.0100"), D("30.00"), "unpaid", branch.path)
    assert line(b, "2026-03").amount_due == D("0.50") and line(b, "2026-03").rate is None
    r2 = services.generate_month(branch, "2026-03", actor=secretary, today=TODAY)
    assert (r2.created, r2.existing) == (0, 2)
    assert DuesLine.objects.count() == 2
    log = LedgerMonth.objects.get(organisation=branch)
    assert ChangeLog.objects.filter(object_type="dues.ledgermonth", object_id=str(log.pk)).count() == 2


def test_generate_refuses_future_and_out_of_scope(branch, other_branch, secretary):
    with pytest.raises(ValidationError) as exc:
        services.generate_month(branch, "2026-07", actor=secretary, today=TODAY)
    assert "未来月份" in str(exc.value)
    with pytest.raises(ScopeError):
        services.generate_month(other_branch, "2026-03", actor=secretary, today=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.generate_month(branch, "2026-13", actor=secretary, today=TODAY)
    assert "格式错误" in str(exc.value) or "有效的年月" in str(exc.value)


def test_probationary_member_charged_from_admission_month(branch):
    m = make_member(branch, member_type="probationary", join_date=datetime.date(2026, 3, 20), conversion_date=None, occupation="student")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    services.generate_month(branch, "2026-03", today=TODAY, actor=system_actor("cli"))
    assert list(DuesLine.objects.filter(member=m).values_list("month", flat=True)) == [datetime.date(2026, 3, 1)]
    assert line(m, "2026-03").amount_due == D("0.20")


def test_category_change_mid_year_applies_from_effective_month(branch):
    m = salaried(branch, "5000.00", month="2026-01")
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):
        services.generate_month(branch, month, today=TODAY, actor=system_actor("cli"))
    services.record_payment(
        m, months=["2026-01"], amount="50.00", paid_on=datetime.date(2026, 1, 10), today=TODAY, actor=system_actor("cli")
    )
    # retired from March: pension 5000.01 → 1 %; declared late in April, applies from March.
    services.declare_income(
        m, category="retiree", base="5000.01", effective_month="2026-03", declared_on=datetime.date(2026, 4, 20), actor=system_actor("cli")
    )
    assert [(x.month.month, x.category, x.amount_due) for x in DuesLine.objects.filter(member=m).order_by("month")] == [
        (1, "salaried", D("50.00")),
        (2, "salaried", D("50.00")),
        (3, "retiree", D("50.00")),
        (4, "retiree", D("50.00")),
    ]
    services.declare_income(m, category="retiree", base="4000", effective_month="2026-04", actor=system_actor("cli"))
    assert line(m, "2026-04").amount_due == D("20.00") and line(m, "2026-03").amount_due == D("50.00")
    assert IncomeDeclaration.objects.filter(member=m).count() == 3  # history kept
    services.generate_month(branch, "2026-05", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-05").amount_due == D("20.00")


def test_declaration_validation(branch):
    m = make_member(branch)
    with pytest.raises(ValidationError) as exc:
        services.declare_income(m, category="salaried", base="-3", effective_month="2026-01", actor=system_actor("cli"))
    assert "不能为负数" in exc.value.message_dict["base"][0]
    with pytest.raises(ValidationError):
        services.declare_income(m, category="farmer", fixed_amount="2.00", effective_month="2026-01", actor=system_actor("cli"))
    with pytest.raises(ValidationError):
        services.declare_income(m, category="wizard", base="1", effective_month="2026-01", actor=system_actor("cli"))
    assert IncomeDeclaration.objects.count() == 0
    d = services.declare_income(m, category="farmer", fixed_amount="0.80", base="999", effective_month="2026-01", actor=system_actor("cli"))
    assert d.base is None and d.fixed_amount == D("0.80")


def test_monthly_payment_and_paid_up_to(branch, secretary):
    m = salaried(branch, "4000")
    for month in ("2026-01", "2026-02", "2026-03"):
        services.generate_month(branch, month, today=TODAY, actor=system_actor("cli"))
    assert services.paid_up_to(m) is None
    res = services.record_payment(m, months=["2026-01"], amount="40.00", paid_on=datetime.date(2026, 1, 5), actor=secretary, today=TODAY)
    assert res.warnings == [] and res.payment.payer_kind == "self"
    assert line(m, "2026-01").status == "paid" and line(m, "2026-01").payment == res.payment
    assert services.paid_up_to(m) == datetime.date(2026, 1, 1)
    services.record_payment(m, months=["2026-03"], amount="40.00", today=TODAY, actor=system_actor("cli"))
    assert services.paid_up_to(m) == datetime.date(2026, 1, 1)  # February still open
    services.record_payment(m, months=["2026-02"], amount="40", today=TODAY, actor=system_actor("cli"))
    assert services.paid_up_to(m) == datetime.date(2026, 3, 1)
    assert ChangeLog.objects.filter(object_type="dues.payment").count() == 3


def test_duplicate_payment_refused(branch):
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    services.record_payment(
        m, months=["2026-02"], amount="40.00", paid_on=datetime.date(2026, 2, 3), today=TODAY, actor=system_actor("cli")
    )
    with pytest.raises(ValidationError) as exc:
        services.record_payment(m, months=["2026-02"], amount="40.00", today=TODAY, actor=system_actor("cli"))
    assert "2026年02月党费已缴纳（2026-02-03已交），不能重复缴纳" in exc.value.message_dict["months"][0]
    assert Payment.objects.count() == 1


def test_integrity_error_path_gives_chinese_error(branch):
    """The unique PaymentMonth constraint catches a race the status check missed."""
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    first = services.record_payment(m, months=["2026-02"], amount="40.00", today=TODAY, actor=system_actor("cli")).payment
    DuesLine.objects.filter(member=m).update(status="unpaid", payment=None)  # as if read before the other commit
    tally.rebuild()  # that write bypassed the services: the tally and the standing follow it by hand
    standing.restand([(m.pk, datetime.date(2026, 2, 1))], TODAY)
    with pytest.raises(ValidationError) as exc:
        services.record_payment(m, months=["2026-02"], amount="40.00", today=TODAY, actor=system_actor("cli"))
    assert "已由他人同时登记缴纳" in exc.value.message_dict["months"][0]
    assert list(Payment.objects.values_list("pk", flat=True)) == [first.pk]
    assert PaymentMonth.objects.count() == 1


def test_quarterly_payment_needs_consent_and_whole_quarter(branch):
    m = salaried(branch, "2000")  # 10.00 a month
    services.generate_month(branch, "2026-04", today=TODAY, actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        services.record_payment(
            m, months=["2026-04", "2026-05", "2026-06"], amount="30.00", mode="quarterly", today=TODAY, actor=system_actor("cli")
        )
    assert "须经党支部同意" in exc.value.message_dict["branch_consent"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_payment(
            m, months=["2026-04", "2026-05"], amount="20.00", mode="quarterly", branch_consent=True, today=TODAY, actor=system_actor("cli")
        )
    assert "同一季度的三个月" in exc.value.message_dict["months"][0]
    with pytest.raises(ValidationError):
        services.record_payment(
            m, months=["2026-06"], amount="10.00", today=datetime.date(2026, 5, 2), actor=system_actor("cli")
        )  # monthly advance refused
    res = services.record_payment(
        m,
        months=["2026-04", "2026-05", "2026-06"],
        amount="30.00",
        mode="quarterly",
        branch_consent=True,
        today=datetime.date(2026, 4, 9),
        actor=system_actor("cli"),
    )
    assert res.payment.mode == "quarterly" and res.payment.month_count == 3
    assert set(DuesLine.objects.filter(member=m).values_list("status", flat=True)) == {"paid"}  # May and June created on payment
    assert services.paid_up_to(m) == datetime.date(2026, 6, 1)
    services.generate_month(branch, "2026-05", today=TODAY, actor=system_actor("cli"))  # not charged twice
    assert DuesLine.objects.filter(member=m).count() == 3


def test_proxy_payment_needs_named_person(branch):
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        services.record_payment(m, months=["2026-02"], amount="40.00", payer_kind="proxy", today=TODAY, actor=system_actor("cli"))
    assert "代交人姓名" in exc.value.message_dict["payer_name"][0]
    p = services.record_payment(
        m, months=["2026-02"], amount="40.00", payer_kind="proxy", payer_name="李秀英", today=TODAY, actor=system_actor("cli")
    ).payment
    assert (p.payer_kind, p.payer_name) == ("proxy", "李秀英")


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"payer_kind": "organisation"}, "payer_kind", "党组织或单位不得代替党员交纳党费"),
        ({"payer_kind": "proxy", "payer_name": "城关镇第一党支部"}, "payer_name", "党组织或单位不得代替"),
        ({"method": "payroll_deduction"}, "method", "不得从党员工资中直接扣缴党费"),
        ({"kind": "special"}, "kind", "特殊党费"),
        ({"amount": "-40"}, "amount", "不能为负数"),
        ({"amount": "四十"}, "amount", "不是有效的数字"),
        ({"amount": "0"}, "amount", "必须大于0"),
        ({"amount": "40.001"}, "amount", "两位小数"),
        ({"amount": "41.00"}, "amount", "应交40.00元（2026-02 40.00元），实交41.00元，金额不符；多交部分请登记为“自愿多交党费”"),
        ({"months": []}, "months", "请选择缴纳的月份"),
        ({"months": ["2026/99"]}, "months", "缴纳月份"),
    ],
)
def test_refusals_write_nothing(branch, kwargs, field, text):
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    args = {"months": ["2026-02"], "amount": "40.00", "today": TODAY, **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.record_payment(m, **args, actor=system_actor("cli"))
    assert text in exc.value.message_dict[field][0]
    assert Payment.objects.count() == 0 and PaymentMonth.objects.count() == 0
    assert line(m, "2026-02").status == "unpaid"


def test_back_payment_beyond_six_months_warns_but_is_allowed(branch):
    m = salaried(branch, "4000", month="2025-01")
    for month in ("2025-10", "2025-11", "2025-12"):
        services.generate_month(branch, month, today=TODAY, actor=system_actor("cli"))
    res = services.record_payment(m, months=["2025-10", "2025-11", "2025-12"], amount="120.00", today=TODAY, actor=system_actor("cli"))
    assert res.payment.mode == "back"
    assert res.warnings and "超过6个月" in res.warnings[0] and "2025年10月" in res.warnings[0]
    m2 = salaried(branch, "4000", month="2025-01")
    services.generate_month(branch, "2026-01", today=TODAY, actor=system_actor("cli"))
    assert services.record_payment(m2, months=["2026-01"], amount="40.00", today=TODAY, actor=system_actor("cli")).warnings == []


def test_payment_scope(branch, outsider):
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    with pytest.raises(ScopeError):
        services.record_payment(m, months=["2026-02"], amount="40.00", actor=outsider, today=TODAY)
    assert Payment.objects.count() == 0


def test_member_moved_is_charged_where_held_that_month(tree, branch):
    other = tree["branches"][0][1]
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    member_services.move_member(m, other, date=datetime.date(2026, 3, 10), actor=system_actor("cli"))
    # March: held by the old branch on 1 March → charged there, generated from either side.
    services.generate_month(other, "2026-03", today=TODAY, actor=system_actor("cli"))
    assert not DuesLine.objects.filter(member=m, month=datetime.date(2026, 3, 1)).exists()
    services.generate_month(branch, "2026-03", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-03").organisation == branch
    services.generate_month(branch, "2026-04", today=TODAY, actor=system_actor("cli"))
    assert not DuesLine.objects.filter(member=m, month=datetime.date(2026, 4, 1)).exists()
    services.generate_month(other, "2026-04", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-04").organisation == other
    services.generate_month(tree["county"], "2026-03", today=TODAY, actor=system_actor("cli"))  # whole county: no duplicates
    assert DuesLine.objects.filter(member=m).count() == 3


def test_mobile_member_paid_elsewhere_not_charged_twice(branch):
    m = salaried(branch, "4000")
    member_services.change_status(m, "mobile", date=datetime.date(2025, 12, 1), reason="外出务工", actor=system_actor("cli"))
    services.generate_month(branch, "2026-01", today=TODAY, actor=system_actor("cli"))
    with pytest.raises(ValidationError):
        services.mark_paid_elsewhere(line(m, "2026-01"), note="  ", actor=system_actor("cli"))
    services.mark_paid_elsewhere(line(m, "2026-01"), note="厦门市思明区流动党员党支部", actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        services.record_payment(m, months=["2026-01"], amount="40.00", today=TODAY, actor=system_actor("cli"))
    assert "已在流入地交纳" in exc.value.message_dict["months"][0]
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-02").status == "paid_elsewhere"  # carried while still mobile
    assert services.paid_up_to(m) == datetime.date(2026, 2, 1)
    fixed = salaried(branch, "4000")
    services.generate_month(branch, "2026-03", today=TODAY, actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        services.mark_paid_elsewhere(line(fixed, "2026-03"), note="某地", actor=system_actor("cli"))
    assert "流动党员" in exc.value.message_dict["paid_elsewhere"][0]


def test_reduction_proposed_by_branch_approved_by_committee(branch, secretary, organiser):
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    r = services.propose_reduction(
        m, kind="exempt", start_month="2026-02", end_month="2026-04", reason="重病住院，家庭困难", actor=secretary
    )
    with pytest.raises(ScopeError):
        services.decide_reduction(r, approve=True, actor=secretary)  # a branch cannot approve its own proposal
    with pytest.raises(ValidationError):
        services.propose_reduction(m, kind="exempt", start_month="2026-03", end_month="2026-03", reason="重复", actor=secretary)
    services.decide_reduction(r, approve=True, actor=organiser)
    assert line(m, "2026-02").status == "exempt" and line(m, "2026-02").amount_due == 0
    services.generate_month(branch, "2026-03", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-03").status == "exempt"
    services.generate_month(branch, "2026-05", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-05").amount_due == D("40.00")
    with pytest.raises(ValidationError):
        services.decide_reduction(r, approve=False, note="x", actor=organiser)


def test_reduce_kind_and_rejection(branch, secretary, organiser):
    m = salaried(branch, "4000")
    with pytest.raises(ValidationError) as exc:
        services.propose_reduction(
            m, kind="reduce", start_month="2026-02", end_month="2026-01", reason="困难", monthly_amount="1", actor=system_actor("cli")
        )
    assert "截止月份" in str(exc.value)
    r = services.propose_reduction(
        m, kind="reduce", start_month="2026-02", end_month="2026-02", reason="困难", monthly_amount="5.00", actor=system_actor("cli")
    )
    services.decide_reduction(r, approve=True, actor=organiser)
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-02").amount_due == D("5.00") and line(m, "2026-02").standard_amount == D("40.00")
    r2 = services.propose_reduction(m, kind="exempt", start_month="2026-03", end_month="2026-03", reason="困难", actor=system_actor("cli"))
    with pytest.raises(ValidationError):
        services.decide_reduction(r2, approve=False, actor=organiser)  # reason needed
    services.decide_reduction(r2, approve=False, note="不符合条件", actor=organiser)
    assert Reduction.objects.get(pk=r2.pk).status == "rejected"


def test_voluntary_payment_flag(branch):
    m = salaried(branch)
    assert not services.record_voluntary_payment(m, amount="999.99", actor=system_actor("cli")).remit_to_centre
    assert services.record_voluntary_payment(m, amount="1000.00", actor=system_actor("cli")).remit_to_centre
    with pytest.raises(ValidationError):
        services.record_voluntary_payment(m, amount="-5", actor=system_actor("cli"))
    assert VoluntaryPayment.objects.count() == 2


def test_back_payment_of_a_month_before_a_transfer_is_charged_at_the_old_branch(tree, branch):
    other = tree["branches"][0][1]
    m = salaried(branch, "4000")
    member_services.move_member(m, other, date=datetime.date(2026, 3, 10), actor=system_actor("cli"))
    services.record_payment(m, months=["2026-03", "2026-04"], amount="80.00", today=TODAY, actor=system_actor("cli"))
    assert line(m, "2026-03").organisation == branch and line(m, "2026-04").organisation == other


def test_org_paths_follow_a_subtree_move(tree, branch):
    from apps.orgs.services import move_subtree

    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=system_actor("cli"))
    services.record_payment(m, months=["2026-02"], amount="40.00", today=TODAY, actor=system_actor("cli"))
    moved = move_subtree(branch, tree["committees"][1], actor=system_actor("cli"))
    assert line(m, "2026-02").org_path == moved.path
    assert Payment.objects.get().org_path == moved.path
    assert IncomeDeclaration.objects.get().org_path == moved.path
