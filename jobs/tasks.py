"""Celery tasks of jobs: the interface to jobs.services."""

from celery import shared_task
from django.db import OperationalError

from .services import job_run


@shared_task(
    name="jobs.run_job",
    ignore_result=True,
    acks_late=True,
    # The database unreachable while claiming: try again later (the job stays queued).
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=6,
)
def run_job(job_id: int) -> None:
    """Run a queued job (an import, an export) by id.

    Idempotent: job_run claims the job with a conditional UPDATE, so a task
    delivered twice runs it once. A failure of the runner is recorded on the
    job, not retried: its transaction rolled back, and the person who started
    it reads why on the page. A database that cannot be reached while claiming
    is retried with backoff.
    """
    job_run(job_id=job_id)
