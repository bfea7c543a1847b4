import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.care import services
from apps.care.models import ChecklistItem, Fund, Hardship, Visit
from tests.factories import make_member

from .conftest import CLI, occasion

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def sec_client(client, secretary):
    client.force_login(secretary)
    return client


def _visits(branch, n):
    for _ in range(n):
        m = make_member(branch)
        services.record_visit(
            {"member": m, "occasion": occasion("illness"), "visited_on": TODAY, "visitors": "书记", "content": "看望", "follow_up": "再访"},
            actor=CLI,
        )


def _hardships(branch, n):
    for _ in range(n):
        h = services.register_hardship(
            {"member": make_member(branch), "cause": "illness", "level": "general", "description": "因病"}, actor=CLI
        )
        services.start_pairing(
            h, {"helper": make_member(branch), "pledge_thought": "a", "pledge_work": "b", "pledge_poverty": "c"}, actor=CLI
        )


def _greetings(branch, n):
    for _ in range(n):
        make_member(branch)
    services.generate_checklist(branch, occasion("july_first_greeting"), TODAY.year, actor=CLI)


def _fund_apps(branch, n):
    fund = Fund.objects.filter(organisation=branch).first() or services.open_fund(branch, name="基金", actor=CLI)
    for _ in range(n):
        services.apply_for_aid(fund, make_member(branch), amount="10", reason="困难", actor=CLI)


def _veterans(branch, n):
    for _ in range(n):
        make_member(
            branch, birth_date=datetime.date(1928, 5, 1), join_date=datetime.date(1948, 3, 1), conversion_date=datetime.date(1949, 3, 1)
        )


LISTS = [
    ("care:visits", {}, _visits),
    ("care:visits", {"follow_up": "open", "q": "zh"}, _visits),
    ("care:checklist", {"occasion": "july_first_greeting"}, _greetings),
    ("care:hardships", {}, _hardships),
    ("care:pairings", {"due": ""}, _hardships),
    ("care:funds", {}, _fund_apps),
    ("care:subsidies", {}, _veterans),
]


@pytest.mark.parametrize("url_name, params, grow", LISTS)
def test_list_query_count_is_fixed(sec_client, branch, url_name, params, grow):
    grow(branch, 2)
    sec_client.get(reverse(url_name), params)
    with CaptureQueriesContext(connection) as few:
        assert sec_client.get(reverse(url_name), params).status_code == 200
    grow(branch, 12)
    with CaptureQueriesContext(connection) as many:
        response = sec_client.get(reverse(url_name), params)
        assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_visit_entry_flow_on_checklist(sec_client, branch):
    old = make_member(branch, birth_date=datetime.date(TODAY.year - 85, 1, 1))
    r = sec_client.post(reverse("care:checklist_generate"), {"org": branch.pk, "occasion": "july_first", "year": TODAY.year})
    assert r.status_code == 302
    item = ChecklistItem.objects.get(member=old)
    page = sec_client.get(reverse("care:checklist"), {"occasion": "july_first", "year": TODAY.year}).content.decode()
    assert old.name in page and f"?item={item.pk}" in page
    r = sec_client.post(
        reverse("care:visit_new") + f"?item={item.pk}",
        {
            "item": item.pk,
            "occasion": item.occasion_id,
            "visited_on": TODAY.isoformat(),
            "visitors": "书记",
            "content": "送慰问品",
            "amount": "200",
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    item.refresh_from_db()
    assert item.done_on == TODAY and Visit.objects.get().amount == 200


def test_visit_form_shows_chinese_errors(sec_client, member):
    r = sec_client.post(
        reverse("care:visit_new"),
        {"member": member.pk, "occasion": occasion("illness").pk, "visited_on": TODAY.isoformat(), "visitors": "", "content": "x"},
    )
    assert r.status_code == 200 and "走访人" in r.content.decode()
    assert not Visit.objects.exists()


def test_hardship_pages(sec_client, branch):
    m, helper = make_member(branch), make_member(branch)
    r = sec_client.post(
        reverse("care:hardship_new"),
        {"member": m.pk, "cause": "disaster", "level": "severe", "description": "房屋倒塌", "registered_on": TODAY.isoformat()},
    )
    h = Hardship.objects.get()
    assert r.status_code == 302 and r.url == reverse("care:hardship", args=[h.pk])
    r = sec_client.post(
        reverse("care:pairing_new", args=[h.pk]),
        {"helper": helper.pk, "started_on": TODAY.isoformat(), "pledge_thought": "谈心", "pledge_work": "务工", "pledge_poverty": "脱贫"},
    )
    assert r.status_code == 302
    html = sec_client.get(reverse("care:hardship", args=[h.pk])).content.decode()
    assert helper.name in html and "包脱贫" in html


def test_outsider_gets_404(client, outsider, branch):
    _hardships(branch, 1)
    _fund_apps(branch, 1)
    h = Hardship.objects.get()
    client.force_login(outsider)
    assert client.get(reverse("care:hardship", args=[h.pk])).status_code == 404
    assert (
        client.post(reverse("care:hardship_close", args=[h.pk]), {"closed_on": TODAY.isoformat(), "closure_note": "x"}).status_code == 404
    )
    assert client.get(reverse("care:fund", args=[Fund.objects.get().pk])).status_code == 404
    assert Hardship.objects.get().status == "open"
    assert h.member.name not in client.get(reverse("care:hardships")).content.decode()


def test_exports(sec_client, branch):
    _hardships(branch, 2)
    for name in ("care_hardships", "care_pairings", "care_visits"):
        r = sec_client.get(reverse(f"excel:export_{name}"))
        assert r.status_code == 200, name
