"""Issue 11: every service takes the acting user as the keyword-only, required `actor`;
none has a `user=None` (or `by=`/`granter=`) default that would skip the scope check."""

import datetime
import importlib
import inspect

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.scoping import ScopeError
from apps.members import services as member_services
from apps.members.models import Member
from tests.factories import make_member, make_tree, make_user, member_data

SERVICE_MODULES = [
    "apps.members.services",
    "apps.orgs.services",
    "apps.orgs.committee",
    "apps.recruitment.services",
    "apps.recruitment.engine",
    "apps.dues.services",
    "apps.excel.importer",
]
ACTING_NAMES = {"user", "by", "granter", "acting_user"}


def _functions():
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        for fname, fn in vars(module).items():
            if inspect.isfunction(fn) and fn.__module__ == name:
                yield name, fname, inspect.signature(fn)
        for cname, cls in vars(module).items():
            if inspect.isclass(cls) and cls.__module__ == name:
                for fname, fn in vars(cls).items():
                    if inspect.isfunction(fn):
                        yield name, f"{cname}.{fname}", inspect.signature(fn)


def test_actor_is_keyword_only_and_required_everywhere():
    with_actor = []
    for module, fname, sig in _functions():
        for p in sig.parameters.values():
            assert p.name not in ACTING_NAMES, f"{module}.{fname} still names the acting user `{p.name}`"
            if p.name == "actor" and not fname.split(".")[-1].startswith("_"):
                assert p.kind is inspect.Parameter.KEYWORD_ONLY, f"{module}.{fname}: actor must be keyword-only"
                assert p.default is inspect.Parameter.empty, f"{module}.{fname}: actor must have no default"
                with_actor.append(fname)
    assert len(with_actor) >= 40  # the registry, tree, committee, development and dues writes


@pytest.mark.django_db
def test_a_missing_actor_is_refused_and_none_is_not_a_way_round():
    tree = make_tree()
    branch = tree["branches"][0][0]
    with pytest.raises(TypeError):
        member_services.create_member(member_data(branch))  # no actor at all
    with pytest.raises(TypeError):
        member_services.create_member(member_data(branch), actor=None)
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_scope_is_checked_for_people_and_the_system_actor_passes():
    tree = make_tree()
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    secretary = make_user("branch_secretary", mine)
    with pytest.raises(ScopeError):
        member_services.create_member(member_data(other), actor=secretary)
    m = make_member(other)
    with pytest.raises(ScopeError):
        member_services.change_status(m, "lost_contact", date=datetime.date(2026, 1, 5), lost_contact_reason="外出", actor=secretary)
    created = member_services.create_member(member_data(other), actor=system_actor("cli"))
    assert created.organisation == other
    with pytest.raises(ValidationError):
        member_services.update_member(created, {"name": "x1"}, actor=system_actor("cli"))  # rules still apply
