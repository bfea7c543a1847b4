"""apps.core.dateparts: the month, quarter and year of a DATE column in native SQL, equal
to Python's on both databases, in plain selects, groups and distinct counts (and in SQL
that the test runner formats with its parameters)."""

import datetime

import pytest
from django.db.models import Count

from apps.core.dateparts import MonthOf, QuarterOf, YearOf
from apps.members.models import Member
from tests.factories import make_member

pytestmark = pytest.mark.django_db
DAYS = [
    datetime.date(1990, 1, 1),
    datetime.date(1990, 3, 31),
    datetime.date(1991, 4, 1),
    datetime.date(1992, 9, 30),
    datetime.date(1992, 12, 31),
]


def test_parts_equal_pythons(tree, django_assert_num_queries):
    branch = tree["branches"][0][0]
    for day in DAYS:
        make_member(branch, birth_date=day, join_date=datetime.date(2015, 7, 1), conversion_date=datetime.date(2016, 7, 1))
    qs = Member.objects.filter(birth_date__in=DAYS)
    with django_assert_num_queries(1) as captured:
        rows = sorted(qs.values_list("birth_date", MonthOf("birth_date"), QuarterOf("birth_date"), YearOf("birth_date")))
    assert rows == [(d, d.month, (d.month - 1) // 3 + 1, d.year) for d in DAYS]
    assert "django_date_extract" not in captured.captured_queries[0]["sql"]
    per_year = dict(
        qs.order_by().values(y=YearOf("birth_date")).annotate(q=Count(QuarterOf("birth_date"), distinct=True)).values_list("y", "q")
    )
    assert per_year == {1990: 1, 1991: 1, 1992: 2}
