"""Democracy API: a member's own writes (opinion, raise, read receipt), the anonymity of
opinions, answers by the responsible organisation only, scope 404s."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.democracy import services
from apps.democracy.models import Feedback, FeedbackCategory, NoticeCategory, NoticeRead, Opinion
from tests.factories import api_token, make_member, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
CLI = system_actor("cli")


def _api(user):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return c


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


def _consultation(org):
    data = {
        "organisation": org,
        "title": "冷库项目",
        "text": "征求意见",
        "audience": "members",
        "deadline": TODAY + datetime.timedelta(days=5),
    }
    return services.start_consultation(data, actor=CLI)


def test_opinion_through_api_once_and_anonymous(branch, member_user, secretary, outsider):
    c = _consultation(branch)
    api = _api(member_user)
    assert [x["id"] for x in api.get("/api/democracy/consultations/mine/").json()["results"]] == [c.pk]
    r = api.post(
        f"/api/democracy/consultations/{c.pk}/opinion/", {"stance": "disagree", "text": "选址不妥", "anonymous": True}, format="json"
    )
    assert r.status_code == 201
    again = api.post(f"/api/democracy/consultations/{c.pk}/opinion/", {"stance": "agree"}, format="json")
    assert again.status_code == 400 and "只能提交一次" in str(again.json())
    rows = _api(secretary).get(f"/api/democracy/consultations/{c.pk}/opinions/").json()["results"]
    assert [(x["member_name"], x["stance"]) for x in rows] == [("匿名", "disagree")]
    assert _api(outsider).get(f"/api/democracy/consultations/{c.pk}/opinions/").status_code == 404
    assert _api(outsider).post(f"/api/democracy/consultations/{c.pk}/opinion/", {"stance": "agree"}, format="json").status_code == 404
    assert Opinion.objects.count() == 1


def test_raise_answer_and_read_receipt(tree, branch, member_user, secretary, outsider):
    cat = FeedbackCategory.objects.get(code="suggestion")
    api = _api(member_user)
    other = tree["branches"][1][0]
    body = {"category": cat.pk, "subject": "活动室漏雨", "content": "请维修"}
    assert api.post("/api/democracy/feedback/mine/", {**body, "organisation": other.pk}, format="json").status_code == 404
    r = api.post("/api/democracy/feedback/mine/", body, format="json")
    assert r.status_code == 201 and r.json()["organisation"] == branch.pk
    pk = r.json()["id"]
    assert _api(outsider).post(f"/api/democracy/feedback/{pk}/answer/", {"answer": "x"}, format="json").status_code == 404
    assert _api(secretary).post(f"/api/democracy/feedback/{pk}/answer/", {"answer": "已维修"}, format="json").status_code == 200
    assert api.get("/api/democracy/feedback/mine/").json()["results"][0]["answer"] == "已维修"
    assert Feedback.objects.get().answered_by == secretary.username

    n = services.publish_notice(
        {
            "organisation": branch,
            "category": NoticeCategory.objects.first(),
            "audience": "members",
            "title": "公示",
            "body": "内容",
            "publish_on": TODAY,
        },
        actor=CLI,
    )
    assert api.post(f"/api/democracy/notices/{n.pk}/read/").status_code == 200
    assert NoticeRead.objects.filter(notice=n).count() == 1
    assert _api(secretary).post(f"/api/democracy/notices/{n.pk}/read/").status_code == 404


def test_lists_scoped(branch, secretary, outsider):
    _consultation(branch)
    services.record_decision(
        {
            "organisation": branch,
            "topic": "议题",
            "category": "other",
            "proposed_by": "书记",
            "consulted": "支委",
            "decided_on": TODAY,
            "members_total": 3,
            "members_present": 3,
            "votes_for": 2,
            "votes_against": 1,
            "votes_abstain": 0,
            "content": "通过",
        },
        actor=CLI,
    )
    for url in ("/api/democracy/consultations/", "/api/democracy/decisions/"):
        assert _api(secretary).get(url).json()["count"] == 1
        assert _api(outsider).get(url).json()["count"] == 0
