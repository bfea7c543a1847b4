"""PDF letters: the 组织关系介绍信 (three parts on one A4 page) and the 流动党员活动证.

The CJK font is embedded (subset) so the page renders the same on any machine and its
text is extractable: WenQuanYi Micro Hei, a TrueType (glyf) font under the Apache License
2.0, shipped on PyPI by the pinned package paperang-p2-fonts-cjk (requirements.lock), so a
fresh machine gets it through `make run` like every other dependency — no system font, no
download at run time. ReportLab embeds TrueType outlines only (not CFF-based OpenType).

Characters the font lacks (most of CJK Extension A, e.g. 㐀 U+3400, and all of Extension
B, e.g. 𠀀 U+20000 — no font the machines install covers them): instead of an empty box
each is printed as its code point in brackets, 〔U+20000〕, and a note at the foot of the
page asks for the character to be written in by hand (docs/adr/0006-pdf-cjk-font.md)."""

from __future__ import annotations

import datetime
import functools
import io
import re
from importlib import resources

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from . import rules

FONT = "WenQuanYiMicroHei"
FONT_PACKAGE = "paperang_p2_fonts_cjk"
FONT_FILE = "fonts/wqy-microhei.ttc"


@functools.cache
def font_name() -> str:
    path = resources.files(FONT_PACKAGE).joinpath(FONT_FILE)
    with resources.as_file(path) as real:
        pdfmetrics.registerFont(TTFont(FONT, str(real), subfontIndex=0))
    return FONT


