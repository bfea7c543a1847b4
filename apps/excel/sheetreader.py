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
from xml.etree.ElementTree import ParseError, fromstring, iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

_REF = re.compile(r"([A-Z]+)(\d+)")
CELL_CHAR_LIMIT = 32767  # Excel's limit for the text of one cell


class CellTooLong(ValueError):
    """A cell holds more text than Excel allows: not a spreadsheet a person filled in.
    row is 0 for a shared string (the string table is checked before any row)."""

    def __init__(self, row: int, col: int, length: int):
        super().__init__(f"cell ({row}, {col}) has {length} characters")
        self.row, self.col, self.length = row, col, length


def _check_length(value, col: int) -> None:
    if isinstance(value, str) and len(value) > CELL_CHAR_LIMIT:
        raise CellTooLong(0, col, len(value))


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


class _Book:
    """What converting a cell needs from the workbook."""

    __slots__ = ("date_styles", "dates", "epoch", "shared")

    def __init__(self, wb):
        self.dates: dict[bytes, object] = {}  # serial → converted value (the fast reader's cache)
        self.shared = wb.shared_strings
        longest = max((len(str(v)) for v in self.shared), default=0)
        if longest > CELL_CHAR_LIMIT:
            raise CellTooLong(0, 0, longest)
        self.date_styles = wb._date_formats
        self.epoch = wb.epoch

    def value(self, kind: str, style: str | None, v_text: str | None):
        """A non-formula, non-inline cell's value, as openpyxl converts it."""
        if v_text is None or v_text == "":
            return None
        if kind == "n":
            value = _number(v_text)
            if style and int(style) in self.date_styles:
                try:
                    value = from_excel(value, self.epoch)
                except (OverflowError, ValueError):
                    value = "#VALUE!"
            return value
        if kind == "s":
            return self.shared[int(v_text)]
        if kind == "b":
            return bool(int(v_text))
        if kind == "d":
            return from_ISO8601(v_text)
        return v_text  # str (a formula's cached text), e (error)


def iter_rows(wb, ws) -> Iterator[tuple[int, list, list[int]]]:
    """(row number, values by column index, column indexes holding a formula) for every
    row present in the sheet XML, in order.

    Two readers give the same rows: a fast one (regular expressions over the XML bytes,
    for the plain cell markup that Excel, WPS, LibreOffice and openpyxl write) and the
    XML parser. The fast reader hands a row it does not fully understand (a formula, rich
    text, a comment, a namespace prefix...) to the XML parser, and gives up on the sheet
    — the XML parser then reads it from the start, skipping the rows already yielded —
    when the markup between rows is not plain. tests/excel/test_sheetreader.py holds
    both to the same output."""
    book = _Book(wb)
    yielded = 0
    with wb._archive.open(ws._worksheet_path) as src:
        try:
            for row in _fast_rows(book, src):
                yielded += 1
                yield row
            return
        except _NotPlain:
            pass
    with wb._archive.open(ws._worksheet_path) as src:
        for i, row in enumerate(_parsed_rows(book, src)):
            if i >= yielded:
                yield row


# ------------------------------------------------------------------ the XML parser


def _parse_cell(book: _Book, el, col: int, values: list, formulas: list[int]) -> int:
    ref = el.get("r")
    m = _REF.match(ref) if ref else None
    col = _col_index(m.group(1)) if m else col + 1
    kind = el.get("t", "n")
    v_text = None
    formula = None
    for child in el:
        cname = _LOCAL.get(child.tag) or _local(child.tag)
        if cname == "v":
            v_text = child.text
        elif cname == "f" and formula is None:
            formula = child
    if formula is not None:
        value = "=" + (formula.text or "")
        formulas.append(col)
    elif kind == "inlineStr":
        value = _inline_text(el)
    else:
        value = book.value(kind, el.get("s"), v_text)
    _check_length(value, col)
    if value is not None:
        if col >= len(values):
            values.extend([None] * (col + 1 - len(values)))
        values[col] = value
    return col


def _parsed_rows(book: _Book, src) -> Iterator[tuple[int, list, list[int]]]:
    last_row = 0
    values: list = []
    formulas: list[int] = []
    col = -1
    for _event, el in iterparse(src, events=("end",)):
        name = _LOCAL.get(el.tag) or _local(el.tag)
        if name == "c":
            try:
                col = _parse_cell(book, el, col, values, formulas)
            except CellTooLong as exc:
                exc.row = last_row + 1
                raise
            el.clear()
        elif name == "row":
            r = el.get("r")
            last_row = int(r) if r else last_row + 1
            yield last_row, values, formulas
            values, formulas, col = [], [], -1
            el.clear()
        elif name == "sheetData":
            break


# ------------------------------------------------------------------ the fast reader


class _NotPlain(Exception):
    """The sheet's markup is not the plain kind the fast reader handles."""


