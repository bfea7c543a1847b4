"""The domain kit: multi-path scoping, the system actor, path copies found from the
models, and the registries (duplicate names refused, navigation built from them)."""

import pytest
from django.db.models import Q

from apps.core import paths, registry
from apps.core.actors import SystemActor, system_actor
from apps.core.scoping import EVERYTHING, NO_SCOPE, Scope, require_org_action, scope_condition, scope_paths, user_scope
from apps.members.models import Member
from apps.orgs import services as org_services
from tests.factories import make_member, make_org, make_tree, make_user


class TwoSided:
    """A stand-in for a record two subtrees see (a transfer: sender and receiver)."""

    SCOPE_PATH = ("org_path", "to_org_path")
    SCOPE_MEMBER = "member_id"


def test_a_row_with_two_paths_is_visible_from_either_subtree():
    cond = scope_condition(TwoSided, Scope(False, ("0001",), None))
    assert cond == Q(pk__in=[]) | Q(org_path__startswith="0001") | Q(to_org_path__startswith="0001")
    assert scope_paths(TwoSided) == ("org_path", "to_org_path")
    assert scope_paths(Member) == ("org_path",)
    own = scope_condition(TwoSided, Scope(False, (), 7))
    assert own == Q(pk__in=[]) | Q(member_id=7)


@pytest.mark.django_db
def test_the_system_actor_acts_on_everything_and_says_so():
    actor = system_actor("cli")
    assert isinstance(actor, SystemActor) and actor.username == "系统（命令行）"
    assert user_scope(actor, "change") is EVERYTHING
    assert user_scope(None, "view") is NO_SCOPE
    t = make_tree()
    require_org_action(actor, t["branches"][1][0], "change")  # no refusal
    with pytest.raises(TypeError):
        require_org_action(None, t["branches"][1][0], "change")


@pytest.mark.django_db
def test_a_moved_subtree_carries_every_declared_copy():
    t = make_tree()
    c2 = t["committees"][1]
    branch = t["branches"][0][0]
    member = make_member(branch)
    secretary = make_user("branch_secretary", branch)
    org_services.move_subtree(branch, c2, actor=system_actor("cli"))
    branch.refresh_from_db()
    member.refresh_from_db()
    assert member.org_path == branch.path and branch.path.startswith(c2.path)
    assert not any(paths.drift(m, f, s).exists() for m, f, s in paths.path_copies() if s)
    assert Member.objects.restrict(secretary).filter(pk=member.pk).exists()


def test_registries_refuse_a_name_twice():
    with pytest.raises(ValueError, match="registered twice"):
        registry.nav("registry", "党员名册", "members:list", "view")
    with pytest.raises(ValueError, match="registered twice"):
        registry.lists.register(registry.ListExport("accounts_users", "x", lambda u, p: [], []))


def test_navigation_is_built_from_what_the_apps_registered():
    sections = {s.name: [e.url_name for e in entries] for s, entries in registry.navigation()}
    assert sections["workbench"] == ["core:home", "core:todo"]
    assert "recruitment:file_list" in sections["recruitment"] and "dues:ledger" in sections["dues"]
    order = [s.name for s, _ in registry.navigation()]
    assert order.index("workbench") < order.index("registry") < order.index("system")


@pytest.mark.django_db
def test_home_shows_registered_figures(client):
    t = make_tree()
    user = make_user("branch_secretary", t["branches"][0][0])
    entry = registry.HomeFigures("tests_home", lambda u: [("测试指标", 42, "项", "/todo/")])
    registry.home.register(entry)
    try:
        client.force_login(user)
        body = client.get("/").content.decode()
        assert "测试指标" in body and "42" in body
    finally:
        registry.home.unregister("tests_home")


@pytest.mark.django_db
def test_a_second_organisation_is_not_in_scope():
    t = make_tree()
    user = make_user("branch_secretary", t["branches"][0][0])
    other = make_org(t["committees"][1])
    assert not user_scope(user, "view").covers_path(other.path)
