import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.core.models import ChangeLog
from apps.core.scoping import OutOfScope
from apps.core.signals import attendance_recorded
from apps.members.models import MemberTransferHistory
from apps.orglife import compliance, rules, services
from apps.orglife.models import Attachment, Attendance, Exclusion, Meeting
from tests.factories import api_token, make_member, make_org

from .conftest import CLI, meeting, seat, set_status

D = datetime.date
pytestmark = pytest.mark.django_db


def test_create_meeting_records_version_hours_and_history(branch, secretary):
    m = meeting(branch, start_time=datetime.time(9, 0), end_time=datetime.time(10, 40), actor=secretary)
    assert m.rule_version == services.current_version()
    assert m.hours == Decimal("1.5")  # 100 minutes to the half hour
    assert m.org_path == branch.path
    assert ChangeLog.objects.filter(object_type="orglife.meeting", object_id=str(m.pk), action="create").exists()
    # without times: the kind's default hours from the rule version
    assert meeting(branch, kind="party_lecture").hours == Decimal("2")


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"held_on": timezone.localdate() + datetime.timedelta(days=3)}, "held_on", "不能登记为已召开"),
        ({"held_on": D(1990, 1, 1)}, "held_on", "早于"),
        ({"kind": "democratic_life"}, "kind", "不召开"),
        ({"kind": "party_lecture", "lecturer": ""}, "lecturer", "授课人"),
        ({"theme": ""}, "theme", "活动主题"),
        ({"topic": "  "}, "topic", "议题"),
        ({"start_time": datetime.time(10), "end_time": datetime.time(9)}, "end_time", "结束时间"),
    ],
)
def test_bad_meetings_are_refused_with_the_field_named(branch, overrides, field, words):
    branch.founded_on = D(2000, 1, 1)
    branch.save()
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as exc:
        meeting(branch, **overrides)
    assert field in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[field])
    assert Meeting.objects.count() == before


def test_a_future_meeting_may_be_planned(branch):
    m = meeting(branch, held_on=timezone.localdate() + datetime.timedelta(days=10), status=Meeting.Status.PLANNED)
    assert m.status == "planned" and not m.counted
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(m, [], actor=CLI)
    assert "尚未召开" in str(exc.value)


def test_another_branch_cannot_record_into_mine(branch, outsider):
    with pytest.raises(OutOfScope):
        meeting(branch, actor=outsider)
    m = meeting(branch)
    with pytest.raises(OutOfScope):
        services.record_attendance(m, [], actor=outsider)
    assert not Attendance.objects.exists()


def test_attendance_is_generated_from_members_on_the_date(branch, members, secretary):
    late = make_member(branch, join_date=D(2025, 9, 1), member_type="probationary", conversion_date=None)  # joined after the meeting
    m = meeting(branch)
    a, b, _c, _d, prob = members
    m = services.record_attendance(
        m, [{"member": a.pk, "status": "leave", "reason": "出差"}, {"member": b.pk, "status": "absent"}], actor=secretary
    )
    rows = {r.member_id: r for r in Attendance.objects.filter(meeting=m)}
    assert set(rows) == {x.pk for x in members}  # the probationary member is due, the later one not
    assert late.pk not in rows
    assert rows[a.pk].status == "leave" and rows[a.pk].reason == "出差"
    assert rows[b.pk].status == "absent"
    assert rows[prob.pk].status == "present"
    assert (m.should_attend, m.present, m.on_leave, m.absent) == (5, 3, 1, 1)
    assert m.counted and m.quorum_met is None  # 主题党日 has no quorum
    log = ChangeLog.objects.filter(object_type="orglife.meeting", object_id=str(m.pk), action="update").first()
    assert "应到5人" in log.message


def test_members_who_moved_are_due_where_they_were_on_the_date(branch, other_branch):
    stayed = make_member(branch)
    moved_out = make_member(other_branch)  # in branch until July, now in other_branch
    MemberTransferHistory.objects.create(member=moved_out, from_org=branch, to_org=other_branch, date=D(2025, 7, 1))
    moved_in = make_member(branch)  # arrived in August
    MemberTransferHistory.objects.create(member=moved_in, from_org=other_branch, to_org=branch, date=D(2025, 8, 1))
    due = set(services.members_on(branch, D(2025, 6, 10)).values_list("pk", flat=True))
    assert due == {stayed.pk, moved_out.pk}
    assert set(services.members_on(branch, D(2025, 9, 10)).values_list("pk", flat=True)) == {stayed.pk, moved_in.pk}


