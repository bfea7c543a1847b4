"""Statistics snapshots (apps.stats.snapshots, ADR 0011): a subtree's member figures read
from the day's snapshot, corrected for every change since the build, equal the live count;
the snapshot is not used where it could be wrong."""

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core import registry
from apps.core.actors import system_actor
from apps.members import codes
from apps.members import services as member_services
from apps.members.models import Member
from apps.orgs import services as org_services
from apps.stats import selectors, snapshots
from apps.stats.models import OrgFigures, SnapshotRun
from apps.stats.selectors import party_statistics
from tests.factories import make_member

ACTOR = system_actor("cli")


@pytest.fixture
def county(tree, settings):
    """The test tree with a few members of every kind; every subtree with a member gets
    subtree figures (threshold 1) and the build has no margin (no other writer)."""
    settings.STATS_SNAPSHOT_MIN_MEMBERS = 1
    settings.STATS_SNAPSHOT_MARGIN_SECONDS = 0
    (a1, a2), (b1, b2) = tree["branches"]
    make_member(a1, sex="F", ethnicity="畲族", categories=["rural"], education="college")
    make_member(a1, sex="M", member_type="probationary", conversion_date=None, join_date=timezone.localdate() - datetime.timedelta(days=40))
    make_member(a2, sex="F", occupation="farmer", categories=["rural", "hardship"])
    make_member(b1, birth_date=datetime.date(1940, 5, 5), join_date=datetime.date(1965, 7, 1), conversion_date=datetime.date(1966, 7, 1))
    make_member(
        b1,
        increase_method="developed",
        join_date=datetime.date(timezone.localdate().year, 1, 2),
        conversion_date=None,
        member_type="probationary",
    )
    make_member(b2)
    return tree


def _same(org):
    """The statistics read through the snapshot and counted live are equal."""
    assert party_statistics(org) == party_statistics(org, snapshot=False)


def _used(org) -> bool:
    return snapshots.member_row(org, timezone.localdate(), snapshots.conditions(timezone.localdate())) is not None


def test_build_stores_direct_and_subtree_figures(county):
    run = snapshots.build()
    root = county["county"]
    assert run.day == timezone.localdate() and run.members == 6
    top = OrgFigures.objects.get(run=run, organisation=root)
    assert top.subtree["total"] == 6 and top.direct == {} and top.direct_count == 0
    a1 = county["branches"][0][0]
    row = OrgFigures.objects.get(run=run, organisation=a1)
    assert row.direct_count == 2 and row.direct["women"] == 1 and row.direct["cat_rural"] == 1
    assert "men" in row.direct and all(v for v in row.direct.values()), "only non-zero figures are stored"
    for org in (root, *county["committees"], a1):
        assert _used(org)
        _same(org)


def test_reading_an_unchanged_snapshot_does_not_count_the_members(county):
    snapshots.build()
    root = county["county"]
    with CaptureQueriesContext(connection) as ctx:
        row = selectors._member_pass(root, timezone.localdate(), registry.stats.all())
    member_queries = [q["sql"] for q in ctx.captured_queries if '"members_member"' in q["sql"]]
    # the only query on the member table looks for rows written since the build
    assert len(member_queries) == 1 and "updated_at" in member_queries[0]
    assert "COUNT" not in member_queries[0].upper()
    assert row["total"] == 6 and party_statistics(root)["members"]["total"] == 6


