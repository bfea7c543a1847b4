import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.appraisal import rules, selectors, services
from apps.appraisal.models import HandlingCase
from apps.members.models import Member, MemberStatusChange
from tests.appraisal.conftest import SYS
from tests.factories import make_member

TODAY = timezone.localdate()


def d(days_ago):
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


def vote(**kw):
    return {"meeting_date": d(40), "should_attend": 10, "present": 8, "yes": 7, "no": 1, "abstain": 0, "defence": "本人表示接受", **kw}


def walk(case, *, upto, organiser=None, actor=SYS):
    steps = {
        "filed": {"filed_on": d(60)},
        "talked": {"talk_on": d(50), "talk_notes": "指出问题，本人表态"},
        "voted": vote(),
        "approved": {"approved_on": d(30), "approval_note": "同意"},
        "decided": {"decided_on": d(20), "letter_no": "党字〔2026〕1号"},
    }
    for step, data in steps.items():
        case = services.take_step(case, step, data, actor=organiser if step == "approved" and organiser else actor)
        if step == upto:
            break
    return case


@pytest.fixture
def member(branch):
    return make_member(branch)


def test_removal_goes_through_every_step_and_ends_membership(member, secretary, organiser):
    case = services.open_case(member, kind=rules.REMOVAL, source="manual", source_note="连续6个月不参加组织生活", on=d(70), actor=secretary)
    case = walk(case, upto="decided", organiser=organiser, actor=secretary)
    assert case.status == "closed"
    m = Member.objects.get(pk=member.pk)
    assert m.status == "removed"
    change = MemberStatusChange.objects.get(member=m, to_status="removed")
    assert "除名" in change.reason
    assert case.rejoin_blocked_until == rules.add_months(TODAY - datetime.timedelta(days=20), 60)
    assert services.rejoin_block(m.id_number_hash) == case
    assert services.rejoin_block(m.id_number_hash, case.rejoin_blocked_until) is None


def test_a_secretary_cannot_approve_and_a_removal_needs_approval(member, secretary):
    from apps.core.scoping import ScopeError

    case = services.open_case(member, kind=rules.REMOVAL, source="manual", source_note="拒不改正", on=d(70), actor=secretary)
    case = walk(case, upto="voted", actor=secretary)
    with pytest.raises(ValidationError) as exc:
        services.take_step(case, "decided", {"decided_on": d(20), "letter_no": "x"}, actor=secretary)
    assert "须先完成“上级党组织审批”" in str(exc.value)
    with pytest.raises(ScopeError):
        services.take_step(case, "approved", {"approved_on": d(30)}, actor=secretary)
    assert Member.objects.get(pk=member.pk).status == "normal"
    assert HandlingCase.objects.get(pk=case.pk).step == "voted"


