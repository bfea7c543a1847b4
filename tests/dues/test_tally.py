"""The per-organisation monthly tally of the ledger and the payments (apps.dues.tally): every
service that writes lines or payments keeps it (the conftest checks it after every dues test), the statistics read
it, check_org_tree reports and repairs drift, a subtree move carries it, and two
concurrent payments of one branch's month are both counted."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.core.actors import system_actor
from apps.dues import services, stats, tally
from apps.dues.models import DuesLine, DuesTally, Payment
from apps.members import services as member_services
from tests.dues.conftest import salaried
from tests.factories import make_tree
from tests.uniqueness_helpers import race

TODAY = datetime.date(2026, 6, 15)
CLI = system_actor("cli")
pytestmark = pytest.mark.django_db


def from_lines(org, as_of):
    """The dues section's ledger figures computed from every line (the old way)."""
    cutoff = datetime.date(as_of.year, as_of.month, 1) - datetime.timedelta(days=1)
    agg = DuesLine.objects.filter(org_path__startswith=org.path, month__gte=datetime.date(as_of.year, 1, 1), month__lte=as_of).aggregate(
        expected=Sum("amount_due", filter=~Q(status="paid_elsewhere")),
        done=Count("id", filter=Q(month__lte=cutoff)),
        settled=Count("id", filter=Q(month__lte=cutoff, status__in=DuesLine.SETTLED)),
    )
    return Decimal(agg["expected"] or 0).quantize(Decimal("0.01")), round(100 * agg["settled"] / agg["done"], 1)


def test_every_write_keeps_the_tally_and_the_statistics_read_it(tree, branch, organiser):
    county = tree["county"]
    a, b = salaried(branch, "4000"), salaried(branch, "9000")
    mobile = salaried(branch, "3000")
    member_services.change_status(mobile, "mobile", date=datetime.date(2025, 12, 1), reason="外出务工", actor=CLI)
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05"):
        services.generate_month(branch, month, today=TODAY, actor=CLI)
    assert tally.drift() == ([], 0)
    services.record_payment(a, months=["2026-01", "2026-02"], amount="80.00", today=TODAY, actor=CLI)
    services.record_payment(b, months=["2026-06"], amount="135.00", today=TODAY, actor=CLI)  # a month not yet generated
    services.mark_paid_elsewhere(DuesLine.objects.get(member=mobile, month=datetime.date(2026, 1, 1)), note="厦门", actor=CLI)
    r = services.propose_reduction(b, kind="exempt", start_month="2026-03", end_month="2026-04", reason="重病住院", actor=CLI)
    services.decide_reduction(r, approve=True, actor=organiser)
    services.declare_income(
        a, category="salaried", base="6000", effective_month="2026-04", declared_on=datetime.date(2026, 4, 2), actor=CLI
    )
    assert tally.drift() == ([], 0)
    t = DuesTally.objects.get(organisation=branch, month=datetime.date(2026, 1, 1))
    assert (t.lines, t.settled) == (3, 2)  # a paid, mobile paid elsewhere, b unpaid
    figures = stats.contribute(county, TODAY)["dues"]
    expected, rate = from_lines(county, TODAY)
    assert Decimal(figures["expected"]) == expected and figures["paid_up_rate"] == rate


