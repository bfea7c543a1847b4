import datetime

import pytest

from apps.orglife import compliance, rules

D = datetime.date


@pytest.mark.parametrize(
    ("present", "should", "quorum", "met"),
    [
        (5, 10, "half", True),  # ≥ ½: exactly half is enough for a committee
        (4, 10, "half", False),
        (3, 5, "half", True),
        (2, 5, "half", False),
        (5, 10, "more_than_half", False),  # > ½: exactly half is not
        (6, 10, "more_than_half", True),
        (8, 10, "four_fifths", False),  # election: more than 4/5
        (9, 10, "four_fifths", True),
        (4, 5, "four_fifths", False),
        (5, 5, "four_fifths", True),
        (0, 0, "half", None),  # nobody due: no judgement
        (1, 10, "none", None),
    ],
)
def test_quorum_arithmetic(present, should, quorum, met):
    assert rules.quorum_met(present, should, quorum) is met


@pytest.mark.parametrize(
    ("should", "quorum", "needed"),
    [(10, "half", 5), (5, "half", 3), (10, "more_than_half", 6), (10, "four_fifths", 9), (5, "four_fifths", 5), (7, "more_than_half", 4)],
)
def test_quorum_needed_is_the_smallest_passing_number(should, quorum, needed):
    assert rules.quorum_needed(should, quorum) == needed
    assert rules.quorum_met(needed, should, quorum) is True
    assert rules.quorum_met(needed - 1, should, quorum) is False


def test_every_kind_has_defaults_and_the_study_kinds_name_a_form():
    assert set(rules.KIND_DEFAULTS) == set(rules.KIND_BY_CODE)
    assert rules.KIND_BY_CODE["party_lecture"].study_form == "party_lecture"
    assert rules.KIND_BY_CODE["theme_day"].study_form == "theme_day"
    assert not rules.KIND_BY_CODE["branch_committee"].study_form


def test_periods_across_month_quarter_and_year_boundaries():
    assert compliance.period_of(rules.MONTHLY, D(2025, 12, 31)) == (D(2025, 12, 1), D(2025, 12, 31))
    assert compliance.period_of(rules.QUARTERLY, D(2025, 3, 31)) == (D(2025, 1, 1), D(2025, 3, 31))
    assert compliance.period_of(rules.QUARTERLY, D(2025, 4, 1)) == (D(2025, 4, 1), D(2025, 6, 30))
    assert compliance.period_of(rules.YEARLY, D(2024, 2, 29)) == (D(2024, 1, 1), D(2024, 12, 31))
    # a year seen on 15 May: five months begun, two quarters begun, the year begun
    start, end = compliance.window(2025)
    as_of = D(2025, 5, 15)
    assert len(compliance.periods(rules.MONTHLY, start, end, as_of)) == 5
    assert compliance.periods(rules.QUARTERLY, start, end, as_of) == [(D(2025, 1, 1), D(2025, 3, 31)), (D(2025, 4, 1), D(2025, 6, 30))]
    assert compliance.periods(rules.YEARLY, start, end, as_of) == [(D(2025, 1, 1), D(2025, 12, 31))]
    # a month window: a quarter is required only in the month it ends
    assert compliance.periods(rules.QUARTERLY, *compliance.window(2025, 2), D(2025, 12, 31)) == []
    assert compliance.periods(rules.QUARTERLY, *compliance.window(2025, 3), D(2025, 12, 31)) == [(D(2025, 1, 1), D(2025, 3, 31))]
    assert compliance.periods(rules.YEARLY, *compliance.window(2025, 12), D(2026, 1, 5)) == [(D(2025, 1, 1), D(2025, 12, 31))]


def test_cutoff_month_is_the_previous_month_across_the_new_year():
    assert compliance.cutoff_month(D(2026, 1, 3)) == D(2025, 12, 1)
    assert compliance.cutoff_month(D(2025, 3, 31)) == D(2025, 2, 1)
