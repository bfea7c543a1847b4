"""Recruitment lists that could grow with the county: training enrolment candidates,
plans, training classes and the file list. Paged, searchable, filtered by the
organisation picker, with a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.paging import PAGE_SIZE
from apps.recruitment import services
from apps.recruitment.models import DevelopmentFile, TrainingRecord
from tests.factories import make_org, make_user
from tests.recruitment.helpers import new_file


@pytest.fixture
def world(tree):
    committee = tree["committees"][0]
    branch, sibling = tree["branches"][0]
    organiser = make_user("committee_organiser", committee)
    training = services.create_training_class(
        {
            "organisation": committee,
            "name": "第一期积极分子培训班",
            "start_date": datetime.date(2026, 3, 2),
            "end_date": datetime.date(2026, 3, 4),
            "days": 3,
            "hours": 24,
        },
        actor=system_actor("cli"),
    )
    return {"committee": committee, "branch": branch, "sibling": sibling, "organiser": organiser, "class": training}


def _activists(org, n, name=None):
    """n development files of org at the activist stage (the stage is all enrolment asks)."""
    files = [new_file(org, **({"name": name} if name else {})) for _ in range(n)]
    DevelopmentFile.objects.filter(pk__in=[f.pk for f in files]).update(stage="activist")
    return files


def _shown(html, files):
    return {f.pk for f in files if f'name="files" value="{f.pk}"' in html}


def test_enrolment_candidates_paged_with_fixed_queries(client, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:training_enrol", args=[world["class"].pk])
    few = _activists(world["branch"], 2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        html = client.get(url).content.decode()
    assert _shown(html, few) == {f.pk for f in few}
    many = few + _activists(world["sibling"], PAGE_SIZE + 3)
    with CaptureQueriesContext(connection) as big:
        first = client.get(url).content.decode()
    assert len(big) == len(small)
    second = client.get(url, {"page": 2}).content.decode()
    assert len(_shown(first, many)) == PAGE_SIZE and len(_shown(second, many)) == 5
    assert not (_shown(first, many) & _shown(second, many))
    assert f"共{PAGE_SIZE + 5}名可登记人员" in first


def test_enrolment_search_filter_and_post_keeps_the_filter(client, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:training_enrol", args=[world["class"].pk])
    here = _activists(world["branch"], 2, name="欧阳培训")
    there = _activists(world["sibling"], 2, name="司徒培训")
    html = client.get(url, {"q": "欧阳"}).content.decode()
    assert _shown(html, here) and not _shown(html, there)
    html = client.get(url, {"org_text": world["sibling"].code}).content.decode()
    assert _shown(html, there) and not _shown(html, here)
    r = client.post(url, {"files": [f.pk for f in there], "back": f"org={world['sibling'].pk}&q=司徒"})
    assert r.status_code == 302 and f"org={world['sibling'].pk}" in r["Location"]
    assert TrainingRecord.objects.filter(training_class=world["class"]).count() == 2


def test_enrolment_org_filter_outside_scope(client, tree, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:training_enrol", args=[world["class"].pk])
    outside = tree["branches"][1][0]
    assert client.get(url, {"org": outside.pk}).status_code == 404
    html = client.get(url, {"org_text": outside.code}).content.decode()
    assert "未找到" in html and outside.name not in html


def test_plans_paged_filtered_and_fixed_queries(client, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:plans")

    def plans(n, parent):
        for i in range(n):
            org = make_org(parent, name=f"计划测试{i}党支部")
            services.save_plan({"organisation": org, "kind": "annual", "start_year": 2026, "total": 3}, actor=system_actor("cli"))

    plans(2, world["committee"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    plans(25, world["committee"])
    with CaptureQueriesContext(connection) as big:
        html = client.get(url).content.decode()
    assert len(big) == len(small)
    assert "共 27 条" in html and "下一页" in html and html.count('class="card plan"') == 20
    html = client.get(url, {"org_text": world["branch"].code}).content.decode()
    assert "共 0 条" in html and "及其下级组织尚未制定发展计划" in html


def test_training_classes_paged_with_fixed_queries(client, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:training")

    def classes(n, name):
        for i in range(n):
            services.create_training_class(
                {
                    "organisation": world["committee"],
                    "name": f"{name}{i}期",
                    "start_date": datetime.date(2026, 4, 1),
                    "end_date": datetime.date(2026, 4, 3),
                    "days": 3,
                    "hours": 24,
                },
                actor=system_actor("cli"),
            )

    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    classes(PAGE_SIZE + 2, "春季班")
    with CaptureQueriesContext(connection) as big:
        html = client.get(url).content.decode()
    assert len(big) == len(small)
    assert f"共 {PAGE_SIZE + 3} 条" in html and "下一页" in html
    assert "共 1 条" in client.get(url, {"q": "第一期"}).content.decode()


def test_file_list_org_picker_filter(client, tree, world):
    client.force_login(world["organiser"])
    here = new_file(world["branch"], name="欧阳档案")
    there = new_file(world["sibling"], name="司徒档案")
    html = client.get(reverse("recruitment:file_list"), {"org_text": world["sibling"].code}).content.decode()
    assert there.name in html and here.name not in html
    assert '<select name="org"' not in html and 'name="org_text"' in html
    assert client.get(reverse("recruitment:file_list"), {"org": tree["branches"][1][0].pk}).status_code == 404


def test_monthly_report_organisation_picker(client, tree, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:monthly")
    html = client.get(url).content.decode()
    assert '<select name="org"' not in html and f"{world['committee'].name}（{world['committee'].code}）" in html
    r = client.get(url, {"org_text": world["branch"].code, "month": "2026-03"})
    assert r.status_code == 200 and r.context["r"]["org"] == world["branch"]
    r = client.get(url, {"org_text": tree["committees"][1].code})
    assert r.context["r"]["org"] == world["committee"] and "未找到" in r.content.decode()
    assert client.get(url, {"org": tree["committees"][1].pk}).status_code == 404


def test_activists_paged_with_total_filters_kept_and_fixed_queries(client, world):
    client.force_login(world["organiser"])
    url = reverse("recruitment:activists")
    params = {"org": world["committee"].pk, "q": "积极"}
    few = _activists(world["branch"], 2, name="欧阳积极")
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        r = client.get(url, params)
    assert {f.pk for f in r.context["page"].rows} == {f.pk for f in few} and "共 2 条" in r.content.decode()
    many = few + _activists(world["sibling"], PAGE_SIZE + 3, name="司徒积极")
    _activists(world["sibling"], 4, name="诸葛分子")  # left out by ?q=
    with CaptureQueriesContext(connection) as big:
        first = client.get(url, params)
    assert len(big) == len(small)
    html = first.content.decode()
    assert f"共 {PAGE_SIZE + 5} 条" in html and "下一页" in html
    # the next-page link keeps the organisation and the search
    assert f'href="?org={world["committee"].pk}&amp;q=%E7%A7%AF%E6%9E%81&amp;page=2"' in html
    second = client.get(url, {**params, "page": 2})
    shown = [f.pk for f in first.context["page"].rows] + [f.pk for f in second.context["page"].rows]
    assert sorted(shown) == sorted(f.pk for f in many) and len(second.context["page"].rows) == 5


def test_lagging_units_paged_with_total_and_fixed_queries(client, tree, world):
    from apps.recruitment.models import LaggingUnit

    client.force_login(world["organiser"])
    url = reverse("recruitment:monthly")
    params = {"org": world["committee"].pk, "month": "2026-03"}

    def flag(n):
        for i in range(n):
            org = make_org(world["committee"], name=f"滞后测试{LaggingUnit.objects.count()}党支部")
            LaggingUnit.objects.create(organisation=org, flagged_month=datetime.date(2026, 2, 1), behind_by=i + 1)

    flag(2)
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        html = client.get(url, params).content.decode()
    assert "共 2 条" in html and "下一页" not in html
    flag(PAGE_SIZE + 1)
    with CaptureQueriesContext(connection) as big:
        r = client.get(url, params)
    assert len(big) == len(small)
    html = r.content.decode()
    assert f"共 {PAGE_SIZE + 3} 条" in html and len(r.context["key_list"].rows) == PAGE_SIZE
    # its own page parameter, the report's organisation and month kept
    assert f'href="?org={world["committee"].pk}&amp;month=2026-03&amp;lpage=2#key-list"' in html
    rest = client.get(url, {**params, "lpage": 2}).context["key_list"].rows
    seen = {lu.pk for lu in r.context["key_list"].rows} | {lu.pk for lu in rest}
    assert len(rest) == 3 and seen == set(LaggingUnit.objects.values_list("pk", flat=True))
    # cleared units leave the list; units outside the scope never enter it
    LaggingUnit.objects.filter(pk=rest[0].pk).update(cleared_month=datetime.date(2026, 3, 1))
    LaggingUnit.objects.create(organisation=tree["branches"][1][0], flagged_month=datetime.date(2026, 2, 1))
    assert f"共 {PAGE_SIZE + 2} 条" in client.get(url, params).content.decode()


def test_rule_settings_page_holidays_and_versions(client, tree):
    """The holiday calendar and the rule versions page on (?hpage=, ?vpage=) instead of
    stopping at 200 and 20, with as many queries for more rows."""
    from django.utils import timezone

    from apps.recruitment.models import Holiday, RuleVersion

    Holiday.objects.all().delete()  # the official calendar loaded on migrate: count only these rows
    client.force_login(make_user("county_admin", tree["county"]))
    url = reverse("recruitment:settings")
    start = datetime.date(timezone.localdate().year, 1, 1)

    def add(first, n):
        Holiday.objects.bulk_create(Holiday(date=start + datetime.timedelta(days=first + k), name=f"假日{first + k}") for k in range(n))
        RuleVersion.objects.bulk_create(RuleVersion(note=f"修订{first + k}") for k in range(n))

    add(0, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(2, 120)
    with CaptureQueriesContext(connection) as many:
        r = client.get(url)
    assert len(many) == len(few)
    assert len(r.context["holidays"].rows) == 100 and len(r.context["versions"].rows) == 20
    html = r.content.decode()
    assert "共 122 条" in html and "hpage=2" in html and "vpage=2" in html
    last = client.get(url, {"hpage": 2}).context["holidays"].rows
    assert len(last) == 22 and last[-1].date == start + datetime.timedelta(days=121)