def _cn_date(d: datetime.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "    年  月  日"


def _cn_month(d: datetime.date | None) -> str:
    return f"{d.year}年{d.month}月" if d else "（尚无缴纳记录）"


def _cn_small(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二 (the receipt limit in months, 1–12)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    return "十" + (digits[n % 10] if n % 10 else "") if n < 20 else str(n)


def _age(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def missing_glyphs(text: str) -> list[str]:
    """The characters of `text` the embedded font has no glyph for, in order."""
    cmap = pdfmetrics.getFont(font_name()).face.charToGlyph
    return list(dict.fromkeys(ch for ch in text if not ch.isspace() and ord(ch) not in cmap))


def code_point(ch: str) -> str:
    return f"〔U+{ord(ch):04X}〕"


MISSING_NOTE = "注：以〔U+编码〕标示的是嵌入字库未收录的生僻字（{chars}），打印后请在该处手工补写。"


class _Page:
    """A canvas with a cursor and CJK line wrapping."""

    def __init__(self, c: canvas.Canvas, left: float, right: float):
        self.c, self.left, self.right = c, left, right
        self.font = font_name()
        self.missing: list[str] = []

    def safe(self, text: str) -> str:
        """The text with each character outside the font replaced by its code point."""
        gaps = missing_glyphs(text)
        for ch in gaps:
            text = text.replace(ch, code_point(ch))
            if ch not in self.missing:
                self.missing.append(ch)
        return text

    def note_missing(self) -> None:
        """At the foot of the page, when a character had to be replaced."""
        if self.missing:
            chars = "、".join(code_point(ch).strip("〔〕") for ch in self.missing)
            self.c.setFont(self.font, 8)
            self.c.drawString(self.left, 7 * mm, MISSING_NOTE.format(chars=chars))

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """Lines that fit `width`; a run of ASCII letters/digits (an ID number, a serial,
        a phone) or a code point 〔U+20000〕 is never split."""
        text = self.safe(text)
        lines, line = [], ""
        for token in re.findall(r"〔U\+[0-9A-F]+〕|[0-9A-Za-z-]+|\n|.", text):
            if token == "\n":
                lines.append(line)
                line = ""
                continue
            if line and pdfmetrics.stringWidth(line + token, self.font, size) > width:
                lines.append(line)
                line = token
            else:
                line += token
        lines.append(line)
        return lines

    def para(self, y: float, text: str, size: float = 11, indent: float = 0, leading: float = 1.6) -> float:
        self.c.setFont(self.font, size)
        for i, line in enumerate(self.wrap(text, size, self.right - self.left - indent)):
            self.c.drawString(self.left + (indent if i == 0 else 0), y, line)
            y -= size * leading
        return y

    def title(self, y: float, text: str, size: float = 16) -> float:
        self.c.setFont(self.font, size)
        self.c.drawCentredString((self.left + self.right) / 2, y, self.safe(text))
        return y - size * 1.8

    def right_text(self, y: float, text: str, size: float = 11) -> float:
        self.c.setFont(self.font, size)
        self.c.drawRightString(self.right, y, self.safe(text))
        return y - size * 1.6

    def cut_line(self, y: float, label: str) -> None:
        c = self.c
        c.saveState()
        c.setDash(4, 3)
        c.setLineWidth(0.6)
        c.line(8 * mm, y, A4[0] - 8 * mm, y)
        c.setFont(self.font, 8)
        c.drawCentredString(A4[0] / 2, y + 2, f"（{label}）")
        c.restoreState()


def letter_facts(transfer, letter, member, id_number: str, phone: str, receipt_months: int) -> dict:
    on = letter.issued_on
    from_org = transfer.organisation
    return {
        "serial": letter.serial,
        "name": member.name,
        "sex": member.get_sex_display(),
        "age": _age(member.birth_date, on),
        "ethnicity": member.ethnicity,
        "member_type": member.get_member_type_display(),
        "id_number": id_number,
        "phone": phone or "（未登记）",
        "from": str(from_org),
        "to": transfer.to_label,
        "dues": _cn_month(letter.dues_paid_up_to),
        "days": rules.capital_number(letter.validity_days),
        "issued": _cn_date(on),
        "valid_until": _cn_date(letter.valid_until),
        "address": from_org.address or "（未登记）",
        "org_phone": from_org.contact_phone or "（未登记）",
        "org_contact": from_org.contact_person or "",
        "receipt_months": receipt_months,
    }


def transfer_letter(facts: dict) -> bytes:
    """存根 / 介绍信 / 回执 on one A4 page, cut lines between them, the serial on each."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"党员组织关系介绍信 {facts['serial']}")
    c.setAuthor(facts["from"])
    p = _Page(c, 20 * mm, A4[0] - 20 * mm)
    f = facts
    person = f"{f['name']}同志（{f['sex']}，{f['age']}岁，{f['ethnicity']}，中共{f['member_type']}，身份证号码 {f['id_number']}）"

    # 存根
    y = A4[1] - 18 * mm
    y = p.title(y, "中国共产党党员组织关系介绍信（存根）", 14)
    y = p.right_text(y, f"编号：{f['serial']}", 10)
    y = p.para(
        y,
        f"{person}，组织关系由{f['from']}转到{f['to']}。党费已交到{f['dues']}。有效期{f['days']}天（至{f['valid_until']}）。",
        10.5,
        indent=21,
    )
    y = p.right_text(y - 4, f"开具日期：{f['issued']}", 10)
    cut1 = A4[1] - 88 * mm
    p.cut_line(cut1, "存根  沿此线剪开")

    # 介绍信
    y = cut1 - 12 * mm
    y = p.title(y, "中国共产党党员组织关系介绍信", 17)
    y = p.right_text(y, f"编号：{f['serial']}", 10)
    y = p.para(y, f"{f['to']}：", 11.5)
    y = p.para(y, f"兹介绍{person}的党员组织关系转去你处，请接洽。该同志党费已交到{f['dues']}。", 11.5, indent=23)
    y = p.para(y, f"（有效期{f['days']}天，至{f['valid_until']}）", 11.5, indent=23)
    y = p.right_text(y - 6, f"{f['from']}（盖章）", 11)
    y = p.right_text(y, f["issued"], 11)
    y = p.para(y - 2, f"党员联系电话：{f['phone']}", 10)
    contact = f"（联系人：{f['org_contact']}）" if f["org_contact"] else ""
    y = p.para(y, f"党员原所在基层党委通讯地址：{f['address']}；联系电话：{f['org_phone']}{contact}", 10)
    cut2 = 92 * mm
    p.cut_line(cut2, "介绍信  沿此线剪开")

    # 回执
    y = cut2 - 12 * mm
    y = p.title(y, "中国共产党党员组织关系介绍信（回执）", 14)
    y = p.right_text(y, f"编号：{f['serial']}", 10)
    y = p.para(y, f"{f['from']}：", 11)
    y = p.para(y, f"{f['name']}同志的党员组织关系已转达我处，特此回复。", 11, indent=22)
    y = p.para(
        y,
        f"请于收到介绍信后{_cn_small(f['receipt_months'])}个月内退回本回执（回执应退回期限以介绍信开具日期{f['issued']}起算）。",
        9.5,
        indent=19,
    )
    y = p.right_text(y - 8, "接收党组织（盖章）", 11)
    p.right_text(y, "    年    月    日", 11)
    p.note_missing()
    c.showPage()
    c.save()
    return buf.getvalue()


def certificate_facts(record, member, id_number: str) -> dict:
    return {
        "number": record.certificate_no,
        "name": member.name,
        "sex": member.get_sex_display(),
        "birth": f"{member.birth_date.year}年{member.birth_date.month}月",
        "ethnicity": member.ethnicity,
        "member_type": member.get_member_type_display(),
        "id_number": id_number,
        "branch": str(record.organisation),
        "issued_by": record.issued_by,
        "issued": _cn_date(record.issued_on),
        "reason": record.reason,
        "destination": record.destination,
        "months": record.months,
        "expected_return": _cn_date(record.expected_return),
        "home_contact": record.home_contact + (f"（{record.home_contact_phone}）" if record.home_contact_phone else ""),
        "host": record.host_name or "（到达后向流入地党组织报到登记）",
    }


def mobile_certificate(facts: dict) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"流动党员活动证 {facts['number']}")
    p = _Page(c, 25 * mm, A4[0] - 25 * mm)
    f = facts
    y = A4[1] - 30 * mm
    y = p.title(y, "流动党员活动证", 22)
    y = p.right_text(y, f"编号：{f['number']}", 11)
    rows = [
        ("姓名", f["name"]),
        ("性别", f["sex"]),
        ("出生年月", f["birth"]),
        ("民族", f["ethnicity"]),
        ("党员类别", f["member_type"]),
        ("身份证号码", f["id_number"]),
        ("所在党支部", f["branch"]),
        ("发证党组织", f["issued_by"]),
        ("发证日期", f["issued"]),
        ("外出原因", f["reason"]),
        ("外出地点", f["destination"]),
        ("外出期限", f"{f['months']}个月（预计{f['expected_return']}返回）"),
        ("流出地联系人", f["home_contact"]),
        ("流入地党组织", f["host"]),
    ]
    for label, value in rows:
        c.setFont(p.font, 12)
        c.drawString(p.left, y, f"{label}：")
        y = _value(p, y, str(value))
    y -= 8
    y = p.para(
        y,
        "持证党员须知：外出前向党组织报告；到达后持本证向流入地党组织报到，参加组织生活，可在流入地交纳党费，"
        "表决权、选举权和被选举权在流出地行使；每年至少向流出地党组织报告一次情况，变动时及时报告；返回后交回本证。",
        10.5,
        indent=21,
    )
    p.right_text(y - 10, f"{f['issued_by']}（盖章）", 12)
    p.note_missing()
    c.showPage()
    c.save()
    return buf.getvalue()


def _value(p: _Page, y: float, value: str) -> float:
    indent = 32 * mm
    p.c.setFont(p.font, 12)
    lines = p.wrap(value, 12, p.right - p.left - indent)
    for line in lines:
        p.c.drawString(p.left + indent, y, line)
        y -= 12 * 1.7
    return y
