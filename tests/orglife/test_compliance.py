import datetime

import pytest

from apps.orglife import compliance, facts, selectors, services
from apps.orglife.models import Attendance, Meeting
from tests.factories import make_member, make_org, make_user

from .conftest import CLI, meeting, seat

D = datetime.date
pytestmark = pytest.mark.django_db


def kinds(rows):
    return {r.kind.code: r for r in rows}


def test_org_compliance_counts_periods_across_boundaries(branch, members):
    version = services.current_version()
    # theme days in January and March only; a lecture on 31 March (Q1), none in Q2
    for day in (D(2025, 1, 31), D(2025, 3, 1)):
        services.record_attendance(meeting(branch, held_on=day), [], actor=CLI)
    services.record_attendance(meeting(branch, kind="party_lecture", held_on=D(2025, 3, 31)), [], actor=CLI)
    rows = kinds(compliance.org_compliance([branch], 2025, None, D(2025, 7, 15), version)[branch.pk])
    theme = rows["theme_day"]
    assert (theme.required, theme.met, theme.overdue) == (7, 2, 4)  # Jan–Jul begun; Jul in progress
    assert theme.current_open
    assert [p[0].month for p in theme.missing] == [2, 4, 5, 6]
    lecture = rows["party_lecture"]
    assert (lecture.required, lecture.met, lecture.overdue) == (3, 1, 1)  # Q1 met, Q2 missed, Q3 in progress
    assert "2025年第2季度" in lecture.reason
    assert "branch_committee" not in rows  # no committee: the kind does not apply
    life = rows["life_meeting"]
    assert (life.required, life.overdue) == (1, 0)  # the year is still running
    share, reason = compliance.share(list(rows.values()))
    assert 0 < share < 1 and "主题党日每月一次" in reason


def test_meeting_below_quorum_does_not_count_as_held(branch, members):
    for x in members[:4]:
        seat(branch, x)
    m = meeting(branch, kind="branch_committee", held_on=D(2025, 5, 6))
    services.record_attendance(m, [{"member": x.pk, "status": "absent"} for x in members[:3]], actor=CLI)
    rows = kinds(compliance.org_compliance([branch], 2025, 5, D(2025, 7, 1), services.current_version())[branch.pk])
    assert rows["branch_committee"].met == 0 and rows["branch_committee"].overdue == 1 and rows["branch_committee"].below_quorum == 1


def test_lagging_list_and_township_summary(tree, members):
    a, a2 = tree["branches"][0]
    b, _b2 = tree["branches"][1]
    as_of = D(2025, 4, 2)
    for org in (a, a2, b):
        make_member(org) if org != a else None
    for org in (a, b):
        for month in (1, 2, 3):
            services.record_attendance(meeting(org, held_on=D(2025, month, 10)), [], actor=CLI)
        services.record_attendance(meeting(org, kind="party_lecture", held_on=D(2025, 3, 20)), [], actor=CLI)
        services.record_attendance(meeting(org, kind="general_meeting", held_on=D(2025, 3, 21)), [], actor=CLI)
    admin = make_user("county_admin", tree["county"])
    rows = list(selectors.lagging_list(admin, {"year": "2025"}, as_of))
    names = [o.name for o in rows]
    assert a2.name in names and a.name not in names and b.name not in names
    lag = next(o for o in rows if o.pk == a2.pk)
    assert lag.due == 5 and lag.missing == 5  # 3 theme days + Q1 lecture + Q1 general meeting
    selectors.lagging_details(rows, {"year": "2025"}, as_of)
    assert "主题党日" in lag.lacking
    summary = {t["org"].pk: t for t in compliance.township_summary(tree["county"], 2025, None, as_of, services.current_version())}
    c1, c2 = tree["committees"]
    assert summary[c1.pk]["lagging"] >= 1 and summary[c2.pk]["lagging"] >= 1  # c2's second branch held nothing
    secretary_a = make_user("branch_secretary", a)
    assert [o.pk for o in selectors.lagging_list(secretary_a, {"year": "2025", "all": "1"}, as_of)] == [a.pk]


