import datetime
import subprocess

import pytest
from django.core.exceptions import ValidationError

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.dues import services as dues_services
from apps.members import services as member_services
from apps.mobility import services
from tests.factories import make_member, make_user

SYSTEM = system_actor("cli")

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _fonts(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def test_letter_content_font_and_access_log(tmp_path, branch, sibling, secretary, organiser):
    member = make_member(branch, name="欧阳明华", ethnicity="回族")
    # dues settled for January–March 2025 → "党费已交到2025年3月"
    dues_services.declare_income(
        member, category="salaried", base="4000.00", effective_month="2025-01", declared_on=datetime.date(2025, 1, 5), actor=SYSTEM
    )
    for month in ("2025-01", "2025-02", "2025-03", "2025-04"):
        dues_services.generate_month(branch, datetime.date.fromisoformat(month + "-01"), open_cases=False, actor=SYSTEM)
    dues_services.record_payment(member, months=["2025-01", "2025-02", "2025-03"], amount="120.00", actor=SYSTEM)
    t = services.request_transfer(member, {"to_organisation": sibling, "reason": "工作调动"}, actor=secretary)
    services.decide_step(t, approve=True, actor=secretary)
    t = services.decide_step(t, approve=True, actor=organiser)
    logs = AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).count()
    pdf = services.letter_pdf(t, actor=secretary)
    text = _text(pdf, tmp_path)
    for expected in (
        "欧阳明华",
        member.reveal_id_number(),
        "叁拾",
        "2025年3月",
        "存根",
        "回执",
        "介绍信",
        t.serial,
        "回族",
        "正式党员",
        str(sibling),
    ):
        assert expected in text, expected
    assert text.count(t.serial) == 3  # on each of the three parts
    fonts = _fonts(pdf, tmp_path)
    line = next(row for row in fonts.splitlines() if "WenQuanYi" in row)
    assert "TrueType" in line and line.split()[-5] == "yes"  # emb column
    log = AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).latest("id")
    assert AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).count() == logs + 1
    assert t.serial in log.target and log.username == secretary.username and log.org_path == branch.path


def test_across_province_letter_says_ninety(tmp_path, branch, secretary, organiser, admin):
    member = make_member(branch)
    t = services.request_transfer(
        member, {"kind": "out", "outside_org_name": "中共外省某市委组织部", "across_province": True, "reason": "调动"}, actor=secretary
    )
    services.decide_step(t, approve=True, actor=secretary)
    services.decide_step(t, approve=True, actor=organiser)
    t = services.decide_step(t, approve=True, actor=admin)
    text = _text(services.letter_pdf(t, actor=secretary), tmp_path)
    assert "玖拾" in text and "中共外省某市委组织部" in text and "尚无缴纳记录" in text


def test_letter_needs_reveal_right(branch, sibling, secretary, organiser):
    member = make_member(branch)
    t = services.request_transfer(member, {"to_organisation": sibling, "reason": "调动"}, actor=secretary)
    with pytest.raises(ValidationError, match="尚未开具"):
        services.letter_pdf(t, actor=secretary)
    services.decide_step(t, approve=True, actor=secretary)
    t = services.decide_step(t, approve=True, actor=organiser)
    leader = make_user("county_leader", branch)
    with pytest.raises(PermissionError):
        services.letter_pdf(t, actor=leader)


def test_certificate_pdf_and_suspended_member(tmp_path, branch, secretary):
    member = make_member(branch, name="司徒建国")
    services.register_mobile(
        member, {"reason": "外出务工", "destination": "广东省深圳市", "months": 5, "home_contact": "王支书"}, actor=secretary
    )
    pdf = services.certificate_pdf(member, actor=secretary)
    text = _text(pdf, tmp_path)
    assert "流动党员活动证" in text and "司徒建国" in text and "广东省深圳市" in text and member.reveal_id_number() in text
    assert "WenQuanYi" in _fonts(pdf, tmp_path)
    other = make_member(branch)
    member_services.change_status(other, "suspended", date=datetime.date.today(), reason="停止党籍", actor=SYSTEM, engine="appraisal")
    n = AccessLog.objects.count()
    with pytest.raises(ValidationError, match="停止党籍"):
        services.certificate_pdf(other, actor=secretary)
    assert AccessLog.objects.count() == n
