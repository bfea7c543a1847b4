"""ID numbers and phones accept the ASCII digits 0–9 only (after the full-width
normalisation): str.isdigit() also says yes to superscript, circled, Arabic-Indic and
Devanagari digits, which int() refuses (a 500) or which would be stored beside the same
number in ASCII (the duplicate check misses them)."""

import datetime
import sys

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core.actors import system_actor
from apps.members import idnumber
from apps.members.filters import search_members
from apps.members.models import Member
from apps.members.services import validate_member_data
from apps.recruitment.services import validate_file_data
from tests.factories import make_member, member_data

VALID = "11010519491231002X"
FULLWIDTH_DIGITS = set("０１２３４５６７８９")
# Every character Python calls a digit that is neither ASCII nor full-width (which is
# normalised): superscripts, circled digits, Arabic-Indic, Devanagari, Thai, …
FOREIGN_DIGITS = sorted(
    ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isdigit() and not ("0" <= ch <= "9") and ch not in FULLWIDTH_DIGITS
)


def test_the_strategy_covers_the_reported_kinds_of_digit():
    for ch in "²①٣३๓":
        assert ch in FOREIGN_DIGITS


@settings(max_examples=300)
@given(st.sampled_from(FOREIGN_DIGITS), st.integers(0, 16))
def test_a_non_ascii_digit_anywhere_is_refused_with_the_rule(ch, position):
    value = VALID[:position] + ch + VALID[position + 1 :]
    with pytest.raises(idnumber.IdNumberError, match="必须为数字"):
        idnumber.parse(value)


@settings(max_examples=100)
@given(st.sampled_from(FOREIGN_DIGITS), st.integers(0, 14))
def test_fifteen_digit_numbers_too(ch, position):
    old = "110105491231002"
    with pytest.raises(idnumber.IdNumberError, match="必须全部为数字"):
        idnumber.parse(old[:position] + ch + old[position + 1 :])


@given(st.text(alphabet=st.sampled_from(FOREIGN_DIGITS + list("0123456789")), min_size=1, max_size=20))
def test_is_ascii_digits_agrees_with_a_plain_definition(value):
    assert idnumber.is_ascii_digits(value) == all(c in "0123456789" for c in value)


def test_full_width_digits_are_still_normalised():
    assert idnumber.parse("１１０１０５１９４９１２３１００２Ｘ").number == VALID


@pytest.mark.parametrize("ch", ["²", "①", "٣", "३"])
def test_member_form_answers_a_message_not_a_500(tree, ch):
    data = member_data(tree["branches"][0][0])
    data["id_number"] = data["id_number"][:10] + ch + data["id_number"][11:]
    with pytest.raises(ValidationError) as exc:
        validate_member_data(data, check_duplicate=False)
    assert "必须为数字" in exc.value.message_dict["id_number"][0]


def test_arabic_indic_copy_of_an_existing_number_is_not_a_second_member(tree):
    first = make_member(tree["branches"][0][0])
    number = first.reveal_id_number()
    arabic = number[:-1].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + number[-1]
    data = member_data(tree["branches"][1][0], id_number=arabic)
    with pytest.raises(ValidationError) as exc:
        validate_member_data(data)
    assert "id_number" in exc.value.message_dict
    assert Member.objects.count() == 1


@pytest.mark.parametrize("phone", ["١٣٨٠٠١٣٨٠٠٠", "१३८००१३८०००", "¹³⁸⁰⁰¹³⁸⁰⁰⁰"])
def test_development_file_phone_accepts_ascii_digits_only(db, phone):
    with pytest.raises(ValidationError) as exc:
        validate_file_data({"phone": phone}, today=datetime.date(2026, 12, 1))
    assert "联系电话格式不正确" in exc.value.message_dict["phone"][0]


def test_member_phone_accepts_ascii_digits_only(tree):
    data = member_data(tree["branches"][0][0], phone="١٣٨٠٠١٣٨٠٠٠")
    with pytest.raises(ValidationError) as exc:
        validate_member_data(data, check_duplicate=False)
    assert "联系电话格式不正确" in exc.value.message_dict["phone"][0]


def test_search_by_a_foreign_digit_number_finds_nothing_and_does_not_fail(tree):
    make_member(tree["branches"][0][0])
    assert not search_members(Member.objects.all(), "٣٥٠٥٢٥١٩٨٠٠١٠١٠٠١١").exists()
    assert not search_members(Member.objects.all(), "³⁵⁰⁵").exists()


@pytest.mark.parametrize("ch", ["²", "①", "٣", "३"])
def test_importer_names_the_row_instead_of_failing(tree, ch):
    from apps.excel.importer import import_members
    from tests.excel.helpers import good_row, xlsx

    branch = tree["branches"][0][0]
    row = good_row(branch)
    row["公民身份号码"] = row["公民身份号码"][:10] + ch + row["公民身份号码"][11:]
    result = import_members(xlsx([row]), dry_run=True, actor=system_actor("cli"))
    assert not result.ok
    assert any("必须为数字" in str(e) for e in result.errors), [str(e) for e in result.errors]
    assert Member.objects.count() == 0
