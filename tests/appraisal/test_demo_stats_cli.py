import json
import random
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from apps.appraisal import demo, rules, stats
from apps.appraisal.models import BranchAppraisal, HandlingCase
from apps.core import registry
from apps.members.models import Member
from tests.factories import make_member


def _demo(tree):
    for row in tree["branches"]:
        for b in row:
            for _ in range(7):
                make_member(b)
    return demo.populate(tree["county"], random.Random(3), timezone.localdate())


def test_demo_builds_a_finished_campaign_cases_and_the_clock(tree):
    out = _demo(tree)
    assert out["branches"] == 4 and out["appraised"] == 28
    assert not BranchAppraisal.objects.exclude(phase="done").exists()
    for b in BranchAppraisal.objects.all():
        n = b.appraisees.count()
        assert b.appraisees.filter(final_grade=rules.EXCELLENT).count() <= rules.cap_count(n, rules.EXCELLENT_CAP)
    removal = HandlingCase.objects.get(kind=rules.REMOVAL)
    assert removal.member.status == "removed" and removal.rejoin_blocked_until > timezone.localdate()
    assert Member.objects.filter(status="lost_contact").count() == 6


def test_stats_cards_rows_and_report_section(tree):
    _demo(tree)
    data = stats.contribute(tree["county"], timezone.localdate())["appraisal"]
    assert data["appraised"] == 28 and sum(data[g] for g, _ in rules.GRADES) == data["graded"]
    assert stats.cards({"appraisal": data})[0][1] == data[rules.EXCELLENT]
    labels = [r[1] for r in stats.rows({"appraisal": data})]
    assert "优秀" in labels and "本年除名" in labels
    today = timezone.localdate()
    section = registry.report_sections.get("appraisal")
    figures = dict(section.figures(tree["county"], today.year, today.month))
    assert set(figures) == {"本月组织处置立案（件）", "本月作出处置决定（件）", "其中劝退、除名（人）", "月末办理中（件）"}


def test_results_command_json_and_text(tree):
    _demo(tree)
    year = timezone.localdate().year - 1
    buf = StringIO()
    call_command("appraisal_results", "--org", tree["county"].code, "--year", str(year), "--json", stdout=buf)
    data = json.loads(buf.getvalue())
    assert data["total"]["appraised"] == 28 and len(data["branches"]) == 4
    assert all(b["excellent_within_cap"] for b in data["branches"])
    assert sum(b["open_cases"] for b in data["branches"]) == data["total"]["open_cases"]
    buf = StringIO()
    call_command("appraisal_results", "--org", tree["county"].code, "--year", str(year), stdout=buf)
    assert "优秀占比" in buf.getvalue() and tree["county"].name in buf.getvalue()


def test_results_command_unknown_org(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("appraisal_results", "--org", "NOPE", "--year", "2025")


def test_home_and_todo_for_a_member_in_the_self_phase(campaign, branch, members):
    from apps.appraisal import home, selectors
    from tests.appraisal.conftest import branch_proc, to_phase

    to_phase(branch_proc(campaign, branch), "self")
    user = members[0].user
    assert ("民主评议：待填写自评", 1, "项", "/appraisal/me/") in home.figures(user)
    assert any(i.title == "请填写个人自评" for i in selectors.todo_items(user))


def test_demo_posts_in_the_village_branches(tree):
    from django.db.models import Count

    from apps.appraisal.models import MemberPost, PostAssignment, PostReview
    from apps.orgs.models import Organisation

    villages = [b.pk for b in tree["branches"][0]]
    Organisation.objects.filter(pk__in=villages).update(unit_type="village")
    out = _demo(tree)
    assert out["posts"] == MemberPost.objects.count() > 0 and out["post_holders"] == PostAssignment.objects.count()
    assert set(MemberPost.objects.values_list("organisation_id", flat=True)) == set(villages)
    for org_id in villages:
        kinds = set(MemberPost.objects.filter(organisation_id=org_id).values_list("kind", flat=True))
        assert {"post", "household"} <= kinds
    for p in MemberPost.objects.filter(kind="household"):
        assert rules.HOUSEHOLDS_MIN <= p.households <= rules.HOUSEHOLDS_MAX and p.coverage
    for a in PostAssignment.objects.select_related("member", "post"):
        assert a.member.organisation_id == a.post.organisation_id and a.member.status in rules.POST_HOLDER_STATUSES
    busiest = PostAssignment.objects.values("member").annotate(n=Count("id")).order_by("-n").first()
    assert busiest["n"] <= rules.MAX_POSTS_PER_MEMBER
    assert PostReview.objects.count() == PostAssignment.objects.count()


def test_demo_talent_pool_supervision_and_goals(tree):
    """三培养 entries in the townships' village branches (with their stage history), 谈心谈话
    and the other supervision records, and the goal sheets of the appraised members."""
    import datetime

    from apps.appraisal.models import GoalSheet, SupervisionRecord, TalentEntry
    from apps.orglife import compliance
    from apps.orglife import services as orglife_services
    from apps.orgs.models import Organisation

    villages = [b.pk for row in tree["branches"] for b in row]
    Organisation.objects.filter(pk__in=villages).update(unit_type="village")
    out = _demo(tree)
    today = timezone.localdate()
    assert out["talents"] == TalentEntry.objects.count() > 0
    tracks = set(TalentEntry.objects.values_list("track", flat=True))
    assert tracks == set(rules.TALENT_TRACK)
    for e in TalentEntry.objects.prefetch_related("stage_changes"):
        changes = list(e.stage_changes.all())
        assert changes[0].before == "" and changes[-1].after == e.stage and e.start_on <= today
        assert (e.member_id is None) == (e.track == "backbone_to_member") and e.mentor_id != e.member_id
        assert e.mentor.organisation_id == e.organisation_id
    talks = SupervisionRecord.objects.filter(kind="heart_to_heart_talk")
    assert talks.exists() and not talks.filter(counterpart__isnull=True).exists()
    assert not SupervisionRecord.objects.filter(on__gt=today).exists()
    assert out["goal_sheets"] == GoalSheet.objects.count() >= out["appraised"]
    last = GoalSheet.objects.filter(year=today.year - 1)
    assert last.count() == out["appraised"] and not last.filter(check_grade="").exists()
    # last year's talks meet the branches' 谈心谈话 (yearly) requirement
    orgs = Organisation.objects.filter(pk__in=villages)
    talked = set(talks.filter(on__year=today.year - 1).values_list("organisation_id", flat=True))
    rows = compliance.org_compliance(list(orgs), today.year - 1, None, today, orglife_services.current_version())
    for org_id, kinds in rows.items():
        heart = next(r for r in kinds if r.kind.code == "heart_talk")
        assert heart.met == (1 if org_id in talked else 0), datetime.date.today()
