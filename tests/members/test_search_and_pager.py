"""Issue 12 item 22: a name search finds a part of a name (志源 finds 王志源), on the
list and in the API; the member list tells how many pages there are (or at least how
many when the count is capped) and lets the user jump to a page."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def sec(client, branch):
    client.force_login(make_user("branch_secretary", branch))
    return client


def test_name_search_finds_the_middle_and_end_of_a_name(sec, branch):
    wang = make_member(branch, name="王志源")
    make_member(branch, name="李志明")
    for q in ("志源", "源", "王志源", "王志"):
        html = sec.get(reverse("members:list"), {"q": q}).content.decode()
        assert f">{wang.name}</a>" in html, q
        assert "李志明" not in html, q
    api = APIClient()
    api.force_authenticate(make_user("branch_secretary", branch))
    names = [r["name"] for r in api.get("/api/members/", {"q": "志源"}).json()["results"]]
    assert names == ["王志源"]


def test_pager_shows_the_page_count_and_a_jump(sec, branch, monkeypatch):
    for _ in range(5):
        make_member(branch)
    monkeypatch.setattr("apps.members.views.PAGE_SIZE", 2)
    html = sec.get(reverse("members:list"), {"sex": "", "page": 2}).content.decode()
    assert "共 5 条" in html and "共 3 页" in html and "第 2 页" in html
    jump = re.search(r'<form[^>]*class="pager-jump"[^>]*>(.*?)</form>', html, re.S)
    assert jump, "a jump-to-page form"
    assert re.search(r'<input[^>]*name="page"[^>]*max="3"', jump.group(1))
    assert 'name="sex"' in jump.group(1)  # the filters are kept
    assert "末页" in html and "page=3" in html and "首页" in html
    monkeypatch.setattr("apps.members.selectors.COUNT_CAP", 4)  # 5 members: counted to 4, "more than 4"
    html = sec.get(reverse("members:list")).content.decode()
    assert "超过4条" in html and "至少 2 页" in html and "末页" not in html
    assert re.search(r'<form[^>]*class="pager-jump"', html)


def test_a_search_counts_its_matches_to_a_lower_cap(sec, branch, monkeypatch):
    """Issue 13: a text search's total is counted to SEARCH_COUNT_CAP only (the count reads
    every matching row; the page itself reads a few index entries)."""
    for _ in range(3):
        make_member(branch, name="李明")
    make_member(branch, name="王芳")
    monkeypatch.setattr("apps.members.selectors.SEARCH_COUNT_CAP", 2)
    html = sec.get(reverse("members:list"), {"q": "lm"}).content.decode()
    assert "超过2条" in html and html.count("李明") == 3
    assert "共 4 条" in sec.get(reverse("members:list")).content.decode()
    api = APIClient()
    api.force_authenticate(make_user("branch_secretary", branch))
    body = api.get("/api/members/", {"q": "lm"}).json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (2, False, 3)
    body = api.get("/api/members/").json()
    assert (body["count"], body["count_exact"]) == (4, True)
