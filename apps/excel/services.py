"""Import and export jobs: starting, running (in a django-tasks worker, or — when no worker
has picked the job up — in a child process started by the web process, see `dispatch`), progress,
cancellation, the error report and the access log. Views, the API and the CLI call
these; the engines are apps.excel.importer and apps.excel.exporter."""

import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.http import QueryDict
from django.utils import timezone

from apps.core.actors import system_actor
from apps.core.api.pagination import capped_count
from apps.core.context import acting_as
from apps.core.models import AccessLog
from apps.core.scoping import ScopeError, has_action, require_org_action, user_scope
from apps.members.selectors import roster

from . import exporter, generic, lists
from .importer import ImportCancelled, SheetData, dump_sheet, import_members, load_sheet, max_bytes
from .models import ACTIVE_STATUSES, ExportJob, ImportJob, JobStatus

log = logging.getLogger(__name__)

SYNC_EXPORT_MAX_ROWS = 5000  # larger exports run as a background ExportJob
MAX_STORED_ERRORS = 10_000
PROGRESS_MIN_INTERVAL = 0.5  # seconds between progress writes


def fallback_seconds() -> float | None:
    """After this many seconds without a worker, the web process runs the job itself in a
    thread (so `make run` needs no extra command). None/0 disables the fallback."""
    return getattr(settings, "DANGJIAN_TASK_FALLBACK_SECONDS", 3)


def scope_root(user, action: str = "view") -> str:
    scope = user_scope(user, action)
    if scope.everything or not scope.paths:
        return ""
    return scope.paths[0]


# ------------------------------------------------------------------ dispatching


def _runs_in_process(task) -> bool:
    """The immediate backend has already run the task inside enqueue()."""
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(task.get_backend(), ImmediateBackend)


def dispatch(job) -> None:
    """Enqueue the job's task. With the database backend, also arm the fallback: if no
    `db_worker` has claimed the job after a few seconds, a daemon thread of this process
    starts `manage.py run_excel_job` as a child process, which claims and runs it
    (claiming is a conditional UPDATE, so a worker and the fallback never both run it)."""
    from . import tasks

    task = tasks.run_import_task if isinstance(job, ImportJob) else tasks.run_export_task
    result = task.enqueue(job.pk)
    type(job).objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    delay = fallback_seconds()
    if delay and not _runs_in_process(task):
        timer = threading.Timer(delay, _fallback, args=(type(job), job.pk))
        timer.daemon = True
        # Armed once the job row is committed, so the thread's own connection can see it.
        transaction.on_commit(timer.start)


def fallback_command(model, job_id: int) -> list[str]:
    """The child process that runs a job nobody claimed (manage.py run_excel_job)."""
    kind = "import" if model is ImportJob else "export"
    return [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_excel_job", kind, str(job_id)]


def _fallback(model, job_id: int) -> None:
    """Run the job in a child process, not in this web process: parsing a workbook can
    take hundreds of MB that a long-lived worker would keep; the child returns it to the
    operating system when it exits. This thread only waits for the child. The claim is
    made by the child (the same conditional UPDATE as db_worker's)."""
    if not model.objects.filter(pk=job_id, status=JobStatus.QUEUED).exists():
        connection.close()
        return
    if not getattr(settings, "DANGJIAN_TASK_FALLBACK_CHILD", True):
        # The test suite's database (in memory, or renamed test_*) is not one a child
        # process could open from the settings: run the job in this thread instead.
        try:
            run_job(model, job_id, fallback=True)
        finally:
            connection.close()
        return
    connection.close()  # the child opens its own
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE}
    try:
        done = subprocess.run(fallback_command(model, job_id), env=env, cwd=settings.BASE_DIR, capture_output=True, timeout=6 * 3600)
    except (OSError, subprocess.TimeoutExpired):  # pragma: no cover - logged
        log.exception("后台任务回退执行失败：%s #%s", model.__name__, job_id)
        return
    if done.returncode:
        log.error("后台任务回退执行失败：%s #%s：%s", model.__name__, job_id, done.stderr.decode(errors="replace")[-2000:])


def claim(model, job_id: int) -> bool:
    """Atomically move a queued job to running; False when someone else has it."""
    now = timezone.now()
    return bool(
        model.objects.filter(pk=job_id, status=JobStatus.QUEUED, cancel_requested=False).update(status=JobStatus.RUNNING, started=now)
    )


