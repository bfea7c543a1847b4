"""A fast streaming reader of one worksheet's cells, for the importer.

openpyxl's read-only mode builds an object per cell (and parses inline strings through
its descriptor machinery), which made reading the 20,135-row roster the slowest part of
an import. This reader walks the sheet XML once with the C XML parser and yields plain
values, converting exactly as openpyxl does (shared strings, inline strings, numbers,
booleans, ISO dates, and numbers whose style is a date format → datetime), and says
which cells hold a formula. openpyxl still opens the workbook (sheet list, shared
strings, styles, date formats) — only the cell loop is ours.
"""

import io
import re
from collections.abc import Iterator
from xml.etree.ElementTree import iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

_REF = re.compile(r"([A-Z]+)(\d+)")
_LETTERS: dict[str, int] = {}


def _col_index(letters: str) -> int:
    idx = _LETTERS.get(letters)
    if idx is None:
        idx = 0
        for ch in letters:
            idx = idx * 26 + (ord(ch) - 64)
        idx -= 1
        _LETTERS[letters] = idx
    return idx


def _number(text: str):
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    """'{namespace}c' → 'c' (cached: the same few tags repeat for every cell)."""
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rsplit("}", 1)[-1]
    return name


def _inline_text(element) -> str:
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "is":
            for part in child:
                pname = _local(part.tag)
                if pname == "t":
                    parts.append(part.text or "")
                elif pname == "r":
                    for t in part:
                        if _local(t.tag) == "t":
                            parts.append(t.text or "")
    return "".join(parts)


def iter_rows(wb, ws) -> Iterator[tuple[int, list, list[int]]]:
    """(row number, values by column index, column indexes holding a formula) for every
    row present in the sheet XML, in order."""
    shared = wb.shared_strings
    date_styles = wb._date_formats
    epoch = wb.epoch
    with wb._archive.open(ws._worksheet_path) as src:
        last_row = 0
        values: list = []
        formulas: list[int] = []
        col = -1
        for _event, el in iterparse(src, events=("end",)):
            name = _LOCAL.get(el.tag) or _local(el.tag)
            if name == "c":
                ref = el.get("r")
                m = _REF.match(ref) if ref else None
                if m:
                    col = _col_index(m.group(1))
                else:
                    col += 1
                kind = el.get("t", "n")
                value = None
                formula = False
                v_text = None
                for child in el:
                    cname = _LOCAL.get(child.tag) or _local(child.tag)
                    if cname == "v":
                        v_text = child.text
                    elif cname == "f":
                        formula = True
                if formula:
                    f = next((c for c in el if _local(c.tag) == "f"), None)
                    value = "=" + (f.text or "") if f is not None else "="
                    formulas.append(col)
                elif kind == "inlineStr":
                    value = _inline_text(el)
                elif v_text is not None and v_text != "":
                    if kind == "n":
                        value = _number(v_text)
                        style = el.get("s")
                        if style and int(style) in date_styles:
                            try:
                                value = from_excel(value, epoch)
                            except (OverflowError, ValueError):
                                value = "#VALUE!"
                    elif kind == "s":
                        value = shared[int(v_text)]
                    elif kind == "b":
                        value = bool(int(v_text))
                    elif kind == "d":
                        value = from_ISO8601(v_text)
                    else:  # str (a formula's cached text), e (error)
                        value = v_text
                if value is not None:
                    if col >= len(values):
                        values.extend([None] * (col + 1 - len(values)))
                    values[col] = value
                el.clear()
            elif name == "row":
                r = el.get("r")
                last_row = int(r) if r else last_row + 1
                yield last_row, values, formulas
                values, formulas, col = [], [], -1
                el.clear()
            elif name == "sheetData":
                break


class _UnsizedReadOnlyWorksheet(ReadOnlyWorksheet):
    def _get_size(self):
        # openpyxl scans the whole sheet XML here when <dimension> comes late (files
        # written in write-only mode); we read every row anyway, so skip it.
        pass


class _Reader(ExcelReader):
    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            ws = _UnsizedReadOnlyWorksheet(self.wb, sheet.name, rel.target, self.shared_strings)
            ws.sheet_state = sheet.state
            self.wb._sheets.append(ws)


def open_workbook(data: bytes):
    """The workbook in read-only mode (sheet list and states, shared strings, styles),
    without sizing every sheet. Close it with wb.close()."""
    reader = _Reader(io.BytesIO(data), read_only=True, keep_vba=False, data_only=False, keep_links=False)
    reader.read()
    return reader.wb


def has_data(wb, ws) -> bool:
    for _n, values, formulas in iter_rows(wb, ws):
        if formulas or any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values):
            return True
    return False
