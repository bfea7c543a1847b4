"""The member table's indexes (issue 13, index diet): each kept index serves a named
query, and the partial unique index on the ID number survives the migrations."""

import pytest
from django.db import connection
from django.http import QueryDict

from apps.core import crypto
from apps.core.paging import keyset_condition
from apps.members.filters import ORDERING, search_members
from apps.members.models import Member
from apps.members.selectors import roster
from tests.factories import make_member, make_user

KEPT = {
    "member_org_path_idx",
    "member_initials_like_idx",
    "member_pinyin_idx",
    "member_initials_alt_like_idx",
    "member_pinyin_alt_like_idx",
    "member_id_number_hash_idx",
    "member_phone_hash_idx",
    "member_id_number_unique_active",
}


def _indexes():
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Member._meta.db_table)
    return {name: info for name, info in found.items() if info["index"] and not info["primary_key"]}


@pytest.mark.django_db
def test_the_table_carries_the_declared_indexes_and_no_low_selectivity_ones():
    indexes = _indexes()
    assert KEPT <= set(indexes)
    indexed_columns = {tuple(info["columns"]) for info in indexes.values()}
    for column in ("status", "education", "occupation", "member_type"):
        assert (column,) not in indexed_columns
    # one index per search key on PostgreSQL (db_index added a second, pattern-ops copy)
    per_column = {}
    for info in indexes.values():
        per_column.setdefault(tuple(info["columns"]), 0)
        per_column[tuple(info["columns"])] += 1
    for column in ("name_initials", "phone_hash"):
        assert per_column[(column,)] == 1, column
    # byte-order columns (ByteOrderCharField): one plain btree with the id serves LIKE and ORDER BY
    assert per_column[("name_pinyin", "id")] == 1 and ("name_pinyin",) not in per_column
    if connection.vendor == "postgresql":
        # (org_path, id) INCLUDE (status): introspection lists the INCLUDE column too
        assert per_column[("org_path", "id", "status")] == 1
        assert ("org_path", "id") not in per_column and ("org_path",) not in per_column
        with connection.cursor() as cursor:
            cursor.execute("SELECT indnkeyatts FROM pg_index WHERE indexrelid = 'member_org_path_idx'::regclass")
            assert cursor.fetchone()[0] == 2  # status is carried, not a key column: the order stays (org_path, id)
    else:
        # the declared (org_path, id) and its NOCASE twin (org_path, id, status), which is
        # the path's only NOCASE index (apps.core.sqlite_paths; tests/core/test_sqlite_paths.py)
        assert per_column[("org_path", "id")] == 1
        assert indexes["member_org_path_idx_nocase"]["columns"] == ["org_path", "id", "status"]
        assert ("org_path",) not in per_column
    assert per_column[("id_number_hash",)] == 2  # the lookup index and the partial unique one


def _plan(queryset, *, ordered: bool = False) -> str:
    """The plan with sequential scans disabled, so that on a tiny test table it shows what
    an index CAN serve. ordered=True (a query whose order an index should give) also
    disables bitmap scans and sorts: a sort then appears only where no index can give the
    order (a disabled node is still used when nothing else can do the work). With only
    seqscan off, PostgreSQL sometimes chose a bitmap scan plus a sort for three rows, and
    the test failed on a plan that was fine."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if ordered:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        # SET LOCAL lasts until the test's transaction ends: back for the next plan
        cursor.execute("SET LOCAL enable_bitmapscan = on")
        cursor.execute("SET LOCAL enable_sort = on")
        return plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's")
@pytest.mark.django_db(transaction=False)
def test_each_kept_index_serves_its_query(tree):
    branch = tree["branches"][0][0]
    make_member(branch, name="覃小林")
    make_member(branch, name="王芳")
    user = make_user("county_admin", tree["county"])
    # the subtree filter and the roster's order from one index, no sort (the C collation)
    plan = _plan(roster(user, QueryDict(f"org={branch.pk}"))[:50], ordered=True)
    assert "member_org_path_idx" in plan and "Sort" not in plan, plan
    # a keyset page starts in the index at its cursor
    rows = roster(user, QueryDict(f"org={branch.pk}"))
    first = rows.first()
    plan = _plan(rows.filter(keyset_condition(ORDERING["org"], [first.org_path, first.pk]))[:50], ordered=True)
    index_cond = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "member_org_path_idx" in plan and "Sort" not in plan and f">= '{first.org_path}'::text" in index_cond, plan
    # the capped count of a status-filtered subtree reads the index alone (status INCLUDEd):
    # capped_count's statement, as the roster's page carries it (apps.core.paging.with_capped_count)
    # (bitmap scans off too: on a tiny table PostgreSQL may prefer one, which never is index-only)
    counted = Member.objects.filter(org_path__startswith=branch.path, status="normal").order_by().values("pk")[:10001]
    plan = _plan(counted, ordered=True)
    assert "Index Only Scan using member_org_path_idx" in plan, plan
    plan = _plan(Member.objects.order_by(*ORDERING["name"])[:50], ordered=True)  # (a county's roster by name at scale)
    assert "member_pinyin_idx" in plan and "Sort" not in plan, plan
    plan = _plan(search_members(Member.objects.order_by(), "qxl"))
    assert "member_initials_like_idx" in plan and "member_initials_alt_like_idx" in plan
    assert "member_pinyin_idx" in plan and "member_pinyin_alt_like_idx" in plan
    hashed = Member.objects.filter(id_number_hash=crypto.blind_index("110101199003077777"))
    assert "member_id_number_hash_idx" in _plan(hashed) or "member_id_number_unique_active" in _plan(hashed)
    assert "member_phone_hash_idx" in _plan(Member.objects.filter(phone_hash=crypto.blind_index("13800000000")))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics targets are PostgreSQL's")
@pytest.mark.django_db
def test_search_keys_keep_finer_statistics():
    """members 0011: a prefix search's row estimate stays near its size (no parallel plan for 200 rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstattarget FROM pg_attribute WHERE attrelid = 'members_member'::regclass "
            "AND attname IN ('name_initials', 'name_pinyin')"
        )
        assert dict(cursor.fetchall()) == {"name_initials": 1000, "name_pinyin": 1000}
