"""谈心谈话 kept among appraisal's supervision records count for organisational life's
frequency (issue 16 → issue 14) through registry.held_records, orglife importing nothing
of appraisal: across month and quarter boundaries, once per organisation and date when
the same talk is also recorded as an orglife meeting, only for the talk's own branch."""

import copy
import datetime

import pytest

from apps.appraisal import services
from apps.core import registry
from apps.orglife import compliance, selectors
from apps.orglife import services as orglife_services
from apps.orgs.models import Organisation
from tests.factories import make_member, make_user

from .conftest import SYS

D = datetime.date
pytestmark = pytest.mark.django_db


def talk(member, counterpart, on):
    data = {"kind": "heart_to_heart_talk", "on": on, "content": "谈思想和工作", "counterpart": counterpart}
    return services.record_supervision(member, data, actor=SYS)


def quarterly_talks():
    """The current rule version with 谈心谈话 required every quarter (a county may set it)."""
    version = orglife_services.current_version()
    version.values = copy.deepcopy(version.values)
    version.values["kinds"]["heart_talk"]["frequency"] = "quarterly"
    return version


def heart_row(org, year, month, as_of, version):
    rows = compliance.org_compliance([org], year, month, as_of, version)[org.pk]
    return next(r for r in rows if r.kind.code == "heart_talk")


def test_the_talk_source_is_registered_for_the_orglife_kind():
    source = registry.held_records.get("appraisal_heart_to_heart_talk")
    assert source.kind == "heart_talk" and source.title == "谈心谈话"


def test_talks_meet_quarters_across_the_boundaries(branch):
    a, b = make_member(branch), make_member(branch)
    version = quarterly_talks()
    talk(a, b, D(2025, 3, 31))  # last day of Q1
    talk(b, a, D(2025, 7, 1))  # first day of Q3; Q2 has none
    row = heart_row(branch, 2025, None, D(2025, 10, 15), version)
    assert (row.required, row.met, row.overdue, row.held) == (4, 2, 1, 2)
    assert [p[0] for p in row.missing] == [D(2025, 4, 1)] and row.current_open
    assert "2025年第2季度" in row.reason
    # the month window of March closes Q1 (met by the talk of 31 March); April's does not
    assert heart_row(branch, 2025, 3, D(2025, 10, 15), version).met == 1
    assert heart_row(branch, 2025, 4, D(2025, 10, 15), version).required == 0
    # the same through the grouped lagging figures (the county list and the statistics)
    lag = {o.pk: o for o in compliance.annotate_lagging(Organisation.objects.filter(pk=branch.pk), 2025, None, D(2025, 10, 15), version)}
    rows = compliance.org_compliance([branch], 2025, None, D(2025, 10, 15), version)[branch.pk]
    assert lag[branch.pk].missing == sum(r.overdue for r in rows)
    assert lag[branch.pk].due == sum(r.required - r.current_open for r in rows)


def test_the_yearly_requirement_across_the_year_boundary(branch):
    a, b = make_member(branch), make_member(branch)
    version = orglife_services.current_version()  # 谈心谈话 每年 (the default)
    talk(a, b, D(2024, 12, 31))
    assert heart_row(branch, 2024, None, D(2025, 2, 1), version).met == 1
    row = heart_row(branch, 2025, None, D(2026, 1, 5), version)
    assert (row.required, row.met, row.overdue) == (1, 0, 1)  # 31 December counts for 2024 only
    talk(a, b, D(2025, 1, 1))
    assert heart_row(branch, 2025, None, D(2026, 1, 5), version).met == 1


def test_a_talk_also_recorded_as_a_meeting_counts_once(branch):
    a, b = make_member(branch), make_member(branch)
    version = quarterly_talks()
    day = D(2025, 5, 20)
    m = orglife_services.create_meeting({"organisation": branch, "kind": "heart_talk", "held_on": day, "topic": "谈心谈话"}, actor=SYS)
    orglife_services.record_attendance(m, [], actor=SYS)
    talk(a, b, day)
    talk(b, a, day)  # the other direction of the same conversation, the same day
    row = heart_row(branch, 2025, None, D(2025, 7, 15), version)
    assert (row.held, row.met) == (1, 1)
    talk(a, b, D(2025, 6, 3))  # another day: a second talk held in Q2, still one period met
    row = heart_row(branch, 2025, None, D(2025, 7, 15), version)
    assert (row.held, row.met, row.required) == (2, 1, 3)


def test_talks_count_for_their_own_branch_only(tree, branch, other_branch):
    a, b = make_member(branch), make_member(branch)
    version = quarterly_talks()
    talk(a, b, D(2025, 2, 10))
    assert heart_row(branch, 2025, None, D(2025, 4, 2), version).met == 1
    assert heart_row(other_branch, 2025, None, D(2025, 4, 2), version).met == 0


def test_the_lagging_list_sees_the_talks_with_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    version = quarterly_talks()
    admin = make_user("county_admin", tree["county"])
    branches = [b for group in tree["branches"] for b in group]
    first = branches[0]
    a, b = make_member(first), make_member(first)
    talk(a, b, D(2025, 2, 10))
    as_of = D(2025, 4, 2)
    orgs = Organisation.objects.filter(pk__in=[x.pk for x in branches])
    # organisations, one grouped count per frequency (the 谈心谈话 kind: its meetings' dates),
    # one per held_records source, the objects: fixed
    with django_assert_max_num_queries(6):
        small = {o.pk: o.missing for o in compliance.annotate_lagging(orgs, 2025, 3, as_of, version)}
    for org in branches:  # more organisations and talks: the same number of queries
        x, y = make_member(org), make_member(org)
        talk(x, y, D(2025, 1, 5))
    with django_assert_max_num_queries(6):
        large = {o.pk: o.missing for o in compliance.annotate_lagging(orgs, 2025, 3, as_of, version)}
    assert large[first.pk] == small[first.pk]
    assert all(large[o.pk] <= small[o.pk] for o in branches)
    assert any(large[o.pk] < small[o.pk] for o in branches[1:])
    assert admin.pk and selectors.lagging_list(admin, {"year": "2025", "month": "3", "all": "1"}, as_of)
