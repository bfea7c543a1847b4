import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from apps.core.models import AccessLog
from apps.excel import columns as C
from apps.members.models import Member
from tests.excel.helpers import county_of, good_row, xlsx
from tests.factories import make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def write(tmp_path, rows, name="roster.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx(rows))
    return str(path)


def test_template_command(tmp_path):
    out = tmp_path / "t.xlsx"
    call_command("import_members", "--template", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == [C.DATA_SHEET, C.HELP_SHEET, C.CODES_SHEET]
    ws = wb[C.DATA_SHEET]
    headers = [c.value for c in ws[1]]
    for h in ("姓名", "性别", "民族", "出生日期", "公民身份号码", "所在党组织", "党员类别", "备注"):
        assert h in headers
    assert ws.data_validations.dataValidation, "coded columns have drop-downs"
    assert any("民族" in str(c.value) for c in wb[C.HELP_SHEET]["A"])


def test_template_is_importable_once_filled(tmp_path, branch):
    from apps.excel.template import write_template

    wb = load_workbook(write_template())
    ws = wb[C.DATA_SHEET]
    headers = [c.value for c in ws[1]]
    row = good_row(branch)
    ws.append([row.get(h) for h in headers])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    call_command("import_members", str(path))
    assert Member.objects.count() == 1


def test_dry_run_writes_nothing_and_exits_zero(tmp_path, branch, capsys):
    call_command("import_members", write(tmp_path, [good_row(branch)]), "--dry-run")
    assert Member.objects.count() == 0
    assert "将新增 1 人" in capsys.readouterr().out


def test_commit_and_access_log(tmp_path, branch):
    call_command("import_members", write(tmp_path, [good_row(branch), good_row(branch)]))
    assert Member.objects.count() == 2
    assert AccessLog.objects.filter(kind="import").exists()


def test_bad_row_exits_non_zero_writes_nothing_json(tmp_path, branch, capsys):
    path = write(tmp_path, [good_row(branch), good_row(branch, 入党日期="2023-02-29")])
    with pytest.raises(SystemExit) as exc:
        call_command("import_members", path, "--json")
    assert exc.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["errors"][0]["row"] == 3 and out["errors"][0]["header"] == "入党日期"
    assert Member.objects.count() == 0


def test_refused_file_exits_non_zero(tmp_path, branch, capsys):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(SystemExit) as exc:
        call_command("import_members", str(path))
    assert exc.value.code == 1
    assert "不是有效的 .xlsx" in capsys.readouterr().err


def test_user_scope_and_org_option(tmp_path, tree):
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    make_user("branch_secretary", mine, username="sec1")
    with pytest.raises(CommandError):
        call_command("import_members", write(tmp_path, [good_row(mine)]), "--user", "sec1", "--org", other.code)
    with pytest.raises(SystemExit):
        call_command("import_members", write(tmp_path, [good_row(other)]), "--user", "sec1")
    assert Member.objects.count() == 0
    call_command("import_members", write(tmp_path, [good_row(mine)]), "--user", "sec1", "--org", mine.code)
    assert Member.objects.get().organisation == mine


def test_missing_file_is_usage_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_members", str(tmp_path / "nope.xlsx"))
    with pytest.raises(CommandError):
        call_command("import_members")


def test_prune_excel_jobs_deletes_old_files(branch):
    import datetime

    from django.utils import timezone

    from apps.excel import services
    from apps.excel.models import ImportJob

    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, xlsx([good_row(branch, 学历="x")]), filename="a.xlsx")
    assert job.file
    call_command("prune_excel_jobs", "--days", "7")
    job.refresh_from_db()
    assert job.file
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    call_command("prune_excel_jobs", "--days", "7")
    job.refresh_from_db()
    assert not job.file