def test_every_kind_of_write_after_the_build_is_counted(county):
    snapshots.build()
    (a1, a2), (b1, b2) = county["branches"]
    root = county["county"]
    today = timezone.localdate()
    new = make_member(a2, sex="F", ethnicity="回族")  # a new member
    edited = Member.objects.filter(organisation=a1, sex="F").get()
    member_services.update_member(edited, {"education": "postgraduate", "categories": ["hardship"]}, actor=ACTOR)  # fields
    moved = Member.objects.filter(organisation=b2).get()
    member_services.move_member(moved, a1, date=today, reason="调整", actor=ACTOR)  # a move
    gone = Member.objects.filter(organisation=b1, birth_date=datetime.date(1940, 5, 5)).get()
    member_services.change_status(gone, "deceased", date=today, reason="病故", actor=ACTOR)  # leaves the count
    run = snapshots.current_run()
    assert snapshots._dirty(run, root) == {a1.pk, a2.pk, b1.pk, b2.pk}
    assert new.pk
    for org in (root, *county["committees"]):
        assert _used(org)
        _same(org)
    assert party_statistics(root)["members"]["total"] == 6


def test_bulk_update_of_the_import_is_counted(county):
    snapshots.build()
    a2 = county["branches"][0][1]
    member = Member.objects.get(organisation=a2)
    clean = member_services.validate_member_data(
        {"education": "postgraduate", "categories": ["retired"], "organisation": a2}, instance=member, check_duplicate=False
    )
    with transaction.atomic():
        member_services.bulk_update_members([(member, clean)], actor=ACTOR)
    assert snapshots._dirty(snapshots.current_run(), county["county"]) == {a2.pk}
    _same(county["county"])


@pytest.mark.parametrize("seed", range(4))
def test_random_writes_after_the_build_equal_the_live_count(county, seed):
    """Random sequences of member writes (create, edit, move, status) between two reads."""
    rnd = random.Random(seed)
    branches = [b for pair in county["branches"] for b in pair]
    today = timezone.localdate()
    snapshots.build()
    for _step in range(10):
        members = list(Member.objects.filter(status__in=codes.ACTIVE_STATUSES))
        op = rnd.choice(["create", "edit", "move", "status"])
        if op == "create" or not members:
            make_member(rnd.choice(branches), sex=rnd.choice("MF"), education=rnd.choice(["college", "bachelor", "high_school"]))
        elif op == "edit":
            m = rnd.choice(members)
            member_services.update_member(
                m,
                {"ethnicity": rnd.choice(["汉族", "畲族", "苗族"]), "occupation": rnd.choice(["farmer", "manager", "professional"])},
                actor=ACTOR,
            )
        elif op == "move":
            m = rnd.choice(members)
            target = rnd.choice([b for b in branches if b.pk != m.organisation_id])
            member_services.move_member(m, target, date=today, reason="调整", actor=ACTOR)
        else:
            m = rnd.choice(members)
            to = rnd.choice(["mobile", "lost_contact", "deceased", "normal"])
            if to != m.status:
                member_services.change_status(
                    m, to, date=today, reason="测试", actor=ACTOR, lost_contact_reason="联系不上" if to == "lost_contact" else ""
                )
        if rnd.random() < 0.3:
            snapshots.build()  # rebuilt in the middle: the new run is read from then on
    for org in (county["county"], *county["committees"]):
        assert _used(org)
        _same(org)


def test_not_used_where_it_could_be_wrong(county, settings):
    root = county["county"]
    today = timezone.localdate()
    assert not _used(root), "no run yet"
    snapshots.build(today - datetime.timedelta(days=1))
    assert not _used(root), "a run of another day: ages and this year's figures differ"
    run = snapshots.build()
    SnapshotRun.objects.filter(pk=run.pk).update(signature="0" * 64)
    assert not _used(root), "counted with other conditions (code changed since)"
    snapshots.build()
    settings.STATS_SNAPSHOT_MAX_DIRTY = 0
    make_member(county["branches"][0][0])
    assert not _used(root), "too many changes: counted live"
    _same(root)


def test_small_subtrees_are_counted_live(county, settings):
    settings.STATS_SNAPSHOT_MIN_MEMBERS = 3
    run = snapshots.build()
    committee_a, _committee_b = county["committees"]
    assert _used(county["county"]) and _used(committee_a)
    assert not _used(county["branches"][0][0]), "2 members: below the threshold"
    assert OrgFigures.objects.filter(run=run, subtree__isnull=False).count() == 3  # county, both committees
    _same(county["branches"][0][0])