def test_attendance_bad_input_leaves_nothing_written(branch, other_branch, members):
    stranger = make_member(other_branch, name="外支部人")
    m = meeting(branch)
    a = members[0]
    cases = [
        ([{"member": stranger.pk, "status": "absent"}], "不是"),
        ([{"member": a.pk, "status": "absent"}, {"member": a.pk, "status": "leave", "reason": "病"}], "重复登记"),
        ([{"member": a.pk, "status": "leave"}], "请假须填写事由"),
        ([{"member": a.pk, "status": "elsewhere", "host_org": "某地"}], "不是流动党员"),
        ([{"member": a.pk, "status": "sleeping"}], "出席情况无效"),
    ]
    for marks, words in cases:
        with pytest.raises(ValidationError) as exc:
            services.record_attendance(m, marks, actor=CLI)
        assert "attendance" in exc.value.message_dict
        assert words in " ".join(exc.value.message_dict["attendance"]), words
    assert not Attendance.objects.filter(meeting=m).exists()
    m.refresh_from_db()
    assert not m.attendance_taken
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(m, [{"member": stranger.pk, "status": "absent"}], actor=CLI)
    assert "外支部人" in exc.value.message_dict["attendance"][0]


def test_mobile_member_attending_elsewhere_is_counted_with_the_host(branch, members):
    mobile = set_status(members[0], "mobile")
    m = meeting(branch)
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(m, [{"member": mobile.pk, "status": "elsewhere"}], actor=CLI)
    assert "参加活动的党组织" in str(exc.value)
    m = services.record_attendance(m, [{"member": mobile.pk, "status": "elsewhere", "host_org": "厦门市思明区流动党员党支部"}], actor=CLI)
    row = Attendance.objects.get(meeting=m, member=mobile)
    assert row.host_org == "厦门市思明区流动党员党支部"
    assert (m.present, m.elsewhere, m.attended) == (4, 1, 5)


def test_approved_exclusion_in_force_leaves_a_member_out_of_should_attend(branch, members):
    ill = members[1]
    services.create_exclusion(
        ill,
        {
            "reason": "illness",
            "starts_on": D(2025, 5, 1),
            "ends_on": D(2025, 6, 30),
            "approved_by": "测试第1镇党委",
            "approved_on": D(2025, 4, 28),
        },
        actor=CLI,
    )
    m = services.record_attendance(meeting(branch), [], actor=CLI)
    row = Attendance.objects.get(meeting=m, member=ill)
    assert row.status == "excluded" and "因病" in row.reason
    assert (m.should_attend, m.excluded, m.present) == (4, 1, 4)
    # after the exclusion ended the member is due again
    later = services.record_attendance(meeting(branch, held_on=D(2025, 7, 10)), [], actor=CLI)
    assert Attendance.objects.get(meeting=later, member=ill).status == "present"
    assert later.should_attend == 5


