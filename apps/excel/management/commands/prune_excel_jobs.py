"""Delete the files of old import/export jobs (rosters and exports hold personal data).

    python manage.py prune_excel_jobs [--days 7]

Job rows stay (they are the record of who imported or exported what); only their files go."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.excel.models import ExportJob, ImportJob
from apps.excel.services import drop_files


class Command(BaseCommand):
    help = "删除超过保留期的导入/导出文件（含个人信息），保留任务记录"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="保留天数（默认7天）")

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(days=options["days"])
        removed = 0
        for model in (ImportJob, ExportJob):
            for job in model.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(status__in=["queued", "running"]):
                drop_files(job)
                removed += 1
        self.stdout.write(f"已删除 {removed} 个过期文件")