def run_job(model, job_id: int, *, fallback: bool = False) -> bool:
    if not claim(model, job_id):
        job = model.objects.filter(pk=job_id).first()
        if job is not None and job.status == JobStatus.QUEUED and job.cancel_requested:
            model.objects.filter(pk=job_id).update(status=JobStatus.CANCELLED, finished=timezone.now())
        return False
    job = model.objects.select_related("user").get(pk=job_id)
    with acting_as(job.user, source="task"):
        if model is ImportJob:
            _run_import(job)
        else:
            _run_export(job)
    return True


class _Progress:
    """Writes rows done/total to the job row, at most every PROGRESS_MIN_INTERVAL seconds,
    never from inside the import's write transaction (its rows are not visible to
    others until it commits, and on SQLite the writer holds the only write lock)."""

    def __init__(self, job):
        self.job = job
        self.model = type(job)
        self.last = 0.0
        self.writing = False

    def phase(self, name: str) -> None:
        self.model.objects.filter(pk=self.job.pk).update(phase=name)
        self.writing = name == "write"

    def __call__(self, done: int, total: int) -> None:
        self.job.rows_done, self.job.rows_total = done, total
        now = time.monotonic()
        if self.writing or (now - self.last < PROGRESS_MIN_INTERVAL and done != total and done != 0):
            return
        self.last = now
        self.model.objects.filter(pk=self.job.pk).update(rows_done=done, rows_total=total)

    def cancelled(self) -> bool:
        return self.model.objects.filter(pk=self.job.pk, cancel_requested=True).exists()


# ------------------------------------------------------------------ imports


def start_import(user, upload, *, filename: str = "", org=None, dry_run: bool = True, update_existing: bool = True) -> ImportJob:
    """Store the upload and queue its preview (or, dry_run=False, its direct import)."""
    if not has_action(user, "change"):
        raise ScopeError("您没有维护党员信息的权限，不能导入")
    if org is not None:
        require_org_action(user, org, "change")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise ValidationError({"file": [f"文件过大：上限为 {max_bytes() / 1024 / 1024:.0f} MB，请分批导入"]})
    name = (filename or getattr(upload, "name", "") or "upload.xlsx").rsplit("/", 1)[-1][:200]
    job = ImportJob(
        user=user,
        organisation=org,
        org_path=org.path if org is not None else scope_root(user, "change"),
        filename=name,
        dry_run=dry_run,
        update_existing=update_existing,
    )
    content = upload.read() if hasattr(upload, "read") else bytes(upload)
    job.file.save("upload.xlsx", ContentFile(content), save=False)
    job.save()
    dispatch(job)
    job.refresh_from_db()
    return job


def request_commit(job: ImportJob, user) -> ImportJob:
    """Import a previewed file for real (it is validated again, then written)."""
    if job.status != JobStatus.PREVIEWED:
        raise ValidationError({"status": [f"只有预览通过的任务可以确认导入，当前状态：{job.get_status_display()}"]})
    if job.organisation is not None:
        require_org_action(user, job.organisation, "change")
    updated = ImportJob.objects.filter(pk=job.pk, status=JobStatus.PREVIEWED).update(
        dry_run=False, status=JobStatus.QUEUED, rows_done=0, started=None, finished=None, phase="", cancel_requested=False
    )
    if not updated:
        raise ValidationError({"status": ["该任务已在处理中"]})
    job.refresh_from_db()
    dispatch(job)
    job.refresh_from_db()
    return job


def cancel(job) -> None:
    """Cooperative: the running task checks the flag every few hundred rows and rolls back;
    a job still in the queue is cancelled at once."""
    type(job).objects.filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(cancel_requested=True)
    type(job).objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(status=JobStatus.CANCELLED, finished=timezone.now())
    if isinstance(job, ImportJob):
        job.refresh_from_db()
        if job.status == JobStatus.CANCELLED:
            drop_files(job)
    job.refresh_from_db()


def drop_files(job) -> None:
    """Delete the job's files (the upload, and for an import what its preview read)."""
    fields = {"file": ""}
    if job.file:
        job.file.delete(save=False)
    if isinstance(job, ImportJob):
        fields["parsed"] = fields["report"] = ""
        if job.parsed:
            job.parsed.delete(save=False)
        if job.report:
            job.report.delete(save=False)
    type(job).objects.filter(pk=job.pk).update(**fields)


