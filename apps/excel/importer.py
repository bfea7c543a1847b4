"""The roster import engine: reads an .xlsx, refuses unsafe or malformed files, validates
every row with the member service's own rules, and writes all rows or none.

    result = import_members(path_or_bytes, actor=user, dry_run=True)   # preview
    result = import_members(path_or_bytes, actor=user, dry_run=False)  # commit

Two phases share one code path: a commit re-validates every row (the database may have
changed since the preview) and writes only if nothing is wrong. Reading the file is a
pure function of its bytes, so a preview may keep what it read (`sheet_store`, see
`dump_sheet`/`load_sheet`) and the commit of the same file reuses it instead of parsing
the workbook again; validation is never reused. Row validation is
`apps.members.services.validate_member_data` — the same function as the web form and
the API; the writes go through the member service's bulk functions
(`bulk_create_members` / `bulk_update_members`: what `create_member` / `update_member`
write, in bulk statements: the member, its categories, the first status history row,
the organisation counters and one ChangeLog row per record).
"""

import calendar
import datetime
import hashlib
import hmac
import io
import pickle
import re
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Protocol
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel

from apps.core import bulk, crypto
from apps.core.locks import advisory_lock
from apps.core.scoping import user_scope
from apps.members import idnumber
from apps.members import services as member_services
from apps.members.codes import ENDED_STATUSES
from apps.members.idnumber import FULLWIDTH
from apps.members.models import Member, MemberCategory
from apps.orgs.models import Organisation

from . import columns as C
from .sheetreader import CELL_CHAR_LIMIT, CellTooLong, has_data, open_workbook
from .sheetreader import iter_rows as iter_sheet_rows

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CELL_MAX_CHARS = CELL_CHAR_LIMIT  # Excel's own limit for one cell
MAX_TEXT_BYTES = CELL_MAX_CHARS * 10  # the longest XML text such a cell can need
DEFAULT_MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10  # a title row or two may sit above the header
PROGRESS_EVERY = 250
CANCEL_EVERY = 1000
BATCH = 1000
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
MACRO_CONTENT_TYPE = b"macroEnabled"
ENCRYPTION_MARKER = "EncryptionInfo".encode("utf-16-le")
ORG_PATH_SEPARATORS = re.compile(r"\s*[/／>＞\\|｜]\s*")
CATEGORY_SEPARATORS = re.compile(r"[、,，;；/／\s]+")


