import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.members import idnumber


def test_examples_from_the_standard():
    female = idnumber.parse("11010519491231002X")
    assert female.sex == "F" and female.birth_date == datetime.date(1949, 12, 31)
    male = idnumber.parse("440524188001010014")
    assert male.sex == "M" and male.birth_date == datetime.date(1880, 1, 1)


def test_lower_case_x_and_full_width_digits_are_normalised():
    assert idnumber.parse("11010519491231002x").number == "11010519491231002X"
    assert idnumber.parse("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("110105194912310021", "校验位错误"),
        ("11010519491331002X", "不是有效日期"),
        ("110105202302290023", "不是有效日期"),
        ("1101051949123100", "应为18位"),
        ("11010519491231A02X", "前17位必须为数字"),
    ],
)
def test_bad_numbers_name_the_rule(value, fragment):
    with pytest.raises(idnumber.IdNumberError, match=fragment):
        idnumber.parse(value)


def test_future_birth_date_refused():
    number = idnumber.compose("110105", datetime.date(2030, 1, 1), 1, "M")
    with pytest.raises(idnumber.IdNumberError, match="晚于今天"):
        idnumber.parse(number, today=datetime.date(2026, 11, 30))


def test_fifteen_digit_number_is_upgraded():
    facts = idnumber.parse("110105491231002")
    assert facts.upgraded_from_15 and facts.number[:8] == "11010519" and len(facts.number) == 18
    assert facts.number == idnumber.compose("110105", datetime.date(1949, 12, 31), 1, "F") or facts.number[-1] == idnumber.check_char(
        facts.number[:17]
    )


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2008, 1, 1)), st.integers(0, 499), st.sampled_from("MF"))
def test_composed_numbers_round_trip(birth, seq, sex):
    facts = idnumber.parse(idnumber.compose("350525", birth, seq, sex))
    assert (facts.birth_date, facts.sex) == (birth, sex)
