"""The demo builder: a plausible year of organisational life, reproducible from the rng."""

import datetime
import random

import pytest

from apps.members.models import Member
from apps.orglife import compliance, demo, services
from apps.orglife.models import AbsenceCase, Attendance, Meeting
from tests.factories import make_member, make_org

from .conftest import seat

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 12, 15)


def test_a_year_for_branches_groups_and_committees_with_a_case(tree):
    branches = [b for pair in tree["branches"] for b in pair]
    people = {b.pk: [make_member(b) for _ in range(4)] for b in branches}
    group = make_org(branches[0], org_type="party_group", name="第一党小组")
    Member.objects.filter(pk__in=[x.pk for x in people[branches[0].pk][:3]]).update(party_group=group)
    c1 = tree["committees"][0]
    for x in people[branches[1].pk][:3]:
        seat(c1, x)
    result = demo.populate(tree["county"], random.Random(7), AS_OF)
    assert result["meetings"] > 0 and result["six_months"] >= 1
    themes = Meeting.objects.filter(kind="theme_day")
    assert themes.filter(organisation=branches[0]).count() >= 8  # twelve months, a lagging branch skips a few
    assert Meeting.objects.filter(kind="group_meeting", organisation=group).count() >= 9
    assert Meeting.objects.filter(kind="committee_meeting", organisation=c1).count() == 12
    assert Meeting.objects.filter(kind="democratic_life", organisation=c1).count() == 1  # each December
    assert not Meeting.objects.filter(kind="committee_meeting", organisation=tree["committees"][1]).exists()  # no committee seated
    # the members at six months have their branch case, and only they
    cases = list(AbsenceCase.objects.all())
    assert len(cases) == result["cases"] >= 1
    at_six = {r["member_id"] for r in compliance.absence_queryset(Attendance.objects.all(), AS_OF, 6)}
    assert {c.member_id for c in cases} == at_six
    # attendance figures agree with the rows written
    m = themes.filter(attendance_taken=True).first()
    assert m.should_attend == m.attendance.count()
    # a second run leaves the county as it is
    assert demo.populate(tree["county"], random.Random(7), AS_OF) == {"skipped": True}
    version = services.current_version()
    detail = compliance.org_compliance([c1, group], 2025, None, AS_OF, version)
    assert all(r.met >= 11 for r in detail[c1.pk] if r.kind.code == "committee_meeting")