def test_exclusion_bad_input(branch, members):
    a = members[0]
    good = {"reason": "abroad", "starts_on": D(2025, 1, 1), "approved_by": "支部大会", "approved_on": D(2024, 12, 20)}
    for change, field in [
        ({"reason": "bored"}, "reason"),
        ({"approved_by": ""}, "approved_by"),
        ({"approved_on": None}, "approved_on"),
        ({"approved_on": timezone.localdate() + datetime.timedelta(days=1)}, "approved_on"),
        ({"ends_on": D(2024, 6, 1)}, "ends_on"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.create_exclusion(a, {**good, **change}, actor=CLI)
        assert field in exc.value.message_dict
    ex = services.create_exclusion(a, good, actor=CLI)
    with pytest.raises(ValidationError) as exc:  # overlapping
        services.create_exclusion(a, {**good, "starts_on": D(2025, 3, 1)}, actor=CLI)
    assert "已有不列入应到" in str(exc.value)
    with pytest.raises(ValidationError):
        services.end_exclusion(ex, D(2024, 1, 1), actor=CLI)
    services.end_exclusion(ex, D(2025, 2, 28), actor=CLI)
    assert Exclusion.objects.get(pk=ex.pk).ends_on == D(2025, 2, 28)


def test_committee_below_quorum_is_recorded_flagged_and_not_counted(branch, members):
    for x in members[:4]:
        seat(branch, x)
    m = meeting(branch, kind="branch_committee", topic="研究发展党员")
    m = services.record_attendance(m, [{"member": x.pk, "status": "absent"} for x in members[:3]], actor=CLI)
    assert (m.should_attend, m.present) == (4, 1)
    assert m.quorum_met is False and m.counted is False  # recorded, flagged, not counted as held
    assert "未达到法定人数" in ChangeLog.objects.filter(object_id=str(m.pk), action="update").first().message
    # exactly half of the committee is enough (≥ ½)
    m = services.record_attendance(m, [{"member": x.pk, "status": "absent"} for x in members[:2]], actor=CLI)
    assert m.quorum_met is True and m.counted is True


def test_general_meeting_quorum_counts_voting_members_only(branch, members):
    # 4 full + 1 probationary: the quorum is > ½ of the 4 full members
    m = meeting(branch, kind="general_meeting", has_vote=True)
    m = services.record_attendance(m, [{"member": x.pk, "status": "absent"} for x in members[:2]], actor=CLI)
    assert m.present == 3 and m.quorum_met is False  # 2 of 4 voting members: not more than half
    m = services.update_meeting(m, {"is_election": True}, actor=CLI)
    m = services.record_attendance(m, [{"member": members[0].pk, "status": "absent"}], actor=CLI)
    assert m.quorum_met is False  # 3 of 4 is not more than 4/5
    m = services.record_attendance(m, [], actor=CLI)
    assert m.quorum_met is True


def test_study_meeting_sends_attendance_recorded_with_the_present_members(branch, members):
    received = []

    def receiver(sender, **kw):
        received.append(kw)

    attendance_recorded.connect(receiver)
    try:
        m = meeting(branch, kind="party_lecture", start_time=datetime.time(14), end_time=datetime.time(16, 30))
        services.record_attendance(m, [{"member": members[0].pk, "status": "absent"}], actor=CLI)
        committee = meeting(branch, kind="general_meeting")
        services.record_attendance(committee, [], actor=CLI)  # not study: nothing sent
    finally:
        attendance_recorded.disconnect(receiver)
    assert len(received) == 1
    sent = received[0]
    assert sent["source"] == m and sent["form"] == "party_lecture" and sent["organisation"] == branch
    assert sent["hours"] == Decimal("2.5") and sent["date"] == m.held_on
    assert sorted(sent["member_ids"]) == sorted(x.pk for x in members[1:])
    assert "坚定理想信念" in sent["content"] and sent["actor"] == CLI


def test_study_credit_follows_the_rule_version(branch, members, tree):
    from tests.factories import make_user

    admin = make_user("county_admin", tree["county"])
    services.save_rule_version({"kinds": {"theme_day": {"study": False}}}, note="主题党日不计学时", actor=admin)
    received = []
    attendance_recorded.connect(lambda sender, **kw: received.append(kw), weak=False, dispatch_uid="t-study")
    try:
        services.record_attendance(meeting(branch), [], actor=CLI)
    finally:
        attendance_recorded.disconnect(dispatch_uid="t-study")
    assert received == []


def test_rule_version_is_editable_by_county_admin_only(tree, secretary):
    from apps.core.scoping import ScopeError
    from tests.factories import make_user

    admin = make_user("county_admin", tree["county"])
    with pytest.raises(ScopeError):
        services.save_rule_version({"kinds": {"party_lecture": {"frequency": "monthly"}}}, actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.save_rule_version({"kinds": {"party_lecture": {"frequency": "weekly"}}}, actor=admin)
    assert "party_lecture_frequency" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.save_rule_version({"warn_months": 7, "escalate_months": 5}, actor=admin)
    with pytest.raises(ValidationError) as exc:
        services.save_rule_version({}, actor=admin)
    assert "没有变化" in str(exc.value)
    old = services.current_version()
    v = services.save_rule_version({"kinds": {"party_lecture": {"frequency": "monthly"}}}, actor=admin)
    assert v.pk != old.pk and v.frequency("party_lecture") == "monthly" and old.frequency("party_lecture") == "quarterly"


def test_quick_theme_day_opens_this_months_record(branch, members, secretary):
    today = timezone.localdate()
    photo = SimpleUploadedFile("合影.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    m = services.quick_theme_day(
        branch, held_on=today, theme="重温入党誓词", absent=[members[0].pk], leave={members[1].pk: "出差"}, photo=photo, actor=secretary
    )
    m2 = services.quick_theme_day(
        branch, held_on=today, theme="重温入党誓词", absent=[members[1].pk], leave={members[1].pk: "出差"}, actor=secretary
    )
    assert m2.pk == m.pk  # the same month's record, opened again
    assert Meeting.objects.filter(organisation=branch, kind="theme_day").count() == 1
    statuses = dict(Attendance.objects.filter(meeting=m).values_list("member_id", "status"))
    assert statuses[members[0].pk] == "present" and statuses[members[1].pk] == "leave"
    assert Attachment.objects.filter(meeting=m).count() == 1


def test_attachment_limits(branch, members):
    m = meeting(branch)
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(m, SimpleUploadedFile("a.exe", b"MZ"), actor=CLI)
    assert "类型不允许" in str(exc.value)
    with pytest.raises(ValidationError):
        services.add_attachment(m, SimpleUploadedFile("empty.jpg", b""), actor=CLI)
    v = services.current_version()
    big = SimpleUploadedFile("big.jpg", b"0" * (v.general("max_upload_mb") * 1024 * 1024 + 1))
    with pytest.raises(ValidationError) as exc:
        services.add_attachment(m, big, actor=CLI)
    assert "上限" in str(exc.value)
    assert not Attachment.objects.exists()
    att = services.add_attachment(m, SimpleUploadedFile("签到表.pdf", b"%PDF-1.4"), kind="signin", actor=CLI)
    assert att.size == 8 and att.name == "签到表.pdf"


def test_update_cannot_move_a_recorded_meeting_to_another_month(branch, members):
    m = services.record_attendance(meeting(branch), [], actor=CLI)
    with pytest.raises(ValidationError) as exc:
        services.update_meeting(m, {"held_on": D(2025, 8, 1)}, actor=CLI)
    assert "held_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.update_meeting(m, {"kind": "party_lecture"}, actor=CLI)
    m = services.update_meeting(m, {"held_on": D(2025, 6, 20), "minutes": "会议记录正文"}, actor=CLI)
    assert m.held_on == D(2025, 6, 20) and m.minutes == "会议记录正文"


def test_party_group_meeting_calls_the_group(branch, members):
    group = make_org(branch, org_type="party_group", name="第一党小组")
    from apps.members.models import Member

    Member.objects.filter(pk__in=[members[0].pk, members[1].pk]).update(party_group=group)
    m = services.record_attendance(meeting(group, kind="group_meeting"), [], actor=CLI)
    assert set(Attendance.objects.filter(meeting=m).values_list("member_id", flat=True)) == {members[0].pk, members[1].pk}
    assert rules.KIND_BY_CODE["group_meeting"].attendees == rules.GROUP


def test_a_committee_below_quorum_cannot_be_made_to_count(branch, members, secretary, client):
    """Bad input: a 委员会 meeting counted as held without quorum. The count is computed by
    the service; neither an edit nor the API's fields can set it."""
    for x in members[:4]:
        seat(branch, x)
    m = meeting(branch, kind="branch_committee", topic="研究发展党员", has_vote=True)
    m = services.record_attendance(m, [{"member": x.pk, "status": "absent"} for x in members[:3]], actor=CLI)
    m = services.update_meeting(m, {"minutes": "补记", "counted": True, "quorum_met": True}, actor=CLI)
    assert (m.quorum_met, m.counted) == (False, False)
    auth = {"HTTP_AUTHORIZATION": f"Token {api_token(secretary)}"}
    r = client.patch(f"/api/orglife/meetings/{m.pk}/", {"counted": True, "quorum_met": True}, content_type="application/json", **auth)
    assert r.status_code == 200 and r.json()["counted"] is False and r.json()["quorum_met"] is False
    m.refresh_from_db()
    assert (m.quorum_met, m.counted) == (False, False)
    rows = {r.kind.code: r for r in compliance.org_compliance([branch], 2025, 6, D(2025, 7, 1), services.current_version())[branch.pk]}
    assert rows["branch_committee"].met == 0 and rows["branch_committee"].below_quorum == 1
