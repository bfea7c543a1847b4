import subprocess

import pytest
from django.core.management import CommandError, call_command

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.mobility import services
from tests.factories import make_member

pytestmark = pytest.mark.django_db
SYSTEM = system_actor("cli")


def test_transfer_letter_command(tmp_path, branch, sibling):
    m = make_member(branch, name="慕容秋实")
    t = services.request_transfer(m, {"to_organisation": sibling, "reason": "调动"}, actor=SYSTEM)
    out = tmp_path / "letter.pdf"
    with pytest.raises(CommandError, match="尚未开具"):
        call_command("transfer_letter", str(t.pk), "--pdf", str(out))
    services.decide_step(t, approve=True, actor=SYSTEM)
    t = services.decide_step(t, approve=True, actor=SYSTEM)
    call_command("transfer_letter", str(t.pk), "--pdf", str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "慕容秋实" in text and m.reveal_id_number() in text and "叁拾" in text
    log = AccessLog.objects.filter(kind=AccessLog.Kind.REVEAL_ID).latest("id")
    assert t.serial in log.target and "命令行" in log.username
    with pytest.raises(CommandError, match="不存在"):
        call_command("transfer_letter", "999999", "--pdf", str(out))


def test_mobile_certificate_command(tmp_path, branch):
    m = make_member(branch, name="公孙平安")
    out = tmp_path / "cert.pdf"
    with pytest.raises(CommandError, match="没有在用的流动党员活动证"):
        call_command("mobile_certificate", str(m.pk), "--pdf", str(out))
    services.register_mobile(m, {"reason": "务工", "destination": "浙江省宁波市", "months": 4, "home_contact": "书记"}, actor=SYSTEM)
    call_command("mobile_certificate", str(m.pk), "--pdf", str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "公孙平安" in text and "浙江省宁波市" in text
