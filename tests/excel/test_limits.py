"""Upload resource limits (issue 12 item 5): hostile workbooks are refused as "文件无效"
with a Chinese reason, quickly and with bounded memory — never "运行出错"."""

import io
import time
import tracemalloc
import zipfile

import pytest

from apps.core.actors import system_actor
from apps.excel import services
from apps.excel.importer import import_members
from apps.excel.models import JobStatus
from tests.excel.helpers import county_of, good_row, xlsx
from tests.factories import make_user

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def _rewrite(data: bytes, replace: dict[str, bytes] | None = None, *, stream: dict | None = None) -> bytes:
    """A copy of the workbook with some parts replaced (bytes) or written in chunks (an
    iterable of bytes: large parts without holding them in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            if stream and info.filename in stream:
                with dst.open(info.filename, "w", force_zip64=True) as fh:
                    for chunk in stream[info.filename]():
                        fh.write(chunk)
            elif replace and info.filename in replace:
                dst.writestr(info.filename, replace[info.filename])
            else:
                dst.writestr(info, src.read(info.filename))
    return out.getvalue()


def _sheet(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(SHEET)


def _huge_cell_sheet(base: bytes, megabytes: int):
    xml = _sheet(base)
    head, tail = xml.split(b"</sheetData>")

    def chunks():
        yield head
        yield b'<row r="99"><c r="A99" t="inlineStr"><is><t>'
        block = b"A" * (1 << 20)
        for _ in range(megabytes):
            yield block
        yield b"</t></is></c></row></sheetData>" + tail

    return chunks


def test_a_150_mb_cell_is_refused_quickly_with_bounded_memory(branch):
    base = xlsx([good_row(branch)])
    data = _rewrite(base, stream={SHEET: _huge_cell_sheet(base, 150)})
    assert len(data) < 400 * 1024  # small on disk, like the reported 158 KB file
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = import_members(data, dry_run=True, actor=system_actor("cli"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    assert result.refused.startswith("文件无效：")
    assert "32767" in result.refused
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert elapsed < 10, elapsed


def test_a_long_cell_within_bytes_but_over_excels_character_limit_is_refused(branch):
    """40,000 characters (120 KB of XML: under the byte bound) — openpyxl and Excel cut a
    cell at 32,767, so only a hand-made file holds this; both readers refuse it."""
    base = xlsx([good_row(branch)])
    assert import_members(base, dry_run=True, actor=system_actor("cli")).ok
    long = ("党" * 40_000).encode()
    for cell in (
        b'<c r="B50" t="inlineStr"><is><t>' + long + b"</t></is></c>",  # the fast reader
        b'<c r="B50" t="inlineStr"><is><r><t>' + long + b"</t></r></is></c>",  # rich text: the XML parser
    ):
        sheet = _sheet(base).replace(b"</sheetData>", b'<row r="50">' + cell + b"</row></sheetData>")
        result = import_members(_rewrite(base, {SHEET: sheet}), dry_run=True, actor=system_actor("cli"))
        assert result.refused == "文件无效：第50行B列的内容有 40000 个字符，超过 Excel 单元格上限 32767 个字符，已拒绝"


def test_billion_laughs_is_an_invalid_file(branch):
    base = xlsx([good_row(branch)])
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    )
    xml = _sheet(base)
    decl, rest = xml.split(b"?>", 1) if xml.startswith(b"<?xml") else (b"", xml)
    bomb = (decl + b"?>" if decl else b"") + b"<!DOCTYPE lolz [" + entities + b"]>" + rest.replace(b"<sheetData>", b"<sheetData>", 1)
    bomb = bomb.replace(b"</sheetData>", b'<row r="50"><c r="A50" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>')
    result = import_members(_rewrite(base, {SHEET: bomb}), dry_run=True, actor=system_actor("cli"))
    assert result.refused.startswith("文件无效：") and "DTD" in result.refused


def test_xxe_is_an_invalid_file(branch):
    base = xlsx([good_row(branch)])
    xml = _sheet(base)
    evil = xml.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet', 1)
    evil = evil.replace(b"</sheetData>", b'<row r="50"><c r="A50" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>')
    result = import_members(_rewrite(base, {SHEET: evil}), dry_run=True, actor=system_actor("cli"))
    assert result.refused.startswith("文件无效：") and "DTD" in result.refused


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the declared (uncompressed) size of one member, in both headers."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(member)
    real = info.file_size.to_bytes(4, "little")
    local = info.header_offset
    assert buf[local + 22 : local + 26] == real
    buf[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = buf.rfind(b"PK\x01\x02" + bytes(buf[buf.rfind(b"PK\x01\x02") + 4 : buf.rfind(b"PK\x01\x02") + 4]))
    name = member.encode()
    pos = 0
    while True:
        pos = buf.find(b"PK\x01\x02", pos)
        assert pos >= 0
        n = int.from_bytes(buf[pos + 28 : pos + 30], "little")
        if bytes(buf[pos + 46 : pos + 46 + n]) == name:
            break
        pos += 4
    assert central is not None and buf[pos + 24 : pos + 28] == real
    buf[pos + 24 : pos + 28] = size.to_bytes(4, "little")
    return bytes(buf)


@pytest.mark.parametrize("declared", [100, 10, 1_000_000])
def test_a_zip_with_a_false_size_header_is_an_invalid_file(branch, declared):
    base = xlsx([good_row(branch)])
    result = import_members(_lie_about_size(base, SHEET, declared), dry_run=True, actor=system_actor("cli"))
    assert result.refused.startswith("文件无效：")
    assert "压缩" in result.refused


@pytest.mark.parametrize("kind", ["bomb", "false-size", "huge-cell"])
def test_the_job_reports_an_invalid_file_not_a_crash(branch, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    base = xlsx([good_row(branch)])
    if kind == "bomb":
        data = _rewrite(base, {SHEET: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + _sheet(base)})
    elif kind == "false-size":
        data = _lie_about_size(base, SHEET, 10)
    else:
        data = _rewrite(base, stream={SHEET: _huge_cell_sheet(base, 2)})
    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, SimpleUploadedFile("a.xlsx", data))
    assert job.status == JobStatus.INVALID, job.message
    assert job.message.startswith("文件无效：")
    assert "运行出错" not in job.message