def max_bytes() -> int:
    return int(getattr(settings, "DANGJIAN_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "DANGJIAN_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


# ---------------------------------------------------------------------------- results


@dataclass
class RowError:
    row: int | None  # the Excel row number (1-based, as the user sees it); None: the file
    column: str  # column letter ("E"), "" when the problem is not one cell
    header: str  # the header as written in the file (or the template's header)
    value: str  # the offending value as text (personal data masked)
    message: str  # the rule, in Chinese

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        if self.header:
            where += f"“{self.header}”列"
            if self.column:
                where += f"（{self.column}）"
        value = f"，值“{self.value}”" if self.value else ""
        return f"{where}{value}：{self.message}"


@dataclass
class ImportResult:
    dry_run: bool
    rows_total: int = 0
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused: str = ""  # a file-level refusal (nothing was read row by row)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused

    def summary(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "rows_total": self.rows_total,
            "to_create": self.to_create,
            "to_update": self.to_update,
            "unchanged": self.unchanged,
            "created": self.created,
            "updated": self.updated,
            "error_count": len(self.errors),
            "refused": self.refused,
            "warnings": self.warnings,
            "sheet": self.sheet,
        }

    def as_dict(self) -> dict:
        return {**self.summary(), "ok": self.ok, "errors": [e.as_dict() for e in self.errors]}


class ImportRefused(Exception):
    """The file as a whole cannot be imported (format, size, formulas, macros …)."""

    def __init__(self, message: str, errors: list[RowError] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class ImportCancelled(Exception):
    pass


# ----------------------------------------------------------------- container checks


def read_source(source) -> bytes:
    """Path, bytes or a file-like object → bytes, refusing anything over the size limit
    before reading it all."""
    limit = max_bytes()
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif hasattr(source, "read"):
        size = getattr(source, "size", None)
        if size is not None and size > limit:
            raise ImportRefused(_too_big(size, limit))
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(limit + 1)
    else:
        with open(source, "rb") as fh:
            data = fh.read(limit + 1)
    if len(data) > limit:
        raise ImportRefused(_too_big(len(data), limit))
    return data


def _too_big(size: int, limit: int) -> str:
    return f"文件过大：上限为 {limit / 1024 / 1024:.0f} MB（当前至少 {size / 1024 / 1024:.1f} MB），请分批导入"


def check_container(data: bytes) -> None:
    """Refuse what is not a plain .xlsx workbook, before openpyxl parses anything."""
    if not data:
        raise ImportRefused("文件为空，请选择填写好的 .xlsx 文件")
    if data[:8] == OLE_SIGNATURE:
        if ENCRYPTION_MARKER in data:
            raise ImportRefused("文件设置了打开密码（已加密），系统无法读取：请在Excel中取消密码后另存为 .xlsx 再上传")
        raise ImportRefused("这是旧版 Excel 97-2003（.xls）文件：请在Excel中“另存为”Excel工作簿（.xlsx）后再上传")
    if data[:4] != ZIP_SIGNATURE:
        raise ImportRefused("不是有效的 .xlsx 文件：请上传由Excel或WPS保存的“Excel工作簿（.xlsx）”")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportRefused("文件无效：文件已损坏或不是有效的 .xlsx 文件") from exc
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRefused("不是有效的 .xlsx 文件（压缩包中没有Excel工作簿）：Word、PDF等文件改扩展名无法导入")
    # A zip bomb: small on disk, enormous once inflated (as declared; scan_parts then
    # checks what the parts really inflate to).
    inflated = sum(i.file_size for i in archive.infolist())
    if inflated > max_inflated():
        raise ImportRefused("文件无效：解压后过大，疑似异常文件，已拒绝")
    try:
        content_types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise ImportRefused(_broken_part("[Content_Types].xml", exc)) from exc
    if any(n.lower().endswith("vbaproject.bin") for n in names) or MACRO_CONTENT_TYPE in content_types:
        raise ImportRefused("文件包含宏（VBA），为安全起见不能导入：请另存为不含宏的“Excel工作簿（.xlsx）”后再上传")
    scan_parts(archive)


def max_inflated() -> int:
    return max(10 * max_bytes(), 200 * 1024 * 1024)


SCAN_CHUNK = 64 * 1024  # at most MAX_TEXT_BYTES: see scan_parts
XML_PART = re.compile(r"\.(xml|rels|vml)$", re.I)
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)")


def _broken_part(name: str, exc: Exception | None) -> str:
    return f"文件无效：压缩包已损坏（部件“{name[:80]}”的实际内容与文件头记录的大小或校验值不符）：请用Excel打开后重新保存为 .xlsx 再上传"


def scan_parts(archive: zipfile.ZipFile) -> None:
    """Stream every part once, in small chunks, before any XML parser sees it (memory
    stays at one chunk whatever the file holds):
    - each part must inflate to exactly its declared size with a matching CRC (a false
      size header is a damaged or hostile file), and all parts together to at most
      max_inflated() bytes;
    - XML parts must not declare a DTD or entities (billion laughs, XXE): Excel, WPS
      and LibreOffice never write one;
    - no text in an XML part may run longer than MAX_TEXT_BYTES between two tags: an
      Excel cell holds at most CELL_MAX_CHARS characters, each at most 10 bytes of XML
      ("&#1114111;"), so a longer run is not a spreadsheet's. With chunks no longer
      than that, only the run crossing each chunk's first and last tag mark can be long.
    Any failure is an ImportRefused whose message starts with "文件无效："."""
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        is_xml = bool(XML_PART.search(info.filename))
        size = 0
        run = 0  # bytes since the last "<" or ">"
        carry = b""  # the end of the previous chunk, for a "<!DOCTYPE" split across two
        try:
            with archive.open(info) as fh:
                while chunk := fh.read(SCAN_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if total > max_inflated():
                        raise ImportRefused("文件无效：解压后过大，疑似异常文件，已拒绝")
                    if not is_xml:
                        continue
                    if _DTD.search(carry + chunk):
                        raise ImportRefused(
                            f"文件无效：部件“{info.filename[:80]}”含有文档类型定义（DTD/实体声明），"
                            "Excel保存的文件不会有，疑似恶意构造，已拒绝"
                        )
                    carry = chunk[-9:]
                    first = min((i for i in (chunk.find(b"<"), chunk.find(b">")) if i >= 0), default=-1)
                    if first < 0:
                        run += len(chunk)
                    else:
                        run += first
                        if run > MAX_TEXT_BYTES:
                            break
                        run = len(chunk) - 1 - max(chunk.rfind(b"<"), chunk.rfind(b">"))
                    if run > MAX_TEXT_BYTES:
                        break
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
            raise ImportRefused(_broken_part(info.filename, exc)) from exc
        if run <= MAX_TEXT_BYTES and size != info.file_size:
            raise ImportRefused(_broken_part(info.filename, None))
        if run > MAX_TEXT_BYTES:
            raise ImportRefused(
                f"文件无效：部件“{info.filename[:80]}”中有一段内容超过 {MAX_TEXT_BYTES // 1024} KB，"
                f"超出 Excel 单元格上限（每格最多 {CELL_MAX_CHARS} 个字符），疑似异常文件，已拒绝"
            )


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _merged_ranges(data: bytes, worksheet_path: str) -> list[str]:
    """Merged ranges of one sheet, read from its XML (read-only mode does not expose them).
    Streamed: only what follows </sheetData> is kept (the cells are not held in memory)."""
    marker = b"</sheetData>"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            fh = archive.open(worksheet_path.lstrip("/"))
        except KeyError:
            return []
        with fh:
            window = b""
            tail = None
            while chunk := fh.read(SCAN_CHUNK):
                if tail is not None:
                    tail += chunk
                    continue
                window = window[-len(marker) :] + chunk
                at = window.find(marker)
                if at >= 0:
                    tail = window[at:]
    return [m.decode() for m in _MERGE_RE.findall(tail or b"")]


# ------------------------------------------------------------------ cell conversion


class CellError(ValueError):
    pass


def text(value) -> str:
    """Any cell → trimmed text ('张三 ' → '张三'; 13800001111 → '13800001111')."""
    if type(value) is str:  # most cells: skip the type checks below
        if "\u200b" in value or "\ufeff" in value:
            value = value.replace("\u200b", "").replace("\ufeff", "")
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).replace("\u200b", "").replace("\ufeff", "").strip()


_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})$")


