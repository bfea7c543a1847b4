"""Education plans: annual and mid-term plans with items, execution read from the records
(study entries of the item's form in its month; a linked class's attendance), bad input,
scoping and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.education import selectors, services
from apps.education.models import EducationPlan, PlanItem, StudyEntry
from tests.factories import api_token, make_member

pytestmark = pytest.mark.django_db
CLI = system_actor("cli")
TODAY = timezone.localdate()
LAST = TODAY.year - 1


def client(user):
    c = Client()
    c.force_login(user)
    return c


def plan(org, year=LAST, **kw):
    return services.create_plan({"organisation": org, "title": f"{year}年党员教育培训计划", "start_year": year, **kw}, actor=CLI)


def item(p, month, **kw):
    return services.add_plan_item(p, {"month": month, "topic": "学习党章", "audience": "all", "hours": "4", **kw}, actor=CLI)


def test_plan_bad_input_is_refused(branch, secretary, other_branch):
    with pytest.raises(ValidationError) as exc:
        services.create_plan({"organisation": branch, "title": "", "start_year": LAST, "end_year": LAST + 1}, actor=secretary)
    assert exc.value.message_dict == {"title": ["计划名称为必填项"], "end_year": ["年度计划的截止年度须与起始年度相同"]}
    with pytest.raises(ValidationError, match="中期规划最长5年"):
        services.create_plan(
            {"organisation": branch, "kind": "midterm", "title": "规划", "start_year": 2021, "end_year": 2027}, actor=secretary
        )
    plan(branch)
    with pytest.raises(ValidationError, match="已有年度计划"):
        plan(branch)
    with pytest.raises(ScopeError):
        services.create_plan({"organisation": other_branch, "title": "越权", "start_year": 2031}, actor=secretary)
    assert EducationPlan.objects.count() == 1


def test_plan_item_bad_input(branch, other_branch):
    p = plan(branch)
    with pytest.raises(ValidationError) as exc:
        services.add_plan_item(p, {"year": LAST + 1, "month": 13, "topic": "", "hours": "-2", "audience": "everyone"}, actor=CLI)
    errors = exc.value.message_dict
    assert errors["year"] == [f"年度须在计划期内（{LAST}～{LAST}年）"]
    assert errors["month"] == ["月份须在1～12之间"]
    assert errors["topic"] == ["主题为必填项"]
    assert errors["hours"] == ["计划学时须大于0"]
    assert "对象“everyone”不是有效取值" in errors["audience"][0]
    elsewhere = services.create_class(
        {
            "organisation": other_branch,
            "title": "别处的班",
            "level": "branch",
            "start_date": datetime.date(LAST, 3, 1),
            "end_date": datetime.date(LAST, 3, 1),
        },
        actor=CLI,
    )
    with pytest.raises(ValidationError, match=r"不是.*或其下级组织举办的"):
        item(p, 3, training_class=elsewhere)
    assert not PlanItem.objects.exists()


def test_execution_from_study_records_and_class_attendance(branch):
    m = make_member(branch)
    p = plan(branch)
    studied = item(p, 3, form="collective_study")
    skipped = item(p, 5, form="party_lecture")
    cls = services.create_class(
        {
            "organisation": branch,
            "title": "专题学习班",
            "level": "branch",
            "start_date": datetime.date(LAST, 6, 1),
            "end_date": datetime.date(LAST, 6, 2),
        },
        actor=CLI,
    )
    by_class = item(p, 6, training_class=cls)
    unheld = item(
        p,
        9,
        training_class=services.create_class(
            {
                "organisation": branch,
                "title": "未办的班",
                "level": "branch",
                "start_date": datetime.date(LAST, 9, 1),
                "end_date": datetime.date(LAST, 9, 1),
            },
            actor=CLI,
        ),
    )
    StudyEntry.objects.create(
        organisation=branch, member=m, date=datetime.date(LAST, 3, 15), hours=Decimal(2), form="collective_study", content="集体学习党章"
    )
    # a pending (not approved) lecture does not count
    StudyEntry.objects.create(
        organisation=branch,
        member=m,
        date=datetime.date(LAST, 5, 15),
        hours=Decimal(2),
        form="party_lecture",
        content="党课",
        status="pending",
    )
    services.enrol(cls, m, actor=CLI)
    s = services.add_session(
        cls, {"date": datetime.date(LAST, 6, 1), "topic": "党史", "lecturer": "书记", "duration": "half_day"}, actor=CLI
    )
    services.record_session_attendance(s, [m.pk], actor=CLI)
    items = {i.pk: i for i in selectors.plan_items(p, TODAY)}
    assert items[studied.pk].state == "done"
    assert items[skipped.pk].state == "missed"
    assert items[by_class.pk].state == "done" and items[by_class.pk].realised == Decimal("4.0")
    assert items[unheld.pk].state == "missed"
    assert by_class.form == "training"
    ex = selectors.plan_execution(list(items.values()))
    assert (ex["due"], ex["done"], ex["rate"], ex["class_hours"]) == (4, 2, 50.0, Decimal("4.0"))
    # a future month is not due
    future = plan(branch, year=TODAY.year + 1)
    assert selectors.plan_items(future, TODAY) == [] and item(future, 1).pk
    assert selectors.plan_items(future, TODAY)[0].state == "pending"


def test_plan_pages_and_scoping(branch, secretary, outsider):
    p = plan(branch)
    c = client(secretary)
    r = c.post(
        reverse("education:plan_item_add", args=[p.pk]),
        {"month": "4", "topic": "学习条例", "audience": "cadres", "level": "branch", "form": "collective_study", "hours": "3"},
    )
    assert r.status_code == 302 and PlanItem.objects.filter(plan=p, topic="学习条例").exists()
    bad = c.post(
        reverse("education:plan_item_add", args=[p.pk]),
        {"month": "4", "topic": "x", "audience": "all", "level": "branch", "form": "collective_study", "hours": "0"},
        follow=True,
    )
    assert "计划学时须大于0" in bad.content.decode()
    body = c.get(reverse("education:plan_detail", args=[p.pk])).content.decode()
    assert "学习条例" in body and "执行率" in body
    o = client(outsider)
    assert o.get(reverse("education:plan_detail", args=[p.pk])).status_code == 404
    it = PlanItem.objects.get(plan=p)
    assert o.post(reverse("education:plan_item_delete", args=[it.pk])).status_code == 404
    assert (
        o.post(
            reverse("education:plan_item_add", args=[p.pk]),
            {"month": "4", "topic": "越权", "audience": "all", "level": "branch", "form": "collective_study", "hours": "3"},
        ).status_code
        == 404
    )
    assert PlanItem.objects.filter(plan=p).count() == 1
    api = Client(HTTP_AUTHORIZATION=f"Token {api_token(outsider)}")
    assert api.get(f"/api/education/plans/{p.pk}/").status_code == 404
    assert api.get("/api/education/plan-items/", {"plan": p.pk}).json()["results"] == []
    mine = Client(HTTP_AUTHORIZATION=f"Token {api_token(secretary)}").get("/api/education/plan-items/", {"plan": p.pk}).json()
    assert [r["topic"] for r in mine["results"]] == ["学习条例"] and mine["results"][0]["state"] in ("done", "missed", "pending")


@pytest.mark.parametrize("page", ["plans", "plan_detail"])
def test_plan_pages_run_a_fixed_number_of_queries(branch, secretary, django_assert_max_num_queries, page):
    p = plan(branch)
    url = reverse(f"education:{page}", args=[p.pk] if page == "plan_detail" else [])
    c = client(secretary)
    for month in (1, 2):
        item(p, month)
    c.get(url)
    with django_assert_max_num_queries(40) as small:
        assert c.get(url).status_code == 200
    for month in range(3, 13):
        item(p, month)
    for year in range(2015, 2025):
        plan(branch, year=year)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(url).status_code == 200


def test_plan_exports(branch, secretary):
    p = plan(branch)
    item(p, 3)
    c = client(secretary)
    for url in (reverse("excel:export_education_plans"), f"{reverse('excel:export_education_plan_items')}?plan={p.pk}"):
        r = c.post(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
