"""Reads of background jobs, scoped to their owner."""

from django.core.cache import cache
from django.http import Http404

from .models import Job, JobStatus
from .services import progress_cache_key


def job_get_for_owner(*, public_id, user) -> Job:
    """The user's own job; Http404 for anyone else's, a missing one, or no user."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such job.")
    job = Job.objects.filter(public_id=public_id, owner=user).first()
    if job is None:
        raise Http404("No such job.")
    return job


def job_live_progress(job: Job) -> tuple[int, int]:
    """(done, total): the cache's live figures while the job runs, else the row's."""
    if job.status == JobStatus.RUNNING:
        live = cache.get(progress_cache_key(job.pk))
        if live is not None:
            return int(live[0]), int(live[1])
    return job.done, job.total


def job_status_payload(job: Job, *, file_url: str = "") -> dict:
    """The progress endpoint's body."""
    done, total = job_live_progress(job)
    if job.status == JobStatus.SUCCEEDED:
        percent = 100
    elif total:
        percent = min(100, done * 100 // total)
    else:
        percent = 0
    return {
        "id": str(job.public_id),
        "kind": job.kind,
        "label": job.label,
        "status": job.status,
        "finished": job.finished,
        "done": done,
        "total": total,
        "percent": percent,
        "message": job.message,
        "error_count": job.error_count,
        "result": job.result,
        "file_url": file_url if job.result_file else "",
    }
