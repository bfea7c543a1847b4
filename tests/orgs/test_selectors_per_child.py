"""One selector for "per child organisation, summed by subtree" (stats, dues and
recruitment all use it)."""

from django.db.models import Count, Sum

from apps.members.models import Member
from apps.orgs import selectors
from apps.orgs.models import Organisation
from tests.factories import make_member, make_org


def test_per_child_sums_each_subtree_in_one_query(tree, django_assert_num_queries):
    county = tree["county"]
    c1, c2 = tree["committees"]
    make_org(tree["branches"][0][0], org_type="party_group")
    for branch, n in ((tree["branches"][0][0], 2), (tree["branches"][0][1], 1), (tree["branches"][1][0], 3)):
        for _ in range(n):
            make_member(branch)
    with django_assert_num_queries(1):
        sums = selectors.per_child(county, Member.objects.all(), "org_path", n=Count("id"))
    assert sums == {c1.path: {"n": 3}, c2.path: {"n": 3}}
    by_branch = selectors.per_child(c1, Member.objects.all(), "org_path", by=("sex",), n=Count("id"))
    assert sum(v["n"] for v in by_branch.values()) == 3
    orgs = selectors.per_child(county, Organisation.objects.filter(depth__gt=county.depth), "path", members=Sum("direct_member_count"))
    assert orgs[c1.path]["members"] == 3 and orgs[c2.path]["members"] == 3


def test_child_units_leave_out_party_groups(tree):
    branch = tree["branches"][0][0]
    make_org(branch, org_type="party_group")
    assert selectors.child_units(branch) == []
    assert selectors.child_units(branch, or_self=True) == [branch]
    assert selectors.child_units(tree["county"]) == tree["committees"]


def test_subtree_counts_of_many_organisations_is_one_range_per_depth(tree, django_assert_num_queries):
    """A county lists over 1,000 organisations of one depth: one query per depth whatever
    their number (an OR of a LIKE per organisation broke SQLite past ~1000)."""
    branches = [b for group in tree["branches"] for b in group]
    for branch, n in zip(branches, (2, 1, 3), strict=False):
        for _ in range(n):
            make_member(branch)
    Organisation.objects.filter(pk__in=[b.pk for b in branches]).update(direct_member_count=0)
    from apps.members.services import recount_members

    recount_members()
    real = list(Organisation.objects.filter(pk__in=[b.pk for b in branches]))
    expected = {b.pk: Member.objects.counted().filter(org_path__startswith=b.path).count() for b in real}
    depth = real[0].depth
    # 1,100 more organisations of the branches' depth under the same committee (not saved:
    # the selector reads only their pk, path and depth), none holding members
    parent = real[0].path[: -Organisation.steplen]
    ghosts = [Organisation(pk=10_000_000 + i, path=f"{parent}{'YZ'[i // 1000]}{i % 1000:03d}", depth=depth) for i in range(1100)]
    with django_assert_num_queries(1):
        counts = selectors.subtree_counts(real + ghosts)
    assert {pk: counts[pk] for pk in expected} == expected
    assert sum(expected.values()) == 6
    assert all(counts[g.pk] == 0 for g in ghosts)
