import datetime

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.education import services as education_services
from apps.members.models import Member
from apps.recruitment import engine, services
from apps.recruitment.models import DevelopmentFile, DevelopmentStep, FileTransfer, LaggingUnit
from tests.factories import make_member, make_user
from tests.recruitment.helpers import PLAN_DATE, D, applicant_data, before_step, new_file


def take(f, code, date, **data):
    return engine.take_step(f, code, date=date, data=data, actor=system_actor("cli"))


def test_applicant_must_be_18_on_application_date(tree):
    org = tree["branches"][0][0]
    with pytest.raises(ValidationError) as exc:
        services.create_file(applicant_data(org, birth_date=D(2005, 1, 11), application_date=D(2023, 1, 10)), actor=system_actor("cli"))
    assert "年满18周岁（党章第一条）" in str(exc.value)
    assert not DevelopmentFile.objects.exists()
    f = services.create_file(applicant_data(org, birth_date=D(2005, 1, 10), application_date=D(2023, 1, 10)), actor=system_actor("cli"))
    assert f.application_date == D(2023, 1, 10)


def test_future_date_refused(tree):
    f = new_file(tree["branches"][0][0])
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as exc:
        take(f, "talk", tomorrow, talker="王", talker_role="secretary", summary="谈话")
    assert "不能晚于今天" in str(exc.value)


def test_step_taken_twice_refused(tree):
    f = new_file(tree["branches"][0][0])
    take(f, "talk", D(2023, 1, 20), talker="王", talker_role="secretary", summary="谈话")
    with pytest.raises(ValidationError) as exc:
        take(f, "talk", D(2023, 1, 21), talker="王", talker_role="secretary", summary="谈话")
    assert "已于 2023-01-20 办理" in str(exc.value)


def test_required_records_named(tree):
    f = new_file(tree["branches"][0][0])
    with pytest.raises(ValidationError) as exc:
        take(f, "talk", D(2023, 1, 20))
    assert "须填写谈话人" in str(exc.value)


