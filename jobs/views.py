"""The job's progress (JSON, polled by the page that started it) and its result file."""

from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors import job_get_for_owner, job_status_payload


@require_GET
@never_cache
def job_progress(request, public_id):
    """GET /jobs/<id>/progress: status, done/total, percent; 404 unless the caller started it."""
    job = job_get_for_owner(public_id=public_id, user=request.user)
    file_url = reverse("jobs:file", kwargs={"public_id": job.public_id})
    return JsonResponse(job_status_payload(job, file_url=file_url))


@require_GET
@never_cache
def job_file(request, public_id):
    """GET /jobs/<id>/file: the finished job's file (an export), to its owner only."""
    job = job_get_for_owner(public_id=public_id, user=request.user)
    if not job.result_file:
        raise Http404("This job has no file.")
    name = job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
