"""Writing simple .xlsx tables (list exports, ledgers, reports) in one consistent
layout: a bold frozen header row, sensible widths, a title in the sheet name.
Large exports stream with openpyxl's write-only mode, so memory stays flat."""

import io
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

CENT = Decimal("0.01")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell_value(value):
    """Text beginning with = + - @ would run as a formula in Excel: prefix it with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


class Money(Decimal):
    """A sum in yuan: rounded to the fen (half up) and written as a number with two
    decimals (format 0.00). Declare money columns with apps.core.columns.money."""

    def __new__(cls, value):
        return super().__new__(cls, Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def _number_format(value: Decimal) -> str | None:
    if isinstance(value, Money):
        return "0.00"
    places = -value.as_tuple().exponent
    return "0." + "0" * places if isinstance(places, int) and places > 0 else None


def table_cell(ws, value):
    """One cell of a write-only sheet. A Decimal is written with its own digits: openpyxl
    would pass it through float and %.16g (98019.15 → 98019.14999999999); money gets the
    0.00 format, another decimal a format with as many places as it has."""
    value = safe_cell_value(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        return value
    cell = WriteOnlyCell(ws, value=value)  # a number cell (data type n)
    fmt = _number_format(value)
    if fmt:
        cell.number_format = fmt
    cell._value = format(value, "f")  # the exact text of <v>; safe_string() keeps a str as it is
    return cell


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def write_table(
    sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence], *, widths: Sequence[int] | None = None, stream=None
) -> io.BytesIO:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers):
        width = widths[i] if widths and i < len(widths) else max(10, min(40, len(str(header)) * 2 + 4))
        ws.column_dimensions[_col(i)].width = width
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.fill, c.alignment = HEADER_FONT, HEADER_FILL, Alignment(horizontal="center")
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        ws.append([table_cell(ws, v) for v in row])
    out = stream or io.BytesIO()
    wb.save(out)
    if hasattr(out, "seek"):
        out.seek(0)
    return out


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)
