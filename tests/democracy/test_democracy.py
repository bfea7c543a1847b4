import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.scoping import OutOfScope, ScopeError
from apps.democracy import selectors, services, stats
from apps.democracy.models import Feedback, FeedbackCategory, Notice, NoticeCategory, NoticeRead
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


def cat(code="suggestion"):
    return FeedbackCategory.objects.get(code=code)


def raise_(user, **kw):
    return services.raise_feedback({"category": cat(), "subject": "活动室漏雨", "content": "请尽快维修", **kw}, actor=user)


def test_member_raises_branch_answers_member_sees(client, member_user, secretary, branch):
    fb = raise_(member_user)
    assert fb.organisation == branch and fb.raiser_id == member_user.member_id
    assert fb.due_on == add_workdays(TODAY + datetime.timedelta(days=1), 15)
    services.answer_feedback(fb, answer="已安排维修", actor=secretary)
    client.force_login(member_user)
    html = client.get(reverse("democracy:my_feedback")).content.decode()
    assert "已安排维修" in html


def test_answer_by_outsider_refused(member_user, outsider):
    fb = raise_(member_user)
    with pytest.raises(OutOfScope):
        services.answer_feedback(fb, answer="x", actor=outsider)
    assert Feedback.objects.get().status == "open"


def test_routed_upward_only(member_user, tree):
    with pytest.raises(ValidationError) as exc:
        raise_(member_user, organisation=tree["branches"][1][0])
    assert "上级" in exc.value.message_dict["organisation"][0]
    fb = raise_(member_user, organisation=tree["committees"][0])
    assert fb.organisation == tree["committees"][0]


def test_escalation_timing(member_user, branch, secretary, tree):
    fb = raise_(member_user)
    assert services.escalate_overdue(as_of=fb.due_on, actor=CLI) == 0  # due today: not yet overdue
    later = fb.due_on + datetime.timedelta(days=1)
    assert services.escalate_overdue(as_of=later, actor=CLI) == 1
    fb.refresh_from_db()
    assert fb.organisation == tree["committees"][0] and fb.level == 1 and fb.escalations[0]["from"] == branch.name
    assert fb.due_on == add_workdays(later + datetime.timedelta(days=1), 15)
    # the branch still sees it, but the committee answers now
    assert selectors.feedback_list(secretary, {}).filter(pk=fb.pk).exists()
    with pytest.raises(ScopeError):
        services.answer_feedback(fb, answer="x", actor=secretary)
    organiser = make_user("committee_organiser", tree["committees"][0])
    fb = services.answer_feedback(fb, answer="党委已协调", actor=organiser)
    assert fb.answered_in_time is True


def test_citizen_through_branch_and_bad_input(secretary, branch, outsider):
    with pytest.raises(ValidationError) as exc:
        services.raise_feedback(
            {"category": cat(), "subject": "", "content": "x", "citizen_name": "张三", "origin": branch}, actor=secretary
        )
    assert "subject" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.raise_feedback({"category": cat(), "subject": "s", "content": "x"}, actor=secretary)
    assert "citizen_name" in exc.value.message_dict
    with pytest.raises(OutOfScope):
        services.raise_feedback(
            {"category": cat(), "subject": "s", "content": "x", "citizen_name": "张三", "origin": branch}, actor=outsider
        )
    fb = services.raise_feedback(
        {"category": cat("help"), "subject": "s", "content": "x", "citizen_name": "张三", "origin": branch}, actor=secretary
    )
    assert fb.raiser_name == "张三（群众）" and not Feedback.objects.exclude(pk=fb.pk).exists()


def test_on_time_metric_and_stats(member_user, secretary, branch, tree):
    fb = raise_(member_user)
    services.answer_feedback(fb, answer="已办", actor=secretary)
    late = raise_(member_user)
    Feedback.objects.filter(pk=late.pk).update(due_on=TODAY - datetime.timedelta(days=3))
    share, reason = stats.measure_on_time([branch.pk], TODAY.year, None)[branch.pk]
    assert share == 0.5 and "超期未答复" in reason
    d = stats.contribute(tree["county"], TODAY)["democracy"]
    assert d["feedback"] == 2 and d["on_time"] == 1 and d["overdue_open"] == 1
    assert any("答复" in i.title for i in __import__("apps.core.todo", fromlist=["x"]).items_for(secretary))


def notice(org, user, **kw):
    data = {
        "organisation": org,
        "category": NoticeCategory.objects.get(code="dues"),
        "audience": "members",
        "title": "党费收缴公开",
        "body": "内容",
        **kw,
    }
    return services.publish_notice(data, actor=user)


def test_notice_reaches_members_with_read_receipt(client, member_user, secretary, branch, tree):
    mine = notice(branch, secretary)
    county = notice(tree["county"], CLI, audience="subtree", title="全县通报")
    other = notice(tree["branches"][1][0], CLI, title="别的支部")
    committee_only = notice(tree["committees"][0], CLI, audience="members", title="党委内部")
    ids = set(selectors.notices_for_member(member_user.member_id).values_list("pk", flat=True))
    assert ids == {mine.pk, county.pk}
    client.force_login(member_user)
    assert "全县通报" in client.get(reverse("democracy:my_notices")).content.decode()
    assert client.post(reverse("democracy:my_notices"), {"notice": mine.pk}).status_code == 302
    assert client.post(reverse("democracy:my_notices"), {"notice": mine.pk}).status_code == 302
    assert NoticeRead.objects.filter(notice=mine).count() == 1
    assert client.post(reverse("democracy:my_notices"), {"notice": other.pk}).status_code == 404
    assert client.post(reverse("democracy:my_notices"), {"notice": committee_only.pk}).status_code == 404
    assert selectors.notice_list(secretary, {}).get(pk=mine.pk).read_count == 1


def test_notice_audience_outside_scope_refused(secretary, tree):
    with pytest.raises(OutOfScope):
        notice(tree["branches"][1][0], secretary)
    with pytest.raises(ValidationError) as exc:
        notice(tree["branches"][0][0], secretary, audience="everyone")
    assert "audience" in exc.value.message_dict
    assert not Notice.objects.exists()


def test_withdrawn_notice_leaves_board(secretary, branch, member_user):
    n = notice(branch, secretary)
    services.withdraw_notice(n, actor=secretary)
    assert not selectors.board(branch).exists()
    assert not selectors.notices_for_member(member_user.member_id).exists()


def test_feedback_list_query_count(client, secretary, branch):
    client.force_login(secretary)
    users = [make_user("member", branch, member=make_member(branch)) for _ in range(14)]
    for u in users[:2]:
        raise_(u)
    client.get(reverse("democracy:feedback_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("democracy:feedback_list"))
    for u in users[2:]:
        raise_(u)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("democracy:feedback_list")).status_code == 200
    assert len(many) == len(few)


def test_notice_list_query_count(client, secretary, branch):
    client.force_login(secretary)
    for _ in range(2):
        notice(branch, secretary)
    client.get(reverse("democracy:notices"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("democracy:notices"))
    for _ in range(12):
        notice(branch, secretary)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("democracy:notices")).status_code == 200
    assert len(many) == len(few)


def test_escalate_command(member_user):
    from io import StringIO

    from django.core.management import call_command

    fb = raise_(member_user)
    out = StringIO()
    call_command("escalate_feedback", as_of=(fb.due_on + datetime.timedelta(days=2)).isoformat(), stdout=out)
    assert "上交1件" in out.getvalue()
