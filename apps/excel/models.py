"""Background import and export jobs: who started them, over which part of the tree,
their file, progress and outcome. Uploaded rosters and full-data exports hold personal
data: their files are deleted when a job is done with them (apps.excel.services) and
by `manage.py prune_excel_jobs` after a retention period."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.querysets import ScopedQuerySet


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    PREVIEWED = "previewed", "预览通过，待确认导入"
    INVALID = "invalid", "有错误，未导入"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"
    FAILED = "failed", "运行出错"


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobBase(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    # The part of the tree the job acts on (the chosen organisation, else the user's
    # scope root), so that jobs are scoped like the data they hold.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    phase = models.CharField("阶段", max_length=16, blank=True)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_done = models.PositiveIntegerField("已处理行数", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now, db_index=True)
    started = models.DateTimeField("开始时间", null=True, blank=True)
    finished = models.DateTimeField("结束时间", null=True, blank=True)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    message = models.TextField("说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    SCOPE_PATH = "org_path"
    PATH_COPIES = {"org_path": None}  # the job's scope root: follows its subtree on moves

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == JobStatus.DONE else 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def rate(self) -> float:
        """Rows per second since the job started."""
        if not self.started or not self.rows_done:
            return 0.0
        end = self.finished or timezone.now()
        seconds = max((end - self.started).total_seconds(), 0.001)
        return round(self.rows_done / seconds, 1)


class ImportJob(JobBase):
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="导入到（默认组织）", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField("文件", upload_to="excel/imports/%Y/%m/", blank=True)
    # What the preview read from the file (signed; apps.excel.importer.dump_sheet), so the
    # commit does not parse the workbook again. Deleted with the upload.
    parsed = models.FileField("解析结果", upload_to="excel/imports/%Y/%m/", blank=True)
    # The downloadable error report (apps.excel.report), written by the job itself when the
    # file has errors: building it re-reads the whole sheet (a 200,000-row file takes
    # about a minute), which must not happen in a web request. Deleted with the upload.
    report = models.FileField("错误报告", upload_to="excel/reports/%Y/%m/", blank=True)
    filename = models.CharField("文件名", max_length=200)
    dry_run = models.BooleanField("仅预览", default=True)
    update_existing = models.BooleanField("更新已有党员", default=True)
    summary = models.JSONField("结果汇总", default=dict, blank=True)
    errors = models.JSONField("错误清单", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)

    class Meta(JobBase.Meta):
        verbose_name = verbose_name_plural = "导入任务"

    def __str__(self):
        return f"导入 {self.filename}（{self.get_status_display()}）"


class ExportJob(JobBase):
    class Kind(models.TextChoices):
        MEMBERS = "members", "党员名册"
        ORGS = "orgs", "党组织"
        LIST = "list", "列表"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.MEMBERS)
    # kind=list: which registered list (apps.excel.lists) the job exports, with `params`
    # being that list page's own query string.
    list_name = models.CharField("列表", max_length=64, blank=True)
    params = models.JSONField("筛选条件", default=dict, blank=True)
    full_pii = models.BooleanField("含完整个人信息", default=False)
    file = models.FileField("文件", upload_to="excel/exports/%Y/%m/", blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    # What is exported (kind, list, full data, filters) as a digest: one user has at most one
    # queued or running job per digest (the constraint below; apps.excel.services.queue_export
    # answers a second start with the running job).
    params_key = models.CharField("导出内容摘要", max_length=64, blank=True)

    class Meta(JobBase.Meta):
        verbose_name = verbose_name_plural = "导出任务"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "params_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(params_key=""),
                name="excel_one_active_export_per_user_and_query",
            )
        ]

    def __str__(self):
        return f"导出 {self.label}（{self.get_status_display()}）"

    @property
    def label(self) -> str:
        """What the job exports, as the exports page shows it."""
        if self.kind == self.Kind.LIST:
            from apps.core.registry import lists

            return lists.get(self.list_name).title if self.list_name in lists else self.list_name
        return self.get_kind_display()
