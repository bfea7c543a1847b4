"""Hour rules per role across the year boundary, progress arithmetic, and crediting from
class and meeting attendance without double counting."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from apps.core.signals import attendance_recorded
from apps.education import rules, selectors, services
from apps.education.models import StudyEntry
from tests.factories import make_member

from .conftest import seat

D = Decimal
VALUES = dict(rules.DEFAULTS)


# ---------------------------------------------------------------- pure arithmetic


@given(
    done=st.decimals(min_value=0, max_value=500, places=1),
    required=st.integers(min_value=1, max_value=200),
    day=st.dates(min_value=datetime.date(2023, 12, 1), max_value=datetime.date(2025, 1, 31)),
)
def test_progress_invariants(done, required, day):
    p = rules.progress(done, required, 2024, day)
    assert p.shortfall >= 0 and p.projected_shortfall >= 0
    assert p.shortfall == max(D(0), D(required) - p.hours)
    assert p.projected >= p.hours  # the pace never projects fewer hours than done
    assert p.projected_shortfall <= p.shortfall
    if day >= datetime.date(2024, 12, 31):
        assert p.projected == p.hours  # the year is over: nothing more to project
    assert p.met == (p.hours >= required)


@given(share_day=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2024, 12, 31)))
def test_elapsed_share_monotone_and_bounded(share_day):
    s = rules.elapsed_share(2024, share_day)
    assert 0 < s <= 1
    assert rules.elapsed_share(2024, share_day + datetime.timedelta(days=1)) >= s


def test_elapsed_share_edges():
    assert rules.elapsed_share(2024, datetime.date(2023, 12, 31)) == 0
    assert rules.elapsed_share(2024, datetime.date(2024, 12, 31)) == 1
    assert rules.elapsed_share(2024, datetime.date(2025, 6, 1)) == 1
    # 2024 is a leap year: 1 July is day 183 of 366, exactly half
    assert rules.elapsed_share(2024, datetime.date(2024, 7, 1)) == D("0.5")


def test_projection_at_midyear():
    p = rules.progress(12, 32, 2024, datetime.date(2024, 7, 1))
    assert (p.projected, p.projected_shortfall, p.shortfall) == (D("24.0"), D("8.0"), D("20.0"))


@given(
    duration=st.sampled_from([d for d, _ in rules.DURATIONS]),
    actual=st.decimals(min_value=0, max_value=24, places=1),
    days=st.integers(min_value=1, max_value=10),
)
def test_counting_rule(duration, actual, days):
    h = rules.count_hours(duration, actual, VALUES, days=days)
    expected = {"full_day": 8 * days, "half_day": 4 * days}.get(duration, actual)
    assert h == rules.hours(expected)


def test_add_months_clamps_month_end():
    assert rules.add_months(datetime.date(2024, 8, 31), 6) == datetime.date(2025, 2, 28)
    assert rules.add_months(datetime.date(2024, 1, 15), 12) == datetime.date(2025, 1, 15)


# ---------------------------------------------------------------- roles against data


def credit(member, day, hours, form="collective_study", source=None):
    return StudyEntry.objects.create(
        organisation=member.organisation, member=member, date=day, hours=D(hours), form=form, content="学习", status="approved"
    )


def row(member, year, as_of):
    return selectors.member_progress(member, year, as_of, services.current_rules().all_values())


@pytest.mark.django_db
def test_ordinary_member_needs_32_in_the_calendar_year(branch):
    m = make_member(branch)
    credit(m, datetime.date(2024, 12, 31), 30)  # last year's hours do not count this year
    credit(m, datetime.date(2025, 1, 1), 20)
    credit(m, datetime.date(2025, 6, 1), 12)
    r = row(m, 2025, datetime.date(2025, 12, 31))
    assert (r.role, r.progress.required, r.progress.hours, r.progress.met) == ("党员", 32, D("32.0"), True)
    r24 = row(m, 2024, datetime.date(2025, 1, 5))
    assert (r24.progress.hours, r24.progress.shortfall) == (D("30.0"), D("2.0"))
    assert r24.checks[0].ok is False  # the year is over and 2 h are missing


@pytest.mark.django_db
def test_pending_and_rejected_entries_do_not_count(branch):
    m = make_member(branch)
    credit(m, datetime.date(2025, 2, 1), 40).__class__.objects.update(status="pending")
    assert row(m, 2025, datetime.date(2025, 12, 31)).progress.hours == 0


@pytest.mark.django_db
def test_secretary_needs_56_a_course_and_rotation(branch, tree):
    m = make_member(branch)
    seat(branch, m, "secretary", datetime.date(2020, 1, 1))
    credit(m, datetime.date(2025, 3, 1), 50)
    r = row(m, 2025, datetime.date(2025, 12, 31))
    assert (r.role, r.progress.required, r.progress.shortfall) == ("书记", 56, D("6.0"))
    by = {c.label: c.ok for c in r.checks}
    assert by == {"全年56学时": False, "集中培训1次": False, "县级轮训": False}
    # a seat ended before the year: an ordinary member that year
    m2 = make_member(branch)
    s = seat(tree["committees"][0], make_member(tree["committees"][0]), "organisation", datetime.date(2020, 1, 1))
    s2 = seat(branch, m2, "organisation", datetime.date(2020, 1, 1))
    type(s2).objects.filter(pk=s2.pk).update(end_date=datetime.date(2024, 12, 31))
    assert row(m2, 2025, datetime.date(2025, 6, 1)).progress.required == 32
    assert row(m2, 2024, datetime.date(2025, 6, 1)).progress.required == 56
    assert s.member_id != m2.pk


@pytest.mark.django_db
def test_new_secretary_trained_within_six_months_across_year_boundary(branch):
    m = make_member(branch)
    seat(branch, m, "secretary", datetime.date(2024, 9, 15))
    # deadline 2025-03-15; on 2025-02-01 not yet due, after it failing
    checks = {c.label: c for c in row(m, 2025, datetime.date(2025, 2, 1)).checks}
    assert checks["新任书记培训"].ok is None
    checks = {c.label: c for c in row(m, 2025, datetime.date(2025, 4, 1)).checks}
    assert checks["新任书记培训"].ok is False
    credit(m, datetime.date(2025, 3, 10), 8, form="concentrated")
    checks = {c.label: c for c in row(m, 2025, datetime.date(2025, 4, 1)).checks}
    assert checks["新任书记培训"].ok is True


@pytest.mark.django_db
def test_probationary_member_course_during_and_after_probation(branch):
    p = make_member(branch, member_type="probationary", join_date=datetime.date(2024, 10, 1), conversion_date=None)
    assert {c.label: c.ok for c in row(p, 2025, datetime.date(2025, 3, 1)).checks}["预备期集中培训"] is None
    credit(p, datetime.date(2024, 11, 5), 8, form="concentrated")  # last year, during probation
    assert {c.label: c.ok for c in row(p, 2025, datetime.date(2025, 3, 1)).checks}["预备期集中培训"] is True
    f = make_member(branch, join_date=datetime.date(2023, 6, 1), conversion_date=datetime.date(2024, 6, 1))
    checks = {c.label: c.ok for c in row(f, 2025, datetime.date(2025, 3, 1)).checks}
    assert checks["转正后集中培训"] is None  # due by 2025-06-01
    checks = {c.label: c.ok for c in row(f, 2025, datetime.date(2025, 7, 1)).checks}
    assert checks["转正后集中培训"] is False
    credit(f, datetime.date(2025, 5, 20), 4, form="training")
    checks = {c.label: c.ok for c in row(f, 2025, datetime.date(2025, 7, 1)).checks}
    assert checks["转正后集中培训"] is True


@pytest.mark.django_db
def test_org_summary_and_children(tree, branch):
    a, b = make_member(branch), make_member(branch)
    credit(a, datetime.date(2025, 2, 1), 32)
    credit(b, datetime.date(2025, 2, 1), 2)
    values = services.current_rules().all_values()
    s = selectors.org_summary(tree["committees"][0], 2025, datetime.date(2025, 12, 31), values)
    assert (s["members"], s["met"], s["behind"], s["hours"], s["met_rate"]) == (2, 1, 1, D("34.0"), 50.0)
    kids = {c["org"].pk: c for c in selectors.child_progress(tree["committees"][0], 2025, datetime.date(2025, 12, 31), values)}
    assert (kids[branch.pk]["members"], kids[branch.pk]["met"]) == (2, 1)


# ---------------------------------------------------------------- attendance credit


@pytest.mark.django_db
def test_signal_credits_and_resend_replaces(branch, cli):
    a, b, c = make_member(branch), make_member(branch), make_member(branch)
    kw = dict(organisation=branch, date=datetime.date(2025, 4, 1), hours=D("2"), form="party_lecture", content="七一党课", actor=cli)
    attendance_recorded.send(sender=type(branch), source=branch, member_ids=[a.pk, b.pk], **kw)
    attendance_recorded.send(sender=type(branch), source=branch, member_ids=[a.pk, b.pk], **kw)  # no double count
    assert StudyEntry.objects.filter(source_id=branch.pk).count() == 2
    attendance_recorded.send(sender=type(branch), source=branch, member_ids=[b.pk, c.pk], **{**kw, "hours": D("3")})
    rows = dict(StudyEntry.objects.values_list("member_id", "hours"))
    assert rows == {b.pk: D("3.0"), c.pk: D("3.0")}
    e = StudyEntry.objects.get(member=b)
    assert (e.origin, e.source_type, e.form, e.status) == ("attendance", "orgs.organisation", "party_lecture", "approved")


@pytest.mark.django_db
def test_signal_bad_input_refused_nothing_written(branch, cli):
    a = make_member(branch)
    kw = dict(source=branch, organisation=branch, date=datetime.date(2025, 4, 1), form="party_lecture", content="党课", actor=cli)
    with pytest.raises(ValidationError, match="学时不能为负数"):
        attendance_recorded.send(sender=None, hours=D("-1"), member_ids=[a.pk], **kw)
    with pytest.raises(ValidationError, match="不是有效取值"):
        attendance_recorded.send(sender=None, hours=D("1"), member_ids=[a.pk], **{**kw, "form": "karaoke"})
    with pytest.raises(ValidationError, match="不存在"):
        attendance_recorded.send(sender=None, hours=D("1"), member_ids=[a.pk, 987654], **kw)
    assert not StudyEntry.objects.exists()


@pytest.mark.django_db
def test_unique_constraint_guards_double_credit(branch):
    from django.db import IntegrityError, transaction

    a = make_member(branch)
    fields = dict(organisation=branch, member=a, date=datetime.date(2025, 1, 2), hours=1, form="theme_day", content="x")
    StudyEntry.objects.create(source_type="orgs.organisation", source_id=branch.pk, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyEntry.objects.create(source_type="orgs.organisation", source_id=branch.pk, **fields)
