"""Web pages: template download, upload → preview → commit, progress polling, cancel,
error report, exports; and 404 for a user of another branch on every job URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import AccessLog
from apps.excel import services
from apps.excel.models import ExportJob, ImportJob, JobStatus
from apps.members.models import Member
from tests.excel.helpers import good_row, xlsx
from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


@pytest.fixture
def secretary(branch):
    return make_user("branch_secretary", branch)


@pytest.fixture
def other_secretary(tree):
    return make_user("branch_secretary", tree["branches"][1][0])


def login(client, user):
    client.force_login(user)
    return client


def upload_file(data, name="roster.xlsx"):
    return SimpleUploadedFile(name, data)


def test_template_download(client, secretary):
    r = login(client, secretary).get(reverse("excel:template"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert "说明" in wb.sheetnames


def test_upload_preview_commit_flow(client, secretary, branch):
    c = login(client, secretary)
    assert c.get(reverse("excel:import")).status_code == 200
    r = c.post(reverse("excel:import"), {"file": upload_file(xlsx([good_row(branch)])), "preview": "on", "update_existing": "on"})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("excel:import_job", args=[job.pk])
    page = c.get(r["Location"])
    assert "预览通过" in page.content.decode() and "确认导入" in page.content.decode()
    r = c.post(reverse("excel:import_commit", args=[job.pk]))
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Member.objects.count() == 1
    assert "导入完成" in c.get(reverse("excel:import_job", args=[job.pk])).content.decode()


def test_invalid_upload_shows_errors_and_report(client, secretary, branch):
    c = login(client, secretary)
    c.post(reverse("excel:import"), {"file": upload_file(xlsx([good_row(branch, 入党日期="2023-02-29")])), "preview": "on"})
    job = ImportJob.objects.get()
    html = c.get(reverse("excel:import_job", args=[job.pk])).content.decode()
    assert "2023年2月只有28天" in html and "下载错误报告" in html
    r = c.get(reverse("excel:import_report", args=[job.pk]))
    assert r.status_code == 200
    assert load_workbook(io.BytesIO(r.content))["错误清单"].cell(row=2, column=1).value == 2


def test_upload_into_other_branch_by_org_code_refused(client, secretary, tree):
    other = tree["branches"][1][0]
    c = login(client, secretary)
    r = c.post(reverse("excel:import"), {"file": upload_file(xlsx([good_row(other)])), "org_code": other.code})
    assert r.status_code == 200 and "不在您的维护范围内" in r.content.decode()
    assert not ImportJob.objects.exists()


def test_progress_partial_polls_while_active_and_refreshes_when_done(client, secretary, branch, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda job: None)
    c = login(client, secretary)
    c.post(reverse("excel:import"), {"file": upload_file(xlsx([good_row(branch)])), "preview": "on"})
    job = ImportJob.objects.get()
    url = reverse("excel:import_progress", args=[job.pk])
    r = c.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in r.content.decode() and "HX-Refresh" not in r
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows_total=100, rows_done=40)
    r = c.get(url, HTTP_HX_REQUEST="true")
    assert "40 / 100" in r.content.decode() and 'style="width: 40%"' in r.content.decode()
    services.run_job(ImportJob, job.pk) if False else ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.PREVIEWED)
    r = c.get(url, HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true" and "hx-trigger" not in r.content.decode()


def test_cancel_button(client, secretary, branch, monkeypatch):
    monkeypatch.setattr(services, "dispatch", lambda job: None)
    c = login(client, secretary)
    c.post(reverse("excel:import"), {"file": upload_file(xlsx([good_row(branch)])), "preview": "on"})
    job = ImportJob.objects.get()
    assert "取消" in c.get(reverse("excel:import_job", args=[job.pk])).content.decode()
    c.post(reverse("excel:import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_other_branch_gets_404_on_every_job_url(client, secretary, other_secretary, branch):
    job = services.start_import(secretary, upload_file(xlsx([good_row(branch, 学历="x")])))
    c = login(client, other_secretary)
    for name in ("import_job", "import_progress", "import_report"):
        assert c.get(reverse(f"excel:{name}", args=[job.pk])).status_code == 404, name
    for name in ("import_commit", "import_cancel"):
        assert c.post(reverse(f"excel:{name}", args=[job.pk])).status_code == 404, name
    export = ExportJob.objects.create(user=secretary, org_path=branch.path, status=JobStatus.DONE)
    assert c.get(reverse("excel:export_download", args=[export.pk])).status_code == 404
    assert c.post(reverse("excel:export_cancel", args=[export.pk])).status_code == 404


def test_read_only_user_cannot_open_import(client, tree):
    leader = make_user("county_leader", tree["county"])
    assert login(client, leader).get(reverse("excel:import")).status_code == 404


def test_export_members_equals_the_screen(client, secretary, branch, tree):
    make_member(branch, member_type="full")
    make_member(branch, member_type="probationary", conversion_date=None)
    make_member(tree["branches"][1][0])  # outside the secretary's scope
    c = login(client, secretary)
    r = c.post(reverse("excel:export_members") + "?member_type=probationary")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 2 and ws.cell(row=2, column=18).value == "预备党员"
    assert "*" in ws.cell(row=2, column=5).value
    log = AccessLog.objects.get(kind="export")
    assert log.detail["filters"] == {"member_type": "probationary"} and log.detail["rows"] == 1


def test_full_export_needs_export_full(client, tree, branch):
    make_member(branch)
    organiser = make_user("branch_organiser", branch)
    r = login(client, organiser).post(reverse("excel:export_members") + "?full=1")
    assert r.status_code == 302 and not AccessLog.objects.filter(kind="export_full").exists()


def test_large_export_becomes_a_job_listed_on_exports(client, secretary, branch, monkeypatch):
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", 1)
    make_member(branch)
    make_member(branch)
    c = login(client, secretary)
    r = c.post(reverse("excel:export_members"))
    assert r.status_code == 302 and r["Location"] == reverse("excel:exports")
    job = ExportJob.objects.get()
    assert job.status == JobStatus.DONE
    page = c.get(reverse("excel:exports")).content.decode()
    assert reverse("excel:export_download", args=[job.pk]) in page
    d = c.get(reverse("excel:export_download", args=[job.pk]))
    assert load_workbook(io.BytesIO(d.content)).active.max_row == 3


def test_export_orgs(client, secretary, branch):
    r = login(client, secretary).post(reverse("excel:export_orgs"))
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.cell(row=1, column=1).value == "组织全称"
    assert [ws.cell(row=i, column=3).value for i in range(2, ws.max_row + 1)] == [branch.code]


def test_exports_page_fixed_queries(client, secretary, django_assert_max_num_queries):
    c = login(client, secretary)
    counts = []
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in (3, 30):
        while ExportJob.objects.count() < n:
            ExportJob.objects.create(user=secretary, org_path=secretary.role_assignments.get().organisation.path, status=JobStatus.DONE)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("excel:exports")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_import_page_fixed_queries(client, secretary, branch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(client, secretary)
    counts = []
    for n in (3, 30):
        while ImportJob.objects.count() < n:
            ImportJob.objects.create(user=secretary, org_path=branch.path, organisation=branch, filename="a.xlsx", status=JobStatus.DONE)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse("excel:import")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_job_lists_are_paged_with_a_fixed_query_count(tree):
    """The import page's recent jobs (20 a page) and the exports page (50 a page) page
    through everything with a total, in the same number of queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    county = tree["county"]
    admin = make_user("county_admin", county)
    c = Client()
    c.force_login(admin)

    def add(n):
        ImportJob.objects.bulk_create([ImportJob(user=admin, org_path=county.path, filename=f"f{i}.xlsx", status="done") for i in range(n)])
        ExportJob.objects.bulk_create([ExportJob(user=admin, org_path=county.path, status="done") for _ in range(n)])

    add(3)
    with CaptureQueriesContext(connection) as few:
        assert c.get("/excel/import/").status_code == 200
        assert c.get("/excel/exports/").status_code == 200
    add(60)
    with CaptureQueriesContext(connection) as many:
        first = c.get("/excel/import/")
        exports = c.get("/excel/exports/?page=2")
    assert len(many) == len(few)
    assert len(first.context["jobs"].rows) == 20 and first.context["jobs"].total == 63
    assert "共 63 条" in first.content.decode()
    assert len(exports.context["page"].rows) == 13 and "第 2 页" in exports.content.decode()


