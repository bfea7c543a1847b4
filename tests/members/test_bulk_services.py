"""Issue 11: one member write path. The Excel import writes through
bulk_create_members / bulk_update_members, which must leave exactly what create_member /
update_member leave: record, categories, status history, counters, change log."""

import pytest
from django.db import transaction

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.core.scoping import ScopeError
from apps.members import services
from apps.members.models import Member, MemberCategory, MemberStatusChange
from apps.orgs.models import Organisation
from tests.factories import make_user, member_data

SYSTEM = system_actor("cli")


def _trace(member):
    m = Member.objects.get(pk=member.pk)
    status = list(MemberStatusChange.objects.filter(member=m).values_list("from_status", "to_status", "date", "reason"))
    log = ChangeLog.objects.get(object_type="members.member", object_id=str(m.pk))
    after = {
        k: v for k, v in log.after.items() if k not in ("name", "birth_date", "name_initials", "name_pinyin", "name_pinyin_alt", "sex")
    }
    for k in ("id_number_masked", "phone_masked", "created_at", "updated_at"):
        after.pop(k, None)
    return (
        m.member_type,
        m.status,
        m.status_since == m.join_date,
        m.org_path,
        m.reveal_id_number() != "",
        sorted(MemberCategory.objects.filter(member=m).values_list("code", flat=True)),
        [(f, t, r) for f, t, _d, r in status],
        log.action,
        after,
    )


def test_bulk_create_leaves_what_create_member_leaves(tree):
    branch = tree["branches"][0][0]
    one = services.create_member(services.validate_member_data(member_data(branch, categories=["rural"])), actor=SYSTEM)
    with transaction.atomic():
        [two] = services.bulk_create_members([services.validate_member_data(member_data(branch, categories=["rural"]))], actor=SYSTEM)
    assert _trace(one) == _trace(two)
    assert Organisation.objects.get(pk=branch.pk).direct_member_count == 2


def test_bulk_update_leaves_what_update_member_leaves(tree):
    branch = tree["branches"][0][0]
    a = services.create_member(member_data(branch), actor=SYSTEM)
    b = services.create_member(member_data(branch), actor=SYSTEM)
    services.update_member(a, {"work_unit": "县医院", "categories": ["retired"]}, actor=SYSTEM)
    clean = services.validate_member_data(
        {"work_unit": "县医院", "categories": ["retired"], "organisation": b.organisation}, instance=b, check_duplicate=False
    )
    with transaction.atomic():
        services.bulk_update_members([(Member.objects.get(pk=b.pk), clean)], actor=SYSTEM)
    logs = {m.pk: ChangeLog.objects.filter(object_type="members.member", object_id=str(m.pk), action="update").get() for m in (a, b)}
    changed = {m: {k for k in log.after if log.before.get(k) != log.after.get(k)} - {"updated_at"} for m, log in logs.items()}
    assert changed[a.pk] == changed[b.pk] == {"work_unit", "categories"}
    assert list(MemberCategory.objects.filter(member=b).values_list("code", flat=True)) == ["retired"]


def test_bulk_writes_are_scope_checked(tree):
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    secretary = make_user("branch_secretary", mine)
    with pytest.raises(ScopeError), transaction.atomic():
        services.bulk_create_members([services.validate_member_data(member_data(other))], actor=secretary)
    assert not Member.objects.exists()


def _bits_in_step():
    """Member.category_bits equals the member's MemberCategory rows, for every record."""
    from apps.members import codes

    for m in Member.objects.all():
        assert m.category_bits == codes.category_bits(m.categories.values_list("code", flat=True)), m.name


def test_category_bits_follow_every_write_path(tree):
    branch = tree["branches"][0][0]
    a = services.create_member(member_data(branch, categories=["rural", "hardship"]), actor=SYSTEM)
    assert Member.objects.get(pk=a.pk).category_bits == 1 | 64
    services.update_member(a, {"categories": ["retired"]}, actor=SYSTEM)
    with transaction.atomic():
        [b] = services.bulk_create_members([services.validate_member_data(member_data(branch, categories=["student"]))], actor=SYSTEM)
        clean = services.validate_member_data(
            {"categories": ["no_post", "rural"], "organisation": b.organisation}, instance=b, check_duplicate=False
        )
        services.bulk_update_members([(Member.objects.get(pk=b.pk), clean)], actor=SYSTEM)
    assert Member.objects.get(pk=b.pk).category_bits == 1 | 256
    _bits_in_step()
