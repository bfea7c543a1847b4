import datetime
from decimal import Decimal

import pytest

from apps.core.actors import system_actor
from apps.dues import services
from tests.factories import make_member, make_user

D = Decimal


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def other_branch(tree):
    return tree["branches"][1][0]


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def organiser(tree):
    return make_user("committee_organiser", tree["committees"][0])


@pytest.fixture
def outsider(other_branch):
    return make_user("branch_secretary", other_branch)


def salaried(org, base="4000.00", month="2025-01", **kw):
    m = make_member(org, **kw)
    services.declare_income(
        m, category="salaried", base=base, effective_month=month, declared_on=datetime.date(2025, 1, 5), actor=system_actor("cli")
    )
    return m


@pytest.fixture
def make_salaried():
    return salaried


@pytest.fixture(autouse=True)
def tallies_agree_with_the_lines(request):
    """After every dues test that uses the database: the monthly tallies (apps.dues.tally)
    and every kept arrears standing (apps.dues.standing, at its own cutoff) say what the
    lines say, whatever the test did through the services, views or API."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames and "transactional_db" not in request.fixturenames:
        yield
        return
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")  # set up first, torn down after this check
    yield
    from django.db import connection

    if connection.needs_rollback:
        return
    from apps.dues import tally

    sample, total = tally.drift()
    assert total == 0, sample
    assert standing_disagreements() == []


def standing_disagreements() -> list:
    """The kept standings that differ from the run their member's lines give at the row's
    cutoff (selectors.unpaid_runs): [(member id, kept, counted)]."""
    from apps.dues.models import ArrearsStanding, DuesLine
    from apps.dues.selectors import unpaid_runs

    wrong = []
    kept = list(ArrearsStanding.objects.values_list("member_id", "cutoff", "months", "first_unpaid", "last_unpaid"))
    for cutoff in {row[1] for row in kept}:
        runs = {r["member_id"]: (r["months"], r["first_unpaid"], r["last_unpaid"]) for r in unpaid_runs(DuesLine.objects.all(), cutoff)}
        for member_id, at, *figures in kept:
            if at == cutoff and tuple(figures) != runs.get(member_id, (0, None, None)):
                wrong.append((member_id, tuple(figures), runs.get(member_id)))
    return wrong