def test_moving_a_subtree_forgets_the_snapshot(county):
    snapshots.build()
    a1 = county["branches"][0][0]
    committee_b = county["committees"][1]
    org_services.move_subtree(a1, committee_b, actor=ACTOR)
    assert not SnapshotRun.objects.exists()
    assert party_statistics(committee_b)["members"]["total"] == 5


def test_rows_written_within_the_margin_are_recounted(county):
    run = snapshots.build(margin_seconds=3600)
    assert run.clean_before <= run.started_at - datetime.timedelta(seconds=3600)
    with_members = set(Member.objects.values_list("organisation_id", flat=True))
    assert snapshots._dirty(run, county["county"]) == with_members
    _same(county["county"])


def test_command_builds_reports_and_skips_a_current_run(county):
    out = io.StringIO()
    call_command("build_stats_snapshot", "--margin", "0", stdout=out)
    assert "统计快照已生成" in out.getvalue() and "6 名党员" in out.getvalue()
    out = io.StringIO()
    call_command("build_stats_snapshot", "--if-stale", stdout=out)
    assert "已是最新" in out.getvalue()
    assert SnapshotRun.objects.count() == 1
    with pytest.raises(CommandError, match="不是 YYYY-MM-DD"):
        call_command("build_stats_snapshot", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="不能为负数"):
        call_command("build_stats_snapshot", "--margin", "-5")


def test_rebuilding_the_day_replaces_the_run(county):
    first = snapshots.build()
    second = snapshots.build()
    assert list(SnapshotRun.objects.values_list("pk", flat=True)) == [second.pk] and first.pk != second.pk


def test_check_org_tree_reports_and_repairs_a_wrong_snapshot(county):
    run = snapshots.build()
    top = OrgFigures.objects.get(run=run, organisation=county["county"])
    top.subtree = {**top.subtree, "women": top.subtree["women"] + 7}
    top.save()
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_org_tree", stdout=out)
    assert "统计快照与党员信息不一致" in out.getvalue() and "women" in out.getvalue()
    out = io.StringIO()
    call_command("check_org_tree", "--fix-counts", stdout=out)
    assert "已重新生成" in out.getvalue()
    assert snapshots.drift() == []
    _same(county["county"])


def test_fixed_number_of_queries_whatever_the_members(county):
    snapshots.build()
    root = county["county"]
    make_member(county["branches"][1][1])  # one dirty organisation

    def count():
        with CaptureQueriesContext(connection) as ctx:
            snapshots.member_row(root, timezone.localdate(), snapshots.conditions(timezone.localdate()))
        return len(ctx.captured_queries)

    before = count()
    for b in (b for pair in county["branches"] for b in pair):
        make_member(b)
    assert count() == before == 5  # figures row + run, two dirty tests, stored and live direct figures


def _fields(node):
    """The member fields a condition reads (lookups and the F() inside expressions)."""
    from django.db.models import F, Q

    if isinstance(node, Q):
        for child in node.children:
            yield from _fields(child)
    elif isinstance(node, tuple):
        yield node[0].split("__")[0]
    elif isinstance(node, F):
        yield node.name.split("__")[0]
    else:
        for expr in node.get_source_expressions():
            yield from _fields(expr)


def test_every_condition_reads_the_member_row_only(db):
    """Readers find changes by Member.updated_at and the counters: a condition on another
    table (a join) would change without either, so no registered section may declare one."""
    from apps.members.models import Member as M

    columns = {f.name for f in M._meta.concrete_fields if not f.is_relation}
    cond = snapshots.conditions(timezone.localdate())
    assert any(k.startswith("development:") for k in cond)  # the sections' figures are in it
    for key, q in cond.items():
        read = set(_fields(q))
        assert read and read <= columns, (key, read - columns)
