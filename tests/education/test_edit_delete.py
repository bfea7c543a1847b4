"""Issue 15 item 3: editing and deleting questions, quizzes, plans and plan items — with
confirmation, history kept, 404 across branches; an answered question is retired, never
deleted; a started quiz keeps its paper rules."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.education import services
from apps.education.models import EducationPlan, PlanItem, Question, Quiz
from tests.education.test_quizzes import TODAY, bank, quiz
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")
SINGLE = {"kind": "single", "category": "党章党规", "difficulty": "medium", "options": "甲\n乙\n丙", "answer": "B"}


def client(user):
    c = Client()
    c.force_login(user)
    return c


def history(obj, action):
    return ChangeLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action)


@pytest.fixture
def taker(branch):
    return make_user("member", branch, member=make_member(branch, name="考学人"))


def test_question_edit_and_delete_when_unanswered(branch, secretary, outsider):
    q = bank(branch, n=1)[0]
    c = client(secretary)
    url = reverse("education:question_edit", args=[q.pk])
    page = c.get(url).content.decode()
    assert "甲\n乙\n丙" in page
    assert c.post(url, {**SINGLE, "text": "新题干", "answer": ""}).status_code == 200  # no correct option
    assert c.post(url, {**SINGLE, "text": "新题干", "answer": "C"}).status_code == 302
    q.refresh_from_db()
    assert (q.text, q.answer) == ("新题干", "C")
    assert history(q, ChangeLog.Action.UPDATE).get().before["answer"] == "B"
    other = client(outsider)
    for name in ("education:question_edit", "education:question_delete"):
        assert other.get(reverse(name, args=[q.pk])).status_code == 404
        assert other.post(reverse(name, args=[q.pk]), {**SINGLE, "text": "越权"}).status_code == 404
    q.refresh_from_db()
    assert q.text == "新题干"
    delete_url = reverse("education:question_delete", args=[q.pk])
    assert "确定删除“新题干”吗" in c.get(delete_url).content.decode() and Question.objects.filter(pk=q.pk).exists()
    assert c.post(delete_url).status_code == 302
    assert not Question.objects.filter(pk=q.pk).exists()
    assert history(q, ChangeLog.Action.DELETE).get().before["text"] == "新题干"


def test_answered_question_cannot_be_deleted_only_retired(branch, secretary, taker):
    questions = bank(branch, n=3)
    qz = quiz(branch)
    services.start_attempt(qz, actor=taker)  # draws all three
    q = questions[0]
    assert services.question_answered_count(q) == 1
    c = client(secretary)
    r = c.post(reverse("education:question_delete", args=[q.pk]), follow=True)
    assert "本题已在1份答卷中作答，不能删除（答卷要保留原题）；请改为停用，停用后不再抽入新试卷" in r.content.decode()
    assert Question.objects.filter(pk=q.pk).exists()
    # the answer (marking) cannot change either; the category can
    with pytest.raises(ValidationError) as exc:
        services.update_question(q, {**SINGLE, "options": ["甲", "乙", "丙"], "text": q.text, "answer": "A"}, actor=secretary)
    assert "本题已在1份答卷中作答，不能修改正确答案" in exc.value.message_dict["answer"][0]
    services.update_question(
        q, {**SINGLE, "options": ["甲", "乙", "丙"], "text": q.text, "category": "党章党规", "difficulty": "hard"}, actor=secretary
    )
    q.refresh_from_db()
    assert (q.difficulty, q.answer) == ("hard", "B")
    services.set_question_active(q, False, actor=secretary)
    q.refresh_from_db()
    assert not q.active


def test_quiz_edit_keeps_paper_rules_once_started_and_delete_is_refused(branch, secretary, outsider, taker):
    bank(branch, n=4)
    qz = quiz(branch)
    c = client(secretary)
    url = reverse("education:quiz_edit", args=[qz.pk])
    assert "党章党规：3" in c.get(url).content.decode()
    body = {
        "title": "改名测试",
        "draw": "党章党规：4",
        "time_limit": 20,
        "attempts_allowed": 2,
        "pass_score": 60,
        "hours": "2",
        "opens_on": TODAY.isoformat(),
        "closes_on": TODAY.isoformat(),
    }
    assert c.post(url, body).status_code == 302
    qz.refresh_from_db()
    assert (qz.title, qz.draw) == ("改名测试", {"党章党规": 4})
    assert client(outsider).post(url, {**body, "title": "越权"}).status_code == 404
    assert client(outsider).post(reverse("education:quiz_delete", args=[qz.pk])).status_code == 404
    services.start_attempt(qz, actor=taker)
    r = c.post(url, {**body, "time_limit": 5})
    assert "已有1份答卷，不能修改答题时限（分钟）" in r.content.decode()
    assert c.post(url, {**body, "title": "再改名"}).status_code == 302  # the name and dates may change
    r = c.post(reverse("education:quiz_delete", args=[qz.pk]), follow=True)
    assert "已有1份答卷，不能删除" in r.content.decode() and Quiz.objects.filter(pk=qz.pk).exists()
    fresh = quiz(branch, title="未开考")
    assert "确定删除“未开考”吗" in c.get(reverse("education:quiz_delete", args=[fresh.pk])).content.decode()
    assert c.post(reverse("education:quiz_delete", args=[fresh.pk])).status_code == 302
    assert not Quiz.objects.filter(pk=fresh.pk).exists() and history(fresh, ChangeLog.Action.DELETE).exists()


def test_plan_and_item_edit_and_delete(branch, secretary, outsider):
    plan = services.create_plan({"organisation": branch, "title": "年度计划", "start_year": TODAY.year}, actor=CLI)
    item = services.add_plan_item(plan, {"month": 3, "topic": "学习党章", "audience": "all", "hours": "2"}, actor=CLI)
    c = client(secretary)
    # bad input: an annual plan spans one year; an item's month is 1–12
    r = c.post(reverse("education:plan_edit", args=[plan.pk]), {"title": "改名", "end_year": TODAY.year + 1})
    assert "年度计划的截止年度须与起始年度相同" in r.content.decode()
    assert c.post(reverse("education:plan_edit", args=[plan.pk]), {"title": "改名计划", "note": "说明"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.note) == ("改名计划", "说明")
    item_url = reverse("education:plan_item_edit", args=[item.pk])
    body = {"month": 13, "topic": "学习党史", "audience": "all", "level": "branch", "form": "collective_study", "hours": "3"}
    assert c.post(item_url, body).status_code == 200 and PlanItem.objects.get(pk=item.pk).month == 3
    assert c.post(item_url, {**body, "month": 5}).status_code == 302
    item.refresh_from_db()
    assert (item.month, item.topic) == (5, "学习党史")
    assert history(item, ChangeLog.Action.UPDATE).get().before["topic"] == "学习党章"
    other = client(outsider)
    for name, pk in (
        ("education:plan_edit", plan.pk),
        ("education:plan_delete", plan.pk),
        ("education:plan_item_edit", item.pk),
        ("education:plan_item_delete", item.pk),
    ):
        assert other.get(reverse(name, args=[pk])).status_code == 404
        assert other.post(reverse(name, args=[pk]), {**body, "title": "越权"}).status_code == 404
    assert PlanItem.objects.filter(pk=item.pk, topic="学习党史").exists()
    # deleting asks first; the plan and its items go, their before-images stay
    delete_url = reverse("education:plan_delete", args=[plan.pk])
    assert "计划的1个项目一并删除" in c.get(delete_url).content.decode()
    assert c.post(delete_url).status_code == 302
    assert not EducationPlan.objects.exists() and not PlanItem.objects.exists()
    assert history(item, ChangeLog.Action.DELETE).get().before["topic"] == "学习党史"
    assert history(plan, ChangeLog.Action.DELETE).get().before["title"] == "改名计划"


def test_plan_item_delete_asks_for_confirmation(branch, secretary):
    plan = services.create_plan({"organisation": branch, "title": "年度计划", "start_year": TODAY.year}, actor=CLI)
    item = services.add_plan_item(plan, {"month": 3, "topic": "学习党章", "audience": "all", "hours": "2"}, actor=CLI)
    c = client(secretary)
    url = reverse("education:plan_item_delete", args=[item.pk])
    assert "确定删除" in c.get(url).content.decode() and PlanItem.objects.exists()
    assert c.post(url).status_code == 302 and not PlanItem.objects.exists()
    assert history(item, ChangeLog.Action.DELETE).get().before["topic"] == "学习党章"
