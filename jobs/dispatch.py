"""Hand a committed job to whatever runs it; imports nothing of jobs.services at module level.

JOBS_DELIVERY picks how:
  "celery"  a Celery task on the broker (the default when CELERY_BROKER_URL is set);
  "thread"  a one-thread pool in this process (the default without a broker),
            so the upload's request answers at once and the page polls;
  "inline"  right away in this thread (tests that only want the outcome).
"""

import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        # One at a time: a job is one long transaction; two would only wait on each other.
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")
    return _executor


def _run_in_thread(job_id: int) -> None:
    from .services import job_run

    close_old_connections()
    try:
        job_run(job_id=job_id)
    except Exception:
        logger.exception("Job %s failed in the background thread", job_id)
    finally:
        close_old_connections()


def job_dispatch(job_id: int) -> None:
    """Called after the commit that created the job."""
    mode = settings.JOBS_DELIVERY
    if mode == "celery":
        from .services import job_fail
        from .tasks import run_job

        try:
            run_job.apply_async((job_id,), ignore_result=True)
        except Exception:
            logger.warning("Could not hand job %s to the broker", job_id, exc_info=True)
            from .models import Job

            job = Job.objects.filter(pk=job_id).first()
            if job is not None:
                job_fail(
                    job=job,
                    message="The task queue is unavailable; nothing was written. "
                    "Try again in a few minutes.",
                )
    elif mode == "thread":
        _pool().submit(_run_in_thread, job_id)
    else:
        from .services import job_run

        job_run(job_id=job_id)


def wait_for_threads() -> None:
    """Tests: let the running thread finish (and start a fresh pool)."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True)
        _executor = None
