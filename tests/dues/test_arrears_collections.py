import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.dues import selectors, services
from apps.dues.models import ArrearsCase, DuesLine
from apps.members.models import Member
from tests.dues.conftest import salaried
from tests.factories import make_user

D = Decimal


def gen(org, first, last, today):
    m = datetime.date.fromisoformat(first + "-01")
    end = datetime.date.fromisoformat(last + "-01")
    from apps.dues import months as mo

    while m <= end:
        services.generate_month(org, m, today=today, open_cases=False, actor=system_actor("cli"))
        m = mo.shift(m, 1)


def arrears_by_member(org, as_of):
    return {r["member_id"]: r for r in selectors.arrears_queryset(DuesLine.objects.filter(org_path__startswith=org.path), as_of)}


def test_arrears_counted_across_year_boundary(branch):
    today = datetime.date(2026, 4, 10)
    m = salaried(branch, "4000", month="2025-01")
    ok = salaried(branch, "4000", month="2025-01")
    gen(branch, "2025-09", "2026-04", today)
    services.record_payment(
        m, months=["2025-09"], amount="40.00", paid_on=datetime.date(2025, 9, 5), today=today, actor=system_actor("cli")
    )
    for month in ("2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"):
        services.record_payment(ok, months=[month], amount="40.00", today=today, actor=system_actor("cli"))
    rows = arrears_by_member(branch, today)
    # October 2025 – March 2026 (April is still payable): six consecutive months.
    assert rows[m.pk]["months"] == 6 and rows[m.pk]["first_unpaid"] == datetime.date(2025, 10, 1)
    assert ok.pk not in rows
    assert arrears_by_member(branch, datetime.date(2026, 3, 31))[m.pk]["months"] == 5
    assert arrears_by_member(branch, datetime.date(2026, 1, 2))[m.pk]["months"] == 3
    assert m.pk not in arrears_by_member(branch, datetime.date(2025, 12, 31))  # only 2 months then
    assert selectors.arrears_counts(today) == {"warning": 1, "escalation": 1, "case": 1}


def test_case_opened_at_six_idempotent_member_not_removed(branch, secretary):
    today = datetime.date(2026, 4, 10)
    m = salaried(branch, "4000", month="2025-01")
    gen(branch, "2025-10", "2026-03", today)
    assert services.refresh_arrears_cases(branch, as_of=today, actor=system_actor("cli")) == 1
    assert services.refresh_arrears_cases(branch, as_of=today, actor=system_actor("cli")) == 0
    services.generate_month(branch, "2026-04", today=today, actor=system_actor("cli"))  # generation checks too, still one case
    case = ArrearsCase.objects.get()
    assert (case.member, case.months_unpaid, case.first_unpaid_month, case.status) == (m, 6, datetime.date(2025, 10, 1), "open")
    assert Member.objects.get(pk=m.pk).status == "normal"
    with pytest.raises(ValidationError):
        services.decide_arrears_case(
            case, decision="nonsense", meeting_date="2026-04-20", actor=secretary, today=datetime.date(2026, 4, 25)
        )
    services.decide_arrears_case(
        case, decision="self_withdrawal", meeting_date="2026-04-20", note="支部大会表决", actor=secretary, today=datetime.date(2026, 4, 25)
    )
    case.refresh_from_db()
    assert case.status == "decided" and case.decision == "self_withdrawal"
    assert Member.objects.get(pk=m.pk).status == "normal"  # the status change is a separate act
    with pytest.raises(ValidationError):
        services.decide_arrears_case(
            case, decision="paid_up", meeting_date="2026-04-20", today=datetime.date(2026, 4, 25), actor=system_actor("cli")
        )


def test_exemption_is_a_good_reason(branch, organiser):
    today = datetime.date(2026, 4, 10)
    m = salaried(branch, "4000", month="2025-01")
    gen(branch, "2025-10", "2026-03", today)
    r = services.propose_reduction(m, kind="exempt", start_month="2026-01", end_month="2026-03", reason="重病", actor=system_actor("cli"))
    services.decide_reduction(r, approve=True, actor=organiser)
    assert m.pk not in arrears_by_member(branch, today)
    assert services.refresh_arrears_cases(branch, as_of=today, actor=system_actor("cli")) == 0


def test_arrears_list_scoped(branch, other_branch, secretary, outsider):
    today = datetime.date(2026, 4, 10)
    salaried(branch, "4000", month="2025-01")
    gen(branch, "2025-12", "2026-03", today)
    rows = selectors.arrears_list(secretary, None, today)
    assert len(rows) == 1 and rows[0]["months"] == 4 and rows[0]["level"] == "warning"
    assert selectors.arrears_list(outsider, None, today) == []


