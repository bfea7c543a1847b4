import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from apps.core.scoping import ScopeError
from apps.education import facts, services
from apps.education.models import StudyReport
from tests.factories import make_member, make_user

from .conftest import seat

pytestmark = pytest.mark.django_db
YEAR = datetime.date.today().year
TEXT = (
    "本年度认真学习党章党规和党的创新理论，参加支部集体学习和县委党校培训，结合岗位实际，在为群众办实事中加深理解，今后将继续加强学习。" * 2
)


def test_member_submits_branch_grades(branch, secretary):
    m = make_member(branch)
    user = make_user("member", branch, member=m)
    r = services.submit_report(m, YEAR, TEXT, actor=user)
    r = services.submit_report(m, YEAR, TEXT + "补充。", actor=user)  # revised before grading
    assert StudyReport.objects.count() == 1 and r.text.endswith("补充。")
    with pytest.raises(ValidationError, match="评议意见为必填项"):
        services.grade_report(r, grade="good", comment="", actor=secretary)
    with pytest.raises(ValidationError, match="不是有效取值"):
        services.grade_report(r, grade="superb", comment="好", actor=secretary)
    services.grade_report(r, grade="good", comment="学习认真", actor=secretary)
    r.refresh_from_db()
    assert (r.status, r.grade, r.reviewer_level) == ("graded", "good", "branch")
    with pytest.raises(ValidationError, match="已评议"):
        services.submit_report(m, YEAR, TEXT, actor=user)
    assert facts.member_facts([m.pk], YEAR)[m.pk][1] == ("述学述评", "良好", True)


def test_report_refusals(branch, outsider):
    m = make_member(branch)
    user = make_user("member", branch, member=m)
    with pytest.raises(ValidationError, match="至少50字"):
        services.submit_report(m, YEAR, "学习了。", actor=user)
    with pytest.raises(ValidationError, match="只能提交"):
        services.submit_report(m, YEAR - 3, TEXT, actor=user)
    with pytest.raises(ScopeError):
        services.submit_report(m, YEAR, TEXT, actor=outsider)
    assert not StudyReport.objects.exists()


def test_secretary_report_graded_by_higher_committee(branch, secretary, organiser):
    sec = make_member(branch)
    seat(branch, sec, "secretary", datetime.date(YEAR - 2, 1, 1))
    r = services.submit_report(sec, YEAR, TEXT, actor=secretary)
    with pytest.raises(ScopeError):
        services.grade_report(r, grade="excellent", comment="好", actor=secretary)
    services.grade_report(r, grade="excellent", comment="带头学习", actor=organiser)
    r.refresh_from_db()
    assert r.reviewer_level == "higher"


def test_nobody_grades_own_report(branch):
    m = make_member(branch)
    own = make_user("branch_secretary", branch, member=m)
    r = services.submit_report(m, YEAR, TEXT, actor=own)
    with pytest.raises(ValidationError, match="不能评议本人"):
        services.grade_report(r, grade="excellent", comment="很好", actor=own)


def test_report_pages(branch, secretary, outsider):
    m = make_member(branch, name="述学甲")
    user = make_user("member", branch, member=m)
    c = Client()
    c.force_login(user)
    assert c.get(reverse("education:my_report")).status_code == 200
    bad = c.post(reverse("education:my_report"), {"year": YEAR, "text": "太短"})
    assert "至少50字" in bad.content.decode() or "至少" in bad.content.decode()
    assert c.post(reverse("education:my_report"), {"year": YEAR, "text": TEXT}).status_code == 302
    report = StudyReport.objects.get()
    s = Client()
    s.force_login(secretary)
    assert "述学甲" in s.get(reverse("education:reports")).content.decode()
    assert s.post(reverse("education:report_grade", args=[report.pk]), {"grade": "good", "comment": "认真"}).status_code == 302
    assert StudyReport.objects.get().grade == "good"
    o = Client()
    o.force_login(outsider)
    assert o.post(reverse("education:report_grade", args=[report.pk]), {"grade": "poor", "comment": "x"}).status_code == 404
    assert "述学甲" not in o.get(reverse("education:reports")).content.decode()
