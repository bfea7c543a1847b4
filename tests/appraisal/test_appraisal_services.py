import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from apps.appraisal import rules, selectors, services
from apps.appraisal.models import Appraisee, BranchAppraisal, Campaign, RatingTally, VoteCast
from apps.core.models import ChangeLog
from tests.appraisal.conftest import SYS, branch_proc, phase_dates, to_phase
from tests.factories import make_member


def _ballot(ba, voter, grade_for=lambda a: rules.QUALIFIED):
    return {a.pk: grade_for(a) for a in ba.appraisees.exclude(member=voter)}


def test_open_campaign_lists_every_branch_and_appraised_member(campaign, tree, members, branch):
    assert campaign.branches.count() == 2  # the committee's two branches
    ba = branch_proc(campaign, branch)
    assert ba.appraisees.count() == 7  # probationary members are appraised too
    assert ba.phase == "report"
    assert ChangeLog.objects.filter(object_type="appraisal.campaign", object_id=str(campaign.pk)).exists()


def test_second_campaign_for_the_same_branches_is_refused(campaign, tree):
    with pytest.raises(ValidationError) as exc:
        services.open_campaign(tree["county"], phase_dates(), actor=SYS)
    assert "每个支部每年评议一次" in str(exc.value)
    assert Campaign.objects.count() == 1


def test_phase_dates_must_follow_the_procedure(committee):
    dates = phase_dates()
    dates["rating_by"] = dates["self_by"] - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.open_campaign(committee, dates, actor=SYS)
    assert "民主测评截止不能早于党员互评截止" in str(exc.value)
    assert not Campaign.objects.exists()


def test_secretary_cannot_open_a_campaign(branch, secretary):
    from apps.core.scoping import ScopeError

    with pytest.raises(ScopeError):
        services.open_campaign(branch, phase_dates(), actor=secretary)


@pytest.fixture
def facts_all_met():
    """Only one facts provider, judging every member's figure as met (the real ones
    depend on which other domains are installed)."""
    from apps.core import registry

    saved = dict(registry.member_facts._entries)
    registry.member_facts._entries.clear()
    registry.member_facts.register(
        registry.MemberFacts("test_attendance", "出勤", lambda ids, year: {i: [("组织生活出勤", "12/12", True)] for i in ids})
    )
    yield
    registry.member_facts._entries.clear()
    registry.member_facts._entries.update(saved)


def test_full_procedure(campaign, branch, members, secretary, facts_all_met):
    ba = branch_proc(campaign, branch)
    ba = services.record_report(ba, report="支部书记述职", on=datetime.date(2025, 11, 5), actor=secretary)
    assert ba.phase == "self"
    me = Appraisee.objects.get(branch=ba, member=members[0])
    services.submit_self_assessment(me, text="本人一年来认真学习", actor=members[0].user)
    ba = services.advance(ba, actor=secretary)
    services.record_peer_opinion(me, text="同志们认为表现良好", actor=secretary)
    ba = services.advance(ba, actor=secretary)
    assert ba.phase == "rating"
    # six full members vote; the first two names get 优秀 from everyone
    top = {Appraisee.objects.get(branch=ba, member=m).pk for m in members[:2]}
    for m in members[:6]:
        services.cast_ballot(ba, _ballot(ba, m, lambda a: rules.EXCELLENT if a.pk in top else rules.QUALIFIED), actor=m.user)
    assert VoteCast.objects.filter(branch=ba).count() == 6
    ba = services.advance(ba, actor=secretary)
    rows = selectors.proposal_rows(ba)
    assert {r["appraisee"].pk for r in rows if r["suggested"] == rules.EXCELLENT} == top
    assert all(r["facts"] == [("组织生活出勤", "12/12", True)] for r in rows)
    assert next(r for r in rows if r["appraisee"].pk in top)["tally"][0] == ("优秀", 5)
    grades = {r["appraisee"].pk: r["suggested"] for r in rows}
    last = rows[-1]["appraisee"].pk
    grades[last] = rules.UNQUALIFIED
    ba = services.propose_grades(ba, grades, meeting_date=datetime.date(2025, 12, 15), actor=secretary)
    assert ba.phase == "feedback"
    ba = services.feed_back(ba, on=datetime.date(2025, 12, 20), actor=secretary)
    assert ba.phase == "done"
    assert Appraisee.objects.get(pk=last).final_grade == rules.UNQUALIFIED
    member_id = Appraisee.objects.get(pk=last).member_id
    assert member_id in selectors.failing_members([member_id], datetime.date(2026, 3, 1))
    found = selectors.candidates(SYS, campaign.organisation, datetime.date(2026, 1, 10))
    assert [r["member"].pk for r in found] == [member_id]
    assert found[0]["kind"] == rules.CORRECTION


def test_ballot_twice_is_refused(campaign, branch, members):
    ba = to_phase(branch_proc(campaign, branch), "rating")
    services.cast_ballot(ba, _ballot(ba, members[0]), actor=members[0].user)
    before = list(RatingTally.objects.values_list("id", "votes"))
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(ba, _ballot(ba, members[0]), actor=members[0].user)
    assert "每人只能投一票" in str(exc.value)
    assert list(RatingTally.objects.values_list("id", "votes")) == before


def test_rating_oneself_is_refused(campaign, branch, members):
    ba = to_phase(branch_proc(campaign, branch), "rating")
    ballot = {a.pk: rules.QUALIFIED for a in ba.appraisees.all()}
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(ba, ballot, actor=members[0].user)
    assert "不能给本人评定等次" in str(exc.value)
    assert not VoteCast.objects.exists()