def test_reconciliation_branch_committee_county(tree, secretary):
    today = datetime.date(2026, 3, 31)
    b1, b2 = tree["branches"][0]
    committee, county = tree["committees"][0], tree["county"]
    a = salaried(b1, "4000")  # 40.00
    salaried(b1, "2000")  # 10.00
    c = salaried(b2, "6000")  # 90.00
    services.generate_month(county, "2026-03", today=today, actor=system_actor("cli"))
    services.record_payment(
        a, months=["2026-03"], amount="40.00", paid_on=datetime.date(2026, 3, 5), today=today, actor=system_actor("cli")
    )
    services.record_payment(
        c, months=["2026-03"], amount="90.00", paid_on=datetime.date(2026, 3, 6), today=today, actor=system_actor("cli")
    )
    services.record_voluntary_payment(a, amount="100.00", paid_on=datetime.date(2026, 3, 7), today=today, actor=system_actor("cli"))
    figures = services.collection_figures(b1, datetime.date(2026, 3, 1))
    assert figures == {"expected": D("50.00"), "collected": D("40.00"), "voluntary": D("100.00"), "received_from_below": D("0.00")}
    with pytest.raises(ValidationError) as exc:
        services.hand_over(b1, "2026-03", amount="100.00", actor=secretary, today=today)
    assert "相差40.00元，须说明差额原因" in exc.value.message_dict["difference_note"][0]
    c1 = services.hand_over(b1, "2026-03", amount="140.00", actor=secretary, today=today)
    assert (c1.expected, c1.collected, c1.total_in_hand, c1.difference, c1.handed_to) == (D("50.00"), D("40.00"), D("140.00"), 0, committee)
    assert c1.expected - c1.collected == D("10.00")  # b has not paid: shown on the reconciliation
    services.hand_over(b2, "2026-03", amount="85.00", difference_note="5元零钱次月补交", today=today, actor=system_actor("cli"))
    with pytest.raises(ScopeError):
        services.confirm_collection(c1, actor=secretary, today=today)  # the receiver confirms, not the sender
    organiser = make_user("committee_organiser", committee)
    services.confirm_collection(c1, actor=organiser, today=today)
    cc = services.hand_over(committee, "2026-03", amount="225.00", actor=organiser, today=today)
    assert (cc.expected, cc.received_from_below, cc.total_in_hand, cc.handed_to) == (D("140.00"), D("225.00"), D("225.00"), county)
    summary = {s["org"].pk: s for s in selectors.child_summaries(committee, datetime.date(2026, 3, 1))}
    assert summary[b1.pk]["due"] == D("50.00") and summary[b1.pk]["paid"] == D("40.00") and summary[b1.pk]["rate"] == 50.0
    assert summary[b2.pk]["collection"].handed_over == D("85.00")
    top = services.hand_over(county, "2026-03", amount="225.00", today=today, actor=system_actor("cli"))
    assert top.handed_to is None and top.received_from_below == D("225.00")
    with pytest.raises(ValidationError):
        services.hand_over(b1, "2026-03", amount="140.00", today=today, actor=system_actor("cli"))  # already confirmed


def test_annual_remittance(tree):
    today = datetime.date(2026, 6, 1)
    county = tree["county"]
    m = salaried(tree["branches"][0][0], "4000")
    services.generate_month(county, "2026-01", today=today, actor=system_actor("cli"))
    services.record_payment(
        m, months=["2026-01"], amount="40.00", paid_on=datetime.date(2026, 1, 9), today=today, actor=system_actor("cli")
    )
    with pytest.raises(ValidationError) as exc:
        services.record_annual_remittance(county, 2026, amount_remitted="1.00", today=today, actor=system_actor("cli"))
    assert "应上缴2.00元" in exc.value.message_dict["note"][0]
    rem = services.record_annual_remittance(county, 2026, amount_remitted="2.00", today=today, actor=system_actor("cli"))
    assert (rem.total_dues, rem.amount_due, rem.due_by) == (D("40.00"), D("2.00"), datetime.date(2027, 4, 30))
    rem = services.record_annual_remittance(county, 2026, amount_remitted="4.00", rate="0.10", today=today, actor=system_actor("cli"))
    assert rem.amount_due == D("4.00") and rem.rate == D("0.10")
