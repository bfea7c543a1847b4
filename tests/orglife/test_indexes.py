"""The compliance counts read the meeting index alone (SQLite plan): the organisation,
kind, date, status and counted flag of every meeting of the year are in
orglife_meeting_org_kind_cov, so counting the periods met needs no meeting row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.orglife import compliance, services
from apps.orgs.models import Organisation

from .conftest import meeting

pytestmark = pytest.mark.django_db


def test_lagging_counts_use_the_covering_index(tree):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL keeps (status, counted) in the same btree")
    branch = tree["branches"][0][0]
    meeting(branch, "theme_day", datetime.date(2025, 3, 10))  # one meeting: the plan must not depend on there being none
    orgs = Organisation.objects.filter(path__startswith=tree["county"].path, status="active")
    version = services.current_version()
    with CaptureQueriesContext(connection) as ctx:
        figures = compliance.lagging_figures(orgs, 2025, None, datetime.date(2025, 12, 31), version)
    counted = [q["sql"] for q in ctx.captured_queries if "COUNT(DISTINCT" in q["sql"] and "orglife_meeting" in q["sql"]]
    assert counted
    with connection.cursor() as cursor:
        for sql in counted:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING COVERING INDEX orglife_meeting_org_kind_cov" in plan, plan
    # every organisation that holds organisational life has its due and missing periods
    assert {f[0] for f in figures} == set(orgs.filter(org_type__in=compliance.rules.COMPLIANCE_TYPES).values_list("pk", flat=True))
    assert all(0 <= missing <= due for _pk, _path, due, missing in figures) and any(due for *_x, due, _m in figures)
