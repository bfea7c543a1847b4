"""apps.core.uniqueness: an IntegrityError from a named uniqueness rule becomes the
rule's Chinese ValidationError; the caller's transaction survives (savepoint)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.core.uniqueness import unique_messages
from apps.orgs.models import CommitteeMember, Organisation
from tests.factories import make_member, make_tree


@pytest.mark.django_db
def test_a_named_rule_becomes_its_message_and_the_transaction_goes_on():
    tree = make_tree()
    branch = tree["branches"][0][0]
    secretary, other = make_member(branch), make_member(branch)
    CommitteeMember.objects.create(organisation=branch, member=secretary, role="secretary")
    rules = {"committee_one_current_single_role": ("role", "该组织已有在任书记")}
    with transaction.atomic():
        with pytest.raises(ValidationError) as exc:
            with unique_messages(CommitteeMember, rules):
                CommitteeMember.objects.create(organisation=branch, member=other, role="secretary")
        assert exc.value.message_dict == {"role": ["该组织已有在任书记"]}
        # the outer transaction is still usable and the failed row was not kept
        assert CommitteeMember.objects.filter(organisation=branch, role="secretary").count() == 1
    # a unique=True field by its name
    with pytest.raises(ValidationError) as exc:
        with unique_messages(Organisation, {"code": ("code", "组织代码已被使用")}):
            Organisation.objects.filter(pk=branch.pk).update(code=tree["branches"][0][1].code)
    assert exc.value.message_dict == {"code": ["组织代码已被使用"]}


@pytest.mark.django_db
def test_other_integrity_errors_pass_through_and_typos_are_refused():
    tree = make_tree()
    branch = tree["branches"][0][0]
    member = make_member(branch)
    CommitteeMember.objects.create(organisation=branch, member=member, role="member")
    with pytest.raises(IntegrityError):  # a different rule than the one named
        with unique_messages(CommitteeMember, {"committee_one_current_single_role": ("role", "x")}):
            CommitteeMember.objects.create(organisation=branch, member=member, role="member")
    with pytest.raises(LookupError):
        with unique_messages(CommitteeMember, {"no_such_rule": ("role", "x")}):
            pass