def test_ballot_with_too_many_excellent_is_refused(campaign, branch, members):
    ba = to_phase(branch_proc(campaign, branch), "rating")
    ballot = _ballot(ba, members[0], lambda a: rules.EXCELLENT)  # 6 of 7 > ⅓
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(ba, ballot, actor=members[0].user)
    assert "超过上限" in str(exc.value) and "1/3" in str(exc.value) and "至多2名" in str(exc.value)
    assert not VoteCast.objects.exists()
    assert not RatingTally.objects.filter(votes__gt=0).exists()


def test_probationary_member_and_outsider_cannot_rate(campaign, branch, members, other_branch):
    ba = to_phase(branch_proc(campaign, branch), "rating")
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(ba, _ballot(ba, members[6]), actor=members[6].user)
    assert "预备党员没有表决权" in str(exc.value)
    from tests.factories import make_user

    stranger = make_member(other_branch)
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(ba, _ballot(ba, stranger), actor=make_user("member", other_branch, member=stranger))
    assert "本支部" in str(exc.value)


def test_ballot_outside_the_rating_phase_is_refused(campaign, branch, members):
    ba = to_phase(branch_proc(campaign, branch), "self")
    with pytest.raises(ValidationError) as exc:
        services.cast_ballot(ba, _ballot(ba, members[0]), actor=members[0].user)
    assert "须在“民主测评”环节进行" in str(exc.value)


def test_steps_out_of_order_are_refused(campaign, branch, members):
    ba = branch_proc(campaign, branch)
    with pytest.raises(ValidationError) as exc:
        services.advance(ba, actor=SYS)
    assert "请先记录书记述职" in str(exc.value)
    with pytest.raises(ValidationError):
        services.propose_grades(ba, {}, meeting_date=datetime.date(2025, 12, 1), actor=SYS)
    with pytest.raises(ValidationError):
        services.feed_back(ba, on=datetime.date(2025, 12, 1), actor=SYS)
    assert BranchAppraisal.objects.get(pk=ba.pk).phase == "report"


def test_committee_cannot_grade_more_than_a_third_excellent(campaign, branch, members):
    ba = to_phase(branch_proc(campaign, branch), "proposal")
    grades = {a.pk: rules.EXCELLENT if i < 3 else rules.QUALIFIED for i, a in enumerate(ba.appraisees.order_by("id"))}
    with pytest.raises(ValidationError) as exc:
        services.propose_grades(ba, grades, meeting_date=datetime.date(2025, 12, 15), actor=SYS)
    assert "优秀”3名，超过上限" in str(exc.value)
    assert not Appraisee.objects.exclude(proposed_grade="").exists()
    assert BranchAppraisal.objects.get(pk=ba.pk).phase == "proposal"


def test_the_cap_is_the_campaigns(committee, members, branch):
    campaign = services.open_campaign(committee, {**phase_dates(), "cap_numerator": 1, "cap_denominator": 2}, actor=SYS)
    ba = to_phase(branch_proc(campaign, branch), "proposal")
    grades = {a.pk: rules.EXCELLENT if i < 3 else rules.QUALIFIED for i, a in enumerate(ba.appraisees.order_by("id"))}
    services.propose_grades(ba, grades, meeting_date=datetime.date(2025, 12, 15), actor=SYS)


# ── anonymity: in the schema, not just the UI ─────────────────────────────────────────
def test_the_rating_tables_cannot_join_a_voter_to_a_grade(campaign, branch, members):
    """The tally has no voter, no time and no per-ballot row; the "has voted" record has
    no grade, no time and no link to a tally. So no query can join them."""
    from django.db import models

    tally_fields = {f.name: f for f in RatingTally._meta.get_fields() if getattr(f, "concrete", False)}
    assert set(tally_fields) == {"id", "appraisee", "grade", "votes"}
    assert tally_fields["appraisee"].related_model is Appraisee
    for f in tally_fields.values():
        assert not isinstance(f, models.DateTimeField | models.DateField)
    cast_fields = {f.name for f in VoteCast._meta.get_fields() if getattr(f, "concrete", False)}
    assert cast_fields == {"id", "organisation", "org_path", "branch", "voter"}
    assert not any(f.related_model is RatingTally for f in VoteCast._meta.get_fields() if f.is_relation)
    # the database tables have exactly these columns
    with connection.cursor() as cursor:
        cols = {c.name for c in connection.introspection.get_table_description(cursor, RatingTally._meta.db_table)}
    assert cols == {"id", "appraisee_id", "grade", "votes"}
    # the tallies exist before the first vote (created when the rating opens): their ids
    # say nothing about the order of votes
    ba = to_phase(branch_proc(campaign, branch), "rating")
    ids_before = sorted(RatingTally.objects.filter(appraisee__branch=ba).values_list("id", flat=True))
    services.cast_ballot(ba, _ballot(ba, members[0]), actor=members[0].user)
    services.cast_ballot(ba, _ballot(ba, members[1], lambda a: rules.BASIC), actor=members[1].user)
    assert sorted(RatingTally.objects.filter(appraisee__branch=ba).values_list("id", flat=True)) == ids_before
    # the change history says who voted, never how
    logged = ChangeLog.objects.filter(object_type__startswith="appraisal.").values_list("object_type", "after")
    assert not any(t == "appraisal.ratingtally" for t, _a in logged)
    assert all("grade" not in (a or {}) for t, a in logged if t == "appraisal.votecast")