def test_leap_day_activist_to_target_through_take_step(tree):
    org = tree["branches"][0][0]
    people = [make_member(org), make_member(org)]
    f = new_file(org, application_date=D(2024, 1, 10))
    take(f, "talk", D(2024, 1, 20), talker="王", talker_role="secretary", summary="谈话")
    take(f, "activist", D(2024, 2, 29), recommendation="mass_org", decided_by="committee")
    take(f, "activist_filed", D(2024, 3, 5))
    take(f, "contacts", D(2024, 3, 5), contacts=[people[0].pk])
    services.add_assessment(f, date=D(2024, 8, 29), period="2024下半年", evaluator="member", actor=system_actor("cli"))
    take(f, "cultivate", D(2025, 2, 20))
    services.create_notice(f, start_date=D(2025, 2, 10), actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        take(f, "target", D(2025, 2, 27), decided_by="committee")
    assert "最早可于 2025-02-28" in str(exc.value)
    take(f, "target", D(2025, 2, 28), decided_by="committee")
    f.refresh_from_db()
    assert f.stage == "target" and f.target_date == D(2025, 2, 28)


def test_assessments_every_six_months_required(tree):
    org = tree["branches"][0][0]
    f = before_step(new_file(org), "cultivate", prepare=False)
    services.add_assessment(f, date=D(2023, 9, 1), period="2023下半年", evaluator="member", actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        take(f, "cultivate", D(2024, 3, 5))
    assert "应有2次考察记录，现有1次" in str(exc.value)


def test_notice_required_and_objections_block(tree):
    org = tree["branches"][0][0]
    f = before_step(new_file(org), "target", prepare=False)
    with pytest.raises(ValidationError) as exc:
        take(f, "target", D(2024, 3, 15), decided_by="committee")
    assert "确定发展对象前须公示" in str(exc.value)
    notice = services.create_notice(f, start_date=D(2024, 3, 11), actor=system_actor("cli"))  # Mon → Fri 15th
    with pytest.raises(ValidationError) as exc:
        take(f, "target", D(2024, 3, 15), decided_by="committee")
    assert "公示期至 2024-03-15 结束" in str(exc.value) and "最早可于 2024-03-16" in str(exc.value)
    objection = services.add_objection(notice, received=D(2024, 3, 12), content="反映其邻里纠纷", actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        take(f, "target", D(2024, 3, 18), decided_by="committee")
    assert "异议尚未核查处理完毕" in str(exc.value)
    services.resolve_objection(objection, resolved=D(2024, 3, 14), resolution="经核查不属实", actor=system_actor("cli"))
    take(f, "target", D(2024, 3, 18), decided_by="committee")


def test_introducers_exactly_two_full_normal_members(tree):
    org = tree["branches"][0][0]
    a, b = make_member(org), make_member(org)
    prob = make_member(org, member_type="probationary", conversion_date=None, join_date=D(2024, 1, 1))
    f = before_step(new_file(org), "introducers", people=[a, b])
    with pytest.raises(ValidationError) as exc:
        take(f, "introducers", D(2024, 3, 20), introducers=[a.pk])
    assert "须为2名正式党员（细则第十四条），当前为1名" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        take(f, "introducers", D(2024, 3, 20), introducers=[a.pk, prob.pk])
    assert "是预备党员" in str(exc.value)
    from apps.members.services import change_status

    change_status(b, "suspended", date=D(2024, 1, 1), reason="停止党籍", actor=system_actor("cli"), engine="appraisal")
    with pytest.raises(ValidationError) as exc:
        take(f, "introducers", D(2024, 3, 20), introducers=[a.pk, b.pk])
    assert "党籍状态正常" in str(exc.value)


def test_training_hours_and_class_attendance_count(tree):
    org = tree["branches"][0][0]
    f = before_step(new_file(org), "training")
    with pytest.raises(ValidationError) as exc:
        take(f, "training", D(2024, 4, 10), days=2, hours=16)
    assert "不少于3天或24学时（细则第十六条），现累计2天、16学时" in str(exc.value)
    c = services.create_training_class(
        {
            "organisation": tree["county"],
            "name": "2024年第一期积极分子培训班",
            "start_date": D(2024, 4, 1),
            "end_date": D(2024, 4, 1),
            "days": 1,
            "hours": 8,
        },
        actor=system_actor("cli"),
    )
    assert services.enrol(c, [f], actor=system_actor("cli")) == 1
    # One class mechanism: the place counts once education records the class as completed.
    with pytest.raises(ValidationError) as exc:
        take(f, "training", D(2024, 4, 10), days=2, hours=16)
    assert "现累计2天、16学时；“2024年第一期积极分子培训班”尚未结业，结业后计入" in str(exc.value)
    assert not DevelopmentStep.objects.filter(file=f, code="training").exists()
    education_services.finish_class(c, actor=system_actor("cli"), on=D(2024, 4, 2))
    take(f, "training", D(2024, 4, 10), days=2, hours=16)


def test_failed_political_review_blocks_and_expiry_blocks_meeting(tree):
    org = tree["branches"][0][0]
    f = before_step(new_file(org), "political_review")
    take(f, "political_review", D(2024, 4, 1), conclusion="fail", summary="存在问题")
    take(f, "training", D(2024, 4, 10), days=3)
    with pytest.raises(ValidationError) as exc:
        take(f, "branch_review", D(2024, 4, 15), summary="x")
    assert "政治审查结论不合格" in str(exc.value)
    take(f, "political_review", D(2024, 4, 12), conclusion="pass", summary="补充调查后合格")
    take(f, "branch_review", D(2024, 4, 15), summary="同意")


def test_expired_political_review_blocks_general_meeting(tree):
    from apps.recruitment.models import PoliticalReview

    f = before_step(new_file(tree["branches"][0][0]), "general_meeting")
    PoliticalReview.objects.filter(file=f).update(valid_until=D(2024, 5, 9))
    with pytest.raises(ValidationError) as exc:
        take(f, "general_meeting", D(2024, 5, 10))
    assert "有效期至 2024-05-09" in str(exc.value) and "须重新政审" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # still valid on 2024-05-09: no second review
        take(f, "political_review", D(2024, 5, 9), conclusion="pass", summary="复审")
    assert "已于 2024-04-01 办理" in str(exc.value)
    take(f, "political_review", D(2024, 5, 10), conclusion="pass", summary="重新政审合格")
    take(f, "general_meeting", D(2024, 5, 10))


def test_pre_review_leaving_unit_and_failed_pre_review(tree):
    org = tree["branches"][0][0]
    f = before_step(new_file(org), "pre_review")
    with pytest.raises(ValidationError) as exc:
        take(f, "pre_review", D(2024, 4, 20), result="pass", summary="x", leaving_within_3_months=True)
    assert "不进行预审（细则第十八条）" in str(exc.value)
    take(f, "pre_review", D(2024, 4, 20), result="fail", summary="材料不全")
    with pytest.raises(ValidationError) as exc:
        take(f, "form", D(2024, 4, 25))
    assert "须先完成第13步“上级党委预审”" in str(exc.value)
    # The failed pre-review stays in the history; after the materials are completed the
    # higher committee reviews again, and the 入党志愿书 is issued.
    take(f, "pre_review", D(2024, 5, 6), result="pass", summary="预审合格")
    take(f, "form", D(2024, 5, 8))
    assert DevelopmentStep.objects.filter(file=f, code="pre_review", superseded=True).count() == 1


def test_general_meeting_needs_passed_vote(tree):
    org = tree["branches"][0][0]
    f = before_step(new_file(org), "general_meeting", prepare=False)
    with pytest.raises(ValidationError) as exc:
        take(f, "general_meeting", D(2024, 5, 10))
    assert "须经支部大会表决（票决制）" in str(exc.value)
    services.record_vote(
        f,
        {"proposal": "admit", "meeting_date": D(2024, 5, 10), "should_attend": 10, "present": 6, "yes": 5, "no": 1, "abstain": 0},
        actor=system_actor("cli"),
    )
    with pytest.raises(ValidationError) as exc:
        take(f, "general_meeting", D(2024, 5, 10))
    assert "表决未获通过" in str(exc.value)


def test_conversion_not_before_probation_ends(tree):
    f = before_step(new_file(tree["branches"][0][0]), "conversion_application")
    with pytest.raises(ValidationError) as exc:
        take(f, "conversion_application", D(2025, 5, 9))
    assert "预备期满日期为 2025-05-10" in str(exc.value)


def test_extension_once_only_then_conversion(tree):
    f = before_step(new_file(tree["branches"][0][0]), "conversion_meeting", prepare=False)
    services.record_vote(
        f,
        {
            "proposal": "extend",
            "meeting_date": D(2025, 5, 15),
            "should_attend": 10,
            "present": 9,
            "yes": 8,
            "no": 1,
            "abstain": 0,
            "passed": True,
        },
        actor=system_actor("cli"),
    )
    with pytest.raises(ValidationError) as exc:
        take(f, "conversion_meeting", D(2025, 5, 15), outcome="extend", extension_months=13)
    assert "6至12个月" in str(exc.value)
    take(f, "conversion_meeting", D(2025, 5, 15), outcome="extend", extension_months=6)
    take(f, "conversion_approval", D(2025, 5, 25), result="approve")
    f.refresh_from_db()
    assert f.extension_months == 6 and f.probation_end == D(2025, 11, 10)
    assert f.member.member_type == "probationary"
    # Steps 21–24 start again; the first round stays as history.
    assert DevelopmentStep.objects.filter(file=f, superseded=True).count() == 4
    take(f, "probation_education", D(2025, 8, 1), summary="整改")
    with pytest.raises(ValidationError) as exc:
        take(f, "conversion_application", D(2025, 11, 9))
    assert "预备期满日期为 2025-11-10" in str(exc.value)
    take(f, "conversion_application", D(2025, 11, 10))
    services.record_vote(
        f,
        {
            "proposal": "extend",
            "meeting_date": D(2025, 11, 15),
            "should_attend": 10,
            "present": 9,
            "yes": 8,
            "no": 1,
            "abstain": 0,
            "passed": True,
        },
        actor=system_actor("cli"),
    )
    with pytest.raises(ValidationError) as exc:
        take(f, "conversion_meeting", D(2025, 11, 15), outcome="extend", extension_months=6)
    assert "预备期只能延长一次（党章第七条）" in str(exc.value)
    services.record_vote(
        f,
        {
            "proposal": "convert",
            "meeting_date": D(2025, 11, 20),
            "should_attend": 10,
            "present": 9,
            "yes": 8,
            "no": 1,
            "abstain": 0,
            "passed": True,
        },
        actor=system_actor("cli"),
    )
    take(f, "conversion_meeting", D(2025, 11, 20), outcome="convert")
    take(f, "conversion_approval", D(2025, 12, 1), result="approve")
    m = Member.objects.get(pk=f.member_id)
    assert m.member_type == "full" and m.conversion_date == D(2025, 11, 10)


def test_cancellation_is_not_a_sanction_and_ends_the_record(tree):
    branch = tree["branches"][0][0]
    f = before_step(new_file(branch), "conversion_meeting", prepare=False)
    services.record_vote(
        f,
        {
            "proposal": "cancel",
            "meeting_date": D(2025, 5, 15),
            "should_attend": 10,
            "present": 9,
            "yes": 8,
            "no": 1,
            "abstain": 0,
            "passed": True,
        },
        actor=system_actor("cli"),
    )
    take(f, "conversion_meeting", D(2025, 5, 15), outcome="cancel")
    take(f, "conversion_approval", D(2025, 5, 25), result="approve")
    f.refresh_from_db()
    m = Member.objects.get(pk=f.member_id)
    assert f.status == "cancelled" and engine.CANCEL_REASON in f.closed_reason
    assert m.status == engine.CANCEL_STATUS
    assert m.status_history.first().reason == engine.CANCEL_REASON
    assert not Member.objects.counted().filter(pk=m.pk).exists()
    with pytest.raises(ValidationError):
        take(f, "archive", D(2025, 6, 1), archived_items="x")


def test_transfer_keeps_served_time(tree):
    a = tree["branches"][0][0]
    b = tree["branches"][1][0]
    f = before_step(new_file(a), "cultivate", prepare=False)
    organiser = make_user("county_admin", tree["county"])
    engine.transfer_file(f, b, actor=organiser, date=D(2023, 6, 1), reason="工作调动")
    f.refresh_from_db()
    assert f.organisation == b and f.org_path == b.path
    t = FileTransfer.objects.get(file=f)
    assert t.valid_until == D(2023, 7, 1)
    services.add_assessment(f, date=D(2023, 9, 1), period="2023下半年", evaluator="member", actor=system_actor("cli"))
    services.add_assessment(f, date=D(2024, 3, 1), period="2024上半年", evaluator="mass", actor=system_actor("cli"))
    take(f, "cultivate", D(2024, 3, 5))
    services.create_notice(f, start_date=D(2024, 3, 4), actor=system_actor("cli"))
    with pytest.raises(ValidationError) as exc:
        take(f, "target", D(2024, 2, 29), decided_by="committee")
    assert "最早可于 2024-03-01" in str(exc.value)  # activist date 2023-03-01 in the old branch counts
    take(f, "target", D(2024, 3, 15), decided_by="committee")


def test_transfer_scoping(tree):
    a = tree["branches"][0][0]
    b = tree["branches"][1][0]
    f = new_file(a)
    sec = make_user("branch_secretary", a)
    with pytest.raises(ScopeError):
        engine.transfer_file(f, b, actor=sec)
    assert DevelopmentFile.objects.get(pk=f.pk).organisation == a


def test_branch_cannot_perform_higher_step_and_other_branch_cannot_act(tree):
    a = tree["branches"][0][0]
    sec = make_user("branch_secretary", a)
    other = make_user("branch_secretary", tree["branches"][0][1])
    organiser = make_user("committee_organiser", tree["committees"][0])
    stranger = make_user("committee_organiser", tree["committees"][1])
    f = new_file(a)
    with pytest.raises(ScopeError):
        engine.take_step(f, "talk", date=D(2023, 1, 20), actor=other, data={"talker": "王", "talker_role": "secretary", "summary": "x"})
    engine.take_step(f, "talk", date=D(2023, 1, 20), actor=sec, data={"talker": "王", "talker_role": "secretary", "summary": "x"})
    engine.take_step(f, "activist", date=D(2023, 3, 1), actor=sec, data={"recommendation": "member", "decided_by": "committee"})
    with pytest.raises(ScopeError) as exc:
        engine.take_step(f, "activist_filed", date=D(2023, 3, 10), actor=sec)
    assert "须由上级党委办理" in exc.value.message
    with pytest.raises(ScopeError):
        engine.take_step(f, "activist_filed", date=D(2023, 3, 10), actor=stranger)
    step = engine.take_step(f, "activist_filed", date=D(2023, 3, 10), actor=organiser)
    assert step.approved_by == organiser and step.performed_by == organiser


def test_journey_with_real_users(tree):
    a = tree["branches"][0][0]
    sec = make_user("branch_secretary", a)
    organiser = make_user("committee_organiser", tree["committees"][0])
    f = before_step(new_file(a), None, branch_user=sec, higher_user=organiser)
    f.refresh_from_db()
    assert f.status == "closed"
    assert DevelopmentStep.objects.filter(file=f, code="approval").get().approved_by == organiser


def test_due_and_overdue(tree):
    f = new_file(tree["branches"][0][0])
    due = engine.due_steps(f, D(2023, 1, 15))
    assert due[0].code == "talk" and due[0].deadline == D(2023, 2, 10)
    assert engine.overdue(f, D(2023, 2, 10)) == []
    assert [d.code for d in engine.overdue(f, D(2023, 2, 11))] == ["talk"]
    f.refresh_from_db()
    assert f.next_step == "talk" and f.next_deadline == D(2023, 2, 10)
    chart = engine.flowchart(f, D(2023, 2, 11))
    assert len(chart) == 25 and chart[0]["state"] == "done" and chart[1]["state"] == "overdue" and chart[2]["state"] == "waiting"
    take(f, "talk", D(2023, 3, 1), talker="王", talker_role="secretary", summary="x", late_reason="书记外出学习")
    assert "书记外出学习" in DevelopmentStep.objects.get(file=f, code="talk").notes


def test_plan_progress_and_lagging_units(tree):
    from apps.recruitment import selectors

    branch = tree["branches"][0][0]
    committee = tree["committees"][0]
    plan = services.save_plan(
        {"organisation": branch, "kind": "annual", "start_year": 2024, "total": 12, "women": 4, "youth": 6}, actor=system_actor("cli")
    )
    county_plan = services.save_plan(
        {"organisation": tree["county"], "kind": "three_year", "start_year": 2024, "total": 100}, actor=system_actor("cli")
    )
    assert county_plan.end_year == 2026
    f = before_step(new_file(branch, sex="F"), "higher_talk")
    progress = selectors.plan_progress([plan, county_plan])
    assert progress[0]["actual"]["total"] == 0
    take(f, "higher_talk", PLAN_DATE["higher_talk"], talker="李", summary="x")
    take(f, "approval", PLAN_DATE["approval"], result="approve")
    progress = selectors.plan_progress([plan, county_plan])
    assert progress[0]["actual"] == {
        "total": 1,
        "women": 1,
        "youth": 1,
        "high_school_plus": 1,
        "college_plus": 1,
        "farmers": 1,
        "non_public": 0,
    }
    assert progress[1]["actual"]["total"] == 1
    may = selectors.monthly_report(committee, 2024, 5)
    assert next(r for r in may["rows"] if r["org"] == branch)["ytd"]["admissions"] == 0  # approved only in June
    report = selectors.monthly_report(committee, 2024, 6)
    row = next(r for r in report["rows"] if r["org"] == branch)
    assert row["ytd"]["admissions"] == 1 and row["month"]["admissions"] == 0 and row["expected"] == 6 and row["lagging"]
    other = next(r for r in report["rows"] if r["org"] != branch)
    assert not other["lagging"] and other["plan"] is None
    services.publish_circular(committee, 2024, 6, actor=system_actor("cli"))
    assert LaggingUnit.objects.get(organisation=branch).cleared_month is None
    # Still behind in July: stays on the key-management list.
    report = services.publish_circular(committee, 2024, 7, actor=system_actor("cli"))
    assert LaggingUnit.objects.filter(organisation=branch, cleared_month__isnull=True).count() == 1
    assert report["rows"][0]["key_managed_since"] == D(2024, 6, 1)
    # The plan is revised down to 1: caught up, comes off the list.
    services.save_plan({"organisation": branch, "kind": "annual", "start_year": 2024, "total": 1}, actor=system_actor("cli"))
    services.publish_circular(committee, 2024, 8, actor=system_actor("cli"))
    assert LaggingUnit.objects.get(organisation=branch).cleared_month == D(2024, 8, 1)


def test_plan_subtargets_cannot_exceed_total(db, tree):
    with pytest.raises(ValidationError) as exc:
        services.save_plan(
            {"organisation": tree["county"], "kind": "annual", "start_year": 2024, "total": 2, "women": 3}, actor=system_actor("cli")
        )
    assert "不能超过发展总数" in str(exc.value)


def test_target_needs_recent_mass_or_member_assessment(tree):
    from apps.recruitment.models import Assessment

    f = before_step(new_file(tree["branches"][0][0]), "target")
    Assessment.objects.filter(file=f).update(evaluator="branch")
    with pytest.raises(ValidationError) as exc:
        take(f, "target", D(2024, 3, 15), decided_by="committee")
    assert "须听取党员和群众意见（测评制" in str(exc.value)


def test_file_paths_follow_a_moved_subtree(tree):
    from apps.orgs.models import Organisation
    from apps.orgs.services import move_subtree

    branch = tree["branches"][0][0]
    f = new_file(branch)
    move_subtree(branch, tree["committees"][1], actor=system_actor("cli"))
    branch = Organisation.objects.get(pk=branch.pk)
    f.refresh_from_db()
    assert f.org_path == branch.path and branch.path.startswith(tree["committees"][1].path)


def test_new_rule_version_moves_deadlines(tree):
    from django.core.management import call_command

    f = new_file(tree["branches"][0][0])
    assert DevelopmentFile.objects.get(pk=f.pk).next_deadline == D(2023, 2, 10)
    services.save_rule_version({"talk_within_months": 2}, note="谈话期限改为两个月", actor=system_actor("cli"))
    assert DevelopmentFile.objects.get(pk=f.pk).next_deadline == D(2023, 3, 10)
    DevelopmentFile.objects.filter(pk=f.pk).update(next_deadline=None)
    call_command("refresh_development_deadlines", "--org", tree["county"].code)
    assert DevelopmentFile.objects.get(pk=f.pk).next_deadline == D(2023, 3, 10)


def test_transfer_of_a_probationary_member_moves_the_member_too(tree):
    a, b = tree["branches"][0][0], tree["branches"][1][1]
    f = before_step(new_file(a), "placement")
    engine.transfer_file(f, b, date=D(2024, 7, 1), reason="工作调动", actor=system_actor("cli"))
    m = Member.objects.get(pk=DevelopmentFile.objects.get(pk=f.pk).member_id)
    assert m.organisation == b and m.org_history.get().to_org == b
    take(DevelopmentFile.objects.get(pk=f.pk), "placement", D(2024, 7, 2))  # the new branch continues


@pytest.mark.parametrize(
    "plan, month, admitted, expected, behind",
    [(3, 11, 2, 2.8, 1), (3, 11, 3, 2.8, 0), (12, 6, 6, 6.0, 0), (12, 6, 5, 6.0, 1), (1, 1, 0, 0.1, 1), (12, 12, 13, 12.0, 0)],
)
def test_lagging_rule_is_exact_pro_rata(plan, month, admitted, expected, behind):
    from apps.recruitment.selectors import pro_rata

    assert pro_rata(plan, month, admitted) == (expected, behind)


def test_vote_refused_for_a_file_at_the_wrong_stage(tree):
    from apps.recruitment.models import Vote

    f = new_file(tree["branches"][0][0])  # an applicant: no general-meeting vote yet
    data = {
        "proposal": "admit",
        "meeting_date": D(2024, 5, 1),
        "should_attend": 10,
        "present": 8,
        "yes": 8,
        "no": 0,
        "abstain": 0,
        "passed": True,
    }
    with pytest.raises(ValidationError, match="须由支部大会对发展对象表决"):
        services.record_vote(f, data, actor=system_actor("cli"))
    with pytest.raises(ValidationError, match="预备党员"):
        services.record_vote(f, {**data, "proposal": "convert"}, actor=system_actor("cli"))
    assert not Vote.objects.exists()
