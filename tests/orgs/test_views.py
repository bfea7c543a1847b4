import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.actors import system_actor
from apps.core.models import ChangeLog
from apps.members.models import Member
from apps.orgs.models import CommitteeMember, Organisation
from tests.factories import make_member, make_org, make_user


@pytest.fixture
def admin_client(client, tree):
    user = make_user("county_admin", tree["county"])
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def secretary_client(client, tree):
    user = make_user("branch_secretary", tree["branches"][0][0])
    client.force_login(user)
    client.user = user
    return client


def test_tree_shows_scope_roots_with_subtree_counts(admin_client, tree):
    make_member(tree["branches"][0][0])
    make_member(tree["branches"][0][1])
    r = admin_client.get(reverse("orgs:tree"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "中共测试县委员会" in html and "2 名党员" in html and "县委" in html


def test_children_partial_lists_children_with_counts(admin_client, tree):
    make_member(tree["branches"][0][0])
    r = admin_client.get(reverse("orgs:children", args=[tree["county"].pk]))
    html = r.content.decode()
    assert "测试第1镇党委" in html and "测试第2镇党委" in html
    assert "1 名党员" in html and "0 名党员" in html


def test_secretary_tree_starts_at_own_branch(secretary_client, tree):
    html = secretary_client.get(reverse("orgs:tree")).content.decode()
    assert tree["branches"][0][0].name in html
    assert "中共测试县委员会" not in html


@pytest.mark.parametrize("name", ["detail", "children", "edit", "move", "dissolve", "seat_add"])
def test_other_branch_gets_404(secretary_client, tree, name):
    other = tree["branches"][1][0]
    assert secretary_client.get(reverse(f"orgs:{name}", args=[other.pk])).status_code == 404
    assert secretary_client.post(reverse(f"orgs:{name}", args=[other.pk]), {"name": "x"}).status_code == 404


def test_create_other_branch_parent_404(secretary_client, tree):
    other = tree["branches"][1][0]
    r = secretary_client.post(reverse("orgs:create", args=[other.pk]), {"name": "第一党小组", "code": "G1", "org_type": "party_group"})
    assert r.status_code == 404
    assert not Organisation.objects.filter(code="G1").exists()


def test_detail_shows_properties_warnings_committee_history(admin_client, tree):
    branch = tree["branches"][0][0]
    make_member(branch)
    r = admin_client.get(reverse("orgs:detail", args=[branch.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert branch.code in html and "党支部" in html
    assert "少于3名" in html  # structure warning
    assert "变更历史" in html and "新增" in html
    assert f"?org={branch.pk}" in html


def test_detail_query_count_constant(admin_client, tree):
    branch = tree["branches"][0][0]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse("orgs:detail", args=[tree["committees"][0].pk])).status_code == 200
        return len(ctx)

    for _ in range(3):
        make_member(branch)
    make_org(tree["committees"][0], org_type="general_branch")
    few = count()
    for _ in range(27):
        make_member(branch)
    for _ in range(5):
        make_org(tree["committees"][0], org_type="general_branch")
    assert count() == few


def test_create_child_happy_and_errors(admin_client, tree):
    parent = tree["committees"][0]
    url = reverse("orgs:create", args=[parent.pk])
    r = admin_client.post(url, {"name": "新支部", "code": "NEW1", "org_type": "branch", "unit_type": "village", "term_start": "2024-01-01"})
    assert r.status_code == 302
    org = Organisation.objects.get(code="NEW1")
    assert Organisation.objects.get_parent(org) == parent and org.term_end == datetime.date(2028, 12, 31)
    # bad input: duplicate code, missing name → Chinese messages, nothing written
    n = Organisation.objects.count()
    r = admin_client.post(url, {"name": "", "code": "NEW1", "org_type": "branch"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "组织全称为必填项" in html and "组织代码“NEW1”已被使用" in html
    assert Organisation.objects.count() == n


def test_create_wrong_child_type_refused(admin_client, tree):
    branch = tree["branches"][0][0]
    r = admin_client.post(reverse("orgs:create", args=[branch.pk]), {"name": "x", "code": "X1", "org_type": "committee"})
    assert "不是可选" in r.content.decode() or "不能设立" in r.content.decode()
    assert not Organisation.objects.filter(code="X1").exists()


def test_edit_happy_and_error(admin_client, tree):
    branch = tree["branches"][0][0]
    url = reverse("orgs:edit", args=[branch.pk])
    assert admin_client.get(url).status_code == 200
    r = admin_client.post(url, {"name": "改名支部", "code": branch.code, "org_type": "branch", "unit_type": "other"})
    assert r.status_code == 302
    branch.refresh_from_db()
    assert branch.name == "改名支部"
    html = admin_client.get(reverse("orgs:detail", args=[branch.pk])).content.decode()
    assert "组织全称" in html and "改名支部" in html  # readable history
    r = admin_client.post(
        url, {"name": "改名支部", "code": branch.code, "org_type": "branch", "term_start": "2024-01-01", "term_end": "2023-01-01"}
    )
    assert "任期届满日期必须晚于任期开始日期" in r.content.decode()
    branch.refresh_from_db()
    assert branch.term_end is None


def test_move_subtree_members_follow(admin_client, tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    target = tree["committees"][1]
    r = admin_client.post(reverse("orgs:move", args=[branch.pk]), {"parent": target.pk})
    assert r.status_code == 302
    branch.refresh_from_db()
    m.refresh_from_db()
    assert branch.path.startswith(target.path)
    assert m.org_path == branch.path


def test_move_refused_shows_error(admin_client, tree):
    branch = tree["branches"][0][0]
    r = admin_client.post(reverse("orgs:move", args=[branch.pk]), {"parent": ""})
    assert "新的上级组织为必填项" in r.content.decode()
    r = admin_client.post(reverse("orgs:move", args=[branch.pk]), {"parent": tree["committees"][0].pk})
    assert "已在该上级组织之下" in r.content.decode()


def test_move_secretary_cannot_move_own_branch_out(secretary_client, tree):
    branch = tree["branches"][0][0]
    r = secretary_client.post(reverse("orgs:move", args=[branch.pk]), {"parent": tree["committees"][1].pk})
    assert r.status_code == 200  # target not in the choices
    branch.refresh_from_db()
    assert branch.path.startswith(tree["committees"][0].path)


def test_dissolve_refused_with_members_then_done(admin_client, tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    url = reverse("orgs:dissolve", args=[branch.pk])
    r = admin_client.post(url, {})
    assert "仍有 1 名在册党员" in r.content.decode()
    branch.refresh_from_db()
    assert branch.status == "active"
    from apps.members.services import move_member

    move_member(m, tree["branches"][0][1], date=datetime.date.today(), actor=system_actor("cli"))
    r = admin_client.post(url, {})
    assert r.status_code == 302, r.content.decode().split("<h1>")[1][:1500]
    branch.refresh_from_db()
    assert branch.status == "dissolved"


def test_committee_seat_add_and_end(admin_client, tree):
    branch = tree["branches"][0][0]
    m = make_member(branch)
    url = reverse("orgs:seat_add", args=[branch.pk])
    assert admin_client.get(url).status_code == 200
    r = admin_client.post(url, {"member": m.pk, "role": "secretary", "start_date": "2024-01-01"})
    assert r.status_code == 302
    seat = CommitteeMember.objects.get(organisation=branch)
    assert ChangeLog.objects.filter(object_type="orgs.committeemember", object_id=str(seat.pk)).exists()
    # a second secretary is refused
    m2 = make_member(branch)
    r = admin_client.post(url, {"member": m2.pk, "role": "secretary"})
    assert "已有在任书记" in r.content.decode()
    assert CommitteeMember.objects.count() == 1
    # end the seat: bad date, then ok
    end = reverse("orgs:seat_end", args=[seat.pk])
    r = admin_client.post(end, {"end_date": "2023-01-01"})
    assert "离任日期不能早于任职日期" in r.content.decode()
    assert admin_client.post(end, {"end_date": "2024-06-01"}).status_code == 302
    seat.refresh_from_db()
    assert seat.end_date == datetime.date(2024, 6, 1)


def test_seat_end_other_branch_404(secretary_client, tree):
    other = tree["branches"][1][0]
    from apps.orgs.committee import add_committee_seat

    seat = add_committee_seat(other, make_member(other), "secretary", actor=system_actor("cli"))
    assert secretary_client.get(reverse("orgs:seat_end", args=[seat.pk])).status_code == 404
    assert secretary_client.post(reverse("orgs:seat_end", args=[seat.pk]), {}).status_code == 404
    seat.refresh_from_db()
    assert seat.end_date is None


def test_terms_due_list_scoped(secretary_client, tree):
    today = datetime.date.today()
    own, other = tree["branches"][0][0], tree["branches"][1][0]
    Organisation.objects.filter(pk__in=[own.pk, other.pk]).update(
        term_start=today - datetime.timedelta(days=1000), term_end=today + datetime.timedelta(days=30)
    )
    html = secretary_client.get(reverse("orgs:terms")).content.decode()
    assert own.name in html and other.name not in html and "即将到期" in html


def test_member_counts_unchanged_by_views(admin_client, tree):
    make_member(tree["branches"][0][0])
    assert Member.objects.count() == 1


def test_children_partial_query_count_constant(admin_client, tree):
    county = tree["county"]

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(reverse("orgs:children", args=[tree["committees"][0].pk])).status_code == 200
            assert admin_client.get(reverse("orgs:tree")).status_code == 200
        return len(ctx)

    count()
    few = count()
    for _ in range(10):
        b = make_org(tree["committees"][0], org_type="branch")
        make_member(b)
    make_org(county, org_type="committee")
    assert count() == few


def test_branch_secretary_is_not_offered_to_move_or_dissolve_own_branch(client, tree):
    from django.urls import reverse

    from tests.factories import make_user

    branch = tree["branches"][0][0]
    client.force_login(make_user("branch_secretary", branch))
    html = client.get(reverse("orgs:detail", args=[branch.pk])).content.decode()
    assert reverse("orgs:move", args=[branch.pk]) not in html and reverse("orgs:dissolve", args=[branch.pk]) not in html
    client.force_login(make_user("committee_organiser", tree["committees"][0]))
    html = client.get(reverse("orgs:detail", args=[branch.pk])).content.decode()
    assert reverse("orgs:move", args=[branch.pk]) in html
