import datetime
import random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.members.models import Member
from apps.recruitment import demo, engine, stats
from apps.recruitment.models import DevelopmentFile, DevelopmentStep
from apps.recruitment.rules import STEP_BY_CODE
from tests.factories import make_member

D = datetime.date


def _county(tree, n_full=30, n_prob=3):
    # Explicit birth dates: the shared factory's default birth date moves later with every
    # object made before in the same process, and would end up too young for these dates.
    born = D(1978, 1, 1)
    branches = [b for row in tree["branches"] for b in row]
    for i in range(n_full):
        make_member(
            branches[i % 4],
            birth_date=born + datetime.timedelta(days=i),
            join_date=D(2005 + i % 15, 3, 1),
            conversion_date=D(2006 + i % 15, 3, 1),
            application_date=D(2003, 1, 1),
        )
    make_member(branches[0], birth_date=born, join_date=D(2000, 6, 1), conversion_date=D(2001, 6, 1))
    for i in range(n_prob):
        make_member(branches[i % 4], member_type="probationary", join_date=D(2026, 3, 1) + datetime.timedelta(days=i), conversion_date=None)


def test_populate_demo_is_consistent(tree):
    _county(tree)
    as_of = D(2026, 11, 30)
    summary = demo.populate(tree["county"], random.Random(7), as_of)
    # All 33 counted members who joined since 2001 (fewer than 2,603 here) are developed; no member added.
    assert Member.objects.count() == 34
    assert Member.objects.filter(increase_method="developed").count() == 33 == summary["developed_since_2001"]
    assert DevelopmentFile.objects.filter(stage="activist", status="active").count() == 1100
    probationary = DevelopmentFile.objects.filter(stage="probationary")
    assert probationary.count() == 3 and all(f.member.member_type == "probationary" for f in probationary)
    # Every step history is in rule order: each step on or after its prerequisites.
    files = DevelopmentFile.objects.filter(status="active").prefetch_related("steps")[:400]
    for f in files:
        dates = {s.code: s.date for s in f.steps.all()}
        for code, d in dates.items():
            assert d <= as_of
            for p in STEP_BY_CODE[code].prerequisites:
                assert p in dates and dates[p] <= d, (f.stage, code, p)
        if "target" in dates:
            assert dates["target"] >= engine.add_amount(dates["activist"], 1, "years")
        assert engine.taken_steps(f)  # readable by the engine
    assert DevelopmentStep.objects.filter(file__status="closed").exists()
    assert DevelopmentFile.objects.exclude(next_deadline=None).exists()


def test_contribute_counts_with_fixed_queries(tree):
    _county(tree)
    demo.populate(tree["county"], random.Random(1), D(2026, 11, 30))
    with CaptureQueriesContext(connection) as q:
        out = stats.contribute(tree["county"], D(2026, 11, 30))["development"]
    assert len(q) == 2
    assert out["activists"] == 1100 and out["applicants"] == 420 and out["development_targets"] == 180
    assert out["developed_since"]["total"] == 33
    assert out["developed_this_year"]["total"] == 3
    assert sum(out["developed_since"]["occupation"].values()) == 33
    branch_only = stats.contribute(tree["branches"][1][1], D(2026, 11, 30))["development"]
    assert branch_only["activists"] < 1100
