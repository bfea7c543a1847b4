"""Writing simple .xlsx tables (list exports, ledgers, reports) in one consistent
layout: a bold frozen header row, sensible widths, a title in the sheet name.
Large exports stream with openpyxl's write-only mode, so memory stays flat."""

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell_value(value):
    """Text beginning with = + - @ would run as a formula in Excel: prefix it with '."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not _is_number(value):
        return "'" + value
    return value


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
        ws.append([safe_cell_value(v) for v in row])
    out = stream or io.BytesIO()
    wb.save(out)
    if hasattr(out, "seek"):
        out.seek(0)
    return out


def _col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i + 1)
