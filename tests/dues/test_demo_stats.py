import datetime
import random
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.dues import demo, rules, selectors, services, stats
from apps.dues.models import ArrearsCase, Collection, DuesLine, Payment, PaymentMonth, Reduction
from tests.factories import make_member

AS_OF = datetime.date(2026, 11, 20)


def _people(tree, n):
    occupations = ["farmer", "civil_servant", "professional", "retired", "skilled_worker", "student", "other", "manager"]
    branches = [b for pair in tree["branches"] for b in pair]
    for i in range(n):
        make_member(branches[i % 4], occupation=occupations[i % len(occupations)])


def test_populate_builds_a_plausible_consistent_year(tree):
    _people(tree, 40)
    make_member(tree["branches"][0][0], member_type="probationary", join_date=datetime.date(2026, 6, 3), conversion_date=None)
    result = demo.populate(tree["county"], random.Random(7), AS_OF)
    assert result["members"] == 41 and result["lines"] == 40 * 12 + 6
    assert demo.populate(tree["county"], random.Random(7), AS_OF) == {"skipped": True}
    # Every line priced by the rule engine, every paid line backed by exactly one PaymentMonth.
    for line in DuesLine.objects.exclude(category__in=["farmer"])[:200]:
        _, amount = rules.monthly_amount(line.category, line.base, line.month)
        assert line.standard_amount == amount
    paid = DuesLine.objects.filter(status="paid")
    assert paid.count() == PaymentMonth.objects.count() > 300
    assert sum(p.amount for p in Payment.objects.all()) == sum(line.amount_due for line in paid)
    assert ArrearsCase.objects.filter(status="open").count() >= 1
    counts = selectors.arrears_counts(AS_OF)
    assert counts["warning"] >= 3 and counts["case"] >= 1
    assert Reduction.objects.filter(status="approved").exists()
    top = Collection.objects.filter(organisation=tree["county"]).order_by("month").last()
    assert top.handed_over == top.total_in_hand > 0
    assert services.paid_up_to(paid.first().member) is not None


def test_stats_contribute_fixed_queries(tree):
    _people(tree, 16)
    demo.populate(tree["county"], random.Random(3), AS_OF)
    with CaptureQueriesContext(connection) as ctx:
        figures = stats.contribute(tree["county"], AS_OF)
    # tallies, this month's payments up to AS_OF, voluntary, whether the arrears standing is
    # current, the arrears counts, open cases
    assert len(ctx.captured_queries) == 6
    dues = figures["dues"]
    assert Decimal(dues["collected"]) > Decimal("0") and 50 < dues["paid_up_rate"] <= 100
    assert dues["arrears_warning"] >= dues["arrears_escalation"] >= dues["arrears_case"] >= 1
    assert set(stats.LABELS) <= set(dues)


def test_disclosure_and_statistics_agree_on_the_paid_up_rate(tree):
    from apps.dues import selectors

    _people(tree, 24)
    demo.populate(tree["county"], random.Random(11), AS_OF)
    for row in selectors.disclosure(tree["county"], AS_OF.year, AS_OF):
        assert row["rate"] == stats.contribute(row["org"], AS_OF)["dues"]["paid_up_rate"], row["org"].name
