"""考学 on a phone (390 px): a member opens 我的考学, starts the quiz, answers every question
and hands in; the score shows and the hours are in the study archive. The page never
carries the answer key."""

import datetime

import pytest
from django.utils import timezone

from apps.core.actors import system_actor
from apps.education import services
from apps.education.models import Question, QuizAttempt, StudyEntry
from tests.e2e.conftest import login
from tests.factories import make_member, make_tree, make_user

pytestmark = pytest.mark.browser
PASSWORD = "Dangjian#2026x"
CLI = system_actor("cli")


@pytest.mark.django_db(transaction=True)
def test_member_takes_a_quiz_on_a_phone(live_server, phone_page):
    page = phone_page
    branch = make_tree()["branches"][0][0]
    member = make_member(branch, name="欧阳考学")
    make_user("member", branch, username="kaoxue", member=member)
    for i in range(3):
        services.add_question(
            branch,
            {"kind": "single", "category": "党章", "text": f"党章第{i}题", "options": ["正确甲", "正确乙", "丙"], "answer": "B"},
            actor=CLI,
        )
    services.add_question(
        branch, {"kind": "multiple", "category": "党章", "text": "多选题", "options": ["甲", "乙", "丙"], "answer": "AC"}, actor=CLI
    )
    today = timezone.localdate()
    services.create_quiz(
        {
            "organisation": branch,
            "title": "手机考学",
            "draw": {"党章": 4},
            "time_limit": 15,
            "attempts_allowed": 1,
            "pass_score": 60,
            "hours": "2",
            "opens_on": today,
            "closes_on": today + datetime.timedelta(days=3),
        },
        actor=CLI,
    )

    login(page, "kaoxue", PASSWORD)
    page.goto(f"{live_server.url}/education/quizzes/")
    page.click("button:has-text('开始答题')")
    page.wait_for_selector(".quiz-timer")
    page.wait_for_load_state("load")  # the navigated page, not the gap between documents
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    html = page.content()
    assert "answer" not in html.lower().replace("answers", "")
    attempt = QuizAttempt.objects.get()
    key = dict(Question.objects.filter(pk__in=attempt.question_ids).values_list("pk", "answer"))
    for qid in attempt.question_ids:
        for letter in key[qid]:
            page.check(f"input[name=q{qid}][value={letter}]")
    page.click("button:has-text('交卷')")
    page.wait_for_selector("text=100.0分")
    assert page.is_visible("text=合格")
    entry = StudyEntry.objects.get(member=member)
    assert (entry.form, entry.hours) == ("quiz", 2)
