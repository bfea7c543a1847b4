import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.members.models import Member
from apps.orgs.services import subtree_member_count
from tests.factories import make_member, make_user, member_data


def test_create_encrypts_masks_counts_and_audits(tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    assert "350525" in m.id_number_masked and "*" in m.id_number_masked
    assert m.reveal_id_number() not in m.id_number_enc
    assert Member.objects.by_id_number(m.reveal_id_number()).get() == m
    assert subtree_member_count(tree["county"]) == 1
    log = ChangeLog.objects.get(object_type="members.member", object_id=str(m.pk))
    assert log.action == "create" and "id_number_enc" not in log.after


def test_sex_mismatch_names_the_rule(tree):
    data = member_data(tree["branches"][0][0], sex="M")
    data["sex"] = "F"
    with pytest.raises(ValidationError) as exc:
        from apps.members.services import create_member

        create_member(data, actor=system_actor("cli"))
    assert "性别与身份证号不一致" in str(exc.value.message_dict["sex"])
    assert Member.objects.count() == 0


def test_scope_blocks_other_branch(tree):
    a, b = tree["branches"][0][0], tree["branches"][1][0]
    secretary = make_user("branch_secretary", a)
    with pytest.raises(ScopeError):
        from apps.members.services import create_member

        create_member(member_data(b), actor=secretary)
    m = make_member(b)
    assert not Member.objects.restrict(secretary).filter(pk=m.pk).exists()
