import random
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from apps.accounts import demo
from apps.accounts.models import RoleAssignment, User
from apps.accounts.roles import ROLES
from tests.factories import make_member


def _populate(tree):
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][1][0])
    return demo.populate(tree["county"], random.Random(1), timezone.localdate())


def test_populate_creates_every_role(tree, settings):
    settings.DEMO_MODE = True
    created = _populate(tree)
    assert len(created) == len(demo.DEMO_ACCOUNTS)
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {r.code for r in ROLES}
    assert not any(u.must_change_password for u in created)
    member_user = User.objects.get(username="member")
    assert member_user.member.organisation == tree["branches"][0][0]
    assert RoleAssignment.objects.get(user__username="secretary").organisation == tree["branches"][0][0]
    assert RoleAssignment.objects.get(user__username="secretary2").organisation == tree["branches"][1][0]
    assert RoleAssignment.objects.get(user__username="organiser").organisation == tree["committees"][0]
    assert all(len(a.password) >= 10 for a in demo.DEMO_ACCOUNTS)
    # idempotent
    assert demo.populate(tree["county"], random.Random(1), timezone.localdate()) == []


def test_populate_outside_demo_mode_forces_password_change(tree, settings):
    settings.DEMO_MODE = False
    assert all(u.must_change_password for u in _populate(tree))


def test_demo_logins_prints_table(tree, settings):
    settings.DEMO_MODE = True
    _populate(tree)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "账号" in text and "密码" in text and "角色" in text and "党组织" in text
    assert "Demo#2026-admin" in text and "组织部管理员" in text and tree["county"].name in text
    user = User.objects.get(username="admin")
    user.set_password("Changed#Pass-2027")
    user.save()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "Demo#2026-admin" not in out.getvalue() and "已修改" in out.getvalue()
