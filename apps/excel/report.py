"""The downloadable error report: the uploaded sheet as it was, every bad cell filled red,
an 错误说明 column on each bad row, and an 错误清单 sheet (row, column, value, rule).
The 错误说明 column is not a member column, so a corrected report can be uploaded again."""

import datetime
import io
from collections import defaultdict

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from apps.core.xlsx import HEADER_FILL, safe_cell_value

from . import columns as C

RED = PatternFill("solid", fgColor="FF9999")
ROW_NOTE = PatternFill("solid", fgColor="FDE9E7")
NOTE_HEADER = "错误说明"


def _cell_value(v):
    if isinstance(v, datetime.datetime) and v.time() == datetime.time(0):
        return v.date()
    return safe_cell_value(v)


def _source_rows(data: bytes):
    from .importer import _pick_sheet
    from .sheetreader import iter_rows, open_workbook

    wb = open_workbook(data)
    try:
        ws = _pick_sheet(wb)
        if ws is None:
            return []
        return [(n, list(values)) for n, values, _formulas in iter_rows(wb, ws)]
    finally:
        wb.close()


def build_error_report(data: bytes | None, errors: list[dict], *, refused: str = "") -> bytes:
    by_cell = defaultdict(list)
    by_row = defaultdict(list)
    for e in errors:
        if e.get("row"):
            by_row[e["row"]].append(e)
            if e.get("column"):
                by_cell[(e["row"], e["column"])].append(e)

    wb = Workbook(write_only=True)
    rows = []
    if data:
        try:
            rows = _source_rows(data)
        except Exception:  # the file itself was refused as unreadable: list the errors only
            rows = []
    if rows:
        ws = wb.create_sheet(C.DATA_SHEET)
        from openpyxl.utils import get_column_letter

        width = max((len(v) for _n, v in rows), default=0)
        header_row = None
        written = 0
        for n, values in rows:
            while written < n - 1:  # keep the file's row numbers: rows the XML omits are empty
                ws.append([])
                written += 1
            written = n
            if header_row is None and sum(1 for v in values if C.match_header(v)) >= 3:
                header_row = n
            out = []
            for i, v in enumerate(values):
                cell = WriteOnlyCell(ws, value=_cell_value(v))
                if n is not None and (n, get_column_letter(i + 1)) in by_cell:
                    cell.fill = RED
                if n == header_row:
                    cell.font = Font(bold=True)
                    cell.fill = HEADER_FILL
                out.append(cell)
            out.extend(WriteOnlyCell(ws, value=None) for _ in range(width - len(values)))
            if n == header_row:
                note = WriteOnlyCell(ws, value=NOTE_HEADER)
                note.font = Font(bold=True, color="C00000")
                out.append(note)
            elif n in by_row:
                text = "；".join(f"{e['header']}：{e['message']}" if e.get("header") else e["message"] for e in by_row[n])
                note = WriteOnlyCell(ws, value=text)
                note.fill = ROW_NOTE
                note.alignment = Alignment(wrap_text=True)
                out.append(note)
            ws.append(out)
    listing = wb.create_sheet("错误清单")
    listing.append(["行号", "列", "列名", "填写值", "错误说明"])
    if refused:
        listing.append(["", "", "", "", refused])
    for e in errors:
        listing.append(
            [e.get("row") or "", e.get("column", ""), e.get("header", ""), safe_cell_value(e.get("value", "")), e.get("message", "")]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
