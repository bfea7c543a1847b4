"""Jobs: preview → commit, cancel, progress, the worker/fallback claim, the error report,
and exports (masked by default, full data logged and refused without export_full)."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.core.actors import system_actor
from apps.core.models import AccessLog
from apps.core.scoping import ScopeError
from apps.excel import services
from apps.excel.exporter import export_members
from apps.excel.importer import import_members
from apps.excel.models import ExportJob, ImportJob, JobStatus
from apps.members.models import Member
from tests.excel.helpers import county_of, good_row, xlsx
from tests.factories import make_member, make_user


@pytest.fixture
def branch(tree):
    return tree["branches"][0][0]


def upload(data, name="roster.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def test_preview_then_commit(branch):
    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, upload(xlsx([good_row(branch), good_row(branch)])))
    assert job.status == JobStatus.PREVIEWED and job.summary["to_create"] == 2
    assert job.rows_done == job.rows_total == 2 and Member.objects.count() == 0
    job = services.request_commit(job, admin)
    assert job.status == JobStatus.DONE and job.summary["created"] == 2
    assert Member.objects.count() == 2
    assert not job.file, "the uploaded roster is deleted once imported"
    assert AccessLog.objects.filter(kind="import", user=admin).exists()
    with pytest.raises(ValidationError):
        services.request_commit(job, admin)


def test_commit_reuses_what_the_preview_read_and_validates_again(branch, monkeypatch):
    """The preview keeps the sheet it read (signed, beside the upload); the commit of the
    same job does not parse the workbook again, but validates every row again against
    the register as it is then."""
    from apps.excel import importer

    admin = make_user("county_admin", county_of(branch))
    row = good_row(branch)
    job = services.start_import(admin, upload(xlsx([row, good_row(branch)])))
    assert job.status == JobStatus.PREVIEWED and job.parsed, "the preview kept what it read"

    def no_second_read(*args, **kwargs):
        raise AssertionError("the commit parsed the workbook again")

    monkeypatch.setattr(importer, "read_sheet", no_second_read)
    monkeypatch.undo()
    assert import_members(xlsx([row]), dry_run=False, actor=system_actor("cli")).created == 1  # entered by someone else meanwhile
    monkeypatch.setattr(importer, "read_sheet", no_second_read)
    job = services.request_commit(job, admin)
    # Validated again against the register: the row entered meanwhile is now an existing
    # record (unchanged), not a second record with the same ID number.
    assert job.status == JobStatus.DONE, job.errors
    assert job.summary["created"] == 1 and job.summary["unchanged"] == 1
    assert Member.objects.count() == 2


def test_parsed_sheet_is_deleted_with_the_upload(branch):
    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, upload(xlsx([good_row(branch)])))
    parsed = job.parsed.name
    assert job.parsed.storage.exists(parsed)
    job = services.request_commit(job, admin)
    assert job.status == JobStatus.DONE and not job.file and not job.parsed
    assert not job.parsed.storage.exists(parsed), "what the preview read holds personal data too"


def test_parsed_sheet_from_another_file_or_tampered_is_ignored(branch):
    from apps.excel.importer import dump_sheet, file_digest, load_sheet, read_sheet

    data = xlsx([good_row(branch)])
    sheet = read_sheet(data)
    blob = dump_sheet(sheet, file_digest(data))
    assert load_sheet(blob, file_digest(data)) == sheet
    assert load_sheet(blob, file_digest(data + b"x")) is None, "another file's sheet"
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    assert load_sheet(tampered, file_digest(data)) is None, "a changed byte breaks the signature"
    assert load_sheet(b"", file_digest(data)) is None and load_sheet(b"garbage" * 10, file_digest(data)) is None


def test_prune_deletes_old_uploads_and_parsed_sheets(branch):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, upload(xlsx([good_row(branch)])))
    names = (job.file.name, job.parsed.name)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    call_command("prune_excel_jobs", "--days", "7", stdout=io.StringIO())
    job.refresh_from_db()
    assert not job.file and not job.parsed
    assert not any(job.file.storage.exists(n) for n in names)


def test_invalid_preview_cannot_be_committed_and_report_highlights(branch):
    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, upload(xlsx([good_row(branch), good_row(branch, 学历="幼儿园")])))
    assert job.status == JobStatus.INVALID and job.error_count == 1
    assert job.errors[0]["row"] == 3 and job.errors[0]["header"] == "学历"
    with pytest.raises(ValidationError):
        services.request_commit(job, admin)
    wb = load_workbook(io.BytesIO(services.error_report(job)))
    ws = wb["党员信息"]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == "错误说明"
    bad = ws.cell(row=3, column=headers.index("学历") + 1)
    assert bad.value == "幼儿园" and bad.fill.fgColor.rgb.endswith("FF9999")
    assert "不是有效取值" in ws.cell(row=3, column=len(headers)).value
    assert ws.cell(row=2, column=headers.index("学历") + 1).fill.fgColor.rgb in (None, "00000000")
    listing = wb["错误清单"]
    assert listing.cell(row=2, column=1).value == 3


def test_corrected_report_can_be_uploaded_again(branch):
    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, upload(xlsx([good_row(branch, 学历="幼儿园")])))
    wb = load_workbook(io.BytesIO(services.error_report(job)))
    ws = wb["党员信息"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("学历") + 1, value="大学本科")
    out = io.BytesIO()
    wb.save(out)
    result = import_members(out.getvalue(), dry_run=False, actor=system_actor("cli"))
    assert result.ok and result.created == 1 and any("错误说明" in w for w in result.warnings)


def test_refused_file_job(branch):
    admin = make_user("county_admin", county_of(branch))
    job = services.start_import(admin, upload(b"plain text", "a.xlsx"))
    assert job.status == JobStatus.INVALID and "不是有效的 .xlsx" in job.message
    assert services.error_report(job)  # still downloadable: lists the refusal


def test_scope_importing_into_another_branch_refused(tree):
    mine, other = tree["branches"][0][0], tree["branches"][1][0]
    secretary = make_user("branch_secretary", mine)
    with pytest.raises(ScopeError):
        services.start_import(secretary, upload(xlsx([good_row(other)])), org=other)
    job = services.start_import(secretary, upload(xlsx([good_row(other)])), dry_run=False)
    assert job.status == JobStatus.INVALID and "不在您的维护权限范围内" in job.errors[0]["message"]
    assert Member.objects.count() == 0
    viewer = make_user("county_leader", tree["county"])
    with pytest.raises(ScopeError):
        services.start_import(viewer, upload(xlsx([good_row(mine)])))


def test_cancel_queued_job_and_claim_is_exclusive(branch, monkeypatch):
    admin = make_user("county_admin", county_of(branch))
    monkeypatch.setattr(services, "dispatch", lambda job: None)  # nobody runs it
    job = services.start_import(admin, upload(xlsx([good_row(branch)])))
    assert job.status == JobStatus.QUEUED
    services.cancel(job)
    assert job.status == JobStatus.CANCELLED and not job.file
    assert services.run_job(ImportJob, job.pk) is False  # a late worker does nothing

    job2 = services.start_import(admin, upload(xlsx([good_row(branch)])))
    assert services.run_job(ImportJob, job2.pk, fallback=True) is True
    assert services.run_job(ImportJob, job2.pk) is False  # the worker finds it claimed
    job2.refresh_from_db()
    assert job2.status == JobStatus.PREVIEWED


def test_cancel_while_running_rolls_back(branch, monkeypatch):
    admin = make_user("county_admin", county_of(branch))
    monkeypatch.setattr(services, "dispatch", lambda job: None)
    job = services.start_import(admin, upload(xlsx([good_row(branch) for _ in range(3)])), dry_run=False)
    # The user presses 取消 while the task runs: the task sees the flag at its next check
    # (here: already at the first check inside the write transaction).
    monkeypatch.setattr(services._Progress, "cancelled", lambda self: True)
    services.run_job(ImportJob, job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and Member.objects.count() == 0


def test_progress_written_to_the_job(branch, monkeypatch):
    admin = make_user("county_admin", county_of(branch))
    monkeypatch.setattr(services, "dispatch", lambda job: None)
    seen = []
    original = services._Progress.__call__

    def spy(self, done, total):
        original(self, done, total)
        seen.append(ImportJob.objects.values_list("rows_done", "rows_total").get(pk=self.job.pk))

    monkeypatch.setattr(services._Progress, "__call__", spy)
    job = services.start_import(admin, upload(xlsx([good_row(branch) for _ in range(4)])))
    services.run_job(ImportJob, job.pk)
    assert (0, 4) in seen and (4, 4) in seen
    job.refresh_from_db()
    assert job.percent == 100 and job.rate > 0


# ---------------------------------------------------------------- exports


def test_export_masked_by_default_and_logged(branch):
    m = make_member(branch)
    secretary = make_user("branch_organiser", branch)
    data, _filename = services.export_members_for(secretary, {})
    ws = load_workbook(io.BytesIO(data)).active
    row = {h.value: c.value for h, c in zip(ws[1], ws[2], strict=False)}
    assert row["公民身份号码"] == m.id_number_masked and "*" in row["联系电话"]
    entry = AccessLog.objects.get(kind="export")
    assert entry.detail["rows"] == 1 and entry.detail["full_pii"] is False


def test_full_export_refused_without_export_full(branch):
    make_member(branch)
    organiser = make_user("branch_organiser", branch)  # view/change/reveal, no export_full
    with pytest.raises(PermissionDenied):
        services.export_members_for(organiser, {}, full_pii=True)
    assert not AccessLog.objects.filter(kind="export_full").exists()


def test_full_export_logged_with_filters(branch):
    m = make_member(branch)
    make_member(branch, member_type="probationary", conversion_date=None)
    secretary = make_user("branch_secretary", branch)
    data, _name = services.export_members_for(secretary, {"member_type": "full"}, full_pii=True)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.max_row == 2
    assert ws.cell(row=2, column=5).value == m.reveal_id_number()
    entry = AccessLog.objects.get(kind="export_full")
    assert entry.detail["filters"] == {"member_type": "full"} and entry.detail["rows"] == 1


def test_export_scope_other_branch_sees_nothing(tree):
    make_member(tree["branches"][1][0])
    secretary = make_user("branch_secretary", tree["branches"][0][0])
    data, _ = services.export_members_for(secretary, {})
    assert load_workbook(io.BytesIO(data)).active.max_row == 1


def test_large_export_runs_as_job(branch, monkeypatch):
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", 2)
    for _ in range(3):
        make_member(branch)
    admin = make_user("county_admin", county_of(branch))
    job = services.export_members_for(admin, {})
    assert isinstance(job, ExportJob) and job.status == JobStatus.DONE
    assert job.rows_done == 3 and job.file and job.filename.endswith(".xlsx")
    assert AccessLog.objects.filter(kind="export", detail__rows=3).exists()
    assert list(services.export_jobs_for(admin)) == [job]
    other = make_user("county_admin", county_of(branch))
    assert not services.export_jobs_for(other).exists()


def test_round_trip_export_then_import_into_empty_database(tree):
    a, b = tree["branches"][0][0], tree["branches"][1][1]
    originals = [
        make_member(
            a, categories=["rural", "hardship"], work_unit="某村委会", job_post="村主任", address="某村1组", native_place="福建惠安"
        ),
        make_member(b, member_type="probationary", conversion_date=None, ethnicity="回族", degree="bachelor"),
        make_member(a, application_date=__import__("datetime").date(2009, 3, 1), remarks="备注=1+1"),
    ]
    fields = [
        "name", "sex", "ethnicity", "birth_date", "native_place", "education", "degree", "occupation", "work_unit", "job_post",
        "work_start_date", "address", "application_date", "join_date", "conversion_date", "member_type", "status",
        "lost_contact_reason", "increase_method", "organisation_id", "remarks",
    ]  # fmt: skip

    def snapshot(m):
        return (
            *(getattr(m, f) for f in fields),
            m.reveal_id_number(),
            m.reveal_phone(),
            tuple(sorted(m.category_codes())),
        )

    before = sorted(snapshot(m) for m in Member.objects.all())
    data = export_members(Member.objects.all(), full_pii=True).getvalue()
    Member.objects.all().delete()
    result = import_members(data, dry_run=False, actor=system_actor("cli"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == len(originals)
    after = sorted(snapshot(m) for m in Member.objects.all())
    assert after == before
    # Importing the same export again changes nothing.
    again = import_members(data, dry_run=False, actor=system_actor("cli"))
    assert again.ok and again.unchanged == len(originals) and again.updated == 0


def test_export_query_count_is_fixed(tree, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    branch = tree["branches"][0][0]
    counts = []
    for n in (3, 30):
        while Member.objects.count() < n:
            make_member(branch, categories=["rural"])
        with CaptureQueriesContext(connection) as ctx:
            export_members(Member.objects.all(), full_pii=False)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_database_backend_without_worker_falls_back_to_a_child_process(branch, settings, monkeypatch, django_capture_on_commit_callbacks):
    """`make run` starts no db_worker: the job is enqueued in the database queue and, if
    no worker claims it within a few seconds, the web process starts `manage.py
    run_excel_job` as a child process (the parse never runs in the web worker, and its
    memory goes back to the system when the child exits)."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DANGJIAN_TASK_FALLBACK_CHILD = True  # the default outside the test settings
    timers = []

    class FakeTimer:
        def __init__(self, delay, fn, args=()):
            timers.append((delay, fn, args))
            self.daemon = False

        def start(self):
            timers.append("started")

    monkeypatch.setattr(services.threading, "Timer", FakeTimer)
    monkeypatch.setattr(services.connection, "close", lambda: None)  # the test's connection
    admin = make_user("county_admin", county_of(branch))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_import(admin, upload(xlsx([good_row(branch)])))
    assert job.status == JobStatus.QUEUED and DBTaskResult.objects.filter(id=job.task_id).exists()
    (delay, fn, args), started = timers
    assert started == "started"
    assert delay == 3
    children = []

    def child(cmd, **kw):  # the test database is not visible to a real child: run it here
        children.append(cmd)
        assert kw["env"]["DJANGO_SETTINGS_MODULE"] == "dangjian.settings.test"
        call_command(*cmd[2:])
        return services.subprocess.CompletedProcess(cmd, 0, b"", b"")

    monkeypatch.setattr(services.subprocess, "run", child)
    fn(*args)  # the timer fires: nobody claimed the job, a child process runs it
    assert children == [[services.sys.executable, str(settings.BASE_DIR / "manage.py"), "run_excel_job", "import", str(job.pk)]]
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED
    # The worker that finally picks the queued task finds the job already done.
    from apps.excel.tasks import run_import_task

    assert run_import_task.call(job.pk) is False


