"""Celery tasks of jobs: the interface to jobs.services."""

from celery import shared_task

from .services import job_run


@shared_task(name="jobs.run_job", ignore_result=True, acks_late=True)
def run_job(job_id: int) -> None:
    """Run a queued job (an import, an export) by id.

    Idempotent: job_run claims the job with a conditional UPDATE, so a task
    delivered twice runs it once. A failure is recorded on the job, not retried:
    the runner's transaction rolled back, and the person who started it reads
    why on the page.
    """
    job_run(job_id=job_id)
