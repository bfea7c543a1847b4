import datetime
import io

import pytest
from openpyxl import Workbook

from apps.excel.sheetreader import has_data, iter_rows, open_workbook


@pytest.mark.parametrize("write_only", [False, True])
def test_values_types_and_formulas_like_openpyxl(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("x") if write_only else wb.active
    ws.append(["a", datetime.date(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4), 5, 1.5, True, "=1+1", "&<>"])
    ws.append([])
    ws.append([None, "b"])
    out = io.BytesIO()
    wb.save(out)
    book = open_workbook(out.getvalue())
    rows = list(iter_rows(book, book.worksheets[0]))
    first = rows[0]
    assert first[0] == 1
    assert first[1] == ["a", datetime.datetime(2020, 1, 2), datetime.datetime(2020, 1, 2, 3, 4), 5, 1.5, True, "=1+1", "&<>"]
    assert first[2] == [6]  # the formula's column
    last = rows[-1]
    assert last[0] == 3 and last[1] == [None, "b"]
    assert has_data(book, book.worksheets[0])