def test_export_with_multiple_choice_filter_sync_and_background(branch, monkeypatch):
    make_member(branch)
    lost = make_member(branch)
    from apps.members.services import change_status

    change_status(lost, "mobile", date=lost.join_date, actor=system_actor("cli"))
    admin = make_user("county_admin", county_of(branch))
    data, _ = services.export_members_for(admin, {"status": "mobile"})
    assert load_workbook(io.BytesIO(data)).active.max_row == 2
    from django.http import QueryDict

    data, _ = services.export_members_for(admin, QueryDict("status=mobile&status=normal"))
    assert load_workbook(io.BytesIO(data)).active.max_row == 3
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", 0)
    job = services.export_members_for(admin, QueryDict("status=mobile"))
    assert job.status == JobStatus.DONE and job.rows_total == 1


@pytest.mark.django_db(transaction=True)
def test_export_reads_no_open_cursor_while_others_write(tree, monkeypatch):
    """A background export must not hold a statement open across its progress writes:
    on SQLite an open read (QuerySet.iterator) made the job's own progress UPDATE fail
    with "database is locked" once a page view elsewhere had saved its session. Here
    another connection writes between every page of the export, then the job writes.
    (The test database is SQLite's shared-cache memory database, whose locks are per
    table: the other connection writes the table being read, which fails with the old
    iterator — "database table is locked".)"""
    from django.db import connections

    from apps.excel import exporter, generic

    branch = tree["branches"][0][0]
    for _ in range(5):
        make_member(branch)
    monkeypatch.setattr(exporter, "CHUNK", 2)
    other = connections.create_connection("default")  # a second connection, as another request has
    pages = []

    def in_chunks(queryset, size=2, limit=None):
        n = 0
        for chunk in original(queryset, size, limit):
            with other.cursor() as cursor:  # someone else writes meanwhile
                cursor.execute("UPDATE members_member SET remarks = %s", [f"p{n}"])
            ImportJob.objects.filter(pk=-1).update(rows_done=n)  # and the job writes its progress
            pages.append(n)
            n += len(chunk)
            yield chunk

    original = generic.in_chunks
    monkeypatch.setattr(generic, "in_chunks", in_chunks)
    try:
        data = export_members(Member.objects.all(), full_pii=False).getvalue()
    finally:
        other.close()
    assert pages == [0, 2, 4]
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5