def _make_date(y: int, m: int, d: int, raw: str) -> datetime.date:
    if not 1 <= m <= 12:
        raise CellError(f"日期“{raw}”的月份不存在")
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        raise CellError(f"日期“{raw}”不存在：{y}年{m}月只有{last}天")
    if y < 1880:
        raise CellError(f"日期“{raw}”早于1880年，不合常理")
    return datetime.date(y, m, d)


def parse_date(value, *, allow_month: bool = False):
    """A date cell → date. Accepts Excel dates, YYYY-MM-DD / YYYY/M/D / YYYY.M.D /
    YYYY年M月D日 / YYYYMMDD text or numbers, Excel serial numbers; with allow_month
    (the 出生年月 column) also YYYY-MM / YYYY.MM / YYYYMM, returned as (year, month)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise CellError("日期格式不正确：应为 YYYY-MM-DD")
    if isinstance(value, (int, float)):
        number = value
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, int) and 18000101 <= number <= 29991231:
            return parse_date(str(number), allow_month=allow_month)
        if allow_month and isinstance(number, int) and 188001 <= number <= 299912:
            return parse_date(str(number), allow_month=True)
        if allow_month and isinstance(number, float):
            # 1980.05 typed into a number cell
            return parse_date(f"{number:.2f}", allow_month=True)
        if 1 <= number < 2958466:
            converted = from_excel(number)
            return converted.date() if isinstance(converted, datetime.datetime) else converted
        raise CellError(f"“{value}”不是日期：请填写 YYYY-MM-DD")
    raw = str(value).translate(FULLWIDTH).strip()
    for pattern in (_YMD, _YMD_COMPACT):
        m = pattern.match(raw)
        if m:
            return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    for pattern in (_YM, _YM_COMPACT):
        m = pattern.match(raw)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if not 1 <= month <= 12:
                raise CellError(f"日期“{raw}”的月份不存在")
            if allow_month:
                return (year, month)
            raise CellError(f"日期“{raw}”须精确到日：请填写 YYYY-MM-DD")
    raise CellError(f"日期格式不正确：“{raw}”，应为 YYYY-MM-DD（如 1985-07-01）")


def parse_id_number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError("身份证号必须以文本格式填写：数字格式会丢失末尾几位和X（请把该列设为“文本”后重新录入）")
    raw = text(value).translate(FULLWIDTH).replace(" ", "")
    if "*" in raw:
        raise CellError("身份证号是脱敏值（含*），无法导入：请使用含完整个人信息的导出文件或重新录入")
    return raw


def parse_phone(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return text(value).translate(FULLWIDTH)


def parse_choice(col: C.Column, value, mapping: dict[str, str]) -> str:
    raw = text(value)
    if not raw:
        return ""
    code = mapping.get(raw) or mapping.get(raw.replace(" ", ""))
    if code is None:
        raise CellError(f"{col.header}“{raw}”不是有效取值，可选：{'、'.join(lbl for _c, lbl in col.choices if lbl)}")
    return code


def parse_categories(col: C.Column, value, mapping: dict[str, str]) -> list[str]:
    raw = text(value)
    if not raw:
        return []
    result = []
    for part in CATEGORY_SEPARATORS.split(raw):
        if not part:
            continue
        code = mapping.get(part)
        if code is None:
            raise CellError(f"党员类别“{part}”不是有效取值，可选：{'、'.join(lbl for _c, lbl in col.choices)}，多个用“、”分隔")
        result.append(code)
    return result


def display_value(key: str, value) -> str:
    """The value shown in an error report (personal data masked)."""
    shown = text(value)
    if key == "id_number" and len(shown) >= 10:
        return crypto.mask_id_number(shown.upper())
    if key == "phone" and shown:
        return crypto.mask_phone(shown)
    return shown[:100]


# ------------------------------------------------------------------ reading the file


@dataclass
class SheetData:
    title: str
    header_row: int
    keys: dict[int, str]  # column index (0-based) → column key
    headers: dict[str, tuple[int, str]]  # key → (column index, header as written)
    rows: list[tuple[int, tuple]]  # (excel row number, values)
    warnings: list[str]


def _pick_sheet(wb):
    sheets = [ws for ws in wb.worksheets]
    for ws in sheets:
        if ws.title == C.DATA_SHEET and ws.sheet_state == "visible":
            return ws
    for ws in sheets:
        if ws.sheet_state == "visible" and ws.title not in (C.HELP_SHEET, C.CODES_SHEET):
            return ws
    return None


class SheetStore(Protocol):
    """Keeps what a preview read, for the commit of the same file (apps.excel.services
    stores it beside the job's upload)."""

    def load(self, digest: str) -> "SheetData | None": ...

    def save(self, digest: str, sheet: "SheetData") -> None: ...


_SHEET_SALT = "dangjian.excel.parsed-sheet"
_SHEET_FORMAT = b"DJSHEET1"


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dump_sheet(sheet: SheetData, digest: str) -> bytes:
    """The read sheet as bytes, signed with the site's secret key (a pickle is only ever
    loaded after its signature and the file digest check out)."""
    payload = pickle.dumps((digest, sheet), protocol=pickle.HIGHEST_PROTOCOL)
    mac = salted_hmac(_SHEET_SALT, payload, algorithm="sha256").digest()
    return _SHEET_FORMAT + mac + payload


def load_sheet(blob: bytes, digest: str) -> SheetData | None:
    """The sheet dump_sheet wrote for the file with this digest; None when the blob is
    missing, tampered with, from another key or for another file."""
    head = len(_SHEET_FORMAT)
    if not blob or blob[:head] != _SHEET_FORMAT or len(blob) < head + 32:
        return None
    mac, payload = blob[head : head + 32], blob[head + 32 :]
    if not hmac.compare_digest(mac, salted_hmac(_SHEET_SALT, payload, algorithm="sha256").digest()):
        return None
    stored_digest, sheet = pickle.loads(payload)  # signed by this site: checked above
    if stored_digest != digest or not isinstance(sheet, SheetData):
        return None
    return sheet


def read_sheet(data: bytes, *, should_cancel: Callable[[], bool] | None = None) -> SheetData:
    try:
        wb = open_workbook(data)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ImportRefused(f"文件无效：无法读取该 .xlsx 文件（文件可能已损坏）：{type(exc).__name__}") from exc
    try:
        # Decision (docs/import-mapping.md): a hidden sheet that holds data is refused —
        # either its rows were meant to be imported and the user cannot see them, or they
        # were not and would silently be ignored. Empty hidden sheets are harmless.
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" and has_data(wb, ws):
                raise ImportRefused(f"工作簿包含有数据的隐藏工作表“{ws.title}”：请取消隐藏并核对，或删除该工作表后重新上传")
        ws = _pick_sheet(wb)
        if ws is None:
            raise ImportRefused("文件中没有可见的数据工作表")
        return _read_rows(data, ws, should_cancel)
    except CellTooLong as exc:
        where = f"第{exc.row}行{get_column_letter(exc.col + 1)}列" if exc.row else "共享字符串表中有单元格"
        raise ImportRefused(
            f"文件无效：{where}的内容有 {exc.length} 个字符，超过 Excel 单元格上限 {CELL_MAX_CHARS} 个字符，已拒绝"
        ) from exc
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        # scan_parts refuses what we know to be hostile; anything else the XML parser or
        # the zip reader cannot read is a damaged file, said so in Chinese.
        raise ImportRefused(f"文件无效：工作表内容格式错误，无法读取（{type(exc).__name__}）：请用Excel打开后重新保存再上传") from exc
    finally:
        wb.close()


def _read_rows(data: bytes, ws, should_cancel) -> SheetData:
    limit = max_rows()
    header_row = 0
    keys: dict[int, str] = {}
    headers: dict[str, tuple[int, str]] = {}
    warnings: list[str] = []
    rows: list[tuple[int, tuple]] = []
    formula_errors: list[RowError] = []
    width = 0
    # Cells come from our streaming reader (apps.excel.sheetreader): fast, and it numbers
    # rows from the XML itself, whatever the sheet's <dimension> says.
    for rownum, row_values, formula_cols in iter_sheet_rows(ws.parent, ws):
        if not row_values and not formula_cols:
            continue
        if not header_row:
            values = list(row_values)
            matched = {i: C.match_header(v) for i, v in enumerate(values)}
            matched = {i: k for i, k in matched.items() if k}
            if len(matched) >= 3:
                header_row = rownum
                seen: dict[str, int] = {}
                for i, key in matched.items():
                    if key in seen:
                        raise ImportRefused(
                            f"表头重复：第{get_column_letter(seen[key] + 1)}列“{text(values[seen[key]])}”与第{get_column_letter(i + 1)}列“{text(values[i])}”是同一项"
                        )
                    seen[key] = i
                    keys[i] = key
                    headers[key] = (i, text(values[i]))
                ignored = [text(v) for i, v in enumerate(values) if i not in matched and text(v)]
                if ignored:
                    warnings.append(f"以下列不是党员信息项，已忽略：{'、'.join(ignored)}")
                width = max(keys) + 1
            elif rownum >= HEADER_SEARCH_ROWS:
                raise ImportRefused(
                    f"前{HEADER_SEARCH_ROWS}行中找不到表头（至少应有“姓名”“公民身份号码”“入党日期”等3个列名）：请使用系统模板"
                )
            continue
        for i in formula_cols:
            key = keys.get(i)
            formula_errors.append(
                RowError(
                    rownum,
                    get_column_letter(i + 1),
                    headers[key][1] if key else "",
                    str(row_values[i])[:60] if i < len(row_values) else "",
                    "单元格是公式：请复制后“选择性粘贴→数值”再上传",
                )
            )
        values = row_values[:width]
        blank = True
        for v in values:
            if v is not None and v != "" and not (isinstance(v, str) and not v.strip()):
                blank = False
                break
        if blank:
            continue
        rows.append((rownum, tuple(values)))
        if len(rows) > limit:
            raise ImportRefused(f"数据行数超过上限 {limit} 行，请分批导入")
        if should_cancel and len(rows) % (CANCEL_EVERY * 5) == 0 and should_cancel():
            raise ImportCancelled()
    if not header_row:
        raise ImportRefused("文件中没有数据（找不到表头），请使用系统模板填写")
    if formula_errors:
        raise ImportRefused(f"数据区有 {len(formula_errors)} 个公式单元格，为防止数据被篡改不能导入", formula_errors)
    # Merged cells at or below the header make rows ambiguous (which row holds the value?).
    merged = []
    for ref in _merged_ranges(data, ws._worksheet_path):
        min_col, min_row, _max_col, max_row = range_boundaries(ref)
        if (max_row or min_row) >= header_row:
            key = keys.get(min_col - 1)
            merged.append(
                RowError(
                    max(min_row, header_row),
                    get_column_letter(min_col),
                    headers[key][1] if key else "",
                    ref,
                    f"数据区有合并单元格 {ref}：请取消合并，并在每一行填写完整的值",
                )
            )
    if merged:
        raise ImportRefused(f"数据区有 {len(merged)} 处合并单元格，不能导入", merged)
    if not rows:
        raise ImportRefused("文件中没有数据：表头下没有任何党员记录")
    return SheetData(ws.title, header_row, keys, headers, rows, warnings)


# ------------------------------------------------------------------ organisations


@dataclass
class OrgResolution:
    org: Organisation | None
    error: str = ""


def resolve_orgs(values: set[str], codes: set[str]) -> dict[str, OrgResolution]:
    """Resolve every distinct organisation cell of the file in a few queries: by code,
    else by name path (the segments must be the organisation and its ancestors, from
    the county down; a bare name must be unique). Nothing is ever created."""
    result: dict[str, OrgResolution] = {}
    wanted = {v for v in values | codes if v}
    if not wanted:
        return result
    by_code = {o.code: o for o in Organisation.objects.filter(code__in=list(wanted))}
    for v in codes:
        if v:
            result["code:" + v] = OrgResolution(by_code.get(v), "" if v in by_code else f"组织代码“{v}”不存在（导入不会新建组织）")
    pending = {}
    for v in values:
        if not v:
            continue
        if v in by_code:
            result[v] = OrgResolution(by_code[v])
            continue
        segments = [s for s in ORG_PATH_SEPARATORS.split(v) if s]
        pending[v] = segments
    if not pending:
        return result
    last_names = {segs[-1] for segs in pending.values() if segs}
    candidates = list(
        Organisation.objects.filter(name__in=last_names).only("id", "name", "short_name", "code", "path", "org_type", "status", "depth")
    ) + list(
        Organisation.objects.filter(short_name__in=last_names)
        .exclude(name__in=last_names)
        .only("id", "name", "short_name", "code", "path", "org_type", "status", "depth")
    )
    step = Organisation.steplen
    ancestor_paths = {c.path[: step * k] for c in candidates for k in range(1, c.depth)}
    ancestors = {o.path: o for o in Organisation.objects.filter(path__in=list(ancestor_paths)).only("id", "name", "short_name", "path")}

    def names(o):
        return {o.name, o.short_name} - {""}

    by_name: dict[str, list] = {}
    for cand in candidates:
        for n in names(cand):
            by_name.setdefault(n, []).append(cand)
    for value, segments in pending.items():
        matches = []
        for cand in by_name.get(segments[-1], []):
            chain = [ancestors.get(cand.path[: step * k]) for k in range(1, cand.depth)]
            chain = [a for a in chain if a is not None] + [cand]
            if len(segments) > len(chain):
                continue
            tail = chain[-len(segments) :]
            if all(seg in names(o) for seg, o in zip(segments, tail, strict=True)):
                matches.append(cand)
        if len(matches) == 1:
            result[value] = OrgResolution(matches[0])
        elif not matches:
            result[value] = OrgResolution(None, f"找不到党组织“{value}”（导入不会新建组织）：请填写组织代码或从县委起的完整名称路径")
        else:
            result[value] = OrgResolution(None, f"党组织“{value}”有{len(matches)}个同名组织：请填写组织代码或完整名称路径")
    return result


# ------------------------------------------------------------------ the engine


@dataclass
class PreparedRow:
    rownum: int
    clean: dict
    instance: Member | None  # set for an update
    member: Member | None = None  # the record to write
    before: dict | None = None
    changed: bool = True


class Importer:
    def __init__(
        self,
        *,
        actor,
        org: Organisation | None = None,
        dry_run: bool = True,
        update_existing: bool = True,
        progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
        today: datetime.date | None = None,
        job_label: str = "",
        phase: Callable[[str], None] | None = None,
        sheet_store: SheetStore | None = None,
    ):
        self.actor = actor
        self.default_org = org
        self.dry_run = dry_run
        self.update_existing = update_existing
        self.progress = progress or (lambda done, total: None)
        self.should_cancel = should_cancel or (lambda: False)
        self.today = today or timezone.localdate()
        self.job_label = job_label
        self.phase = phase or (lambda name: None)
        self.sheet_store = sheet_store
        self.scope = user_scope(actor, "change")  # the system actor's covers everything
        self.mappings = {c.key: C.label_to_code(c) for c in C.COLUMNS if c.choices}
        # The importer checks ID numbers against the register itself, in bulk (blind index,
        # one query per 1,000 rows); when the member service lets a caller skip its
        # one-query-per-row duplicate check, skip it (same rule, same message source).
        # The importer checks duplicate ID numbers for the whole file in bulk.
        self.validate_options = {"check_duplicate": False}

    # -- helpers
    def in_scope(self, org: Organisation) -> bool:
        if self.default_org is not None and not org.path.startswith(self.default_org.path):
            return False
        return self.scope.covers_path(org.path)

    def run(self, source) -> ImportResult:
        result = ImportResult(dry_run=self.dry_run)
        try:
            data = read_source(source)
            check_container(data)
            self.phase("read")
            sheet = self._read(data)
        except ImportRefused as exc:
            result.refused = exc.message
            result.errors = exc.errors
            return result
        result.sheet, result.header_row, result.warnings = sheet.title, sheet.header_row, sheet.warnings
        result.rows_total = len(sheet.rows)
        missing = [C.COLUMN_BY_KEY[k].header for k in C.REQUIRED_KEYS if k not in sheet.headers]
        if "org" not in sheet.headers and "org_code" not in sheet.headers and self.default_org is None:
            missing.append("所在党组织")
        if missing:
            result.refused = f"缺少必填列：{'、'.join(missing)}（列名可用模板中的写法或说明页列出的别名）"
            return result
        self.phase("validate")
        self.progress(0, result.rows_total)
        prepared = self.validate(sheet, result)
        if result.errors:
            return result
        if not self.dry_run:
            try:
                self.commit(prepared, result)
            except _Rollback:
                pass  # the errors are on the result; the transaction rolled back
        return result

    def _read(self, data: bytes) -> SheetData:
        if self.sheet_store is None:
            return read_sheet(data, should_cancel=self.should_cancel)
        digest = file_digest(data)
        sheet = self.sheet_store.load(digest)
        if sheet is None:
            sheet = read_sheet(data, should_cancel=self.should_cancel)
            self.sheet_store.save(digest, sheet)
        return sheet

    # -- phase 1: every row through the member service's validation
    def validate(self, sheet: SheetData, result: ImportResult) -> list[PreparedRow]:
        headers = sheet.headers
        total = len(sheet.rows)
        errors = result.errors

        def err(rownum, key, value, message):
            col = C.COLUMN_BY_KEY.get(key)
            if key in headers:
                idx, header = headers[key]
                letter = get_column_letter(idx + 1)
            else:
                letter, header = "", (col.header if col else member_services.LABELS.get(key, key))
            errors.append(RowError(rownum, letter, header, display_value(key, value), message))

        # Organisations: resolve the distinct values once.
        org_idx = headers.get("org", (None,))[0]
        code_idx = headers.get("org_code", (None,))[0]
        org_values = {text(r[org_idx]) for _n, r in sheet.rows if org_idx is not None and org_idx < len(r)}
        code_values = {text(r[code_idx]) for _n, r in sheet.rows if code_idx is not None and code_idx < len(r)}
        orgs = resolve_orgs(org_values, code_values)

        # Existing members with the same ID numbers (blind index), in batches.
        id_idx = headers["id_number"][0]
        hashes = {}
        for _n, r in sheet.rows:
            raw = r[id_idx] if id_idx < len(r) else None
            if isinstance(raw, str):
                number = raw.translate(FULLWIDTH).replace(" ", "").strip().upper()
                if len(number) == 18:
                    hashes[crypto.blind_index(number)] = number
        # Active records by ID number (at most one each); ended records (出党, 死亡) too,
        # the latest per number: a row that carries an ended status is that record (an
        # export re-imported), while a row with an active status is a new record (the
        # number of an ended record may come back, e.g. on readmission).
        existing: dict[str, Member] = {}
        ended: dict[str, Member] = {}
        hash_list = list(hashes)
        for i in range(0, len(hash_list), BATCH):
            batch = {}
            for m in Member.objects.filter(id_number_hash__in=hash_list[i : i + BATCH]).select_related("organisation").order_by("pk"):
                batch[m.pk] = m
                if m.status in ENDED_STATUSES:
                    ended[m.id_number_hash] = m  # ordered by pk: the latest wins
            # Their categories in one query (prefetch_related builds a queryset per member).
            codes = defaultdict(list)
            for member_id, code in MemberCategory.objects.filter(member_id__in=list(batch)).values_list("member_id", "code"):
                codes[member_id].append(code)
            for m in batch.values():
                m.set_known_category_codes(codes[m.pk])
                if m.status not in ENDED_STATUSES:
                    existing[m.id_number_hash] = m

        seen_ids: dict[str, int] = {}
        prepared: list[PreparedRow] = []
        for done, (rownum, values) in enumerate(sheet.rows, start=1):
            if done % PROGRESS_EVERY == 0:
                self.progress(done, total)
            if done % CANCEL_EVERY == 0 and self.should_cancel():
                raise ImportCancelled()
            row_prepared = self._validate_row(rownum, values, sheet, orgs, existing, ended, seen_ids, err)
            if row_prepared is not None:
                prepared.append(row_prepared)
        self.progress(total, total)
        for p in prepared:
            if p.instance is None:
                result.to_create += 1
            elif p.changed:
                result.to_update += 1
            else:
                result.unchanged += 1
        return prepared

    def _validate_row(self, rownum, values, sheet, orgs, existing, ended, seen_ids, err) -> PreparedRow | None:
        data: dict = {}
        row_ok = True
        raw_values = {}
        birth_month = None
        failed: set[str] = set()  # columns already reported for this row
        for idx, key in sheet.keys.items():
            value = values[idx] if idx < len(values) else None
            raw_values[key] = value
            col = C.COLUMN_BY_KEY[key]
            try:
                if col.kind == "text":
                    data[key] = text(value)
                elif col.kind == "date":
                    parsed = parse_date(value, allow_month=(key == "birth_date"))
                    if isinstance(parsed, tuple):
                        birth_month = parsed
                    else:
                        data[key] = parsed
                elif col.kind == "choice":
                    data[key] = parse_choice(col, value, self.mappings[key])
                elif col.kind == "id_number":
                    data[key] = parse_id_number(value)
                elif col.kind == "phone":
                    data[key] = parse_phone(value)
                elif col.kind == "categories":
                    data[key] = parse_categories(col, value, self.mappings[key])
            except CellError as exc:
                err(rownum, key, value, str(exc))
                failed.add(key)
                row_ok = False

        # Organisation: by code, else by name path, else the import's default organisation.
        code = text(raw_values.get("org_code"))
        name = text(raw_values.get("org"))
        org = None
        if code:
            res = orgs.get("code:" + code)
            if res and res.org is None:
                err(rownum, "org_code", code, res.error)
                row_ok = False
            elif res:
                org = res.org
                if name:
                    by_name = orgs.get(name)
                    if by_name and by_name.org is not None and by_name.org.pk != org.pk:
                        err(rownum, "org", name, f"所在党组织与组织代码“{code}”不是同一个组织")
                        row_ok = False
        elif name:
            res = orgs[name]
            if res.org is None:
                err(rownum, "org", name, res.error)
                row_ok = False
            org = res.org
        elif self.default_org is not None:
            org = self.default_org
        else:
            err(rownum, "org", "", "所在党组织为必填项")
            row_ok = False
        if org is not None and not self.in_scope(org):
            err(rownum, "org" if name or not code else "org_code", name or code, f"“{org.name}”不在您的维护权限范围内，不能导入到该组织")
            row_ok = False
            org = None
        data.pop("org", None)
        data.pop("org_code", None)
        if org is not None:
            data["organisation"] = org

        # Defaults of the member record for empty optional cells.
        if not data.get("ethnicity"):
            data.pop("ethnicity", None)
        if not data.get("status"):
            data["status"] = "normal"
        if not data.get("increase_method"):
            data.pop("increase_method", None)
        facts = None
        try:
            facts = idnumber.parse(data.get("id_number") or "", today=self.today)
        except idnumber.IdNumberError:
            pass  # the validation names the rule
        for key in ("sex", "birth_date"):
            if not data.get(key) and key not in failed:
                # Left empty: taken from the ID number (GB 11643: birth date, 17th digit).
                if facts is not None:
                    data[key] = facts.sex if key == "sex" else facts.birth_date
                else:
                    data.pop(key, None)
        for key in ("work_start_date", "application_date", "conversion_date"):
            if key in data and data[key] == "":
                data[key] = None

        number = data.get("id_number") or ""
        normalised = number.upper()
        if len(normalised) == 18 and normalised in seen_ids:
            err(rownum, "id_number", number, f"与第{seen_ids[normalised]}行的身份证号重复（同一文件中一人只能有一行）")
            row_ok = False
        elif len(normalised) == 18:
            seen_ids[normalised] = rownum

        key = crypto.blind_index(normalised) if len(normalised) == 18 else None
        instance = existing.get(key) if key else None
        if instance is None and key and data.get("status") in ENDED_STATUSES:
            instance = ended.get(key)
        if instance is not None:
            if not (self.scope is None or self.scope.covers_path(instance.org_path)) or not self.in_scope(instance.organisation):
                err(rownum, "id_number", number, "该身份证号已有在册党员记录，且不在您的维护范围内，不能导入或更新")
                return None
            if not self.update_existing:
                err(rownum, "id_number", number, f"该身份证号已有在册党员记录（{instance.organisation.name}），本次导入设置为只新增不更新")
                return None
            if org is not None and org.pk != instance.organisation_id:
                err(
                    rownum,
                    "org",
                    name or code,
                    f"该党员现属“{instance.organisation.name}”：变更所在党组织请使用“组织关系调整”，以保留转接记录",
                )
                row_ok = False
            if data.get("status") and data["status"] != instance.status:
                err(
                    rownum,
                    "status",
                    raw_values.get("status"),
                    f"该党员当前党籍状态为“{instance.get_status_display()}”：变更党籍状态请使用“党籍状态变更”，以保留状态历史",
                )
                row_ok = False
            data.pop("status", None)
            data["organisation"] = instance.organisation
        elif data.get("status") in member_services.PROCEDURE_STATUSES and "status" not in failed:
            # 停止党籍、除名、开除党籍…: a status a procedure sets (its engine, with history);
            # a new record cannot start in it.
            procedure = member_services.PROCEDURE_STATUSES[data["status"]]
            err(
                rownum,
                "status",
                raw_values.get("status"),
                f"党籍状态不能为“{procedure.label}”：导入只能新建在册党员，{procedure.message}",
            )
            row_ok = False

        if birth_month is not None and facts is not None and (facts.birth_date.year, facts.birth_date.month) != birth_month:
            # 出生年月 (year and month only) must agree with the ID number, whose full date is kept.
            err(rownum, "birth_date", raw_values.get("birth_date"), "出生年月与身份证号中的出生日期不一致")
            failed.add("birth_date")
            row_ok = False

        if not row_ok and org is None:
            # Without an organisation the service would only repeat "required".
            data.pop("organisation", None)
        try:
            clean = member_services.validate_member_data(data, instance=instance, today=self.today, **self.validate_options)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key == "organisation" and not row_ok and "organisation" not in data:
                    continue
                col_key = "org" if key == "organisation" and ("org" in sheet.headers or "org_code" not in sheet.headers) else key
                if key == "organisation" and col_key != "org":
                    col_key = "org_code"
                if col_key in failed or key in failed:
                    continue  # the cell itself was already reported (unreadable value)
                for message in messages:
                    err(rownum, col_key, raw_values.get(col_key, data.get(key)), message)
            return None
        if not row_ok:
            return None
        prepared = PreparedRow(rownum, clean, instance)
        if instance is not None:
            # Decide now whether the row changes anything, so the preview can say
            # "unchanged" (a county re-uploading its roster is mostly unchanged rows).
            prepared.changed = _differs(instance, clean)
            prepared.member = instance
        return prepared

    # -- phase 2: write everything or nothing
    def commit(self, prepared: list[PreparedRow], result: ImportResult) -> None:
        """Write every prepared row through the member service's bulk functions
        (bulk_create_members / bulk_update_members: the same writes as create_member /
        update_member), in chunks so progress and cancelling work, all in one transaction."""
        message = f"Excel导入{self.job_label}"[:255]
        creates = [p for p in prepared if p.instance is None]
        updates = [p for p in prepared if p.instance is not None and p.changed]

        self.phase("write")
        self.progress(0, len(creates) + len(updates))
        with transaction.atomic():
            advisory_lock("members.import")
            at = timezone.now()
            # The database may have changed since validation: re-check the blind index.
            hashes = {crypto.blind_index(p.clean["id_number"]): p for p in creates}
            keys = list(hashes)
            clash = set()
            for i in range(0, len(keys), BATCH):
                clash |= set(
                    Member.objects.active().filter(id_number_hash__in=keys[i : i + BATCH]).values_list("id_number_hash", flat=True)
                )
            if clash:
                col = C.COLUMN_BY_KEY["id_number"]
                for key in sorted(clash, key=lambda k: hashes[k].rownum):
                    p = hashes[key]
                    masked = crypto.mask_id_number(p.clean["id_number"])
                    result.errors.append(
                        RowError(p.rownum, "", col.header, masked, "该身份证号刚刚已被其他操作录入（在册记录已存在），请重新预览")
                    )
                raise _Rollback()
            total = len(creates) + len(updates)
            done = 0
            # The organisations' member counters: summed over the chunks and written once,
            # in one statement, at the end of the transaction (a chunk of a roster sorted
            # by organisation touches a few dozen, an unsorted one most of a county's).
            counts: Counter = Counter()
            for i in range(0, len(creates), BATCH):
                if self.should_cancel():
                    raise ImportCancelled()
                chunk = creates[i : i + BATCH]
                members = member_services.bulk_create_members(
                    [p.clean for p in chunk], actor=self.actor, message=message, at=at, counts=counts
                )
                for p, member in zip(chunk, members, strict=True):
                    p.member = member
                done += len(chunk)
                self.progress(done, total)
            for i in range(0, len(updates), BATCH):
                if self.should_cancel():
                    raise ImportCancelled()
                chunk = updates[i : i + BATCH]
                member_services.bulk_update_members([(p.instance, p.clean) for p in chunk], actor=self.actor, message=message, at=at)
                done += len(chunk)
                self.progress(done, total)
            if self.should_cancel():
                raise ImportCancelled()
            bulk.add_to_counts(Organisation, "direct_member_count", counts)
        result.created = len(creates)
        result.updated = len(updates)


def _differs(member: Member, clean: dict) -> bool:
    """Would apps.members.services.apply_values change this record? (Compared on the values
    as apply_values would set them, without encrypting anything.)"""
    for key, value in clean.items():
        if key == "categories":
            if sorted(set(value)) != sorted(member.category_codes()):
                return True
        elif key == "id_number":
            if crypto.blind_index(value) != member.id_number_hash:
                return True
        elif key == "phone":
            if crypto.blind_index(value or "") != member.phone_hash:
                return True
        elif key == "organisation":
            if value.pk != member.organisation_id:
                return True
        elif key in _MEMBER_FIELD_NAMES:
            f = Member._meta.get_field(key)
            if value is None and f.empty_strings_allowed and not f.null:
                value = ""
            if getattr(member, key) != value:
                return True
    return False


_MEMBER_FIELD_NAMES = {f.name for f in Member._meta.concrete_fields}


class _Rollback(Exception):
    pass


def import_members(source, *, actor, **options) -> ImportResult:
    """Preview (dry_run=True, the default) or commit an import; see Importer.
    Raises ImportCancelled when should_cancel() turned true (nothing written)."""
    return Importer(actor=actor, **options).run(source)