class _JobSheetStore:
    """Keeps what the preview of a job read beside its upload; the commit of the same
    job (the same file, by digest) loads it instead of parsing the workbook again."""

    def __init__(self, job: ImportJob):
        self.job = job

    def load(self, digest: str) -> SheetData | None:
        if not self.job.parsed:
            return None
        try:
            with self.job.parsed.open("rb") as fh:
                return load_sheet(fh.read(), digest)
        except (OSError, ValueError, EOFError):
            return None

    def save(self, digest: str, sheet: SheetData) -> None:
        if not self.job.dry_run:
            return  # a direct import reads the file once anyway
        if self.job.parsed:
            self.job.parsed.delete(save=False)
        self.job.parsed.save("parsed.bin", ContentFile(dump_sheet(sheet, digest)), save=False)
        ImportJob.objects.filter(pk=self.job.pk).update(parsed=self.job.parsed.name)


def _run_import(job: ImportJob) -> None:
    progress = _Progress(job)
    try:
        with job.file.open("rb") as fh:
            data = fh.read(max_bytes() + 1)
        result = import_members(
            data,
            actor=job.user or system_actor("task"),
            org=job.organisation,
            dry_run=job.dry_run,
            update_existing=job.update_existing,
            progress=progress,
            should_cancel=progress.cancelled,
            phase=progress.phase,
            job_label=f"（导入任务#{job.pk} {job.filename}）",
            sheet_store=_JobSheetStore(job),
        )
    except ImportCancelled:
        ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED, finished=timezone.now(), message="已取消，未写入任何数据")
        job.refresh_from_db()
        drop_files(job)
        return
    except Exception as exc:
        log.exception("导入任务 #%s 运行出错", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished=timezone.now(), message=f"运行出错，未写入任何数据：{type(exc).__name__}"
        )
        return
    errors = [e.as_dict() for e in result.errors]
    if result.ok:
        status = JobStatus.PREVIEWED if job.dry_run else JobStatus.DONE
    else:
        status = JobStatus.INVALID
    message = result.refused or ("" if result.ok else f"共 {len(errors)} 处错误，未写入任何数据")
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        finished=timezone.now(),
        rows_total=result.rows_total,
        rows_done=result.rows_total if result.ok or not result.refused else 0,
        summary=result.summary(),
        errors=errors[:MAX_STORED_ERRORS],
        error_count=len(errors),
        message=message,
    )
    if status == JobStatus.INVALID:
        _save_error_report(job, data, errors, refused=result.refused)
    if status == JobStatus.DONE:
        AccessLog.record(
            AccessLog.Kind.IMPORT,
            user=job.user,
            target=f"党员名册导入：{job.filename}"[:200],
            org_path=job.org_path,
            job=job.pk,
            created=result.created,
            updated=result.updated,
            rows=result.rows_total,
        )
        job.refresh_from_db()
        drop_files(job)  # the roster holds personal data: keep it no longer than needed


def import_jobs_for(user):
    return ImportJob.objects.restrict(user, "change").filter(user=user)


# ------------------------------------------------------------------ exports


def member_export_queryset(user, params, *, full_pii: bool):
    """The member list's own filters over the user's scope: the export equals the screen.
    Full personal data needs the "export_full" action, over the organisations it covers."""
    if full_pii and not has_action(user, "export_full"):
        raise PermissionDenied("您没有导出完整个人信息的权限（需要“导出完整信息”授权）")
    # Stored/API parameters are a plain dict; the filter set expects a QueryDict
    # (multiple-choice filters such as status read every value of the key).
    return roster(user, as_query_dict(params), action="export_full" if full_pii else "view")


NOT_FILTERS = ("full", "page", "csrfmiddlewaretoken")


def _params_dict(params) -> dict:
    if hasattr(params, "lists"):
        return {k: v if len(v) > 1 else v[0] for k, v in params.lists() if k not in NOT_FILTERS}
    return {k: v for k, v in dict(params).items() if k not in NOT_FILTERS}


def as_query_dict(params) -> QueryDict:
    """Stored/API parameters (a plain dict, lists for repeated keys) back as a QueryDict."""
    if hasattr(params, "getlist"):
        return params
    return QueryDict(urlencode(params, doseq=True))


