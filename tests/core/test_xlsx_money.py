"""Money in every Excel export is a number with two decimals, written exactly: openpyxl
writes a Decimal through float with %.16g (98019.15 → 98019.14999999999), so the writer
puts the decimal's own digits into the cell and gives it the 0.00 format. Checked with
openpyxl and with an independent reader (zipfile + XML)."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from apps.core.columns import money
from apps.core.registry import lists
from apps.core.xlsx import Money, write_table
from tests.xlsx_reader import raw_cells

AMOUNTS = [Decimal("98019.15"), Decimal("0.07"), Decimal("12345678901234.56"), Decimal("40"), Decimal("-3.10")]


def test_money_is_written_exactly_with_two_decimals():
    out = write_table("金额", ["金额（元）", "说明"], [[Money(a), "x"] for a in AMOUNTS])
    data = out.getvalue()
    rows = raw_cells(data)[1:]
    for amount, row in zip(AMOUNTS, rows, strict=True):
        kind, text, fmt = row[0]
        assert kind == "n" and fmt == "0.00"
        assert text == f"{amount.quantize(Decimal('0.01')):f}"  # the exact decimal digits, not %.16g
    ws = load_workbook(io.BytesIO(data)).active
    for amount, (value, _note) in zip(AMOUNTS, ws.iter_rows(min_row=2, values_only=True), strict=True):
        assert isinstance(value, (int, float)) and Decimal(str(value)) == amount
    assert [c.number_format for c in ws["A"][1:]] == ["0.00"] * len(AMOUNTS)


def test_plain_decimals_keep_their_own_digits():
    out = write_table("学时", ["学时", "得分"], [[Decimal("2.5"), Decimal("98019.15")]])
    (_h, row) = raw_cells(out.getvalue())
    assert row[0][:2] == ("n", "2.5") and row[0][2] == "0.0"
    assert row[1][:2] == ("n", "98019.15") and row[1][2] == "0.00"


def test_money_column_helper_quantizes_and_leaves_blanks():
    class Obj:
        amount = Decimal("1.005")
        none = None

    assert money("amount")(Obj()) == Decimal("1.01") and isinstance(money("amount")(Obj()), Money)
    assert money("none")(Obj()) == ""
    assert money(lambda o: o.amount)(Obj()) == Decimal("1.01")


def test_every_money_column_of_every_list_export_is_written_as_money():
    """A column whose header says 元 is money: declared with apps.core.columns.money."""
    missing = [
        f"{entry.name}: {column[0]}"
        for entry in lists.all()
        for column in entry.columns
        if "元" in column[0] and not getattr(column[1], "is_money", False)
    ]
    assert not missing, missing
