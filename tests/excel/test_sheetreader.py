"""The sheet reader: values and types as openpyxl gives them, and its two readers (the
fast one over the XML bytes and the XML parser) giving the same rows for any sheet —
plain markup, and markup the fast reader must hand over (formulas, rich text,
comments, CDATA, namespace prefixes, unusual attributes)."""

import datetime
import io
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from apps.excel import sheetreader
from apps.excel.sheetreader import has_data, iter_rows, open_workbook

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _both(data: bytes):
    """(rows from iter_rows, rows from the XML parser alone, rows the parser read for the fast reader)."""
    book = open_workbook(data)
    ws = book.worksheets[0]
    handed_over = []
    original = sheetreader._row_by_parser

    def spy(*args):
        handed_over.append(args[-1])
        return original(*args)

    sheetreader._row_by_parser = spy
    try:
        fast = list(iter_rows(book, ws))
    finally:
        sheetreader._row_by_parser = original
    with book._archive.open(ws._worksheet_path) as src:
        parsed = list(sheetreader._parsed_rows(sheetreader._Book(book), src))
    book.close()
    return fast, parsed, handed_over


def _with_sheet_xml(data: bytes, transform) -> bytes:
    """The same workbook with its first sheet's XML rewritten by transform(str) → str."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = transform(body.decode()).encode()
            dst.writestr(info, body)
    return out.getvalue()


@pytest.mark.parametrize("write_only", [False, True])
def test_values_types_and_formulas_like_openpyxl(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    ws.append(["a", datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4), 5, 1.5, True, "=1+1", "&<>"])
    ws.append([])
    ws.append([None, "b"])
    book = open_workbook(_save(wb))
    rows = list(iter_rows(book, book.worksheets[0]))
    first = rows[0]
    assert first[0] == 1
    assert first[1] == ["a", datetime.datetime(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4), 5, 1.5, True, "=1+1", "&<>"]
    assert first[2] == [6]  # the formula's column
    last = rows[-1]
    assert last[0] == 3 and last[1] == [None, "b"]
    assert has_data(book, book.worksheets[0])


# Text a user may type: XML specials, entities' look-alikes, line ends, CJK, emoji, spaces.
cell_text = st.lists(
    st.sampled_from([*"ab张三党支部 \t\n&<>\"'#;x0123456789_", "\u3000", "😀", "\u200b", "&amp;", "]]>", "_x000D_"]),
    max_size=12,
).map("".join)
cell_value = st.one_of(
    st.none(),
    cell_text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 12, 31)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(cell_value, max_size=8), min_size=1, max_size=6), write_only=st.booleans())
def test_fast_reader_equals_parser_on_openpyxl_files(rows, write_only):
    """Workbooks as openpyxl writes them (shared strings in normal mode, inline strings in
    write-only mode): the fast reader reads every row itself and agrees with the parser."""
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    for row in rows:
        ws.append(row)
    fast, parsed, handed_over = _both(_save(wb))
    assert fast == parsed
    assert handed_over == [], "plain openpyxl markup must not need the parser"


def _base() -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(["姓名", "入党日期", "备注"])
    ws.append(["张三", datetime.date(2001, 7, 1), "a&b"])
    ws.append(["李四", datetime.date(2002, 7, 1), None])
    return _save(wb)


# Markup from other writers, or hand-edited: each rewrite must read exactly as the parser reads it.
REWRITES = {
    "formula": lambda x: x.replace('<c r="A3" t="inlineStr"><is><t>李四</t></is></c>', '<c r="A3"><f>1+1</f><v>2</v></c>'),
    "rich text": lambda x: x.replace("<is><t>李四</t></is>", "<is><r><t>李</t></r><r><rPr><b/></rPr><t>四</t></r></is>"),
    "comment between cells": lambda x: x.replace('</c><c r="B2"', '</c><!-- note --><c r="B2"'),
    "comment between rows": lambda x: x.replace('</row><row r="3"', '</row><!-- x --><row r="3"'),
    "CDATA holding </row>": lambda x: x.replace("<t>a&amp;b</t>", "<t><![CDATA[a</row>b]]></t>"),
    "prefixed namespace": lambda x: re.sub(r"<(/?)(\w+)", r"<\1x:\2", x).replace(f'xmlns="{NS}"', f'xmlns:x="{NS}"'),
    "extra cell attribute": lambda x: x.replace('<c r="A2" t="inlineStr">', '<c r="A2" cm="1" t="inlineStr">'),
    "attributes reordered": lambda x: x.replace('<c r="A2" t="inlineStr">', '<c t="inlineStr" r="A2">'),
    "cell without r": lambda x: x.replace('<c r="B2" ', "<c "),
    "row without r": lambda x: x.replace('<row r="3">', "<row>"),
    "row attributes and spaces": lambda x: x.replace('<row r="2">', '<row r="2" spans="1:3" ht="20" customHeight="1" >\n  '),
    "character references": lambda x: x.replace("<t>张三</t>", "<t>&#x5F20;&#19977;&lt;&gt;&quot;&apos;</t>"),
    "preserved space": lambda x: x.replace("<t>张三</t>", '<t xml:space="preserve">  张三  </t>'),
    "CRLF in text": lambda x: x.replace("<t>张三</t>", "<t>张\r\n三\r四</t>"),
    "empty rows": lambda x: x.replace('<row r="3">', '<row r="3" /><row r="4">').replace("A3", "A4").replace("B3", "B4"),
    "empty sheetData": lambda x: re.sub(r"<sheetData>.*</sheetData>", "<sheetData/>", x, flags=re.S),
    "value in a string cell": lambda x: x.replace('<c r="A2" t="inlineStr"><is><t>张三</t></is></c>', '<c r="A2" t="str"><v>张三</v></c>'),
    "error cell": lambda x: x.replace('<c r="A2" t="inlineStr"><is><t>张三</t></is></c>', '<c r="A2" t="e"><v>#N/A</v></c>'),
    "boolean and ISO date": lambda x: x.replace(
        '<c r="A2" t="inlineStr"><is><t>张三</t></is></c>', '<c r="A2" t="b"><v>1</v></c><c r="Z2" t="d"><v>2020-02-29T00:00:00</v></c>'
    ),
}


@pytest.mark.parametrize("name", list(REWRITES))
def test_fast_reader_equals_parser_on_other_markup(name):
    data = _with_sheet_xml(_base(), REWRITES[name])
    fast, parsed, _handed_over = _both(data)
    assert fast == parsed
    if name != "empty sheetData":
        assert fast, "the rows were read"


def test_rich_text_row_is_handed_to_the_parser_and_the_rest_stay_fast():
    data = _with_sheet_xml(_base(), REWRITES["rich text"])
    fast, _parsed, handed_over = _both(data)
    assert len(handed_over) == 1 and b"<rPr>" in handed_over[0]
    assert fast[2][1][0] == "李四"


def test_invalid_xml_is_refused_like_the_parser_refuses_it():
    data = _with_sheet_xml(_base(), lambda x: x.replace("<t>张三</t>", "<t>张&nbsp;三</t>"))
    book = open_workbook(data)
    with pytest.raises(Exception) as fast_error:
        list(iter_rows(book, book.worksheets[0]))
    assert "ParseError" in type(fast_error.value).__name__
