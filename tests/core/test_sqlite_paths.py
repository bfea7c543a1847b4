import pytest
from django.db import connection

from apps.core.sqlite_paths import ensure_nocase_path_indexes
from apps.members.models import Member
from tests.factories import make_member


def _sqlite_plan(queryset, index: str | None = None) -> str:
    sql, params = queryset.query.sql_with_params()
    if index:  # forced onto the index: the plan shows how it is used
        sql = sql.replace('FROM "members_member"', f'FROM "members_member" INDEXED BY "{index}"', 1)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def _sqlite_indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_subtree_filters_use_an_index_on_sqlite(tree):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses its varchar_pattern_ops indexes")
    created = ensure_nocase_path_indexes()
    # the member table's path index is the NOCASE twin of (org_path, id) INCLUDE (status)
    assert "member_org_path_idx_nocase" in created and "members_member_org_path_nocase" not in created
    assert "members_member_org_path_nocase" not in _sqlite_indexes("members_member")
    assert "orgs_organisation_path_nocase" in created  # a path with no covering index keeps its own
    branch = tree["branches"][0][0]
    make_member(branch)
    qs = Member.objects.filter(org_path__startswith=branch.path, status="normal")
    # the LIKE must become a range SEARCH (not a full index SCAN) ...
    plan = _sqlite_plan(qs, "member_org_path_idx_nocase")
    assert "SEARCH members_member USING INDEX member_org_path_idx_nocase (org_path>? AND org_path<?)" in plan
    # ... and the roster's capped count of a status-filtered subtree reads the index alone
    plan = _sqlite_plan(qs.order_by().values("pk")[:10001])
    assert "SEARCH members_member USING COVERING INDEX member_org_path_idx_nocase (org_path>? AND org_path<?)" in plan
    assert qs.count() == 1


@pytest.mark.django_db
def test_a_twin_replaces_the_single_column_nocase_index_of_an_existing_database():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses its varchar_pattern_ops indexes")
    # a database migrated before the twin existed carries the single-column index
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "members_member_org_path_nocase" ON "members_member" ("org_path" COLLATE NOCASE)')
    ensure_nocase_path_indexes()
    names = _sqlite_indexes("members_member")
    assert "member_org_path_idx_nocase" in names and "members_member_org_path_nocase" not in names


@pytest.mark.django_db
def test_a_covering_path_index_gets_a_nocase_twin_the_subtree_sum_reads_alone(tree):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses its varchar_pattern_ops indexes")
    from django.db.models import Sum

    from apps.dues.models import DuesLine, DuesTally

    created = ensure_nocase_path_indexes()
    assert "dues_tally_path_month_cov_nocase" in created
    assert "dues_line_path_month_idx_nocase" not in created  # no INCLUDE: the path's own index serves it
    assert "dues_duesline_org_path_nocase" in created
    assert "dues_duestally_org_path_nocase" not in created  # the twin serves the path's LIKE
    qs = DuesTally.objects.filter(org_path__startswith=tree["county"].path, month__gte="2026-01-01").order_by()
    sql, params = qs.values("org_path").annotate(n=Sum("lines")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING COVERING INDEX dues_tally_path_month_cov_nocase" in plan
    assert DuesLine.objects.count() == 0
