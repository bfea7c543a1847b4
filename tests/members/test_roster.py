"""The roster selector that the web list, the API list and the Excel export share
(apps.members.selectors.roster): one path condition, no DISTINCT, the same rows."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.excel.services import member_export_queryset
from apps.members.selectors import roster
from tests.factories import api_token, make_member, make_user


@pytest.fixture
def county_user(tree):
    return make_user("county_admin", tree["county"])


def _roster_sql(user, query: str) -> str:
    qs = roster(user, QueryDict(query))
    with CaptureQueriesContext(connection) as ctx:
        list(qs[:50])
    return ctx.captured_queries[-1]["sql"]


def test_org_inside_the_scope_gives_one_path_condition(tree, county_user):
    branch = tree["branches"][0][0]
    sql = _roster_sql(county_user, f"org={branch.pk}")
    where = sql.split(" WHERE ", 1)[1].split(" ORDER BY ")[0]
    assert where.count("LIKE") == 1 and f"'{branch.path}%'" in where, where


def test_org_outside_the_scope_finds_nothing(tree):
    branch_a, branch_b = tree["branches"][0][0], tree["branches"][1][0]
    make_member(branch_b)
    secretary = make_user("branch_secretary", branch_a)
    assert list(roster(secretary, QueryDict(f"org={branch_b.pk}"))) == []
    # and without an organisation, only the own subtree
    mine = make_member(branch_a)
    assert [m.pk for m in roster(secretary, QueryDict(""))] == [mine.pk]


def test_row_filters_use_no_distinct(tree, county_user):
    sql = _roster_sql(county_user, "status=normal&status=mobile&education=bachelor")
    assert "DISTINCT" not in sql.upper()


def test_bad_parameters_raise_a_validation_error(county_user):
    with pytest.raises(ValidationError) as exc:
        roster(county_user, QueryDict("status=nonsense"))
    assert "status" in exc.value.message_dict


def test_web_api_and_export_hold_the_same_rows(client, tree, county_user):
    branch = tree["branches"][0][0]
    members = [make_member(branch, categories=["rural"] if i % 2 else []) for i in range(6)]
    make_member(tree["branches"][1][0])
    query = f"org={branch.pk}&category=rural"
    expected = [m.pk for m in members if m.categories.filter(code="rural").exists()]
    assert [m.pk for m in roster(county_user, QueryDict(query))] == expected
    assert [m.pk for m in member_export_queryset(county_user, QueryDict(query), full_pii=False)] == expected
    response = client.get(f"/api/members/?{query}", HTTP_AUTHORIZATION=f"Token {api_token(county_user)}")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["id"] for r in rows] == expected
    client.force_login(county_user)
    html = client.get(reverse("members:list") + "?" + query).content.decode()
    assert all(m.name in html for m in members if m.pk in expected)


def test_api_list_refuses_bad_filters_with_400(client, county_user):
    response = client.get("/api/members/?status=nonsense", HTTP_AUTHORIZATION=f"Token {api_token(county_user)}")
    assert response.status_code == 400 and "status" in response.json()


def test_api_list_reads_categories_from_the_row_and_the_org_once(client, tree, county_user):
    """Issue 13 (API profile): the list's categories come from Member.category_bits (no
    category query per page), the category filter needs no join, and the chosen
    organisation is looked up once per request."""
    branch = tree["branches"][0][0]
    a = make_member(branch, categories=["rural", "hardship"])
    make_member(branch, categories=["retired"])
    token = api_token(county_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/members/?org={branch.pk}&category=hardship", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert [(r["id"], r["categories"]) for r in response.json()["results"]] == [(a.pk, ["hardship", "rural"])]
    sql = [q["sql"] for q in ctx.captured_queries]
    assert not [s for s in sql if "members_membercategory" in s]
    assert len([s for s in sql if 'FROM "orgs_organisation"' in s and '"orgs_organisation"."id" =' in s]) == 1
