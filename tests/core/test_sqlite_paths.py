import pytest
from django.db import connection

from apps.core.sqlite_paths import ensure_nocase_path_indexes
from apps.members.models import Member
from tests.factories import make_member


@pytest.mark.django_db
def test_subtree_filters_use_an_index_on_sqlite(tree):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses its varchar_pattern_ops indexes")
    assert "members_member_org_path_nocase" in ensure_nocase_path_indexes()
    branch = tree["branches"][0][0]
    make_member(branch)
    qs = Member.objects.filter(org_path__startswith=branch.path, status="normal")
    sql, params = qs.query.sql_with_params()
    # forced onto the index, the LIKE must become a range SEARCH (not a full index SCAN)
    forced = sql.replace('FROM "members_member"', 'FROM "members_member" INDEXED BY "members_member_org_path_nocase"', 1)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + forced, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SEARCH members_member USING INDEX members_member_org_path_nocase (org_path>? AND org_path<?)" in plan
    assert qs.count() == 1


@pytest.mark.django_db
def test_a_covering_path_index_gets_a_nocase_twin_the_subtree_sum_reads_alone(tree):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL uses its varchar_pattern_ops indexes")
    from django.db.models import Sum

    from apps.dues.models import DuesLine, DuesTally

    created = ensure_nocase_path_indexes()
    assert "dues_tally_path_month_cov_nocase" in created
    assert "dues_line_path_month_idx_nocase" not in created  # no INCLUDE: the path's own index serves it
    qs = DuesTally.objects.filter(org_path__startswith=tree["county"].path, month__gte="2026-01-01").order_by()
    sql, params = qs.values("org_path").annotate(n=Sum("lines")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING COVERING INDEX dues_tally_path_month_cov_nocase" in plan
    assert DuesLine.objects.count() == 0
