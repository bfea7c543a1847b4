"""Issue 12 item 1: one active development file per person is a database rule
(devfile_one_active_per_person); the loser of concurrent creates gets the same Chinese
400 as a sequential duplicate, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from apps.core.actors import system_actor
from apps.recruitment import services
from apps.recruitment.models import DevelopmentFile
from tests.factories import make_tree, make_user
from tests.recruitment.helpers import applicant_data
from tests.uniqueness_helpers import race, skip_check

MESSAGE = "该身份证号已有进行中的发展档案（一人一档）"


def _payload(data):
    payload = {k: v for k, v in data.items() if k not in ("organisation", "birth_date", "sex")}
    payload.update(organisation=data["organisation"].pk, application_date=data["application_date"].isoformat())
    return payload


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def test_sequential_duplicate_is_a_chinese_400(branch):
    client = APIClient()
    client.force_authenticate(make_user("branch_secretary", branch))
    payload = _payload(applicant_data(branch))
    assert client.post("/api/recruitment/files/", payload, format="json").status_code == 201
    r = client.post("/api/recruitment/files/", payload, format="json")
    assert r.status_code == 400 and r.json()["id_number"] == [MESSAGE]
    assert DevelopmentFile.objects.filter(status="active").count() == 1


def test_the_database_holds_the_rule_when_the_check_is_passed(branch, monkeypatch):
    data = applicant_data(branch)
    services.create_file(data, actor=system_actor("cli"))
    skip_check(monkeypatch, DevelopmentFile)  # what the loser of a race saw
    with pytest.raises(ValidationError) as exc:
        services.create_file(data, actor=system_actor("cli"))
    assert exc.value.message_dict == {"id_number": [MESSAGE]}
    assert DevelopmentFile.objects.count() == 1


def test_a_closed_file_does_not_block_a_new_one(branch):
    data = applicant_data(branch)
    first = services.create_file(data, actor=system_actor("cli"))
    DevelopmentFile.objects.filter(pk=first.pk).update(status="cancelled")
    second = services.create_file(data, actor=system_actor("cli"))
    assert second.pk != first.pk and DevelopmentFile.objects.filter(status="active").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_make_one_file_and_chinese_400s():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from threads (run on PostgreSQL)")
    tree = make_tree()
    branch = tree["branches"][0][0]
    user = make_user("branch_secretary", branch)
    payload = _payload(applicant_data(branch))

    def post(_):
        client = APIClient()
        client.force_authenticate(user)
        r = client.post("/api/recruitment/files/", payload, format="json")
        return r.status_code, r.json()

    results = race(post, 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [400] * 7, results
    assert all(body["id_number"] == [MESSAGE] for code, body in results if code == 400)
    assert DevelopmentFile.objects.filter(status="active").count() == 1
