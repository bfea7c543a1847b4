"""The roster API list's per-request cost (issue 13, HTTP throughput): a fixed number of
queries whatever the row count (the token and the role assignments in one), the filter
set built from shallow copies, only the listed columns read, and nothing of that
weakens authentication, scoping or the filters."""

import datetime

import pytest
from django import forms
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, RoleAssignment
from apps.members.filters import MemberFilterSet
from apps.members.models import Member
from tests.factories import api_token, make_member, make_user


def _get(client, url, token):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, HTTP_AUTHORIZATION=f"Token {token}")
    return response, [q["sql"] for q in ctx.captured_queries]


def _warm(client, token):
    # the token's last use is written at most once a minute: the first call writes it
    assert client.get("/api/members/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_list_query_count_is_the_same_for_few_and_many_rows(tree):
    few, many = tree["branches"][0][0], tree["branches"][1][0]
    make_member(few)
    for _ in range(55):  # more than a page of 50
        make_member(many)
    client = APIClient()
    token = api_token(make_user("county_admin", tree["county"]))
    _warm(client, token)
    counts = {}
    for org, rows in ((few, 1), (many, 50)):
        response, sql = _get(client, f"/api/members/?org={org.pk}&ordering=name", token)
        assert response.status_code == 200
        assert len(response.json()["results"]) == rows
        counts[rows] = len(sql)
    # token + user + role assignments, the chosen organisation, the capped count, the page
    assert counts[1] == counts[50] == 4, counts


def test_token_user_and_role_assignments_come_in_one_query(tree):
    branch = tree["branches"][0][0]
    mine = make_member(branch)
    make_member(tree["branches"][1][0])
    user = make_user("branch_secretary", branch)
    token = api_token(user)
    client = APIClient()
    _warm(client, token)
    response, sql = _get(client, "/api/members/", token)
    assert [r["id"] for r in response.json()["results"]] == [mine.pk]
    assert not [s for s in sql if s.startswith('SELECT "accounts_roleassignment"')]
    assert len([s for s in sql if 'FROM "accounts_apitoken"' in s]) == 1


def test_only_current_assignments_grant_scope(tree):
    """The assignments joined to the token are the current ones only: a revoked one, one
    not yet valid and one already ended grant nothing."""
    a, b, c, d = tree["branches"][0][0], tree["branches"][0][1], tree["branches"][1][0], tree["branches"][1][1]
    in_a = make_member(a)
    for org in (b, c, d):
        make_member(org)
    user = make_user("branch_secretary", a)
    today = timezone.localdate()
    RoleAssignment.objects.create(user=user, role="branch_secretary", organisation=b, revoked_at=timezone.now())
    RoleAssignment.objects.create(user=user, role="branch_secretary", organisation=c, valid_from=today + datetime.timedelta(days=1))
    RoleAssignment.objects.create(
        user=user,
        role="branch_secretary",
        organisation=d,
        valid_from=today - datetime.timedelta(days=30),
        valid_to=today - datetime.timedelta(days=1),
    )
    response, _sql = _get(APIClient(), "/api/members/", api_token(user))
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [in_a.pk]


def test_a_token_without_any_assignment_sees_nothing(tree):
    make_member(tree["branches"][0][0])
    response, _sql = _get(APIClient(), "/api/members/", api_token(make_user()))
    assert response.status_code == 200 and response.json()["results"] == []


def test_bad_and_expired_tokens_are_still_refused(tree):
    user = make_user("county_admin", tree["county"])
    client = APIClient()
    response, _sql = _get(client, "/api/members/", "not-a-token")
    assert response.status_code == 401 and "无效" in response.json()["detail"]
    token = api_token(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response, _sql = _get(client, "/api/members/", token)
    assert response.status_code == 401 and "过期" in response.json()["detail"]


def test_cross_scope_member_and_organisation_are_not_found(tree):
    a, b = tree["branches"][0][0], tree["branches"][1][0]
    theirs = make_member(b)
    token = api_token(make_user("branch_secretary", a))
    client = APIClient()
    response, _sql = _get(client, f"/api/members/{theirs.pk}/", token)
    assert response.status_code == 404
    response, _sql = _get(client, f"/api/members/?org={b.pk}", token)
    assert response.status_code == 200 and response.json()["results"] == []


def test_filters_still_filter_through_the_api(tree):
    branch = tree["branches"][0][0]
    rural = make_member(branch, name="王农", categories=["rural"], education="high_school")
    college = make_member(branch, name="李大", education="bachelor")
    today = timezone.localdate()
    joined = datetime.date(today.year - 5, 1, 15)
    young = make_member(
        branch,
        name="赵青",
        birth_date=datetime.date(today.year - 30, 1, 1),
        join_date=joined,
        conversion_date=joined.replace(year=joined.year + 1),
    )
    token = api_token(make_user("county_admin", tree["county"]))
    client = APIClient()

    def ids(query):
        response, _sql = _get(client, f"/api/members/?org={branch.pk}&{query}", token)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]}

    assert ids("category=rural") == {rural.pk}
    assert ids("education=high_school") == {rural.pk}
    assert college.pk in ids("education=bachelor") and rural.pk not in ids("education=bachelor")
    assert ids("age_band=youth") == {young.pk}
    assert ids("q=wangnong") == {rural.pk}
    response, _sql = _get(client, "/api/members/?education=nonsense", token)
    assert response.status_code == 400 and "education" in response.json()


