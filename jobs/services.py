"""Writes of background jobs: start, claim, progress, finish, fail, and the run itself.

A job kind is registered in settings.JOB_RUNNERS ({kind: "dotted.path"}). The
runner is called as `runner(job=job, progress=progress)` inside one
transaction: it returns a JobOutcome (the job then succeeds in the same
transaction) or raises JobFailed (everything it wrote rolls back and the job
is failed with the message and the row-numbered report).

Progress while the runner's transaction is open cannot be read from the job
row by another connection, so `job_progress` puts the live figures in the
cache (Redis when CACHE_URL is set, shared by web and worker); the row gets
the total when the job starts and done = total when it ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import dispatch
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

# The progress cache entry outlives any job; the row is the record afterwards.
PROGRESS_CACHE_SECONDS = 24 * 3600
# Between two progress writes: at least this long, unless a whole percent passed.
PROGRESS_MIN_INTERVAL = 0.5


class JobFailed(Exception):
    """Raised by a runner: nothing it wrote is kept; the job fails with this message and report."""

    def __init__(self, message: str, *, error_report: list[dict] | None = None, error_count=None):
        super().__init__(message)
        self.message = message
        self.error_report = error_report or []
        self.error_count = len(self.error_report) if error_count is None else error_count


@dataclass
class JobOutcome:
    """What a runner returns: a summary for the page and, for exports, a file."""

    result: dict = field(default_factory=dict)
    file_name: str = ""
    file_content: bytes | File | None = None


def progress_cache_key(job_id: int) -> str:
    return f"jobs:progress:{job_id}"


def job_start(
    *,
    kind: str,
    owner,
    label: str,
    params: dict | None = None,
    total: int = 0,
    input_file: File | None = None,
    input_name: str = "",
) -> Job:
    """Create a queued job and hand it to a worker once the transaction commits.

    `input_file` (an upload) is stored with the job, in the default storage,
    so a worker on another host reads the same file.
    """
    if kind not in settings.JOB_RUNNERS:
        raise ValueError(f"No runner for job kind “{kind}” (settings.JOB_RUNNERS).")
    job = Job(kind=kind, owner=owner, label=label[:200], params=params or {}, total=total)
    with transaction.atomic():
        if input_file is not None:
            job.input_file.save(input_name or input_file.name, input_file, save=False)
        job.save()
        transaction.on_commit(partial(dispatch.job_dispatch, job.pk))
    return job


def job_claim(*, job_id: int) -> Job | None:
    """Take a queued job (or one whose worker died: running past JOB_LEASE_SECONDS).

    One conditional UPDATE, so a task delivered twice runs the job once.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    claimable = Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, started_at__lt=stale)
    job = Job.objects.filter(pk=job_id).filter(claimable).first()
    if job is None:
        return None
    updated = (
        Job.objects.filter(pk=job_id, status=job.status, attempts=job.attempts)
        .filter(claimable)
        .update(status=JobStatus.RUNNING, started_at=now, attempts=job.attempts + 1, done=0)
    )
    if not updated:
        return None
    job.refresh_from_db()
    cache.set(progress_cache_key(job.pk), (0, job.total), PROGRESS_CACHE_SECONDS)
    return job


class Progress:
    """The `progress(done, total=None)` callable a runner gets.

    Writes at most every PROGRESS_MIN_INTERVAL seconds or each whole percent,
    so a 100,000-row import costs about a hundred cache writes.
    """

    def __init__(self, job: Job):
        self.job = job
        self.last_time = 0.0
        self.last_percent = -1

    def __call__(self, done: int, total: int | None = None) -> None:
        job = self.job
        if total is not None:
            job.total = max(int(total), 0)
        job.done = min(max(int(done), 0), job.total) if job.total else max(int(done), 0)
        now = time.monotonic()
        percent = job.percent
        if percent == self.last_percent and now - self.last_time < PROGRESS_MIN_INTERVAL:
            return
        self.last_time, self.last_percent = now, percent
        job_progress(job=job, done=job.done, total=job.total)


def job_progress(*, job: Job, done: int, total: int) -> None:
    """Record how far a running job is (the cache; the row too when no transaction is open)."""
    cache.set(progress_cache_key(job.pk), (done, total), PROGRESS_CACHE_SECONDS)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(done=done, total=total)


def job_finish(*, job: Job, outcome: JobOutcome) -> Job:
    """Mark a job succeeded with its summary and file (inside the runner's transaction)."""
    job.status = JobStatus.SUCCEEDED
    job.done = job.total
    job.result = outcome.result
    job.finished_at = timezone.now()
    if outcome.file_content is not None:
        content = outcome.file_content
        if isinstance(content, bytes):
            content = ContentFile(content)
        job.result_file.save(outcome.file_name or f"job-{job.public_id}", content, save=False)
    job.save(update_fields=["status", "done", "total", "result", "finished_at", "result_file"])
    cache.set(progress_cache_key(job.pk), (job.done, job.total), PROGRESS_CACHE_SECONDS)
    return job


def job_fail(
    *, job: Job, message: str, error_report: list[dict] | None = None, error_count=None
) -> Job:
    """Mark a job failed; keeps the first JOB_MAX_REPORTED_ERRORS rows of its report."""
    report = list(error_report or [])
    job.status = JobStatus.FAILED
    job.message = message
    job.error_count = len(report) if error_count is None else error_count
    job.error_report = report[: settings.JOB_MAX_REPORTED_ERRORS]
    job.finished_at = timezone.now()
    job.save(
        update_fields=["status", "message", "error_report", "error_count", "finished_at", "total"]
    )
    cache.delete(progress_cache_key(job.pk))
    return job


def runner_for(kind: str) -> Callable[..., JobOutcome]:
    return import_string(settings.JOB_RUNNERS[kind])


def job_run(*, job_id: int) -> Job | None:
    """Claim a job and run it: all it writes and its success in one transaction.

    Returns None when the job was not claimable (already run, or running elsewhere).
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    try:
        runner = runner_for(job.kind)
        with transaction.atomic():
            outcome = runner(job=job, progress=Progress(job))
            job_finish(job=job, outcome=outcome)
    except JobFailed as exc:
        job_fail(
            job=job,
            message=exc.message,
            error_report=exc.error_report,
            error_count=exc.error_count,
        )
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        job_fail(
            job=job,
            message="The job stopped on an unexpected error; nothing was written. "
            "The error is in the server log.",
        )
    _input_discard(job)
    return job


def _input_discard(job: Job) -> None:
    """The uploaded file has served once the job ended: storage does not grow with uploads."""
    if job.input_file:
        try:
            job.input_file.delete(save=False)
        except Exception:  # a storage hiccup must not turn a finished job into an error
            logger.warning("Could not delete %s", job.input_file.name, exc_info=True)
            return
        Job.objects.filter(pk=job.pk).update(input_file="")
