import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.care import selectors, services
from apps.care.models import Fund, FundApplication, FundMovement
from apps.core.models import ChangeLog
from apps.core.scoping import OutOfScope
from tests.factories import make_member, make_tree, make_user

from .conftest import CLI

TODAY = timezone.localdate()
D = Decimal


@pytest.fixture
def fund(committee):
    f = services.open_fund(committee, name="镇党员互助基金", opened_on=TODAY - datetime.timedelta(days=400), actor=CLI)
    services.record_income(f, kind="allocation", amount="1000.00", counterparty="县委组织部", actor=CLI)
    return Fund.objects.get(pk=f.pk)


def applied(fund, member, secretary, amount="300.00"):
    return services.apply_for_aid(fund, member, amount=amount, reason="住院医疗费用负担重", actor=secretary)


pytestmark = pytest.mark.django_db


def test_application_approval_payout(fund, member, secretary, organiser):
    app = applied(fund, member, secretary)
    # the branch secretary cannot decide for the committee's fund
    with pytest.raises(OutOfScope):
        services.decide_application(app, approve=True, meeting="镇党委会", actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.pay_application(app, actor=organiser)
    assert "批准" in exc.value.message_dict["application"][0]
    services.decide_application(app, approve=True, approved_amount="250.00", meeting="镇党委会 集体研究", actor=organiser)
    movement = services.pay_application(app, actor=organiser)
    fund.refresh_from_db()
    assert movement.amount == D("250.00") and fund.balance == D("750.00") and movement.balance_after == D("750.00")
    assert FundApplication.objects.get().status == "paid"
    # a second payout of the same application
    with pytest.raises(ValidationError) as exc:
        services.pay_application(app, actor=organiser)
    assert "重复支付" in exc.value.message_dict["application"][0]
    assert FundMovement.objects.filter(kind="payout").count() == 1
    assert ChangeLog.objects.filter(object_type="care.fundmovement").count() == 2


def test_overdraw_refused_nothing_written(fund, member, secretary, organiser):
    app = applied(fund, member, secretary, "5000.00")
    services.decide_application(app, approve=True, meeting="镇党委会", actor=organiser)
    with pytest.raises(ValidationError) as exc:
        services.pay_application(app, actor=organiser)
    assert "透支" in exc.value.message_dict["amount"][0]
    fund.refresh_from_db()
    assert fund.balance == D("1000.00") and not FundMovement.objects.filter(kind="payout").exists()
    assert FundApplication.objects.get().status == "approved"


def test_database_refuses_negative_balance(fund):
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(balance=D("-0.01"))


def test_double_payout_refused_by_database(fund, member, secretary, organiser):
    app = applied(fund, member, secretary, "100.00")
    services.decide_application(app, approve=True, meeting="镇党委会", actor=organiser)
    services.pay_application(app, actor=organiser)
    with pytest.raises(IntegrityError), transaction.atomic():
        FundMovement.objects.create(
            organisation=fund.organisation,
            fund=fund,
            kind="payout",
            amount=D("1"),
            on=TODAY,
            counterparty="x",
            application=app,
            balance_after=D("0"),
        )


def test_rejection_needs_reason_and_meeting(fund, member, secretary, organiser):
    app = applied(fund, member, secretary)
    with pytest.raises(ValidationError) as exc:
        services.decide_application(app, approve=False, meeting="镇党委会", actor=organiser)
    assert "decision_note" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.decide_application(app, approve=True, meeting="", actor=organiser)
    assert "meeting" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.decide_application(app, approve=True, approved_amount="301.00", meeting="会", actor=organiser)
    assert "approved_amount" in exc.value.message_dict
    assert FundApplication.objects.get().status == "applied"


def test_fund_must_cover_member(committee, tree, secretary):
    other_fund = services.open_fund(tree["committees"][1], name="他镇基金", actor=CLI)
    m = make_member(tree["branches"][0][0])
    with pytest.raises(ValidationError) as exc:
        services.apply_for_aid(other_fund, m, amount="10", reason="x", actor=secretary)
    assert "不覆盖" in exc.value.message_dict["fund"][0]


def test_income_kind_and_scope(fund, outsider):
    with pytest.raises(ValidationError) as exc:
        services.record_income(fund, kind="payout", amount="1", counterparty="x", actor=CLI)
    assert "kind" in exc.value.message_dict
    with pytest.raises(OutOfScope):
        services.record_income(fund, kind="contribution", amount="1", counterparty="x", actor=outsider)


def test_yearly_statement(fund, member, secretary, organiser):
    services.record_income(fund, kind="contribution", amount="200.50", counterparty="全体党员捐助", actor=organiser)
    app = applied(fund, member, secretary, "100.25")
    services.decide_application(app, approve=True, meeting="镇党委会", actor=organiser)
    services.pay_application(app, actor=organiser)
    s = selectors.yearly_statement(fund, TODAY.year)
    assert s.closing == Fund.objects.get(pk=fund.pk).balance == D("1100.25")
    assert s.opening + s.contributions + s.allocations - s.payouts == s.closing


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["contribution", "payout"]), st.integers(min_value=1, max_value=50000)), min_size=1, max_size=12))
def test_balance_is_sum_of_movements_and_never_negative(committee, member, secretary, organiser, ops):
    fund = services.open_fund(committee, name=f"性质测试基金{FundMovement.objects.count()}{Fund.objects.count()}", actor=CLI)
    for kind, cents in ops:
        amount = D(cents) / 100
        if kind == "contribution":
            services.record_income(fund, kind="contribution", amount=str(amount), counterparty="捐助", actor=CLI)
        else:
            app = applied(fund, member, secretary, str(amount))
            services.decide_application(app, approve=True, meeting="党委会", actor=organiser)
            try:
                services.pay_application(app, actor=organiser)
            except ValidationError as exc:
                assert "透支" in exc.message_dict["amount"][0]
        fund.refresh_from_db()
        movements = list(FundMovement.objects.filter(fund=fund))
        assert fund.balance == sum((m.signed_amount for m in movements), D("0.00"))
        assert fund.balance >= 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_payouts_cannot_overdraw():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from two threads")
    tree = make_tree()
    committee, branch = tree["committees"][0], tree["branches"][0][0]
    organiser = make_user("committee_organiser", committee)
    fund = services.open_fund(committee, name="并发基金", actor=CLI)
    services.record_income(fund, kind="allocation", amount="100.00", counterparty="县委", actor=CLI)
    apps_ = []
    for _ in range(2):
        a = services.apply_for_aid(fund, make_member(branch), amount="80.00", reason="困难", actor=CLI)
        apps_.append(services.decide_application(a, approve=True, meeting="党委会", actor=organiser))
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(app):
        try:
            barrier.wait()
            services.pay_application(app, actor=organiser)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["amount"][0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay, args=(a,)) for a in apps_]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes.count("ok") == 1 and len(outcomes) == 2
    assert Fund.objects.get(pk=fund.pk).balance == D("20.00")
    assert FundMovement.objects.filter(kind="payout").count() == 1