def test_exports_page_polls_its_own_page_while_a_job_runs(tree):
    from django.test import Client

    admin = make_user("county_admin", tree["county"])
    ExportJob.objects.create(user=admin, org_path=tree["county"].path, status="queued")
    c = Client()
    c.force_login(admin)
    body = c.get("/excel/exports/?page=1").content.decode()
    assert 'hx-get="/excel/exports/?page=1"' in body and "every 2s" in body


def test_error_report_is_written_by_the_job_and_served_as_a_file(client, secretary, branch, monkeypatch):
    """Issue 12 item 6: the report of a large preview took 56 s inside the request. The job
    writes it; the download only reads the stored file (no parse in the web request)."""
    from apps.excel import report

    c = login(client, secretary)
    c.post(reverse("excel:import"), {"file": upload_file(xlsx([good_row(branch, 学历="幼儿园")])), "preview": "on"})
    job = ImportJob.objects.get()
    assert job.status == JobStatus.INVALID and job.report.name.endswith(".xlsx")

    def no_parsing(*a, **kw):
        raise AssertionError("the web request must not build the report")

    monkeypatch.setattr(report, "build_error_report", no_parsing)
    monkeypatch.setattr(report, "_source_rows", no_parsing)
    r = c.get(reverse("excel:import_report", args=[job.pk]))
    assert r.status_code == 200
    assert (
        load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content))["党员信息"].cell(row=2, column=6).value
        == "幼儿园"
    )
    # Pruned (or never written): a Chinese 404, not a rebuild in the request.
    services.drop_files(job)
    job.refresh_from_db()
    assert not job.report
    r = c.get(reverse("excel:import_report", args=[job.pk]))
    assert r.status_code == 404


def test_export_progress_says_what_happens_before_the_first_rows(tree):
    """Issue 12 item 23: a starting export showed "0 / 5000 行"; it now says it is queued or
    preparing, and the job reports progress within its first chunk of rows."""
    from django.test import Client

    from apps.excel.generic import rows_for

    admin = make_user("county_admin", tree["county"])
    ExportJob.objects.create(user=admin, org_path=tree["county"].path, status="queued", rows_total=5000)
    ExportJob.objects.create(user=admin, org_path=tree["county"].path, status="running", rows_total=4000)
    c = Client()
    c.force_login(admin)
    body = c.get("/excel/exports/").content.decode()
    assert "0 / 5000 行" not in body and "0 / 4000 行" not in body
    assert "排队中，即将开始（约 5000 行）" in body and "正在准备数据（约 4000 行）" in body
    seen = []
    list(rows_for(list(range(1000)), [("n", lambda n: n)], progress=seen.append, chunk_size=2000))
    assert seen[0] <= 200 and seen[-1] == 1000 and len(seen) >= 5
