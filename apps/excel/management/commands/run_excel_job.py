"""python manage.py run_excel_job import|export JOB_ID

Runs one queued import or export job in this process and exits. The web process starts
it as a child (apps.excel.services.dispatch's fallback when no `db_worker` has claimed the
job) so that parsing a workbook never happens in a web worker: what the parse allocates
is returned to the operating system when the child exits. Claiming is the same
conditional UPDATE as the worker's, so a job never runs twice."""

from django.core.management.base import BaseCommand, CommandError

from apps.excel.models import ExportJob, ImportJob
from apps.excel.services import run_job

MODELS = {"import": ImportJob, "export": ExportJob}


class Command(BaseCommand):
    help = "运行一个排队中的导入或导出任务（web 进程在没有 db_worker 时以子进程调用）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(MODELS))
        parser.add_argument("job_id", type=int)

    def handle(self, *args, kind, job_id, **options):
        model = MODELS[kind]
        if not model.objects.filter(pk=job_id).exists():
            raise CommandError(f"任务不存在：{kind} #{job_id}")
        ran = run_job(model, job_id, fallback=True)
        job = model.objects.get(pk=job_id)
        self.stdout.write(f"{'已运行' if ran else '未运行（已被其他进程领取或已取消）'}：{job}")
