"""An independent .xlsx reader for tests (zipfile + ElementTree, not openpyxl): the exact
text Excel reads from each cell's <v>, and the number format the cell's style names."""

import io
import re
import xml.etree.ElementTree as ET
import zipfile

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 10: "0.00%", 14: "mm-dd-yy"}


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def raw_cells(data: bytes, sheet: int = 1) -> list[list[tuple[str, str, str]]]:
    """Rows of (type, exact text, number format) per cell; missing cells are ("", "", "")."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iterfind("m:numFmts/m:numFmt", NS)}
        xfs = [int(xf.get("numFmtId", "0")) for xf in styles.iterfind("m:cellXfs/m:xf", NS)]
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in ET.fromstring(z.read("xl/sharedStrings.xml"))]
        root = ET.fromstring(z.read(f"xl/worksheets/sheet{sheet}.xml"))
    rows = []
    for row in root.iterfind("m:sheetData/m:row", NS):
        cells: list[tuple[str, str, str]] = []
        for c in row.iterfind("m:c", NS):
            i = _column_index(c.get("r"))
            while len(cells) < i:
                cells.append(("", "", ""))
            kind = c.get("t", "n")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
            else:
                v = c.find("m:v", NS)
                text = v.text if v is not None and v.text is not None else ""
                if kind == "s" and text:
                    text = shared[int(text)]
            fmt_id = xfs[int(c.get("s", "0"))] if xfs else 0
            cells.append((kind, text, custom.get(fmt_id, BUILTIN_FORMATS.get(fmt_id, str(fmt_id)))))
        rows.append(cells)
    return rows
