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
