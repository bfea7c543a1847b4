"""Web views: thin — they parse input and call apps.excel.services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.paging import page_of
from apps.core.scoping import ScopeError, get_in_scope, has_action
from apps.core.xlsx import XLSX_CONTENT_TYPE
from apps.orgs.models import Organisation

from . import columns as C
from . import services
from .importer import max_bytes
from .models import JobStatus
from .template import write_template

ERRORS_SHOWN = 200


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _require_change(user):
    if not has_action(user, "change"):
        raise Http404("未找到该页面，或不在您的管理范围内")


class UploadForm(forms.Form):
    file = forms.FileField(label="党员名册（.xlsx）", help_text="请使用系统模板；文件上限 {} MB")
    org_code = forms.CharField(
        label="导入到组织（可选）",
        required=False,
        max_length=32,
        help_text="填写组织代码：只导入到该组织及下级；未填所在党组织的行导入到该组织",
    )
    update_existing = forms.BooleanField(label="身份证号已在册的党员按文件更新", required=False, initial=True)
    preview = forms.BooleanField(label="先预览，确认无误后再导入（推荐）", required=False, initial=True)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"].help_text = f"请使用系统模板；文件上限 {max_bytes() // 1024 // 1024} MB；先校验全部行，任一行有错则不写入"
        self.fields["file"].widget.attrs.update({"accept": ".xlsx", "data-max-bytes": str(max_bytes())})

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > max_bytes():
            raise ValidationError(f"文件过大：上限为 {max_bytes() // 1024 // 1024} MB，请分批导入")
        return f

    def clean_org_code(self):
        code = self.cleaned_data["org_code"].strip()
        if not code:
            return None
        org = Organisation.objects.restrict(self.user, "change").filter(code=code).first()
        if org is None:
            raise ValidationError(f"组织代码“{code}”不存在或不在您的维护范围内")
        return org


@login_required
def import_page(request):
    _require_change(request.user)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                job = services.start_import(
                    request.user,
                    form.cleaned_data["file"],
                    filename=form.cleaned_data["file"].name,
                    org=form.cleaned_data["org_code"],
                    dry_run=form.cleaned_data["preview"],
                    update_existing=form.cleaned_data["update_existing"],
                )
            except ScopeError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                for messages_ in exc.message_dict.values():
                    for m in messages_:
                        form.add_error("file", m)
            else:
                return redirect("excel:import_job", pk=job.pk)
    else:
        form = UploadForm(user=request.user, initial={"update_existing": True, "preview": True})
    jobs = page_of(services.import_jobs_for(request.user).select_related("organisation"), request, size=20)
    columns = [c for c in C.COLUMNS]
    return render(request, "excel/import.html", {"form": form, "jobs": jobs, "columns": columns})


@login_required
def template_download(request):
    return xlsx_response(write_template().getvalue(), "党员信息导入模板.xlsx")


def _import_job(request, pk):
    _require_change(request.user)
    return get_in_scope(services.import_jobs_for(request.user).select_related("organisation"), request.user, "change", pk=pk)


@login_required
def import_job(request, pk):
    job = _import_job(request, pk)
    errors = job.errors[:ERRORS_SHOWN]
    return render(
        request,
        "excel/import_job.html",
        {
            "job": job,
            "errors": errors,
            "errors_truncated": job.error_count > len(errors),
            "poll_url": reverse("excel:import_progress", args=[job.pk]),
        },
    )


@login_required
def import_progress(request, pk):
    job = _import_job(request, pk)
    response = render(request, "excel/_job_progress.html", {"job": job, "poll_url": reverse("excel:import_progress", args=[job.pk])})
    if not job.is_active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # finished: reload the page to show the result
    return response


@login_required
@require_POST
def import_commit(request, pk):
    job = _import_job(request, pk)
    try:
        services.request_commit(job, request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
    except ScopeError as exc:
        messages.error(request, exc.message)
    return redirect("excel:import_job", pk=job.pk)


@login_required
@require_POST
def import_cancel(request, pk):
    job = _import_job(request, pk)
    services.cancel(job)
    messages.info(request, "已请求取消：正在处理的数据会全部回滚，不会写入")
    return redirect("excel:import_job", pk=job.pk)


@login_required
def import_report(request, pk):
    job = _import_job(request, pk)
    if job.status != JobStatus.INVALID:
        raise Http404("该任务没有错误报告")
    data = services.error_report(job)
    if data is None:
        raise Http404("错误报告已过期或未生成，请重新上传文件预览")
    name = job.filename.rsplit(".", 1)[0]
    return xlsx_response(data, f"{name}-错误报告.xlsx")


# ------------------------------------------------------------------ exports


def _start_page(request, title: str, *, full: bool = False):
    """GET of an export URL: the page with the button only. Starting an export (a file at
    once, or a background job) is the POST of that button to the same URL and query."""
    conditions = [k for k in request.GET if k not in services.NOT_FILTERS and request.GET.get(k)]
    return render(
        request,
        "excel/export_start.html",
        {"title": title, "full": full, "conditions": len(conditions), "action": request.get_full_path(), "back": _safe_back(request)},
    )


def _safe_back(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    ref = request.headers.get("Referer", "")
    if ref and url_has_allowed_host_and_scheme(ref, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ref
    return reverse("excel:exports")


def _job_started(request, job, label: str) -> None:
    if getattr(job, "reused", False):
        messages.info(request, f"您的相同导出“{label}”正在进行（任务#{job.pk}），未重复开始；完成后可在此下载")
    else:
        messages.info(request, f"“{label}”导出数据较多（超过 {services.SYNC_EXPORT_MAX_ROWS} 行），已转为后台任务，完成后可在此下载")


@login_required
@require_http_methods(["GET", "POST"])
def export_members(request):
    full = request.GET.get("full") == "1"
    if request.method == "GET":
        return _start_page(request, "党员名册（完整信息）" if full else "党员名册", full=full)
    try:
        result = services.export_members_for(request.user, request.GET, full_pii=full)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(_back(request))
    except ValidationError as exc:
        messages.error(request, "筛选条件有误：" + "；".join(m for ms in exc.message_dict.values() for m in ms))
        return redirect(_back(request))
    if isinstance(result, tuple):
        data, filename = result
        return xlsx_response(data, filename)
    _job_started(request, result, "党员名册")
    return redirect("excel:exports")


def _back(request) -> str:
    try:
        return reverse("members:list")
    except Exception:
        return reverse("excel:exports")


@login_required
@require_http_methods(["GET", "POST"])
def export_orgs(request):
    if request.method == "GET":
        return _start_page(request, "党组织")
    data, filename = services.export_orgs_for(request.user, request.GET)
    return xlsx_response(data, filename)


@login_required
@require_http_methods(["GET", "POST"])
def export_list(request, name):
    """Any registered list screen (apps.excel.lists) → .xlsx, with the page's own query
    string: at once when small, else a background job shown on the exports page. GET
    shows the button; the POST (to the same URL and query string) exports."""
    if request.method == "GET":
        from apps.core.registry import lists as registered

        return _start_page(request, registered.get(name).title)
    result = services.export_list_for(request.user, name, request.GET)
    if isinstance(result, tuple):
        data, filename = result
        return xlsx_response(data, filename)
    _job_started(request, result, result.label)
    return redirect("excel:exports")


@login_required
def exports_page(request):
    page = page_of(services.export_jobs_for(request.user), request, size=50)
    context = {"page": page, "any_active": any(j.is_active for j in page.rows), "can_full": has_action(request.user, "export_full")}
    if request.headers.get("HX-Request"):
        return render(request, "excel/_exports_table.html", context)
    return render(request, "excel/exports.html", context)


def _export_job(request, pk):
    return get_in_scope(services.export_jobs_for(request.user), request.user, "view", pk=pk)


@login_required
def export_download(request, pk):
    job = _export_job(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404("导出文件尚未生成或已过期")
    with job.file.open("rb") as fh:
        data = fh.read()
    return xlsx_response(data, job.filename or "导出.xlsx")


@login_required
@require_POST
def export_cancel(request, pk):
    job = _export_job(request, pk)
    services.cancel(job)
    return redirect("excel:exports")
