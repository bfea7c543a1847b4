"""Rule tables the county edits (反馈类别与答复时限, 党务公开类别), the API writes of
征求意见 / 集体决策 / 生活会整改 through the web's services, the decision form's scoped
meeting and consultation choices, and the statistics and to-do of these features."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.democracy import services, stats
from apps.democracy.models import Consultation, Decision, FeedbackCategory, LifeRectification, Notice, NoticeCategory, Opinion
from apps.orglife import services as orglife
from apps.recruitment.engine import add_workdays
from tests.factories import api_token, make_member, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CLI = system_actor("cli")


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def other_branch(tree):
    return tree["branches"][1][0]


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def outsider(other_branch):
    return make_user("branch_secretary", other_branch)


@pytest.fixture
def admin(tree):
    return make_user("county_admin", tree["county"])


def _api(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return c


def _meeting(org, kind="branch_committee", days=3):
    return orglife.create_meeting(
        {"organisation": org, "kind": kind, "held_on": TODAY - datetime.timedelta(days=days), "topic": "研究村道硬化"}, actor=CLI
    )


def _consultation(org, deadline_days=5):
    data = {
        "organisation": org,
        "title": "冷库项目",
        "text": "征求意见",
        "audience": "members",
        "deadline": TODAY + datetime.timedelta(days=deadline_days),
    }
    return services.start_consultation(data, actor=CLI)


def _past(c, days=1):
    Consultation.objects.filter(pk=c.pk).update(
        opens_on=TODAY - datetime.timedelta(days=10), deadline=TODAY - datetime.timedelta(days=days)
    )
    c.refresh_from_db()
    return c


def _decision_data(org, **extra):
    return {
        "organisation": org,
        "topic": "村道硬化项目",
        "category": "project",
        "proposed_by": "书记",
        "consulted": "全体支委",
        "decided_on": TODAY,
        "members_total": 5,
        "members_present": 5,
        "votes_for": 4,
        "votes_against": 1,
        "votes_abstain": 0,
        "content": "同意实施",
        **extra,
    }


# ── rule tables ──────────────────────────────────────────────────────────────────────
def test_answer_time_limit_edited_and_used_for_new_feedback(admin, branch):
    help_ = FeedbackCategory.objects.get(code="help")
    services.save_feedback_category(help_, {"name": "求助", "answer_days": 2, "active": True}, actor=admin)
    data = {
        "origin": branch,
        "citizen_name": "群众甲",
        "category": FeedbackCategory.objects.get(code="help"),
        "subject": "求助",
        "content": "家中困难",
    }
    fb = services.raise_feedback(data, actor=CLI)
    assert fb.due_on == add_workdays(TODAY + datetime.timedelta(days=1), 2)
    log = ChangeLog.objects.get(object_type="democracy.feedbackcategory", action="update")
    assert (log.before["answer_days"], log.after["answer_days"]) == (5, 2)
    new = services.save_feedback_category(None, {"code": "petition", "name": "信访事项", "answer_days": 20}, actor=admin)
    assert new.active and new.answer_days == 20


@pytest.mark.parametrize(
    "data, field, text",
    [
        ({"name": "求助", "answer_days": 0}, "answer_days", "1到60之间"),
        ({"name": "求助", "answer_days": 61}, "answer_days", "1到60之间"),
        ({"name": "求助", "answer_days": "五"}, "answer_days", "须为整数"),
        ({"name": "投诉反映", "answer_days": 5}, "name", "已被使用"),
    ],
)
def test_bad_category_input_changes_nothing(admin, data, field, text):
    before = list(FeedbackCategory.objects.order_by("id").values_list("name", "answer_days"))
    with pytest.raises(ValidationError) as exc:
        services.save_feedback_category(FeedbackCategory.objects.get(code="help"), data, actor=admin)
    assert text in "".join(exc.value.message_dict[field])
    assert list(FeedbackCategory.objects.order_by("id").values_list("name", "answer_days")) == before


def test_disabled_notice_category_cannot_be_used(admin, branch):
    other = NoticeCategory.objects.get(code="other")
    services.save_notice_category(other, {"name": "其他", "active": False}, actor=admin)
    data = {
        "organisation": branch,
        "category": NoticeCategory.objects.get(code="other"),
        "audience": "members",
        "title": "通知",
        "body": "内容",
    }
    with pytest.raises(ValidationError, match="启用中的公开类别"):
        services.publish_notice(data, actor=CLI)
    assert not Notice.objects.exists()
    with pytest.raises(ValidationError, match="已被使用"):
        services.save_notice_category(None, {"code": "dues", "name": "党费"}, actor=admin)


def test_category_pages_only_for_the_county_administrator(client, admin, secretary):
    with pytest.raises(ValidationError, match="只有县委组织部"):
        services.save_notice_category(None, {"code": "finance", "name": "财务公开"}, actor=secretary)
    client.force_login(secretary)
    for name in ("feedback_categories", "feedback_category_edit", "notice_categories", "notice_category_edit"):
        assert client.get(reverse(f"democracy:{name}")).status_code == 404, name
    client.force_login(admin)
    page = client.get(reverse("democracy:feedback_categories")).content.decode()
    assert "求助" in page and "答复时限（工作日）" in page
    r = client.post(reverse("democracy:notice_category_edit"), {"code": "finance", "name": "财务公开", "order": 60, "active": "on"})
    assert r.status_code == 302 and NoticeCategory.objects.filter(code="finance", active=True).exists()
    r = client.post(
        reverse("democracy:feedback_category_edit"),
        {"row": FeedbackCategory.objects.get(code="help").pk, "name": "求助", "answer_days": 0, "order": 1},
    )
    assert r.status_code == 200 and FeedbackCategory.objects.get(code="help").answer_days == 5


# ── decision form: the organisation's own meetings and consultations ────────────────────
def test_decision_form_lists_only_the_organisations_meetings_and_consultations(client, secretary, branch, tree):
    sibling = tree["branches"][0][1]
    own_meeting, own_c = _meeting(branch), _past(_consultation(branch), days=-5)  # opened 10 days ago, still open
    _meeting(branch, kind="heart_talk")  # not a decision meeting
    sibling_meeting, sibling_c = _meeting(sibling), _consultation(sibling)
    client.force_login(secretary)
    page = client.get(reverse("democracy:decision_new") + f"?org={branch.pk}").content.decode()
    assert f'value="{own_meeting.pk}"' in page and f'value="{own_c.pk}"' in page
    assert f'value="{sibling_meeting.pk}"' not in page and f'value="{sibling_c.pk}"' not in page and "谈心谈话" not in page
    body = {k: (v.pk if hasattr(v, "pk") else v) for k, v in _decision_data(branch).items()}
    r = client.post(reverse("democracy:decision_new"), {**body, "decided_on": TODAY.isoformat(), "meeting": sibling_meeting.pk})
    assert r.status_code == 200 and not Decision.objects.exists()
    r = client.post(reverse("democracy:decision_new"), {**body, "decided_on": "", "meeting": own_meeting.pk, "consultation": own_c.pk})
    assert r.status_code == 302
    d = Decision.objects.get()
    assert (d.meeting_id, d.consultation_id, d.decided_on) == (own_meeting.pk, own_c.pk, own_meeting.held_on)
    assert client.get(reverse("democracy:decision_new") + f"?org={tree['branches'][1][0].pk}").status_code == 404


def test_service_refuses_another_organisations_meeting_or_consultation(branch, tree):
    sibling = tree["branches"][0][1]
    with pytest.raises(ValidationError) as exc:
        services.record_decision(_decision_data(branch, meeting=_meeting(sibling)), actor=CLI)
    assert "不能选其他组织的会议" in exc.value.message_dict["meeting"][0]
    with pytest.raises(ValidationError) as exc:
        services.record_decision(_decision_data(branch, consultation=_consultation(sibling)), actor=CLI)
    assert "不能选其他组织的征求意见" in exc.value.message_dict["consultation"][0]
    with pytest.raises(ValidationError, match="不是已召开的"):
        services.record_decision(_decision_data(branch, meeting=_meeting(branch, kind="heart_talk")), actor=CLI)
    late = _consultation(branch)
    with pytest.raises(ValidationError, match="晚于会议日期"):
        services.record_decision(_decision_data(branch, consultation=late, decided_on=TODAY - datetime.timedelta(days=3)), actor=CLI)
    assert not Decision.objects.exists()


# ── API writes ───────────────────────────────────────────────────────────────────────
def test_api_consultation_opinion_and_decision(branch, secretary, outsider):
    member_user = make_user("member", branch, member=make_member(branch))
    api = _api(secretary)
    body = {
        "organisation": branch.pk,
        "title": "冷库项目",
        "text": "请提意见",
        "audience": "members",
        "deadline": (TODAY + datetime.timedelta(days=3)).isoformat(),
        "allow_anonymous": False,
    }
    r = api.post("/api/democracy/consultations/", body, format="json")
    assert r.status_code == 201, r.json()
    c = Consultation.objects.get(pk=r.json()["id"])
    assert not c.allow_anonymous and c.created_by == secretary.username and r.json()["opinion_count"] == 0
    bad = api.post("/api/democracy/consultations/", {**body, "deadline": (TODAY + datetime.timedelta(days=200)).isoformat()}, format="json")
    assert bad.status_code == 400 and "最长" in str(bad.json())
    assert _api(outsider).post("/api/democracy/consultations/", body, format="json").status_code == 404
    # the member's opinion: the anonymity rule of this consultation applies
    refused = _api(member_user).post(f"/api/democracy/consultations/{c.pk}/opinion/", {"stance": "agree", "anonymous": True}, format="json")
    assert refused.status_code == 400 and "不接受匿名" in str(refused.json())
    ok = _api(member_user).post(f"/api/democracy/consultations/{c.pk}/opinion/", {"stance": "agree"}, format="json")
    assert ok.status_code == 201 and Opinion.objects.filter(consultation=c).count() == 1
    early = api.post(f"/api/democracy/consultations/{c.pk}/decide/", {"decision": "实施"}, format="json")
    assert early.status_code == 400 and "截止" in str(early.json())
    _past(c)
    assert _api(outsider).post(f"/api/democracy/consultations/{c.pk}/decide/", {"decision": "实施"}, format="json").status_code == 404
    done = api.post(f"/api/democracy/consultations/{c.pk}/decide/", {"decision": "按多数意见实施"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "decided" and done.json()["opinion_count"] == 1


def test_api_decision_with_scoped_meeting(branch, secretary, outsider, tree):
    api = _api(secretary)
    meeting, sibling_meeting = _meeting(branch), _meeting(tree["branches"][0][1])
    body = {k: (v.pk if hasattr(v, "pk") else v) for k, v in _decision_data(branch).items()}
    body["decided_on"] = TODAY.isoformat()
    wrong = api.post("/api/democracy/decisions/", {**body, "meeting": sibling_meeting.pk}, format="json")
    assert wrong.status_code == 400 and "不能选其他组织的会议" in str(wrong.json())
    missing = api.post("/api/democracy/decisions/", {**body, "meeting": 999999}, format="json")
    assert missing.status_code == 400 and "未找到该会议记录" in str(missing.json())
    quorum = api.post("/api/democracy/decisions/", {**body, "members_present": 2}, format="json")
    assert quorum.status_code == 400 and "未超过应到5人的半数" in str(quorum.json())
    assert _api(outsider).post("/api/democracy/decisions/", body, format="json").status_code == 404
    assert not Decision.objects.exists()
    r = api.post("/api/democracy/decisions/", {**body, "meeting": meeting.pk}, format="json")
    assert r.status_code == 201 and r.json()["result"] == "passed" and r.json()["decided_on"] == meeting.held_on.isoformat()


def test_api_rectification_items(branch, secretary, outsider):
    api = _api(secretary)
    life = _meeting(branch, kind="life_meeting", days=10)
    body = {
        "meeting": life.pk,
        "problem": "理论学习不系统",
        "responsible": "书记",
        "measure": "制定学习计划",
        "deadline": TODAY.isoformat(),
    }
    assert _api(outsider).post("/api/democracy/rectifications/", body, format="json").status_code == 404
    not_life = api.post("/api/democracy/rectifications/", {**body, "meeting": _meeting(branch).pk}, format="json")
    assert not_life.status_code == 400 and "不是民主生活会或组织生活会" in str(not_life.json())
    early = api.post(
        "/api/democracy/rectifications/", {**body, "deadline": (TODAY - datetime.timedelta(days=30)).isoformat()}, format="json"
    )
    assert early.status_code == 400 and "整改时限不能早于生活会日期" in str(early.json())
    r = api.post("/api/democracy/rectifications/", body, format="json")
    assert r.status_code == 201
    pk = r.json()["id"]
    assert _api(outsider).post(f"/api/democracy/rectifications/{pk}/done/", {"done_note": "已整改"}, format="json").status_code == 404
    done = api.post(f"/api/democracy/rectifications/{pk}/done/", {"done_note": "已制定并执行学习计划"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    again = api.post(f"/api/democracy/rectifications/{pk}/done/", {"done_note": "再次"}, format="json")
    assert again.status_code == 400 and "已于" in str(again.json())
    assert LifeRectification.objects.count() == 1


# ── statistics and to-do ─────────────────────────────────────────────────────────────
def _newer_world(branch, secretary, n):
    members = [make_member(branch) for _ in range(4)]
    users = [make_user("member", branch, member=m) for m in members]
    for i in range(n):
        c = _consultation(branch)
        services.submit_opinion(c, {"stance": "agree"}, actor=users[i % 4])
        if i % 2:
            _past(c)
    life = _meeting(branch, kind="life_meeting", days=20)
    for i in range(n):
        r = services.add_rectification(
            life,
            {"problem": f"问题{i}", "responsible": "书记", "measure": "整改", "deadline": TODAY - datetime.timedelta(days=i % 2)},
            actor=CLI,
        )
        if i == 0:
            services.complete_rectification(r, note="已完成", actor=CLI)
    services.record_decision(_decision_data(branch), actor=CLI)


def test_statistics_section(branch, secretary):
    _newer_world(branch, secretary, 4)
    d = stats.contribute(branch)["democracy"]
    assert (d["consultations_open"], d["consultations_waiting"], d["consultations_decided"]) == (2, 2, 0)
    assert d["opinions"] == 4 and d["audience"] == 4 * branch.__class__.objects.get(pk=branch.pk).direct_member_count
    assert (d["decisions"], d["decisions_passed"]) == (1, 1)
    assert (d["rectifications_open"], d["rectifications_overdue"], d["rectifications_done"]) == (3, 2, 1)
    labels = [r[1] for r in stats.rows({"democracy": d})]
    assert "本年征求意见回复率（%）" in labels and "其中超过整改时限（项）" in labels


@pytest.mark.parametrize("n", [2, 8])
def test_todo_and_statistics_fixed_queries(django_assert_max_num_queries, branch, secretary, tree, n):
    _newer_world(branch, secretary, n)
    with django_assert_max_num_queries(10):
        items = stats.todo_items(secretary)
    kinds = {i.module for i in items}
    assert {"征求意见", "生活会整改"} <= kinds
    waiting = [i for i in items if i.title.startswith("登记决定结果")]
    assert len(waiting) == min(n // 2, 10) and all(i.overdue for i in waiting)
    with django_assert_max_num_queries(12):
        stats.contribute(tree["county"])