def test_the_same_export_while_one_runs_returns_the_running_job(branch, monkeypatch):
    """Issue 12 item 7: 5 GETs queued 5 jobs. Now the same export (kind, filters, full
    data) by the same user while one is queued or running answers that job; the database
    holds the rule (a partial unique constraint), not a read-then-insert."""
    from django.db import IntegrityError, transaction

    make_member(branch)
    monkeypatch.setattr(services, "dispatch", lambda job: None)  # no worker: the job stays queued
    admin = make_user("county_admin", county_of(branch))
    first = services.export_members_for(admin, {"member_type": "full"}, force_background=True)
    again = services.export_members_for(admin, {"member_type": "full"}, force_background=True)
    assert again.pk == first.pk and again.reused and not first.reused
    assert ExportJob.objects.count() == 1
    # Another query, full data, or another user: a job of its own.
    other = services.export_members_for(admin, {"member_type": "full", "sex": "F"}, force_background=True)
    someone = make_user("county_admin", county_of(branch))
    theirs = services.export_members_for(someone, {"member_type": "full"}, force_background=True)
    assert len({first.pk, other.pk, theirs.pk}) == 3
    # The rule is the database's: a second active row with the same digest cannot exist.
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportJob.objects.create(user=admin, kind=first.kind, params=first.params, params_key=first.params_key)
    # Once it has finished, the same export starts a new job.
    ExportJob.objects.filter(pk=first.pk).update(status=JobStatus.DONE)
    later = services.export_members_for(admin, {"member_type": "full"}, force_background=True)
    assert later.pk != first.pk and not later.reused


def test_a_reused_export_is_said_so_on_the_page(branch, monkeypatch, client):
    from django.urls import reverse

    make_member(branch)
    monkeypatch.setattr(services, "dispatch", lambda job: None)
    monkeypatch.setattr(services, "SYNC_EXPORT_MAX_ROWS", 0)
    admin = make_user("county_admin", county_of(branch))
    client.force_login(admin)
    for _ in range(5):
        r = client.post(reverse("excel:export_members") + "?member_type=full")
        assert r.status_code == 302
    assert ExportJob.objects.count() == 1
    page = client.get(reverse("excel:exports")).content.decode()
    assert "正在进行" in page and "未重复开始" in page
