"""Issue 12 item 2: a concurrent duplicate member (same ID number, both active) gets the
sequential check's Chinese message, not a 500."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.members import services
from apps.members.models import Member
from tests.factories import make_tree, make_user, member_data
from tests.uniqueness_helpers import race, skip_check


def _payload(org):
    data = member_data(org)
    data["organisation"] = org.pk
    return {k: v.isoformat() if isinstance(v, datetime.date) else v for k, v in data.items()}


def test_create_after_a_passed_check_gets_the_sequential_message(tree, monkeypatch):
    branch = tree["branches"][0][0]
    data = member_data(branch)
    services.create_member(data, actor=system_actor("cli"))
    skip_check(monkeypatch, Member)
    with pytest.raises(ValidationError) as exc:
        services.create_member(data, actor=system_actor("cli"))
    assert exc.value.message_dict == {"id_number": [services.DUPLICATE_ID]}
    assert Member.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_identical_creates_give_one_member_and_chinese_400s():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from threads (run on PostgreSQL)")
    tree = make_tree()
    branch = tree["branches"][0][0]
    user = make_user("branch_secretary", branch)
    payload = _payload(branch)

    def post(_):
        client = APIClient()
        client.force_authenticate(user)
        r = client.post("/api/members/", payload, format="json")
        return r.status_code, r.json()

    results = race(post, 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(code for code, _ in results) == [201] + [400] * 7, results
    assert all(body["id_number"] == [services.DUPLICATE_ID] for code, body in results if code == 400)
    assert Member.objects.count() == 1