def _log_export(user, *, kind: str, full_pii: bool, params: dict, rows: int, org_path: str) -> None:
    AccessLog.record(
        AccessLog.Kind.EXPORT_FULL if full_pii else AccessLog.Kind.EXPORT,
        user=user,
        target="党员名册导出" if kind == ExportJob.Kind.MEMBERS else "党组织导出",
        org_path=org_path,
        filters=params,
        rows=rows,
        full_pii=full_pii,
    )


def export_filename(kind: str, full_pii: bool) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    base = "党员名册" if kind == ExportJob.Kind.MEMBERS else "党组织"
    return f"{base}{'-完整信息' if full_pii else ''}-{stamp}.xlsx"


def export_members_for(user, params, *, full_pii: bool = False, force_background: bool = False):
    """Small exports: (bytes, filename) at once. Large ones (> SYNC_EXPORT_MAX_ROWS rows):
    an ExportJob running in the background. Both write the access log."""
    params = _params_dict(params)
    qs = member_export_queryset(user, params, full_pii=full_pii)
    n, exact = capped_count(qs, SYNC_EXPORT_MAX_ROWS)
    if exact and not force_background:
        out = exporter.export_members(qs, full_pii=full_pii)
        _log_export(user, kind=ExportJob.Kind.MEMBERS, full_pii=full_pii, params=params, rows=n, org_path=scope_root(user))
        return out.getvalue(), export_filename(ExportJob.Kind.MEMBERS, full_pii)
    return queue_export(user, kind=ExportJob.Kind.MEMBERS, params=params, full_pii=full_pii, org_path=scope_root(user), rows_total=n)


def export_key(*, kind: str, list_name: str = "", full_pii: bool = False, params: dict) -> str:
    canon = json.dumps([kind, list_name, bool(full_pii), params], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canon.encode()).hexdigest()


def queue_export(user, **fields) -> ExportJob:
    """Create and dispatch a background export — unless the same user already has the same
    export (kind, list, full data, filters) queued or running: then that job, marked
    `reused`. The database decides (a partial unique constraint), so two requests at once
    cannot both start one."""
    key = export_key(
        kind=fields["kind"], list_name=fields.get("list_name", ""), full_pii=fields.get("full_pii", False), params=fields["params"]
    )
    for _attempt in range(3):
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(user=user, params_key=key, **fields)
        except IntegrityError:
            running = ExportJob.objects.filter(user=user, params_key=key, status__in=ACTIVE_STATUSES).first()
            if running is None:
                continue  # it finished in between: start a new one
            running.reused = True
            return running
        dispatch(job)
        job.refresh_from_db()
        job.reused = False
        return job
    raise ValidationError({"export": ["相同的导出刚刚开始又结束，请稍后再试"]})


def _run_export(job: ExportJob) -> None:
    progress = _Progress(job)
    try:
        if job.kind == ExportJob.Kind.MEMBERS:
            qs = member_export_queryset(job.user, job.params, full_pii=job.full_pii)
            total = qs.count()
            ExportJob.objects.filter(pk=job.pk).update(rows_total=total, phase="write")

            def tick(n):
                progress(n, total)
                if progress.cancelled():
                    raise ImportCancelled()

            out = exporter.export_members(qs, full_pii=job.full_pii, progress=tick)
        elif job.kind == ExportJob.Kind.LIST:
            out, total = _write_registered_list(job, progress)
        else:
            from apps.accounts.scoping import visible_orgs

            qs = visible_orgs(job.user)
            total = qs.count()
            out = exporter.export_orgs(qs)
    except ImportCancelled:
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED, finished=timezone.now())
        return
    except Exception as exc:
        log.exception("导出任务 #%s 运行出错", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, finished=timezone.now(), message=type(exc).__name__)
        return
    if job.kind == ExportJob.Kind.LIST:
        entry = lists.get(job.list_name)
        filename = list_filename(entry)
    else:
        filename = export_filename(job.kind, job.full_pii)
    job.file.save("export.xlsx", ContentFile(out.getvalue()), save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        file=job.file.name, filename=filename, status=JobStatus.DONE, finished=timezone.now(), rows_total=total, rows_done=total
    )
    if job.kind == ExportJob.Kind.LIST:
        _log_list_export(job.user, entry, params=job.params, rows=total, org_path=job.org_path, job=job.pk)
    else:
        _log_export(job.user, kind=job.kind, full_pii=job.full_pii, params=job.params, rows=total, org_path=job.org_path)


# ------------------------------------------------------------------ registered list exports