def test_steps_out_of_order_are_refused(member):
    case = services.open_case(member, kind=rules.CORRECTION, source="manual", source_note="不交党费", on=d(70), actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.take_step(case, "talked", {"talk_on": d(50), "talk_notes": "谈话"}, actor=SYS)
    assert "须先完成“报基层党委备案”" in str(exc.value)
    assert HandlingCase.objects.get(pk=case.pk).step == ""


def test_vote_below_quorum_is_refused(member):
    case = walk(services.open_case(member, kind=rules.REMOVAL, source="manual", source_note="x", on=d(70), actor=SYS), upto="talked")
    with pytest.raises(ValidationError) as exc:
        services.take_step(case, "voted", vote(present=5, yes=5), actor=SYS)
    assert "超过应到人数的半数" in str(exc.value) and "至少须6人" in str(exc.value)
    assert HandlingCase.objects.get(pk=case.pk).step == "talked"


def test_a_vote_that_does_not_pass_closes_the_case(member):
    case = walk(services.open_case(member, kind=rules.REMOVAL, source="manual", source_note="x", on=d(70), actor=SYS), upto="talked")
    case = services.take_step(case, "voted", vote(yes=5, no=3), actor=SYS)
    assert case.status == "closed" and Member.objects.get(pk=member.pk).status == "normal"


def test_vote_arithmetic_reused_from_recruitment(member):
    case = walk(services.open_case(member, kind=rules.REMOVAL, source="manual", source_note="x", on=d(70), actor=SYS), upto="talked")
    with pytest.raises(ValidationError) as exc:
        services.take_step(case, "voted", vote(present=11), actor=SYS)
    assert "实到人数（11）不能超过应到人数（10）" in str(exc.value)


def test_correction_deadline_at_most_one_year(member):
    case = walk(
        services.open_case(member, kind=rules.CORRECTION, source="appraisal", source_note="评议不合格", on=d(70), actor=SYS),
        upto="approved",
    )
    decided = TODAY - datetime.timedelta(days=20)
    too_late = rules.add_months(decided, 12) + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.take_step(case, "decided", {"decided_on": decided, "letter_no": "1号", "deadline": too_late}, actor=SYS)
    assert "最长不超过12个月" in str(exc.value)
    assert HandlingCase.objects.get(pk=case.pk).deadline is None
    case = services.take_step(case, "decided", {"decided_on": decided, "letter_no": "1号"}, actor=SYS)
    assert case.deadline == rules.add_months(decided, 6) and case.status == "open"
    assert Member.objects.get(pk=member.pk).status == "normal"


def test_correction_overdue_list_and_escalation(member, secretary):
    case = services.open_case(member, kind=rules.CORRECTION, source="manual", source_note="x", on=d(401), actor=SYS)
    steps = [
        ("filed", {"filed_on": d(400)}),
        ("talked", {"talk_on": d(399), "talk_notes": "谈话"}),
        ("voted", vote(meeting_date=d(398))),
        ("approved", {"approved_on": d(397)}),
        ("decided", {"decided_on": d(396), "letter_no": "2号"}),
    ]
    for step, data in steps:
        case = services.take_step(case, step, data, actor=SYS)
    assert case.deadline < TODAY
    assert list(selectors.overdue_corrections(secretary)) == [case]
    titles = [i.title for i in selectors.todo_items(secretary)]
    assert any("限期改正已到期" in t for t in titles)
    with pytest.raises(ValidationError) as exc:
        services.take_step(case, "concluded", {"closed_on": d(396), "outcome": "not_corrected"}, actor=SYS)
    assert "届满后" in str(exc.value)
    services.take_step(case, "concluded", {"closed_on": d(0), "outcome": "not_corrected"}, actor=SYS)
    follow = HandlingCase.objects.get(member=member, status="open")
    assert follow.kind == rules.ADVISED and follow.source == "correction_overdue"


def test_one_open_case_per_member(member):
    services.open_case(member, kind=rules.CORRECTION, source="manual", source_note="x", on=d(70), actor=SYS)
    with pytest.raises(ValidationError) as exc:
        services.open_case(member, kind=rules.REMOVAL, source="manual", source_note="y", on=d(70), actor=SYS)
    assert "同时只办理一件" in str(exc.value)
    assert HandlingCase.objects.count() == 1


def test_one_open_case_is_a_database_constraint(member):
    from django.db import IntegrityError, transaction

    services.open_case(member, kind=rules.CORRECTION, source="manual", source_note="x", on=d(70), actor=SYS)
    with pytest.raises(IntegrityError), transaction.atomic():
        HandlingCase.objects.create(
            member=member, organisation=member.organisation, kind=rules.REMOVAL, source="x", source_note="y", opened_on=TODAY
        )


def test_outsider_cannot_open_or_step(member, outsider):
    from apps.core.scoping import ScopeError

    with pytest.raises(ScopeError):
        services.open_case(member, kind=rules.CORRECTION, source="manual", source_note="x", actor=outsider)
    assert not HandlingCase.objects.exists()


# ── the lost-contact clock ────────────────────────────────────────────────────────────
def test_lost_contact_clock_across_years(branch, secretary):
    from apps.members import services as member_services

    m = make_member(branch)
    since = datetime.date(TODAY.year - 3, 11, 20)
    member_services.change_status(m, "lost_contact", date=since, lost_contact_reason="migrant_work", reason="外出失联", actor=SYS)
    # five months on (across the new year): not yet due
    assert list(selectors.lost_contact_candidates(branch.path, rules.add_months(since, 5))) == []
    due = rules.add_months(since, 6)
    assert due.year == since.year + 1
    [(mid, at, reason)] = list(selectors.lost_contact_candidates(branch.path, due))
    assert mid == m.pk and at == since and "应停止党籍" in reason
    with pytest.raises(ValidationError) as exc:
        services.suspend_lost_contact(m, on=rules.add_months(since, 5), actor=secretary)
    assert "失联满6个月方可停止党籍" in str(exc.value)
    services.suspend_lost_contact(m, on=due, actor=secretary)
    m.refresh_from_db()
    assert m.status == "suspended"
    assert list(selectors.lost_contact_candidates(branch.path, rules.add_months(due, 24))) == []
    assert list(selectors.suspended_candidates(branch.path, rules.add_months(due, 23))) == []
    [(mid, at, reason)] = list(selectors.suspended_candidates(branch.path, rules.add_months(due, 24)))
    assert "自行脱党除名" in reason
    found = selectors.candidates(secretary, branch, rules.add_months(due, 24))
    assert found[0]["member"] == m and found[0]["kind"] == rules.SELF_WITHDRAWAL


def test_member_checks_registered_for_vetting(member):
    from apps.core import registry

    services.open_case(member, kind=rules.CORRECTION, source="manual", source_note="x", on=d(70), actor=SYS)
    check = registry.member_checks.get("appraisal")
    assert "正在办理组织处置（限期改正）" in check.check([member.pk], TODAY)[member.pk]
    other = make_member(member.organisation)
    assert other.pk not in check.check([member.pk, other.pk], TODAY)


def test_cases_page_lists_candidates_and_opens_a_case(branch, secretary):
    from django.test import Client
    from django.urls import reverse

    from apps.members import services as member_services

    m = make_member(branch)
    member_services.change_status(
        m, "lost_contact", date=TODAY - datetime.timedelta(days=200), lost_contact_reason="migrant_work", reason="失联", actor=SYS
    )
    c = Client()
    c.force_login(secretary)
    page = c.get(reverse("appraisal:cases")).content.decode()
    assert m.name in page and "应停止党籍" in page
    r = c.post(
        reverse("appraisal:case_open"),
        {
            "member": m.pk,
            "kind": rules.CORRECTION,
            "source": "appraisal_lost_contact",
            "source_note": "失联满6个月",
            "opened_on": TODAY.isoformat(),
        },
    )
    case = HandlingCase.objects.get(member=m)
    assert r.url == reverse("appraisal:case", args=[case.pk])
    r = c.post(reverse("appraisal:case_step", args=[case.pk]), {"step": "talked", "talk_on": TODAY.isoformat(), "talk_notes": "x"})
    assert HandlingCase.objects.get(pk=case.pk).step == ""
    page = c.get(reverse("appraisal:case", args=[case.pk])).content.decode()
    assert "报基层党委备案" in page


def test_dues_arrears_case_is_an_exit_trigger(tree):
    """dues registers its open arrears cases (6 months unpaid) as an exit trigger; the
    handling page proposes 除名 for them (iterating the registry, not importing dues)."""
    from apps.dues import services as dues_services
    from apps.dues.models import ArrearsCase
    from tests.test_access_matrix import _dues_line

    branch = tree["branches"][1][1]
    line = _dues_line(branch, "B", months_back=7)
    dues_services.refresh_arrears_cases(branch, actor=SYS)
    case = ArrearsCase.objects.get(member=line.member)
    found = selectors.candidates(SYS, branch, TODAY)
    row = next(r for r in found if r["member"].pk == case.member_id)
    assert row["source"] == "dues_arrears" and row["kind"] == rules.REMOVAL and "未交纳党费" in row["reason"]
