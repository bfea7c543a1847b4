"""Keyset paging of the roster (issue 13, apps.core.paging): the first pages by number,
deeper pages through cursors in the next/previous links, never by OFFSET. Walking the
links forwards and backwards gives every member exactly once, in the order of the
roster, for every ordering, with ties on the sort key; every page costs the same
number of queries. Runs on SQLite and PostgreSQL (binary collation on both)."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import paging
from apps.core.paging import decode_cursor, encode_cursor
from apps.members.filters import ORDERING
from apps.members.models import Member
from apps.members.selectors import roster
from tests.factories import api_token, make_member, make_user

SIZE = 3
OFFSET_PAGES = 2  # pages 1–2 by number, 3… by cursor


@pytest.fixture
def people(tree):
    """17 members over three organisations, with ties on every sort key (same
    organisation, same birth and join dates, same pinyin)."""
    orgs = [tree["branches"][0][0], tree["branches"][0][1], tree["branches"][1][0]]
    out = []
    for i in range(17):
        out.append(
            make_member(
                orgs[i % 3],
                name=["王芳", "李明", "张伟"][i % 3] if i % 4 else "王芳",
                birth_date=datetime.date(1970 + i % 2, 1, 1),
                join_date=datetime.date(2000 + i % 3, 7, 1),
            )
        )
    return out


@pytest.fixture
def county_user(tree):
    return make_user("county_admin", tree["county"])


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(paging, "OFFSET_PAGES", OFFSET_PAGES)
    monkeypatch.setattr("apps.members.views.PAGE_SIZE", SIZE)


def _expected(user, ordering):
    return [m.pk for m in roster(user, QueryDict(f"ordering={ordering}"))]


def _rows_of(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/members/(\d+)/"', html)]


def _link(html: str, label: str) -> str | None:
    m = re.search(r'<a class="btn small" href="\?([^"#]*)[^"]*">' + label + "</a>", html)
    return html_lib.unescape(m.group(1)) if m else None


@pytest.mark.parametrize("ordering", list(ORDERING))
def test_web_walk_forwards_and_backwards(client, people, county_user, ordering):
    client.force_login(county_user)
    expected = _expected(county_user, ordering)
    assert len(expected) == 17
    url = reverse("members:list")
    query, seen, numbers = f"ordering={ordering}", [], []
    while query is not None:
        html = client.get(f"{url}?{query}").content.decode()
        seen += _rows_of(html)
        numbers.append(int(re.search(r'<span aria-current="page">第 (\d+) 页</span>', html).group(1)))
        query = _link(html, "下一页")
    assert seen == expected  # no duplicate, no gap, the roster's order
    assert numbers == list(range(1, 7))
    # back from the last page through the previous links
    back = []
    query = _link(html, "末页") or f"ordering={ordering}&page=6"
    while query is not None:
        html = client.get(f"{url}?{query}").content.decode()
        back = _rows_of(html) + back
        query = _link(html, "上一页")
    assert back == expected


@pytest.mark.parametrize("ordering", ["org", "-name", "birth"])
def test_api_walk_follows_next_and_previous(client, people, county_user, ordering):
    token = api_token(county_user)
    expected = _expected(county_user, ordering)
    url, seen, pages = f"/api/members/?ordering={ordering}&page_size={SIZE}", [], []
    while url:
        body = client.get(url, HTTP_AUTHORIZATION=f"Token {token}").json()
        pages.append(body)
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert seen == expected
    assert all(p["count"] == 17 and p["count_exact"] for p in pages)
    assert "after=" in pages[3]["next"]  # page 4 → 5 goes by cursor, 5 → 6 (the last) by number
    assert pages[4]["next"].endswith("page=6") and "after=" not in pages[4]["next"]
    url, back = pages[-1]["previous"], [r["id"] for r in pages[-1]["results"]]
    while url:
        body = client.get(url, HTTP_AUTHORIZATION=f"Token {token}").json()
        back = [r["id"] for r in body["results"]] + back
        url = body["previous"]
    assert back == expected


def test_deep_pages_use_no_offset_and_the_same_number_of_queries(client, people, county_user):
    client.force_login(county_user)
    url = reverse("members:list")
    fields = ORDERING["org"]
    ordered = list(Member.objects.order_by(*fields))
    cursor = encode_cursor(ordered[3 * SIZE - 1], fields)  # the row before page 4

    def run(query):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        rows = [q["sql"] for q in ctx.captured_queries if 'FROM "members_member"' in q["sql"] and "COUNT(" not in q["sql"]]
        return len(ctx.captured_queries), rows, response.content.decode()

    first, _sql, _html = run("page=1")
    deep, sql, html = run(f"page=4&after={cursor}")
    last, last_sql, _html = run("page=6")
    assert first == deep == last
    assert _rows_of(html) == [m.pk for m in ordered[9:12]]
    assert not [s for s in sql + last_sql if "OFFSET" in s.upper()], sql + last_sql


def test_deep_page_number_without_a_cursor(client, people, county_user):
    token = api_token(county_user)
    response = client.get("/api/members/?page=4&page_size=3", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 400 and "page" in response.json()
    # the last page by its number (exact total): read backwards, as many rows as it holds
    body = client.get("/api/members/?page=6&page_size=3", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert [r["id"] for r in body["results"]] == _expected(county_user, "org")[15:]
    assert body["next"] is None and "before=" in body["previous"]
    client.force_login(county_user)
    html = client.get(reverse("members:list") + "?page=4").content.decode()
    assert '<span aria-current="page">第 2 页</span>' in html and "第 4 页请从相邻页" in html


def test_a_bad_or_foreign_cursor_starts_over(client, people, county_user):
    client.force_login(county_user)
    url = reverse("members:list")
    # a malformed cursor is ignored: page 4 without a cursor shows page 2 (OFFSET_PAGES)
    html = client.get(f"{url}?page=4&after=garbage!").content.decode()
    assert _rows_of(html) == _expected(county_user, "org")[SIZE : 2 * SIZE]
    # a cursor made for another ordering is ignored: the name ordering's first page
    name_cursor = encode_cursor(Member.objects.order_by(*ORDERING["name"])[4], ORDERING["name"])
    assert decode_cursor(name_cursor, Member, ORDERING["org"]) is None
    assert decode_cursor("garbage!", Member, ORDERING["org"]) is None
    response = client.get(f"{url}?page=2&after={name_cursor}")
    assert response.status_code == 200
    assert _rows_of(response.content.decode()) == _expected(county_user, "org")[SIZE : 2 * SIZE]


def test_cursor_round_trip_keeps_types():
    fields = ORDERING["-birth"]
    m = Member(birth_date=datetime.date(1980, 2, 29), id=42)
    assert decode_cursor(encode_cursor(m, fields), Member, fields) == [datetime.date(1980, 2, 29), 42]
