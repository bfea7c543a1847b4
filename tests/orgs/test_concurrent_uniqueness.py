"""Issue 12 item 2: committee seats and organisation codes are held unique by the
database; a concurrent duplicate gets the sequential check's Chinese message."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from apps.core.actors import system_actor
from apps.orgs import services
from apps.orgs.committee import add_committee_seat, end_committee_seat
from apps.orgs.models import CommitteeMember, Organisation
from tests.factories import make_member, make_tree, make_user
from tests.uniqueness_helpers import race, skip_check

SYSTEM = system_actor("cli")


def test_the_database_refuses_a_second_current_secretary(tree):
    branch = tree["branches"][0][0]
    a, b = make_member(branch), make_member(branch)
    CommitteeMember.objects.create(organisation=branch, member=a, role="secretary")
    with pytest.raises(IntegrityError):
        CommitteeMember.objects.create(organisation=branch, member=b, role="secretary")


def test_seat_after_a_passed_check_gets_the_sequential_message(tree, monkeypatch):
    branch = tree["branches"][0][0]
    a, b = make_member(branch), make_member(branch)
    seat = add_committee_seat(branch, a, "secretary", actor=SYSTEM)
    add_committee_seat(branch, a, "member", actor=SYSTEM)
    skip_check(monkeypatch, CommitteeMember)
    with pytest.raises(ValidationError) as exc:
        add_committee_seat(branch, b, "secretary", actor=SYSTEM)
    assert exc.value.message_dict == {"role": ["该组织已有在任书记，请先办理离任"]}
    with pytest.raises(ValidationError) as exc:
        add_committee_seat(branch, a, "member", actor=SYSTEM)
    assert exc.value.message_dict == {"member": [f"{a.name}已在任委员"]}
    monkeypatch.undo()
    end_committee_seat(seat, actor=SYSTEM)
    assert add_committee_seat(branch, b, "secretary", actor=SYSTEM).member == b  # an ended seat does not block


def test_org_code_after_a_passed_check_gets_the_sequential_message(tree, monkeypatch):
    branch, sibling = tree["branches"][0][0], tree["branches"][0][1]
    skip_check(monkeypatch, Organisation)
    with pytest.raises(ValidationError) as exc:
        services.update_organisation(branch, {"code": sibling.code}, actor=SYSTEM)
    assert exc.value.message_dict == {"code": [f"组织代码“{sibling.code}”已被使用"]}


@pytest.mark.django_db(transaction=True)
def test_concurrent_secretaries_one_seat():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite test database cannot run concurrent writers from threads (run on PostgreSQL)")
    tree = make_tree()
    branch = tree["branches"][0][0]
    people = [make_member(branch) for _ in range(5)]
    user = make_user("branch_secretary", branch)
    results = race(lambda i: add_committee_seat(branch, people[i], "secretary", actor=user), 5)
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 4 and all(r.message_dict == {"role": ["该组织已有在任书记，请先办理离任"]} for r in refused), results
    assert CommitteeMember.objects.filter(organisation=branch, role="secretary", end_date__isnull=True).count() == 1
