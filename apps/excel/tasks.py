"""Background tasks (django-tasks). `manage.py db_worker` runs them in production; when
no worker picks a job up, the web process runs it in a child process (services.dispatch)."""

from django_tasks import task


@task()
def run_import_task(job_id: int) -> bool:
    from .models import ImportJob
    from .services import run_job

    return run_job(ImportJob, job_id)


@task()
def run_export_task(job_id: int) -> bool:
    from .models import ExportJob
    from .services import run_job

    return run_job(ExportJob, job_id)
