"""Issue 12 item 2: dues rows held unique by the database (income declaration per member
and month, hand-over per organisation and month, remittance per year, ledger month) never
answer a concurrent duplicate with a 500."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.core.actors import system_actor
from apps.dues import services
from apps.dues.models import AnnualRemittance, Collection, IncomeDeclaration, LedgerMonth
from tests.dues.conftest import salaried
from tests.factories import make_member, make_tree, make_user
from tests.uniqueness_helpers import race, skip_check

TODAY = datetime.date(2026, 6, 15)
SYSTEM = system_actor("cli")


def test_declaration_after_a_passed_check_is_a_chinese_error(branch, monkeypatch):
    m = make_member(branch)
    services.declare_income(m, category="salaried", base="4000", effective_month="2026-01", actor=SYSTEM)
    skip_check(monkeypatch, IncomeDeclaration)
    with pytest.raises(ValidationError) as exc:
        services.declare_income(m, category="salaried", base="5000", effective_month="2026-01", actor=SYSTEM)
    assert "缴纳基数已由他人同时申报" in exc.value.message_dict["effective_month"][0]
    assert IncomeDeclaration.objects.get(member=m).base == 4000


def test_hand_over_remittance_and_ledger_after_a_passed_check(tree, branch, monkeypatch):
    salaried(branch, "4000")
    services.generate_month(branch, "2026-03", actor=SYSTEM, today=TODAY)
    services.hand_over(branch, "2026-03", amount="0.00", actor=SYSTEM, today=TODAY)
    county = tree["county"]
    services.record_annual_remittance(county, 2025, amount_remitted="0.00", actor=SYSTEM, today=TODAY)
    skip_check(monkeypatch, Collection)
    with pytest.raises(ValidationError) as exc:
        services.hand_over(branch, "2026-03", amount="0.00", actor=SYSTEM, today=TODAY)
    assert "上交已由他人同时登记" in exc.value.message_dict["month"][0]
    skip_check(monkeypatch, AnnualRemittance)
    with pytest.raises(ValidationError) as exc:
        services.record_annual_remittance(county, 2025, amount_remitted="0.00", actor=SYSTEM, today=TODAY)
    assert "上缴已由他人同时登记" in exc.value.message_dict["year"][0]
    skip_check(monkeypatch, LedgerMonth)
    with pytest.raises(ValidationError) as exc:
        services.generate_month(branch, "2026-03", actor=SYSTEM, today=TODAY)
    assert "党费台账正由他人同时生成" in exc.value.message_dict["month"][0]
    assert (Collection.objects.count(), AnnualRemittance.objects.count(), LedgerMonth.objects.count()) == (1, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_concurrent_declarations_for_one_month_behave_as_one_after_the_other():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from threads (run on PostgreSQL)")
    tree = make_tree()
    branch = tree["branches"][0][0]
    member = make_member(branch)
    users = [make_user("branch_secretary", branch) for _ in range(6)]
    results = race(
        lambda i: services.declare_income(member, category="salaried", base=f"{4000 + i}", effective_month="2026-02", actor=users[i]),
        6,
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert IncomeDeclaration.objects.filter(member=member).count() == 1