def test_lagging_list_queries_do_not_grow(tree, django_assert_max_num_queries):
    admin = make_user("county_admin", tree["county"])
    c1 = tree["committees"][0]

    def run():
        rows = list(selectors.lagging_list(admin, {"year": "2025", "all": "1"}, D(2025, 8, 1))[:50])
        selectors.lagging_details(rows, {"year": "2025"}, D(2025, 8, 1))
        return rows

    # organisations, per frequency one grouped count (the 谈心谈话 kind: its distinct dates and
    # the supervision records), the objects, then the details: fixed, whatever the size
    with django_assert_max_num_queries(10) as small:
        n1 = len(run())
    for i in range(8):
        org = make_org(c1, name=f"新增{i}党支部")
        meeting(org, held_on=D(2025, 2, 1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(run()) == n1 + 8


def _month_meetings(branch, months, marks_for):
    for month in months:
        m = meeting(branch, held_on=D(2025, month, 12))
        services.record_attendance(m, marks_for(month), actor=CLI)


def test_six_months_without_party_life_and_leave_breaks_the_run(branch, members):
    a, b, c = members[:3]
    as_of = D(2025, 12, 5)  # counted up to November

    def marks(month):
        out = [{"member": a.pk, "status": "absent"}]  # a: absent Jan–Nov
        if month >= 5:
            out.append({"member": b.pk, "status": "absent"})  # b: absent May–Nov, but on leave in August
        if month == 8:
            out[-1] = {"member": b.pk, "status": "leave", "reason": "住院"}
        if month >= 9:
            out.append({"member": c.pk, "status": "absent"})  # c: Sep–Nov
        return out

    _month_meetings(branch, range(1, 12), marks)
    rows = {r["member_id"]: r for r in compliance.absence_queryset(Attendance.objects.all(), as_of, 3)}
    assert rows[a.pk]["months"] == 11
    assert rows[b.pk]["months"] == 3  # the leave in August was a good reason
    assert rows[c.pk]["months"] == 3
    version = services.current_version()
    assert compliance.level(11, version)[0] == "case" and compliance.level(5, version)[0] == "escalation"
    candidates = list(facts.exit_candidates(branch.path, as_of))
    assert [c[0] for c in candidates] == [a.pk]
    assert "连续11个月" in candidates[0][2]
    # the current month is not counted yet; December's absence does not matter on 5 December
    assert compliance.cutoff_month(as_of) == D(2025, 11, 1)


def test_exclusion_breaks_the_run(branch, members):
    a = members[0]
    services.create_exclusion(
        a,
        {
            "reason": "bedridden",
            "starts_on": D(2025, 6, 1),
            "ends_on": D(2025, 6, 30),
            "approved_by": "支部",
            "approved_on": D(2025, 5, 30),
        },
        actor=CLI,
    )
    _month_meetings(branch, range(1, 12), lambda month: [{"member": a.pk, "status": "absent"}] if month != 6 else [])
    rows = {r["member_id"]: r for r in compliance.absence_queryset(Attendance.objects.all(), D(2025, 12, 5), 3)}
    assert rows[a.pk]["months"] == 5  # July–November after the excluded June


def test_member_facts_report_and_metric(branch, members):
    a = members[0]
    _month_meetings(branch, (1, 2, 3), lambda month: [{"member": a.pk, "status": "absent"}] if month == 2 else [])
    f = facts.member_facts([a.pk, members[1].pk], 2025)
    assert f[a.pk] == [("应参加组织生活", "3次", None), ("参加", "2次", None), ("请假", "0次", None), ("无故缺席", "1次", False)]
    assert f[members[1].pk][-1] == ("无故缺席", "0次", True)
    report = dict(facts.report_figures(branch, 2025, 2))
    assert report["召开组织生活会议"] == "1次" and report["主题党日"] == "1次"
    metric = facts.org_metric([branch.pk], 2025, 1)
    share, reason = metric[branch.pk]
    assert 0 < share < 1 and "党课" in reason


def test_my_attendance_is_only_my_own(branch, members):
    me = make_user("member", branch, member=members[0])
    _month_meetings(branch, (1, 2), lambda month: [])
    rows = list(selectors.my_attendance(me))
    assert len(rows) == 2 and all(r.member_id == members[0].pk for r in rows)
    assert Meeting.objects.count() == 2
