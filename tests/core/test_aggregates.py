"""apps.core.aggregates.aggregate_together: several querysets' aggregates in one statement,
each equal to the queryset's own `.aggregate()` (joins, distinct counts, filters, decimals,
averages, an empty set, a count), on both databases."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Avg, Count, DecimalField, Max, Q, Sum, Value

from apps.core.aggregates import COUNT, aggregate_together
from apps.members.models import Member
from apps.orgs.models import Organisation
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _parts(tree):
    county = tree["county"]
    members = Member.objects.filter(org_path__startswith=county.path)
    return {
        "orgs": (
            Organisation.objects.filter(path__startswith=county.path),
            {"n": Count("id"), "branches": Count("id", filter=Q(org_type="branch")), "members": Sum("direct_member_count")},
        ),
        "members": (
            members.filter(organisation__org_type="branch"),  # a join
            {
                "n": Count("id"),
                "orgs": Count("organisation", distinct=True),
                "women": Count("id", filter=Q(sex="F")),
                "latest": Max("birth_date"),
                "money": Sum(Value(Decimal("0.35"), output_field=DecimalField(max_digits=12, decimal_places=2))),
                "avg_path": Avg("organisation__depth"),
            },
        ),
        "nobody": (members.filter(pk__in=[]), {"n": Count("id"), "s": Sum("organisation__depth")}),  # an empty set: no SQL
        "none_found": (members.filter(name="没有这个人"), {"n": Count("id"), "s": Sum("organisation__depth")}),
        "count": (members.filter(birth_date__lt=datetime.date(1970, 1, 1)), COUNT),
    }


def test_the_same_values_as_each_aggregate_in_one_statement(tree, django_assert_num_queries):
    for i, branch in enumerate([b for row in tree["branches"] for b in row]):
        for j in range(i + 1):
            make_member(branch, sex="F" if j % 2 else "M")
    parts = _parts(tree)
    expected = {name: qs.aggregate(**aggs) for name, (qs, aggs) in parts.items()}
    assert expected["members"]["n"] == 10 and expected["count"]["n"] > 0 and expected["none_found"] == {"n": 0, "s": None}
    with django_assert_num_queries(1):
        got = aggregate_together(parts)
    assert got == expected
    assert isinstance(got["members"]["money"], Decimal) and got["members"]["money"] == Decimal("3.50")
    assert isinstance(got["members"]["latest"], datetime.date)


def test_only_empty_sets_send_nothing(tree, django_assert_num_queries):
    with django_assert_num_queries(0):
        got = aggregate_together({"a": (Member.objects.none(), {"n": Count("id"), "s": Sum("organisation__depth")})})
    assert got == {"a": {"n": 0, "s": None}}


def test_a_queryset_that_needs_a_subquery_is_refused(tree):
    annotated = Member.objects.annotate(d=Count("id"))
    with pytest.raises(ValueError, match="on its own"):
        aggregate_together({"a": (annotated, {"n": Count("id")})})
    with pytest.raises(ValueError, match="on its own"):
        aggregate_together({"a": (Member.objects.all()[:3], {"n": Count("id")})})


def test_many_parts_keep_their_order(tree, django_assert_num_queries):
    """Sixteen parts (on PostgreSQL three levels of fenced groups): each its own values."""
    for i, branch in enumerate([b for row in tree["branches"] for b in row]):
        for _ in range(i + 1):
            make_member(branch)
    orgs = list(Organisation.objects.order_by("path"))
    parts = {
        f"o{i}": (Member.objects.filter(org_path__startswith=o.path), {"n": Count("id"), "depth": Max("organisation__depth")})
        for i, o in enumerate(orgs)
    }
    parts.update({f"t{i}": (Organisation.objects.filter(path__startswith=o.path), COUNT) for i, o in enumerate(orgs)})
    parts["none"] = (Member.objects.none(), COUNT)
    parts["last"] = (Organisation.objects.filter(depth__gte=2), COUNT)
    assert len(parts) >= 10
    expected = {name: qs.aggregate(**aggs) for name, (qs, aggs) in parts.items()}
    with django_assert_num_queries(1):
        assert aggregate_together(parts) == expected
    assert expected["o0"]["n"] == 10  # the county: every member
