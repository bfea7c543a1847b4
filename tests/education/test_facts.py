"""The member facts shown to appraisal and cadre selection are honest: "not met" only
when the year's rule applies, the year is over and the organisation kept a study archive."""

import datetime

import pytest
from django.utils import timezone

from apps.education import facts, services
from tests.factories import make_member

pytestmark = pytest.mark.django_db
LAST = timezone.localdate().year - 1


def _entry(member, hours, day=None, actor=None):
    return services.add_entry(
        {"member": member, "date": day or datetime.date(LAST, 5, 1), "form": "self_study", "content": "学习党章", "hours": str(hours)},
        actor=actor,
    )


def _hours_fact(member, year=LAST):
    return facts.member_facts([member.pk], year)[member.pk][0]


def test_no_archive_kept_that_year_is_unknown_not_failed(branch):
    m = make_member(branch)
    label, text, ok = _hours_fact(m)
    assert (label, ok) == ("学习学时", None)
    assert "无学习记录" in text


def test_shortfall_after_the_year_with_an_archive_is_not_met(branch, secretary):
    m = make_member(branch)
    other = make_member(branch)
    _entry(other, 6, actor=secretary)  # the branch kept its archive that year
    assert _hours_fact(m)[2] is False
    assert _hours_fact(other)[2] is False  # 6 of 32
    for i in range(4):
        _entry(other, 8, day=datetime.date(LAST, 6 + i, 1), actor=secretary)
    assert _hours_fact(other)[2] is True


def test_member_who_joined_during_the_year_is_not_judged_on_the_full_year(branch, secretary):
    old = make_member(branch)
    _entry(old, 2, actor=secretary)
    new = make_member(branch, join_date=datetime.date(LAST, 7, 1), conversion_date=None, member_type="probationary")
    _label, text, ok = _hours_fact(new)
    assert ok is None and "不适用" in text


def test_current_year_not_over_is_not_judged(branch, secretary):
    today = timezone.localdate()
    m = make_member(branch)
    _entry(m, 1, day=today.replace(day=1), actor=secretary)
    _label, text, ok = _hours_fact(m, today.year)
    assert ok is None and "年度未结束" in text


def test_facts_query_count_is_fixed(branch, secretary, django_assert_max_num_queries):
    small = [make_member(branch) for _ in range(2)]
    with django_assert_max_num_queries(4):
        facts.member_facts([m.pk for m in small], LAST)
    big = small + [make_member(branch) for _ in range(10)]
    with django_assert_max_num_queries(4):
        assert len(facts.member_facts([m.pk for m in big], LAST)) == 12
