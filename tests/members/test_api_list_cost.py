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
    # token + user + role assignments, the chosen organisation, the page with its capped count
    assert counts[1] == counts[50] == 3, counts


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
    assert len(sql_second) == len(sql_first) == 3
    assert '"members_member"."id_number_enc"' not in sql_first[-1] and '"members_member"."remarks"' not in sql_first[-1]
    # the organisation's name without a join (the capped count reads the member table only)
    assert {r["organisation_name"] for r in body["results"]} == {branch.name}
    assert "JOIN" not in sql_first[-1] and "(SELECT COUNT(*) FROM (SELECT" in sql_first[-1]
    assert body["count"] == second.json()["count"] == 6 and body["count_exact"]


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


def test_list_rows_from_column_values_render_byte_for_byte_as_from_model_instances(tree):
    """The list reads dicts of column values (serializers.list_row), not model instances:
    its JSON is byte for byte what MemberListSerializer makes of the same members loaded as
    instances, for every kind of value (masked ID numbers and phones, no phone, every
    status and member type, categories none/one/several, no conversion date, a code without a
    label)."""
    import itertools
    from collections import OrderedDict

    from rest_framework.renderers import JSONRenderer

    from apps.members import codes
    from apps.members.api.serializers import MemberListSerializer

    branch, other = tree["branches"][0][0], tree["branches"][0][1]
    statuses = [code for code, _label in codes.STATUS_CHOICES]
    categories = [[], ["rural"], ["retired", "hardship", "pre_1949"], [c for c, _l in codes.CATEGORY_CHOICES]]
    educations = itertools.cycle(c for c, _l in codes.EDUCATION_CHOICES)
    occupations = itertools.cycle(c for c, _l in codes.OCCUPATION_CHOICES)
    ids = []
    for i, status in enumerate(statuses):
        m = make_member(
            branch if i % 2 else other,
            categories=categories[i % len(categories)],
            education=next(educations),
            occupation=next(occupations),
            sex="F" if i % 3 else "M",
            **({"phone": ""} if i % 4 == 0 else {}),
        )
        changes = {"status": status}
        if i % 5 == 1:
            changes.update(member_type="probationary", conversion_date=None)
        if i == 2:
            changes.update(education="legacy_code")  # a stored code no label names
        Member.objects.filter(pk=m.pk).update(**changes)
        ids.append(m.pk)
    masked = Member.objects.filter(pk__in=ids)
    assert masked.filter(phone_masked="").exists() and masked.exclude(phone_masked="").filter(phone_masked__contains="*").exists()
    assert masked.filter(id_number_masked__contains="*").count() == len(ids)

    client = APIClient()
    token = api_token(make_user("county_admin", tree["county"]))
    for query in ("ordering=name&page_size=5", "ordering=name&page_size=5&page=2", "ordering=-join&page_size=50", "status=normal"):
        response, _sql = _get(client, f"/api/members/?{query}", token)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["results"], query
        instances = {m.pk: m for m in Member.objects.select_related("organisation").filter(pk__in=[r["id"] for r in body["results"]])}
        reference = OrderedDict(
            [
                ("count", body["count"]),
                ("count_exact", body["count_exact"]),
                ("next", body["next"]),
                ("previous", body["previous"]),
                ("results", MemberListSerializer([instances[r["id"]] for r in body["results"]], many=True).data),
            ]
        )
        assert response.content == JSONRenderer().render(reference), query
    every = _get(client, "/api/members/?page_size=50", token)[0].json()["results"]
    assert {r["status"] for r in every} == set(statuses)
    assert {tuple(r["categories"]) for r in every} >= {(), ("rural",), ("hardship", "pre_1949", "retired")}
    assert any(r["education_display"] == "legacy_code" for r in every)
    assert any(r["conversion_date"] is None for r in every)
