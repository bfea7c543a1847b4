"""The import journey of issue 6 in real Chromium, as `make run` serves it (database task
queue, no worker: the web process runs the job after the fallback delay, so the page
really polls a queued job's progress): download the template, fill it, upload, see every
error with its row and column, download the error report, fix the file, upload again,
preview, confirm, and watch the import finish."""

import io
import re

import pytest
from openpyxl import load_workbook

from apps.excel.models import ImportJob, JobStatus
from apps.members.models import Member
from tests.excel.helpers import good_row
from tests.factories import make_tree, make_user

from .conftest import login
from .test_registry import shot

pytestmark = pytest.mark.browser
JOB_PAGE = re.compile(r".*/excel/import/\d+/$")


def _fill(template: bytes, rows: list[dict]) -> bytes:
    """The downloaded template with rows typed under its own headers (as a user does)."""
    wb = load_workbook(io.BytesIO(template))
    ws = wb["党员信息"]
    headers = [c.value for c in ws[1]]
    aliases = {"公民身份号码": ("公民身份号码", "身份证号")}
    for r, row in enumerate(rows, start=2):
        for header, value in row.items():
            names = aliases.get(header, (header,))
            column = next((i for i, h in enumerate(headers) if h in names), None)
            assert column is not None, f"the template has a {header} column"
            ws.cell(row=r, column=column + 1, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _wait_for_status(page, text):
    # The job page polls its progress (htmx, every second) and reloads when the job ends.
    page.wait_for_selector(f".props dd:has-text('{text}')", timeout=30_000)


@pytest.mark.django_db(transaction=True)
def test_template_errors_fix_and_import_with_progress(live_server, page, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DANGJIAN_TASK_FALLBACK_SECONDS = 0.5
    tree = make_tree()
    branch = tree["branches"][0][0]
    make_user("county_admin", tree["county"], username="importer")
    login(page, "importer", "Dangjian#2026x")
    page.wait_for_url(f"{live_server.url}/")

    # 1. The template.
    page.goto(f"{live_server.url}/excel/import/")
    with page.expect_download() as download:
        page.click("text=下载导入模板（.xlsx）")
    template = download.value.path().read_bytes()
    assert "说明" in load_workbook(io.BytesIO(template)).sheetnames

    # 2. Filled with one good row and one with a wrong ID checksum.
    good = good_row(branch)
    bad = good_row(branch)
    number = bad["公民身份号码"]
    bad["公民身份号码"] = number[:17] + ("0" if number[17] != "0" else "1")
    path = tmp_path / "名册.xlsx"
    path.write_bytes(_fill(template, [good, bad]))
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传')")
    page.wait_for_url(JOB_PAGE)
    assert page.locator(".progress").count() == 1, "the job page shows its progress bar"
    _wait_for_status(page, "有错误，未导入")
    errors = page.locator("table.table tbody tr")
    assert errors.count() == 1
    error = errors.first.inner_text()
    assert "3" in error and "公民身份号码" in error and "校验位" in error, error
    shot(page, "import-errors")
    with page.expect_download() as report:
        page.click("text=下载错误报告")
    listing = load_workbook(io.BytesIO(report.value.path().read_bytes()))["错误清单"]
    assert listing.cell(row=2, column=1).value == 3
    assert Member.objects.count() == 0, "nothing written while any row is bad"

    # 3. Fixed, uploaded again, previewed, confirmed.
    bad["公民身份号码"] = number
    path.write_bytes(_fill(template, [good, bad]))
    page.goto(f"{live_server.url}/excel/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('上传')")
    page.wait_for_url(JOB_PAGE)
    _wait_for_status(page, "预览通过")
    assert "将新增" in page.inner_text("main") and Member.objects.count() == 0
    shot(page, "import-preview")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('确认导入')")
    _wait_for_status(page, "已完成")
    assert "导入完成" in page.inner_text("main")
    assert page.locator(".progress[aria-valuenow='100']").count() == 1
    shot(page, "import-done")
    assert set(Member.objects.values_list("name", flat=True)) == {good["姓名"], bad["姓名"]}
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.DONE and not job.file and not job.parsed
