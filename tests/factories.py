"""Factories shared by every test module. Records are built through the services, so
tests exercise the same validation and counters as the product."""

import datetime
import itertools

from apps.accounts.models import RoleAssignment, User
from apps.core.actors import system_actor
from apps.members import services as member_services
from apps.members.idnumber import compose
from apps.orgs import services as org_services

_seq = itertools.count(1)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def person_name(n: int) -> str:
    """A distinct plausible name for every n (names never contain digits)."""
    return "张王李赵刘陈杨黄"[n % 8] + _GIVEN[(n // 8) % len(_GIVEN)] + _GIVEN[(n // 200) % len(_GIVEN)]


def make_org(parent=None, *, org_type="branch", name=None, unit_type="other", **extra):
    n = next(_seq)
    data = {"name": name or f"测试{n}党支部", "code": f"T{n:06d}", "org_type": org_type, "unit_type": unit_type, **extra}
    return org_services.create_organisation(data, parent=parent, actor=system_actor("cli"))


def make_tree():
    """县委 → 两个党委 → 每个党委两个党支部 (+ 一个党小组)."""
    county = make_org(None, org_type="county_committee", name="中共测试县委员会")
    committees = [make_org(county, org_type="committee", name=f"测试第{i}镇党委") for i in (1, 2)]
    branches = [[make_org(c, org_type="branch", name=f"{c.name}第{j}党支部") for j in (1, 2)] for c in committees]
    return {"county": county, "committees": committees, "branches": branches}


def member_data(org, **overrides):
    n = next(_seq)
    sex = overrides.pop("sex", "M" if n % 2 else "F")
    # Births spread over 1950–1983 whatever the counter has reached, so a default member
    # is an adult on any join date from 2002 on, however many tests ran before.
    birth = overrides.pop("birth_date", datetime.date(1950, 1, 1) + datetime.timedelta(days=(n * 37) % (365 * 34)))
    data = {
        "name": overrides.pop("name", person_name(n)),
        "sex": sex,
        "birth_date": birth,
        "id_number": compose("350525", birth, n, sex),
        "education": "bachelor",
        "occupation": "professional",
        "join_date": datetime.date(2010, 7, 1),
        "conversion_date": datetime.date(2011, 7, 1),
        "member_type": "full",
        "organisation": org,
        "phone": f"138{n:08d}",
    }
    data.update(overrides)
    return data


def make_member(org, **overrides):
    return member_services.create_member(member_data(org, **overrides), actor=system_actor("cli"))


def api_token(user) -> str:
    """A fresh API token key for the user (as POST /api/auth/token/ would issue it)."""
    from apps.accounts.services import issue_token

    return issue_token(user)[0]


def make_user(role=None, org=None, *, username=None, password="Dangjian#2026x", member=None, **extra):
    n = next(_seq)
    user = User.objects.create_user(username=username or f"user{n}", password=password, must_change_password=False, member=member, **extra)
    if role:
        RoleAssignment.objects.create(user=user, role=role, organisation=org)
    return user
