"""Every PDF the product writes (apps/mobility/pdf.py is the only writer) keeps its
Chinese: each string drawn on the page comes back out of pdftotext, and each character
drawn has a glyph in the embedded font (no empty boxes on paper)."""

import re
import subprocess
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from apps.core.actors import system_actor
from apps.mobility import pdf, services
from tests.factories import make_member

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def drawn(monkeypatch):
    """The strings each PDF draws (every text call of the canvas)."""
    texts = []
    for name in ("drawString", "drawCentredString", "drawRightString"):
        real = getattr(Canvas, name)

        def spy(self, x, y, text, *a, _real=real, **kw):
            texts.append(text)
            return _real(self, x, y, text, *a, **kw)

        monkeypatch.setattr(Canvas, name, spy)
    return texts


def _extracted(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_all_extractable(content: bytes, texts: list[str], tmp_path) -> None:
    assert content.startswith(b"%PDF") and texts
    out = _squash(_extracted(content, tmp_path))
    missing = [t for t in texts if _squash(t) not in out]
    assert not missing, f"pdftotext 未能提取：{missing}"
    assert re.search(r"[\u4e00-\u9fff]", out)
    cmap = pdfmetrics.getFont(pdf.font_name()).face.charToGlyph
    no_glyph = sorted({c for t in texts for c in t if not c.isspace() and ord(c) not in cmap})
    assert not no_glyph, f"嵌入字体缺字：{no_glyph}"


def _issued(member, to, branch, **extra):
    t = services.request_transfer(member, {"to_organisation": to, "reason": "工作调动", **extra}, actor=SYSTEM)
    services.decide_step(t, approve=True, actor=SYSTEM)
    t = services.decide_step(t, approve=True, actor=SYSTEM)
    if t.status == "requested":  # leaving the county / out of the system
        t = services.decide_step(t, approve=True, actor=SYSTEM)
    return t


def test_letter_inside_the_deployment(drawn, tmp_path, branch, sibling):
    branch.address, branch.contact_phone, branch.contact_person = "福建省某县城关镇解放路12号", "0595-12345678", "林组织员"
    branch.save()
    member = make_member(branch, name="欧阳明华", ethnicity="畲族")
    t = _issued(member, sibling, branch)
    _assert_all_extractable(services.letter_pdf(t, actor=SYSTEM), drawn, tmp_path)
    assert any("解放路12号" in s for s in drawn) and any("叁拾" in s for s in drawn)


def test_letter_out_of_the_system_across_provinces_long_names(drawn, tmp_path, branch):
    """Long organisation names wrap over several lines; no wrapped piece is lost."""
    member = make_member(branch, name="司马相如")
    outside = "中共某某省某某市某某区某某街道某某社区某某股份有限公司第三生产车间党支部委员会"
    t = services.request_transfer(
        member, {"kind": "out", "outside_org_name": outside, "across_province": True, "reason": "跨省调动"}, actor=SYSTEM
    )
    for _ in range(3):
        t = services.decide_step(t, approve=True, actor=SYSTEM)
    assert t.status == "issued"
    content = services.letter_pdf(t, actor=SYSTEM)
    _assert_all_extractable(content, drawn, tmp_path)
    assert "玖拾" in _squash(_extracted(content, tmp_path)) and outside in _squash(_extracted(content, tmp_path))


def test_reissued_letter(drawn, tmp_path, branch, sibling):
    t = _issued(make_member(branch), sibling, branch)
    t = services.reissue_letter(t, reason="介绍信遗失", validity_days=15, actor=SYSTEM)
    content = services.letter_pdf(t, actor=SYSTEM)
    _assert_all_extractable(content, drawn, tmp_path)
    text = _squash(_extracted(content, tmp_path))
    assert "壹拾伍" in text and text.count(t.serial) == 3


def test_mobile_certificate(drawn, tmp_path, branch):
    member = make_member(branch, name="诸葛亮")
    services.register_mobile(
        member,
        {
            "reason": "外出务工（建筑业，随同乡施工队）",
            "destination": "广东省深圳市宝安区西乡街道",
            "months": 5,
            "home_contact": "王支书",
            "home_contact_phone": "13800001111",
            "host_name": "中共深圳市宝安区西乡街道流动党员党支部",
        },
        actor=SYSTEM,
    )
    _assert_all_extractable(services.certificate_pdf(member, actor=SYSTEM), drawn, tmp_path)


def test_commands_write_the_same_pdfs(tmp_path, branch, sibling):
    from django.core.management import call_command

    t = _issued(make_member(branch, name="上官婉儿"), sibling, branch)
    out = tmp_path / "letter.pdf"
    call_command("transfer_letter", t.pk, "--pdf", str(out))
    assert "上官婉儿" in _squash(_extracted(out.read_bytes(), tmp_path))
    member = make_member(branch, name="东方朔")
    services.register_mobile(member, {"reason": "经商", "destination": "浙江省义乌市", "months": 3, "home_contact": "李书记"}, actor=SYSTEM)
    out = tmp_path / "cert.pdf"
    call_command("mobile_certificate", member.pk, "--pdf", str(out))
    text = _squash(_extracted(out.read_bytes(), tmp_path))
    assert "东方朔" in text and "浙江省义乌市" in text


def test_pdf_py_is_the_only_pdf_writer():
    """A new PDF elsewhere must come through pdf.py (and these tests) to keep its Chinese."""
    writers = sorted(
        str(p.relative_to(ROOT)) for p in (ROOT / "apps").rglob("*.py") if re.search(r"^\s*(from|import) reportlab", p.read_text(), re.M)
    )
    assert writers == ["apps/mobility/pdf.py"]


def test_font_comes_from_a_pinned_dependency():
    """`make run` installs requirements.lock: the font package is pinned there, and its
    file is where pdf.py looks for it."""
    from importlib import metadata, resources

    dist = pdf.FONT_PACKAGE.replace("_", "-")
    lock = (ROOT / "requirements.lock").read_text()
    pinned = re.search(rf"^{re.escape(dist)}==(\S+)$", lock, re.M)
    assert pinned, f"{dist} 未在 requirements.lock 中固定版本"
    assert metadata.version(dist) == pinned.group(1)
    assert resources.files(pdf.FONT_PACKAGE).joinpath(pdf.FONT_FILE).is_file()
    assert re.search(rf"^{re.escape(dist)}\b", (ROOT / "requirements.in").read_text(), re.M)


def test_placeholders_when_nothing_is_on_file(drawn, tmp_path, branch, sibling):
    """No dues paid, no address on file: the placeholders are extractable too."""
    t = _issued(make_member(branch), sibling, branch)
    _assert_all_extractable(services.letter_pdf(t, actor=SYSTEM), drawn, tmp_path)
    assert any("尚无缴纳记录" in s for s in drawn) and any("（未登记）" in s for s in drawn)


@pytest.mark.parametrize("name", ["张㐀", "王𠀀明"])
def test_characters_outside_the_font_print_as_code_points(drawn, tmp_path, branch, sibling, name):
    """㐀 (U+3400, Extension A) and 𠀀 (U+20000, Extension B) are not in the embedded font
    (nor in any font the machines install): the letter and the certificate print the code
    point instead of an empty box, with a note to write the character by hand."""
    rare = [ch for ch in name if ord(ch) in (0x3400, 0x20000)]
    assert pdf.missing_glyphs(name) == rare  # the limitation this test documents
    member = make_member(branch, name=name)
    assert member.name == name
    t = _issued(member, sibling, branch)
    letter = services.letter_pdf(t, actor=SYSTEM)
    _assert_all_extractable(letter, drawn, tmp_path)  # no character without a glyph was drawn
    text = _squash(_extracted(letter, tmp_path))
    shown = name.replace(rare[0], pdf.code_point(rare[0]))
    assert f"兹介绍{shown}同志" in text
    assert f"U+{ord(rare[0]):04X}" in text and "打印后请在该处手工补写" in text
    drawn.clear()
    services.register_mobile(member, {"reason": "经商", "destination": "浙江省义乌市", "months": 3, "home_contact": "李书记"}, actor=SYSTEM)
    cert = services.certificate_pdf(member, actor=SYSTEM)
    _assert_all_extractable(cert, drawn, tmp_path)
    assert shown in _squash(_extracted(cert, tmp_path))


def test_no_note_when_every_character_has_a_glyph(tmp_path, branch, sibling):
    t = _issued(make_member(branch, name="欧阳修"), sibling, branch)
    text = _squash(_extracted(services.letter_pdf(t, actor=SYSTEM), tmp_path))
    assert "欧阳修" in text and "手工补写" not in text and "〔U+" not in text
