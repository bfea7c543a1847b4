"""征求意见, 集体决策记录 and 生活会整改: rules, bad paths (nothing written), anonymity,
scope, query counts."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.democracy import selectors, services, stats
from apps.democracy.models import Consultation, Decision, LifeMeeting, LifeRectification, Opinion
from apps.orglife import services as orglife_services
from apps.recruitment.engine import add_workdays
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CLI = system_actor("cli")


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def member_user(branch):
    return make_user("member", branch, member=make_member(branch))


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def outsider(tree):
    return make_user("branch_secretary", tree["branches"][1][0])


def start(org, actor=CLI, **kw):
    data = {
        "organisation": org,
        "title": "村集体经济项目安排",
        "text": "拟建设冷库",
        "audience": "members",
        "deadline": TODAY + datetime.timedelta(days=7),
        "allow_anonymous": True,
        **kw,
    }
    return services.start_consultation(data, actor=actor)


def close(c):
    Consultation.objects.filter(pk=c.pk).update(opens_on=TODAY - datetime.timedelta(days=8), deadline=TODAY - datetime.timedelta(days=1))
    c.refresh_from_db()
    return c


# ── consultations ─────────────────────────────────────────────────────────────────────
def test_second_opinion_refused_nothing_written(branch, member_user):
    c = start(branch)
    services.submit_opinion(c, {"stance": "agree"}, actor=member_user)
    with pytest.raises(ValidationError) as exc:
        services.submit_opinion(c, {"stance": "disagree", "text": "改主意了"}, actor=member_user)
    assert "只能提交一次" in str(exc.value)
    assert list(Opinion.objects.filter(consultation=c).values_list("stance", flat=True)) == ["agree"]


def test_second_opinion_refused_by_the_constraint_too(branch, member_user):
    """The sequential check is the DB constraint itself: a duplicate insert from a second
    request (no read before) gets the same Chinese message."""
    c = start(branch)
    Opinion.objects.create(consultation=c, member_id=member_user.member_id, stance="agree")
    with pytest.raises(ValidationError, match="只能提交一次"):
        services.submit_opinion(c, {"stance": "agree"}, actor=member_user)
    assert Opinion.objects.filter(consultation=c).count() == 1


def test_anonymous_opinion_hidden_from_organisation_kept_for_system_admin(client, tree, branch, member_user, secretary):
    c = start(branch)
    o = services.submit_opinion(c, {"stance": "suggest", "text": "建议先做可行性研究", "anonymous": True}, actor=member_user)
    member = member_user.member
    client.force_login(secretary)
    html = client.get(reverse("democracy:consultation", args=[c.pk])).content.decode()
    assert "建议先做可行性研究" in html and "匿名" in html and member.name not in html
    # the export too (through the list definition)
    from apps.excel.services import export_list_for

    data, _ = export_list_for(secretary, "democracy_opinions", {"consultation": str(c.pk)})

    cells = [c.value for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    assert "匿名" in cells and member.name not in cells
    # the audit log has the member, with no organisation path: the branch's and the
    # county's audit search (scoped by path) cannot see it; the system administrator can
    log = ChangeLog.objects.get(object_type="democracy.opinion", object_id=str(o.pk))
    assert log.after["member"] == member.pk and log.org_path == ""
    from apps.accounts.selectors import changelog_list

    county_admin = make_user("county_admin", tree["county"])
    superuser = make_user(is_superuser=True)
    params = {"object_type": "democracy.opinion"}
    assert not changelog_list(county_admin, params).filter(pk=log.pk).exists()
    assert changelog_list(superuser, params).filter(pk=log.pk).exists()


def test_named_opinion_shown_with_name(client, branch, member_user, secretary):
    c = start(branch)
    services.submit_opinion(c, {"stance": "agree"}, actor=member_user)
    client.force_login(secretary)
    assert member_user.member.name in client.get(reverse("democracy:consultation", args=[c.pk])).content.decode()


def test_anonymous_refused_when_not_allowed(branch, member_user):
    c = start(branch, allow_anonymous=False)
    with pytest.raises(ValidationError, match="不接受匿名"):
        services.submit_opinion(c, {"stance": "agree", "anonymous": True}, actor=member_user)
    assert not Opinion.objects.exists()


def test_disagree_needs_a_reason_and_stance_is_checked(branch, member_user):
    c = start(branch)
    with pytest.raises(ValidationError, match="意见建议不能为空"):
        services.submit_opinion(c, {"stance": "disagree", "text": " "}, actor=member_user)
    with pytest.raises(ValidationError, match="请选择态度"):
        services.submit_opinion(c, {"stance": "maybe"}, actor=member_user)
    assert not Opinion.objects.exists()


def test_audience_members_vs_subtree(tree, branch, member_user):
    committee = tree["committees"][0]
    own_only = start(committee, audience="members")
    whole = start(committee, audience="subtree")
    with pytest.raises(ValidationError, match="不是向您征求的"):
        services.submit_opinion(own_only, {"stance": "agree"}, actor=member_user)
    services.submit_opinion(whole, {"stance": "agree"}, actor=member_user)
    other = make_user("member", tree["branches"][1][0], member=make_member(tree["branches"][1][0]))
    with pytest.raises(ValidationError, match="不是向您征求的"):
        services.submit_opinion(whole, {"stance": "agree"}, actor=other)
    assert Opinion.objects.count() == 1


def test_closed_consultation_refuses_opinions(branch, member_user):
    c = close(start(branch))
    with pytest.raises(ValidationError, match=r"已于.*截止"):
        services.submit_opinion(c, {"stance": "agree"}, actor=member_user)


def test_start_bad_input_and_scope(branch, secretary, outsider):
    with pytest.raises(ValidationError, match="截止日期"):
        start(branch, actor=secretary, deadline=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="最长90天"):
        start(branch, actor=secretary, deadline=TODAY + datetime.timedelta(days=91))
    with pytest.raises(ValidationError, match="征求范围"):
        start(branch, actor=secretary, audience="public")
    with pytest.raises(ScopeError):
        start(branch, actor=outsider)
    assert not Consultation.objects.exists()


def test_decide_after_deadline_respondent_sees_result(client, branch, member_user, secretary, outsider):
    c = start(branch)
    services.submit_opinion(c, {"stance": "agree"}, actor=member_user)
    with pytest.raises(ValidationError, match=r"截止（.*）之后"):
        services.decide_consultation(c, decision="实施", actor=secretary)
    close(c)
    with pytest.raises(ScopeError):
        services.decide_consultation(c, decision="实施", actor=outsider)
    services.decide_consultation(c, decision="按多数意见，明年春季开工", actor=secretary)
    with pytest.raises(ValidationError, match="已于"):
        services.decide_consultation(c, decision="再改", actor=secretary)
    client.force_login(member_user)
    assert "明年春季开工" in client.get(reverse("democracy:my_consultations")).content.decode()
    titles = [i.title for i in stats.member_todo_items(member_user)]
    assert titles == [f"征求意见结果：{c.title}"]


def test_member_todo_lists_unanswered(branch, member_user):
    c = start(branch)
    assert [i.title for i in stats.member_todo_items(member_user)] == [f"提交意见：{c.title}"]
    services.submit_opinion(c, {"stance": "agree"}, actor=member_user)
    assert stats.member_todo_items(member_user) == []


def test_member_page_posts_opinion_and_404s(client, tree, branch, member_user):
    c = start(branch)
    other = start(tree["branches"][1][0])
    client.force_login(member_user)
    url = reverse("democracy:my_consultations")
    assert client.post(url, {"consultation": other.pk, "stance": "agree"}).status_code == 404
    r = client.post(url, {"consultation": c.pk, "stance": "disagree", "text": ""})
    assert r.status_code == 200 and "意见建议不能为空" in r.content.decode()
    assert client.post(url, {"consultation": c.pk, "stance": "agree"}).status_code == 302
    assert not Opinion.objects.filter(consultation=other).exists()
    assert Opinion.objects.filter(consultation=c).count() == 1


def test_outsider_404_on_consultation(client, branch, outsider):
    c = close(start(branch))
    client.force_login(outsider)
    assert client.get(reverse("democracy:consultation", args=[c.pk])).status_code == 404
    assert client.post(reverse("democracy:consultation", args=[c.pk]), {"decision": "x"}).status_code == 404
    assert Consultation.objects.get(pk=c.pk).status == "open"


@pytest.mark.parametrize("n", [2, 12])
def test_consultation_list_fixed_queries(client, django_assert_max_num_queries, branch, secretary, n):
    for _ in range(n):
        start(branch)
    client.force_login(secretary)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("democracy:consultations"))
    assert r.status_code == 200 and r.content.decode().count("村集体经济项目安排") == n


# ── decisions ─────────────────────────────────────────────────────────────────────────
def decision(org, actor=CLI, **kw):
    data = {
        "organisation": org,
        "topic": "村道硬化",
        "category": "project",
        "proposed_by": "王书记",
        "consulted": "会前征求了全体支委和村委会意见",
        "decided_on": TODAY,
        "members_total": 7,
        "members_present": 6,
        "votes_for": 4,
        "votes_against": 1,
        "votes_abstain": 1,
        "content": "同意实施",
        **kw,
    }
    return services.record_decision(data, actor=actor)


def test_decision_result_computed_from_votes(branch):
    assert decision(branch).result == "passed"  # 4 > 7/2
    assert decision(branch, votes_for=3, votes_against=2).result == "failed"  # 3 of 7 is not more than half


@pytest.mark.parametrize(
    "kw, field, text",
    [
        ({"members_present": 3}, "members_present", "未超过应到7人的半数"),
        ({"members_present": 8}, "members_present", "不能多于应到委员"),
        ({"votes_for": 5, "votes_against": 1, "votes_abstain": 1}, "votes_for", "超过实到委员6人"),
        ({"members_total": "七"}, "members_total", "须为整数"),
        ({"category": "x"}, "category", "事项类别"),
        ({"consulted": ""}, "consulted", "个别酝酿情况不能为空"),
        ({"decided_on": TODAY + datetime.timedelta(days=1)}, "decided_on", "不能晚于今天"),
    ],
)
def test_decision_bad_input(branch, kw, field, text):
    with pytest.raises(ValidationError) as exc:
        decision(branch, **kw)
    assert text in "".join(exc.value.message_dict[field])
    assert not Decision.objects.exists()


def test_decision_notice_and_meeting_of_other_org_refused(tree, branch, secretary, outsider):
    d = decision(branch, actor=secretary, notice_start=TODAY)
    assert d.notice_end == add_workdays(TODAY, 5)
    other = tree["branches"][1][0]
    m = orglife_services.create_meeting({"organisation": other, "kind": "general_meeting", "held_on": TODAY, "topic": "大会"}, actor=CLI)
    with pytest.raises(ValidationError, match="自己的会议记录"):
        decision(branch, actor=secretary, meeting=m)
    with pytest.raises(ScopeError):
        decision(branch, actor=outsider)
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("n", [2, 12])
def test_decision_list_fixed_queries(client, django_assert_max_num_queries, branch, secretary, n):
    for _ in range(n):
        decision(branch)
    client.force_login(secretary)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("democracy:decisions"))
    assert r.content.decode().count("村道硬化") == n


# ── 生活会整改 ─────────────────────────────────────────────────────────────────────────
def life(org, kind="life_meeting", **kw):
    m = orglife_services.create_meeting({"organisation": org, "kind": kind, "held_on": TODAY, "topic": "年度组织生活会", **kw}, actor=CLI)
    return LifeMeeting.objects.get(pk=m.pk)


def rect(m, actor=CLI, **kw):
    data = {
        "problem": "理论学习不系统",
        "responsible": "支部书记",
        "measure": "制定计划",
        "deadline": TODAY + datetime.timedelta(days=30),
        **kw,
    }
    return services.add_rectification(m, data, actor=actor)


def test_rectification_followed_to_completion(branch, secretary):
    m = life(branch)
    r = rect(m, actor=secretary)
    assert [x.open_items for x in selectors.life_meetings(secretary)] == [1]
    services.complete_rectification(r, note="已制定并执行学习计划", actor=secretary)
    with pytest.raises(ValidationError, match="已于"):
        services.complete_rectification(r, note="再次", actor=secretary)
    row = selectors.life_meetings(secretary).get()
    assert (row.open_items, row.done_items) == (0, 1)


def test_rectification_bad_paths(tree, branch, secretary, outsider):
    theme = orglife_services.create_meeting(
        {"organisation": branch, "kind": "theme_day", "held_on": TODAY, "topic": "主题党日", "theme": "学习"}, actor=CLI
    )
    with pytest.raises(ValidationError, match="不是民主生活会或组织生活会"):
        services.add_rectification(theme, {"problem": "x", "responsible": "y", "measure": "z", "deadline": TODAY}, actor=secretary)
    m = life(branch)
    with pytest.raises(ValidationError, match="不能早于生活会日期"):
        rect(m, actor=secretary, deadline=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ScopeError):
        rect(m, actor=outsider)
    planned = life(branch, status="planned", held_on=TODAY + datetime.timedelta(days=5))
    with pytest.raises(ValidationError, match="尚未召开"):
        rect(planned, actor=secretary)
    assert not LifeRectification.objects.exists()


def test_democratic_life_of_committee_listed(tree):
    committee = tree["committees"][0]
    organiser = make_user("committee_organiser", committee)
    m = life(committee, kind="democratic_life")
    rect(m, actor=organiser)
    assert [x.pk for x in selectors.life_meetings(organiser)] == [m.pk]
    outsider = make_user("committee_organiser", tree["committees"][1])
    assert not selectors.life_meetings(outsider).exists()


def test_life_meeting_views_scope(client, branch, secretary, outsider):
    m = life(branch)
    r = rect(m)
    client.force_login(outsider)
    assert client.get(reverse("democracy:life_meeting", args=[m.pk])).status_code == 404
    assert client.post(reverse("democracy:rectification_done", args=[r.pk]), {"done_on": TODAY, "done_note": "x"}).status_code == 404
    client.force_login(secretary)
    html = client.get(reverse("democracy:life_meeting", args=[m.pk])).content.decode()
    assert "理论学习不系统" in html
    assert LifeRectification.objects.get().status == "open"


@pytest.mark.parametrize("n", [2, 10])
def test_life_meetings_list_fixed_queries(client, django_assert_max_num_queries, branch, secretary, n):
    for _ in range(n):
        rect(life(branch))
    client.force_login(secretary)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("democracy:life_meetings"))
    assert r.content.decode().count("年度组织生活会") == n
