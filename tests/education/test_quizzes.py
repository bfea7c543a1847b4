"""考学: the question bank (with its Excel import), quizzes drawn at random by rule, timed
attempts, automatic marking, hours credited once, the answer key never sent to a member,
scoping and query counts."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.education import rules, services
from apps.education.models import Question, Quiz, QuizAttempt, StudyEntry
from tests.factories import api_token, make_member, make_user

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")
TODAY = timezone.localdate()


def client(user):
    c = Client()
    c.force_login(user)
    return c


def bank(org, category="党章党规", n=4, kind="single"):
    out = []
    for i in range(n):
        if kind == "truefalse":
            data = {"kind": kind, "category": category, "text": f"{category}判断题{i}", "answer": "对" if i % 2 else "错"}
        elif kind == "multiple":
            data = {"kind": kind, "category": category, "text": f"{category}多选题{i}", "options": ["甲", "乙", "丙", "丁"], "answer": "AC"}
        else:
            data = {"kind": kind, "category": category, "text": f"{category}单选题{i}", "options": ["甲", "乙", "丙"], "answer": "B"}
        out.append(services.add_question(org, {**data, "explanation": "解析：秘密"}, actor=CLI))
    return out


def quiz(org, draw=None, **kw):
    data = {
        "organisation": org,
        "title": "党章知识测试",
        "draw": draw or {"党章党规": 3},
        "time_limit": 20,
        "attempts_allowed": 2,
        "pass_score": 60,
        "hours": "2",
        "opens_on": TODAY,
        "closes_on": TODAY + datetime.timedelta(days=7),
        **kw,
    }
    return services.create_quiz(data, actor=CLI)


def right_answers(attempt):
    key = dict(Question.objects.filter(pk__in=attempt.question_ids).values_list("pk", "answer"))
    return {str(q): key[q] for q in attempt.question_ids}


@pytest.fixture
def taker(branch):
    m = make_member(branch, name="考学人")
    return make_user("member", branch, member=m)


# ── the bank ──────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"kind": "single", "options": ["甲", "乙"], "answer": ""}, "answer", "没有正确答案"),
        ({"kind": "single", "options": ["甲", "乙", "丙"], "answer": "AB"}, "answer", "只能有一个正确答案"),
        ({"kind": "multiple", "options": ["甲", "乙"], "answer": "C"}, "answer", "不在选项A～B之中"),
        ({"kind": "single", "options": ["甲"], "answer": "A"}, "options", "须有2～8个选项"),
        ({"kind": "essay", "options": ["甲", "乙"], "answer": "A"}, "kind", "题型“essay”不是有效取值"),
        ({"kind": "truefalse", "answer": "也许"}, "answer", "不在选项"),
    ],
)
def test_bad_questions_are_refused_with_the_field_named(branch, secretary, data, field, words):
    with pytest.raises(ValidationError) as exc:
        services.add_question(branch, {"category": "党史", "text": "题干", **data}, actor=secretary)
    assert any(words in m for m in exc.value.message_dict[field])
    assert not Question.objects.exists()


def test_question_text_once_per_bank_and_scope(branch, other_branch, secretary):
    bank(branch, n=1)
    with pytest.raises(ValidationError, match="相同题干"):
        bank(branch, n=1)
    with pytest.raises(ScopeError):
        services.add_question(other_branch, {"kind": "truefalse", "category": "党史", "text": "越权", "answer": "对"}, actor=secretary)
    assert Question.objects.count() == 1


def _workbook(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(rules.QUESTION_COLUMNS)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


GOOD_ROW = ["单选题", "党章党规", "容易", "党的最高理想是什么", "共产主义", "小康", "", "", "", "", "A", "党章总纲"]


def test_excel_import_good_rows(branch, secretary):
    rows = [GOOD_ROW, ["多选题", "党史", "中等", "哪些是三会一课", "支部党员大会", "支委会", "党小组会", "茶话会", "", "", "A,B,C", ""]]
    rows.append(["判断题", "党史", "", "党课每季度至少一次", "", "", "", "", "", "", "对", ""])
    assert services.import_questions(branch, _workbook(rows), actor=secretary) == 3
    q = Question.objects.get(kind="multiple")
    assert (q.answer, q.options[:2], q.org_path) == ("ABC", ["支部党员大会", "支委会"], branch.path)
    assert Question.objects.get(kind="truefalse").options == rules.TRUE_FALSE_OPTIONS


def test_excel_import_bad_rows_write_nothing(branch, secretary):
    rows = [
        GOOD_ROW,
        ["单选题", "党史", "中等", "没有答案的题", "甲", "乙", "", "", "", "", "", ""],
        ["问答题", "党史", "中等", "错误题型", "甲", "乙", "", "", "", "", "A", ""],
        GOOD_ROW,
    ]
    with pytest.raises(ValidationError) as exc:
        services.import_questions(branch, _workbook(rows), actor=secretary)
    text = "；".join(exc.value.message_dict["file"])
    assert "第3行：没有正确答案" in text and "第4行：题型“问答题”" in text and "第5行：题干与第2行重复" in text
    assert "未导入任何试题" in text
    assert not Question.objects.exists()
    with pytest.raises(ValidationError, match="文件无法读取"):
        services.import_questions(branch, b"not a workbook", actor=secretary)


def test_import_page_shows_row_errors(branch, secretary):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("题库.xlsx", _workbook([["单选题", "党史", "", "无答案", "甲", "乙", "", "", "", "", "", ""]]))
    r = client(secretary).post(reverse("education:questions_import"), {"organisation": branch.pk, "file": upload})
    assert r.status_code == 200 and "第2行：没有正确答案" in r.content.decode()
    assert not Question.objects.exists()


# ── quizzes ───────────────────────────────────────────────────────────────────────────


def test_quiz_refuses_a_draw_the_bank_cannot_fill_and_bad_limits(branch, secretary):
    bank(branch, n=2)
    with pytest.raises(ValidationError) as exc:
        quiz(branch, draw={"党章党规": 3, "党史": 1}, hours="-1", closes_on=TODAY - datetime.timedelta(days=1))
    errors = exc.value.message_dict
    assert "只有2道启用的试题，不够抽取3道" in errors["draw"][0]
    assert "“党史”只有0道" in errors["draw"][1]
    assert errors["hours"] == ["合格记入学时不能为负数"]
    assert errors["closes_on"] == ["截止日期不能早于开始日期"]
    assert not Quiz.objects.exists()


def test_paper_drawn_by_rule_from_own_and_higher_banks(tree, branch, taker):
    county = tree["county"]
    bank(county, "党章党规", 5)
    bank(branch, "党史", 3, kind="truefalse")
    qz = quiz(branch, draw={"党章党规": 2, "党史": 3})
    a = services.start_attempt(qz, actor=taker)
    cats = list(Question.objects.filter(pk__in=a.question_ids).values_list("category", flat=True))
    assert sorted(cats) == ["党史"] * 3 + ["党章党规"] * 2
    assert a.deadline - a.started_at == datetime.timedelta(minutes=20)
    # a second start while the paper is running resumes it
    assert services.start_attempt(qz, actor=taker).pk == a.pk


def test_marking_crediting_once_and_best_of_n(branch, taker):
    bank(branch, n=4)
    qz = quiz(branch, draw={"党章党规": 4}, attempts_allowed=3)
    a = services.start_attempt(qz, actor=taker)
    answers = right_answers(a)
    wrong = dict(answers)
    for k in list(wrong)[:3]:
        wrong[k] = "A"
    a = services.submit_attempt(a, wrong, actor=taker)
    assert (a.correct, a.score, a.passed, a.is_best) == (1, Decimal("25.0"), False, True)
    assert not StudyEntry.objects.exists()  # failed: no hours
    b = services.submit_attempt(
        services.start_attempt(qz, actor=taker), right_answers(services.start_attempt(qz, actor=taker)), actor=taker
    )
    assert (b.score, b.passed, b.is_best) == (Decimal("100.0"), True, True)
    a.refresh_from_db()
    assert a.is_best is False
    entry = StudyEntry.objects.get()
    assert (entry.hours, entry.form, entry.origin, entry.score, entry.member_id) == (
        Decimal("2.0"),
        "quiz",
        "quiz",
        Decimal("100.0"),
        taker.member_id,
    )
    # a third, worse attempt: the best stays, no second credit
    c = services.start_attempt(qz, actor=taker)
    services.submit_attempt(c, {}, actor=taker)
    assert StudyEntry.objects.count() == 1 and StudyEntry.objects.get().score == Decimal("100.0")
    assert QuizAttempt.objects.filter(is_best=True).get().pk == b.pk
    with pytest.raises(ValidationError, match="每人可作答3次，您已用完"):
        services.start_attempt(qz, actor=taker)


def test_multiple_choice_needs_exactly_the_right_set(branch, taker):
    bank(branch, "多选", 1, kind="multiple")
    qz = quiz(branch, draw={"多选": 1}, attempts_allowed=3)
    qid = str(services.start_attempt(qz, actor=taker).question_ids[0])
    half = services.submit_attempt(QuizAttempt.objects.get(number=1), {qid: "A"}, actor=taker)
    assert half.correct == 0
    full = services.submit_attempt(services.start_attempt(qz, actor=taker), {qid: ["C", "A"]}, actor=taker)
    assert full.correct == 1


def test_submit_twice_or_late_or_by_someone_else_is_refused(branch, taker, secretary):
    bank(branch, n=3)
    qz = quiz(branch, attempts_allowed=2)
    a = services.start_attempt(qz, actor=taker)
    with pytest.raises(ValidationError, match="只能由党员本人作答"):
        services.submit_attempt(a, right_answers(a), actor=secretary)
    with pytest.raises(ValidationError, match="不在本次试卷中"):
        services.submit_attempt(a, {"999999": "A"}, actor=taker)
    services.submit_attempt(a, right_answers(a), actor=taker)
    with pytest.raises(ValidationError, match="不能重复提交"):
        services.submit_attempt(a, {}, actor=taker)
    late = services.start_attempt(qz, actor=taker)
    past = timezone.now() - datetime.timedelta(seconds=rules.QUIZ_GRACE_SECONDS + 5)
    QuizAttempt.objects.filter(pk=late.pk).update(deadline=past)
    with pytest.raises(ValidationError, match="已超过答题时限（20分钟"):
        services.submit_attempt(late, right_answers(late), actor=taker)
    late.refresh_from_db()
    assert late.submitted_at is None and late.score is None
    assert StudyEntry.objects.get().score == Decimal("100.0")


def test_quiz_closed_or_not_addressed_to_the_member(branch, other_branch, taker):
    bank(branch, n=3)
    bank(other_branch, n=3)
    closed = quiz(branch, opens_on=TODAY - datetime.timedelta(days=9), closes_on=TODAY - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match=r"已于.*截止"):
        services.start_attempt(closed, actor=taker)
    elsewhere = quiz(other_branch)
    with pytest.raises(ValidationError, match="您不在其中"):
        services.start_attempt(elsewhere, actor=taker)
    c = client(taker)
    assert c.post(reverse("education:quiz_start", args=[elsewhere.pk])).status_code == 404
    assert not QuizAttempt.objects.exists()


# ── the pages and the API: the key never leaves the server ────────────────────────────


def test_member_takes_a_quiz_on_the_web(branch, taker):
    qs = bank(branch, n=3)
    qz = quiz(branch)
    c = client(taker)
    page = c.get(reverse("education:quizzes")).content.decode()
    assert "党章知识测试" in page and "开始答题" in page
    r = c.post(reverse("education:quiz_start", args=[qz.pk]))
    a = QuizAttempt.objects.get()
    assert r.url == reverse("education:attempt", args=[a.pk])
    paper = c.get(r.url).content.decode()
    assert all(q.text in paper for q in qs if q.pk in a.question_ids)
    assert "解析：秘密" not in paper and "answer" not in paper
    body = {f"q{qid}": ans for qid, ans in ((int(k), v) for k, v in right_answers(a).items())}
    done = c.post(r.url, body)
    assert done.status_code == 302
    result = c.get(r.url).content.decode()
    assert "100.0分" in result and "合格" in result
    assert StudyEntry.objects.get(member_id=taker.member_id).hours == Decimal("2.0")


def test_api_paper_has_no_key_and_submit_marks(branch, taker):
    bank(branch, n=3)
    qz = quiz(branch)
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token(taker)}")
    listed = api.get("/api/education/my-quizzes/").json()
    assert [q["id"] for q in listed["results"]] == [qz.pk]
    started = api.post(f"/api/education/my-quizzes/{qz.pk}/start/")
    assert started.status_code == 201
    data = started.json()
    text = json.dumps(data, ensure_ascii=False)
    assert "answer" not in text and "解析" not in text and "explanation" not in text
    attempt = QuizAttempt.objects.get(pk=data["id"])
    r = api.post(f"/api/education/attempts/{attempt.pk}/submit/", {"answers": right_answers(attempt)}, content_type="application/json")
    assert r.status_code == 200 and r.json()["score"] == "100.0"
    again = api.post(f"/api/education/attempts/{attempt.pk}/submit/", {"answers": {}}, content_type="application/json")
    assert again.status_code == 400 and "不能重复提交" in again.content.decode()
    assert "answer" not in json.dumps(api.get(f"/api/education/attempts/{attempt.pk}/").json())


def test_other_members_and_branches_get_404(branch, other_branch, taker, outsider):
    bank(branch, n=3)
    qz = quiz(branch)
    a = services.start_attempt(qz, actor=taker)
    peer = make_user("member", branch, member=make_member(branch))
    assert client(peer).get(reverse("education:attempt", args=[a.pk])).status_code == 404
    assert client(peer).post(reverse("education:attempt", args=[a.pk]), {}).status_code == 404
    assert client(outsider).get(reverse("education:quiz_detail", args=[qz.pk])).status_code == 404
    assert client(outsider).get(reverse("education:attempt", args=[a.pk])).status_code == 404
    q = Question.objects.first()
    assert client(outsider).post(reverse("education:question_active", args=[q.pk]), {"active": "0"}).status_code == 404
    q.refresh_from_db()
    assert q.active
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token(outsider)}")
    assert api.get(f"/api/education/attempts/{a.pk}/").status_code == 404
    assert api.get(f"/api/education/questions/{q.pk}/").status_code == 404
    a.refresh_from_db()
    assert a.submitted_at is None


def _takers(org, qz, n):
    for _ in range(n):
        user = make_user("member", org, member=make_member(org))
        a = services.start_attempt(qz, actor=user)
        services.submit_attempt(a, right_answers(a), actor=user)


@pytest.mark.parametrize("page", ["quizzes", "quiz_detail", "questions"])
def test_quiz_pages_run_a_fixed_number_of_queries(branch, secretary, django_assert_max_num_queries, page):
    bank(branch, n=3)
    qz = quiz(branch)
    url = reverse(f"education:{page}", args=[qz.pk] if page == "quiz_detail" else [])
    c = client(secretary)
    _takers(branch, qz, 2)
    c.get(url)
    with django_assert_max_num_queries(40) as small:
        assert c.get(url).status_code == 200
    _takers(branch, qz, 12)
    bank(branch, "党史", 12)
    quiz(branch, title="第二次考学")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(url).status_code == 200


def test_ranking_and_bank_exports(branch, secretary):
    bank(branch, n=3)
    qz = quiz(branch)
    _takers(branch, qz, 2)
    c = client(secretary)
    r = c.post(f"{reverse('excel:export_education_quiz_ranking')}?quiz={qz.pk}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    r = c.post(reverse("excel:export_education_questions"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_org_results_rank_the_children(tree, secretary):
    committee = tree["committees"][0]
    b1, b2 = tree["branches"][0][0], tree["branches"][0][1]
    bank(committee, n=3)
    qz = quiz(committee)
    _takers(b1, qz, 2)
    make_member(b2)
    from apps.education import selectors

    rows = {r["org"].pk: r for r in selectors.quiz_org_results(qz, committee)}
    assert rows[b1.pk]["takers"] == 2 and rows[b1.pk]["average"] == Decimal("100.0") and rows[b1.pk]["rank"] == 1
    assert rows[b2.pk]["takers"] == 0