def list_filename(entry) -> str:
    return f"{entry.title}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


def _log_list_export(user, entry, *, params: dict, rows: int, org_path: str, **extra) -> None:
    AccessLog.record(
        AccessLog.Kind.EXPORT,
        user=user,
        target=f"{entry.title}导出",
        org_path=org_path,
        filters=params,
        rows=rows,
        full_pii=False,
        list=entry.name,
        **extra,
    )


def _count(items) -> tuple[int, bool]:
    """(rows, whether that is at most SYNC_EXPORT_MAX_ROWS) with one bounded query."""
    if hasattr(items, "query"):
        return capped_count(items, SYNC_EXPORT_MAX_ROWS)
    items = list(items)
    return min(len(items), SYNC_EXPORT_MAX_ROWS), len(items) <= SYNC_EXPORT_MAX_ROWS


def export_list_for(user, name: str, params, *, force_background: bool = False):
    """Export a registered list screen (apps.excel.lists) with the page's own query
    parameters: (bytes, filename) at once when it has at most SYNC_EXPORT_MAX_ROWS rows,
    else an ExportJob running in the background. The rows come from the screen's own
    selector, so scope and filters are the screen's (Http404/PermissionDenied as there).
    Both paths write the access log (EXPORT, the filters, the row count)."""
    entry = lists.get(name)
    query = as_query_dict(params)
    stored = _params_dict(query)
    items = entry.rows(user, query)
    n, small = _count(items)
    if small and not force_background:
        out, rows = generic.write_list(entry.title, entry.columns, items, prepare=entry.prepare)
        _log_list_export(user, entry, params=stored, rows=rows, org_path=scope_root(user))
        return out.getvalue(), list_filename(entry)
    return queue_export(user, kind=ExportJob.Kind.LIST, list_name=entry.name, params=stored, org_path=scope_root(user), rows_total=n)


def _write_registered_list(job: ExportJob, progress: "_Progress"):
    """The background half of export_list_for: the same selector, run as the job's user."""
    entry = lists.get(job.list_name)
    items = entry.rows(job.user, as_query_dict(job.params))
    # What will be written: at most generic.MAX_ROWS rows (a bounded count, as everywhere).
    total = capped_count(items, generic.MAX_ROWS)[0] if hasattr(items, "query") else min(len(items), generic.MAX_ROWS)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=total, phase="write")

    def tick(n):
        progress(n, total)
        if progress.cancelled():
            raise ImportCancelled()

    return generic.write_list(entry.title, entry.columns, items, prepare=entry.prepare, progress=tick)


def export_jobs_for(user):
    return ExportJob.objects.restrict(user, "view").filter(user=user)


def export_orgs_for(user, params) -> tuple[bytes, str]:
    from apps.accounts.scoping import visible_orgs

    qs = visible_orgs(user)
    root = params.get("org")
    if root:
        org = qs.filter(pk=root).first() if str(root).isdigit() else None
        qs = qs.filter(path__startswith=org.path) if org else qs.none()
    if params.get("q"):
        qs = qs.filter(name__contains=params["q"].strip())
    if params.get("org_type"):
        qs = qs.filter(org_type=params["org_type"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    out = exporter.export_orgs(qs)
    rows = qs.count()
    _log_export(user, kind=ExportJob.Kind.ORGS, full_pii=False, params=_params_dict(params), rows=rows, org_path=scope_root(user))
    return out.getvalue(), export_filename(ExportJob.Kind.ORGS, False)


# ------------------------------------------------------------------ error report


def _save_error_report(job: ImportJob, data: bytes, errors: list[dict], *, refused: str) -> None:
    """Write the error report as part of the job (never in a web request)."""
    from .report import build_error_report

    ImportJob.objects.filter(pk=job.pk).update(phase="report")
    try:
        report = build_error_report(data, errors, refused=refused)
    except Exception:  # pragma: no cover - the errors stay listed on the job page
        log.exception("导入任务 #%s 生成错误报告失败", job.pk)
        return
    if job.report:
        job.report.delete(save=False)
    job.report.save("report.xlsx", ContentFile(report), save=False)
    ImportJob.objects.filter(pk=job.pk).update(report=job.report.name, phase="")


def error_report(job: ImportJob) -> bytes | None:
    """The report the job wrote (None when it has none: not invalid, or already pruned)."""
    if not job.report:
        return None
    try:
        with job.report.open("rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def as_stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)
