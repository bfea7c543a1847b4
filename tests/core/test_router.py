"""The read-replica path (docs/scale-out.md): inside `reporting()` reads go to the
"replica" alias and writes to "default"; outside it everything goes to default."""

import warnings

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext

from apps.core.models import AccessLog
from apps.core.routers import REPLICA, ReportReplicaRouter, reporting
from apps.members.models import Member
from apps.orgs.models import Organisation
from tests.factories import make_org


@pytest.fixture
def replica(settings):
    """A second alias on the same test database (like TEST["MIRROR"]: a replica that
    reads what the primary committed), visible to the router through settings."""
    primary = connections.settings["default"]
    cfg = {**primary, "TEST": {**primary.get("TEST", {}), "MIRROR": "default"}}
    connections.settings[REPLICA] = cfg
    warnings.filterwarnings("ignore", message="Overriding setting DATABASES")
    settings.DATABASES = {**settings.DATABASES, REPLICA: cfg}
    conn = connections[REPLICA]
    # Connect up front: the test case only lets already-open connections outside its
    # declared databases through, and this alias did not exist when it was declared.
    conn.connect()
    if conn.vendor == "sqlite":
        # shared-cache in-memory test database: let the mirror read past the primary's
        # open test transaction instead of failing with "table is locked"
        conn.connection.execute("PRAGMA read_uncommitted = true")
    yield conn
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def _queries(fn):
    with CaptureQueriesContext(connections["default"]) as on_default, CaptureQueriesContext(connections[REPLICA]) as on_replica:
        fn()
    return len(on_default.captured_queries), len(on_replica.captured_queries)


@pytest.mark.django_db
def test_reads_inside_reporting_go_to_the_replica(replica):
    with reporting():
        assert router.db_for_read(Member) == REPLICA
        assert Organisation.objects.all().db == REPLICA
        assert _queries(lambda: list(Organisation.objects.filter(org_type="branch"))) == (0, 1)
        assert _queries(lambda: Member.objects.count()) == (0, 1)


def _sql(fn):
    with CaptureQueriesContext(connections["default"]) as on_default, CaptureQueriesContext(connections[REPLICA]) as on_replica:
        fn()
    verbs = lambda ctx: [q["sql"].split()[0].upper() for q in ctx.captured_queries]  # noqa: E731
    return verbs(on_default), verbs(on_replica)


@pytest.mark.django_db
def test_writes_inside_reporting_go_to_default(replica):
    org = make_org(None, org_type="county_committee", name="中共路由测试县委员会")
    with reporting():
        assert router.db_for_write(Organisation) == "default"
        on_default, on_replica = _sql(lambda: Organisation.objects.filter(pk=org.pk).update(contact_person="张三"))
        assert (on_default, on_replica) == (["UPDATE"], [])
        org.short_name = "路由县委"
        on_default, on_replica = _sql(lambda: org.save(update_fields=["short_name"]))
        assert (on_default, on_replica) == (["UPDATE"], [])
        on_default, on_replica = _sql(lambda: AccessLog.objects.create(kind="export", username="router-test"))
        assert (on_default, on_replica) == (["INSERT"], [])
    # the rows are on the primary (the test transaction is the primary's)
    assert Organisation.objects.using("default").filter(short_name="路由县委", contact_person="张三").exists()
    assert AccessLog.objects.using("default").filter(username="router-test").exists()


@pytest.mark.django_db
def test_outside_reporting_everything_goes_to_default(replica):
    assert router.db_for_read(Member) == "default"
    assert router.db_for_write(Member) == "default"
    assert Organisation.objects.all().db == "default"
    assert _queries(lambda: list(Organisation.objects.all())) == (1, 0)


@pytest.mark.django_db
def test_reporting_is_scoped_to_the_block(replica):
    with reporting():
        assert Member.objects.all().db == REPLICA
    assert Member.objects.all().db == "default"


@pytest.mark.django_db
def test_without_a_replica_reporting_reads_stay_on_default():
    with reporting():
        assert router.db_for_read(Member) == "default"
        assert Organisation.objects.all().db == "default"


def test_migrations_only_run_on_default():
    r = ReportReplicaRouter()
    assert r.allow_migrate("default", "members") is True
    assert r.allow_migrate(REPLICA, "members") is False