@pytest.mark.parametrize("ordering", ["name", "-name", "birth", "-birth", "join", "-join", "org"])
def test_every_ordering_pages_by_cursor_without_extra_queries(tree, ordering, monkeypatch):
    """The list reads only its columns: the keyset cursors' sort keys are among them, so a
    next page costs the same queries and no column is loaded row by row."""
    monkeypatch.setattr("apps.core.paging.OFFSET_PAGES", 1)
    branch = tree["branches"][0][0]
    for _ in range(6):  # three pages of 2: the second is neither the first nor the last
        make_member(branch)
    token = api_token(make_user("county_admin", tree["county"]))
    client = APIClient()
    _warm(client, token)
    first, sql_first = _get(client, f"/api/members/?org={branch.pk}&ordering={ordering}&page_size=2", token)
    body = first.json()
    assert first.status_code == 200 and body["next"] and "after=" in body["next"], body
    second, sql_second = _get(client, body["next"], token)
    assert second.status_code == 200, second.content
    seen = [r["id"] for r in body["results"]] + [r["id"] for r in second.json()["results"]]
    assert len(set(seen)) == 4
    assert len(sql_second) == len(sql_first) == 4
    assert '"members_member"."id_number_enc"' not in sql_first[-1] and '"members_member"."remarks"' not in sql_first[-1]
    # the organisation's name without a join (the capped count reads the member table only)
    assert {r["organisation_name"] for r in body["results"]} == {branch.name}
    assert "JOIN" not in sql_first[-2] and sql_first[-2].startswith("SELECT COUNT(*)")


def test_filter_forms_are_independent_and_render_as_deep_copies_would():
    """The filter set's form copies its fields shallowly: each form still owns its fields
    (the web list replaces choices and sets widget attributes on its own form), and the
    form renders exactly as Django's deep-copied form of the same fields."""
    data = QueryDict("status=normal&education=bachelor&ordering=name")
    one = MemberFilterSet(data, queryset=Member.objects.none()).form
    two = MemberFilterSet(data, queryset=Member.objects.none()).form
    assert one.fields is not two.fields
    assert one.fields["status"] is not two.fields["status"]
    assert one.fields["status"].widget is not two.fields["status"].widget
    declared = {name: f.field for name, f in MemberFilterSet.base_filters.items()}
    reference = type("ReferenceForm", (forms.Form,), declared)(data)
    assert str(one) == str(reference)
    before = str(two)
    one.fields["sex"].choices = [("", "全部"), *list(one.fields["sex"].choices)[1:]]
    one.fields["status"].widget.attrs["size"] = 4
    assert "全部" in str(one) and str(two) == before
    assert "size" not in MemberFilterSet(data, queryset=Member.objects.none()).form.fields["status"].widget.attrs
    assert one.is_valid() and one.cleaned_data["status"] == ["normal"] and one.cleaned_data["education"] == ["bachelor"]


def test_filter_methods_run_on_their_own_filter_set():
    """Each filter set's filters call their methods on that filter set (copied filters
    must not keep a method bound to the declared filter or to another instance)."""
    first = MemberFilterSet(QueryDict("ordering=-join"), queryset=Member.objects.none())
    second = MemberFilterSet(QueryDict("ordering=name"), queryset=Member.objects.none())
    assert first.filters["ordering"].parent is first and second.filters["ordering"].parent is second
    assert first.is_valid() and second.is_valid()
    assert first.qs.query.order_by == ("-join_date", "-id")
    assert second.qs.query.order_by == ("name_pinyin", "id")
    assert MemberFilterSet.base_filters["ordering"] is not first.filters["ordering"]