CHUNK = 1 << 20
_ROOT = re.compile(rb"<worksheet\b([^>]*)>")
_XMLNS = re.compile(rb'\sxmlns(?::[\w.-]+)?="[^"]*"')
_SHEETDATA = re.compile(rb"<sheetData\s*(/?)>")
# A row: its attributes and content. Neither can hold "<" or "</row>" in valid XML
# except inside a comment or CDATA section, which the cell grammar then refuses.
_ROW = re.compile(rb"\s*<row\b([^<>]*?)(?:/>|>(.*?)</row>)", re.S)
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_SHEETDATA_END = re.compile(rb"\s*</sheetData>")
# A cell in the plain form: r, then s and t when present (the order every common writer
# uses), and no content, a <v> value, or an inline string of one <t>. Any other markup
# (formulas, rich text, extra attributes, prefixes, comments) sends the row to the parser.
_CELL = (
    rb'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?\s*'
    rb'(?:/>|>(?:<v>([^<]*)</v>|<v/>|<is><t(?: xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
_CELLS = re.compile(rb"\s*(?:" + _CELL + rb"\s*)*")
_CELL_RE = re.compile(_CELL)
_COLUMNS: dict[bytes, int] = {}
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# Characters XML 1.0 forbids: the XML parser rejects them, so must we.
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _entity(m) -> str:
    name = m.group(1)
    if name[0] == "#":
        return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
    return _ENTITIES[name]


def _text(raw: bytes) -> str:
    """Cell text as an XML parser returns it: UTF-8, entities replaced, line ends normalised."""
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotPlain() from None
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in value:
        value, replaced = _ENTITY.subn(_entity, value)
        if replaced != raw.count(b"&"):
            raise _NotPlain()  # an undeclared entity: the XML parser decides
    return value


def _fast_rows(book: _Book, src) -> Iterator[tuple[int, list, list[int]]]:
    buf = b""
    eof = False

    def more() -> bool:
        nonlocal buf, eof
        if eof:
            return False
        chunk = src.read(CHUNK)
        if not chunk:
            eof = True
            return False
        buf += chunk
        return True

    # The root element (its namespace declarations serve the per-row fallback) and the
    # start of <sheetData>, without a namespace prefix and in UTF-8.
    while b"<sheetData" not in buf and more():
        pass
    head = buf[:200].lstrip()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith(b"<?xml") and re.match(rb'<\?xml[^>]*encoding="(?!utf-8|UTF-8)', head):
        raise _NotPlain()
    root = _ROOT.search(buf)
    start = _SHEETDATA.search(buf)
    if root is None or start is None or root.start() > start.start():
        raise _NotPlain()
    namespaces = b"".join(_XMLNS.findall(root.group(1)))
    if start.group(1):  # <sheetData/>
        return
    pos = start.end()
    last_row = 0
    while True:
        m = _ROW.match(buf, pos)
        if m is None:
            end = _SHEETDATA_END.match(buf, pos)
            if end is not None:
                return
            # An incomplete row at the end of the buffer, or markup that is not a row.
            if len(buf) - pos > 64 * CHUNK:
                raise _NotPlain()
            buf, pos = buf[pos:], 0
            if not more():
                raise _NotPlain()
            continue
        attrs, content = m.group(1), m.group(2)
        number = _ROW_NUMBER.search(attrs)
        last_row = int(number.group(1)) if number else last_row + 1
        values: list = []
        formulas: list[int] = []
        try:
            if content and (_CONTROL.search(content) or not _fast_cells(book, content, values)):
                values, formulas = _row_by_parser(book, namespaces, m.group(0).strip())
        except CellTooLong as exc:
            exc.row = last_row
            raise
        yield last_row, values, formulas
        pos = m.end()


def _fast_cells(book: _Book, content: bytes, values: list) -> bool:
    """Fill values from a row's content; False when some markup is not plain (values may
    then be partly filled: the caller reads the row again with the XML parser)."""
    if _CELLS.fullmatch(content) is None:
        return False
    value_of = book.value
    shared = book.shared
    date_styles = book.date_styles
    dates = book.dates
    for letters, style, kind, v_raw, inline_raw in _CELL_RE.findall(content):
        col = _COLUMNS.get(letters)
        if col is None:
            col = _COLUMNS[letters] = _col_index(letters.decode())
        if kind == b"inlineStr":
            if b"&" in inline_raw or b"\r" in inline_raw:
                value = _text(inline_raw)
            else:
                try:
                    value = inline_raw.decode()
                except UnicodeDecodeError:
                    raise _NotPlain() from None
            if len(inline_raw) > CELL_CHAR_LIMIT:
                _check_length(value, col)
        elif inline_raw:
            return False  # an inline string in a cell not typed as one: the parser decides
        elif not v_raw:
            continue  # no value (an empty <v> reads as None too)
        else:
            plain = v_raw.isascii() and b"&" not in v_raw and b"\r" not in v_raw
            v_text = v_raw.decode("ascii") if plain else _text(v_raw)
            if kind == b"s":
                value = shared[int(v_text)]
            elif plain and kind in (b"", b"n") and style and int(style) in date_styles:
                # Dates repeat (a county's birth and join dates): convert each serial once.
                value = dates.get(v_raw)
                if value is None:
                    value = dates[v_raw] = value_of("n", style.decode(), v_text)
            else:
                value = value_of(kind.decode() or "n", style.decode() or None, v_text)
                if len(v_raw) > CELL_CHAR_LIMIT:
                    _check_length(value, col)
        n = len(values)
        if col == n:
            values.append(value)
        elif col > n:
            values.extend([None] * (col - n))
            values.append(value)
        else:
            values[col] = value
    return True


def _row_by_parser(book: _Book, namespaces: bytes, row_xml: bytes) -> tuple[list, list[int]]:
    """One row read by the XML parser (inside a root declaring the sheet's namespaces)."""
    try:
        root = fromstring(b"<worksheet" + namespaces + b">" + row_xml + b"</worksheet>")
    except ParseError:
        raise _NotPlain() from None  # e.g. a CDATA section holding "</row>": read the whole sheet
    values: list = []
    formulas: list[int] = []
    col = -1
    for row in root:
        for el in row:
            if _local(el.tag) == "c":
                col = _parse_cell(book, el, col, values, formulas)
    return values, formulas


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