def test_payments_are_tallied_by_the_month_they_came_in(tree, branch, other_branch):
    """collected: the payments received in a calendar month, whatever months they pay for;
    the statistics' 本年已收 is the year's months before as_of's from the tallies plus
    as_of's month from its payments up to as_of, the same sum as over every payment."""
    county = tree["county"]
    a, b, c = salaried(branch, "4000"), salaried(branch, "9000"), salaried(other_branch, "3000")
    for month in ("2026-01", "2026-02", "2026-03"):
        services.generate_month(branch, month, today=TODAY, actor=CLI)
        services.generate_month(other_branch, month, today=TODAY, actor=CLI)
    services.record_payment(a, months=["2026-01"], amount="40.00", paid_on=datetime.date(2026, 1, 20), today=TODAY, actor=CLI)
    # February and March's dues paid in March; b's January paid late, in June
    services.record_payment(a, months=["2026-02", "2026-03"], amount="80.00", paid_on=datetime.date(2026, 3, 2), today=TODAY, actor=CLI)
    services.record_payment(b, months=["2026-01"], amount="135.00", paid_on=datetime.date(2026, 6, 1), today=TODAY, actor=CLI)
    services.record_payment(b, months=["2026-02"], amount="135.00", paid_on=datetime.date(2026, 6, 14), today=TODAY, actor=CLI)
    services.record_payment(c, months=["2026-01"], amount="15.00", paid_on=datetime.date(2025, 12, 30), today=TODAY, actor=CLI)
    got = {
        (t.organisation_id, t.month): t.collected for t in DuesTally.objects.filter(collected__gt=0).order_by("organisation_id", "month")
    }
    assert got == {
        (branch.pk, datetime.date(2026, 1, 1)): Decimal("40.00"),
        (branch.pk, datetime.date(2026, 3, 1)): Decimal("80.00"),
        (branch.pk, datetime.date(2026, 6, 1)): Decimal("270.00"),
        (other_branch.pk, datetime.date(2025, 12, 1)): Decimal("15.00"),  # a month without lines of its own
    }
    assert tally.drift() == ([], 0)
    for as_of in (datetime.date(2026, 1, 19), datetime.date(2026, 3, 2), datetime.date(2026, 6, 1), datetime.date(2026, 6, 13), TODAY):
        for org in (county, branch, other_branch):
            paid = Payment.objects.filter(
                org_path__startswith=org.path, paid_on__gte=datetime.date(as_of.year, 1, 1), paid_on__lte=as_of
            ).aggregate(s=Sum("amount"))["s"]
            assert stats.contribute(org, as_of)["dues"]["collected"] == str(Decimal(paid or 0).quantize(Decimal("0.01"))), (org, as_of)
    # today: this month's tally (no payment is dated after today) holds today's payments
    today = timezone.localdate()
    for month in (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m"), today.strftime("%Y-%m"):
        services.generate_month(branch, month, today=today, actor=CLI)
    services.record_payment(a, months=[today.strftime("%Y-%m")], amount="40.00", paid_on=today, today=today, actor=CLI)
    paid = Payment.objects.filter(org_path__startswith=branch.path, paid_on__gte=today.replace(month=1, day=1)).aggregate(s=Sum("amount"))
    assert stats.contribute(branch, today)["dues"]["collected"] == str(paid["s"].quantize(Decimal("0.01")))
    got[(branch.pk, today.replace(day=1))] = got.get((branch.pk, today.replace(day=1)), Decimal(0)) + Decimal("40.00")
    # the rebuild gives the same rows, the month without lines included
    tally.rebuild()
    assert {(t.organisation_id, t.month): t.collected for t in DuesTally.objects.filter(collected__gt=0)} == got


def test_drift_names_a_wrong_collected_amount(branch):
    m = salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=CLI)
    services.record_payment(m, months=["2026-02"], amount="40.00", paid_on=datetime.date(2026, 2, 10), today=TODAY, actor=CLI)
    DuesTally.objects.update(collected=Decimal("1.00"))
    sample, total = tally.drift()
    assert total == 1 and "收缴 1.00 元" in sample[0] and "收缴 40.00 元" in sample[0]
    call_command("check_org_tree", "--fix-counts", stdout=io.StringIO())
    assert tally.drift() == ([], 0)


def test_check_org_tree_reports_and_repairs_drift(branch):
    salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=CLI)
    DuesTally.objects.update(settled=7)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_org_tree", stdout=out)
    assert "党费月度汇总与台账不一致" in out.getvalue() and "汇总 1 人次/已交 7" in out.getvalue()
    call_command("check_org_tree", "--fix-counts", stdout=io.StringIO())
    assert tally.drift() == ([], 0)
    assert DuesTally.objects.get().settled == 0


def test_tally_follows_a_subtree_move(tree, branch):
    from apps.orgs.services import move_subtree

    salaried(branch, "4000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=CLI)
    moved = move_subtree(branch, tree["committees"][1], actor=CLI)
    assert DuesTally.objects.get().org_path == moved.path
    assert stats.contribute(tree["committees"][1], TODAY)["dues"]["expected"] == "40.00"


@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_branch_month_at_once_are_both_counted():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from two threads")
    tree = make_tree()
    branch = tree["branches"][0][0]
    members = [salaried(branch, "4000") for _ in range(2)]
    services.generate_month(branch, "2026-02", today=TODAY, actor=CLI)
    results = race(lambda i: services.record_payment(members[i], months=["2026-02"], amount="40.00", today=TODAY, actor=CLI), 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert DuesTally.objects.get(organisation=branch, month=datetime.date(2026, 2, 1)).settled == 2
    # both paid today (June): that month's payments
    assert DuesTally.objects.get(organisation=branch, month=datetime.date(2026, 6, 1)).collected == Decimal("80.00")
    assert tally.drift() == ([], 0)


def test_the_monthly_report_reads_the_months_payments_from_the_tally(tree, branch):
    """The monthly report's 本月收缴 is the tallies' sum: the payments received in the month,
    whatever month they pay for (the remittance's year total: test_arrears_collections)."""
    from apps.supervision.metrics import dues_section

    a, b = salaried(branch, "4000"), salaried(branch, "9000")
    services.generate_month(branch, "2026-02", today=TODAY, actor=CLI)
    services.record_payment(a, months=["2026-02"], amount="40.00", paid_on=datetime.date(2026, 2, 10), today=TODAY, actor=CLI)
    services.record_payment(b, months=["2026-02"], amount="135.00", paid_on=datetime.date(2026, 3, 1), today=TODAY, actor=CLI)
    report = dict(dues_section(tree["county"], 2026, 2))
    assert (report["本月应交人次"], report["已交人次"], report["本月收缴（元）"]) == (2, 2, "40.00")
    assert dict(dues_section(tree["county"], 2026, 3))["本月收缴（元）"] == "135.00"
