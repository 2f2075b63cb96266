"""A background job: a long import or export run by a worker, with its progress and outcome."""

import uuid

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Job(models.Model):
    """One run of a registered job kind (settings.JOB_RUNNERS) for one user.

    Written only by jobs.services. `done`/`total` are the progress committed
    to the row (at the start and the end); while a runner holds its
    transaction open the live figures are in the cache (jobs.services).
    `public_id` is what URLs carry, so ids cannot be walked.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    label = models.CharField(max_length=200, help_text="What a person sees, e.g. the file name.")
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    input_file = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True, max_length=255)
    result_file = models.FileField(upload_to="jobs/result/%Y/%m/", blank=True, max_length=255)
    result = models.JSONField(default=dict, blank=True)
    error_report = models.JSONField(
        default=list, blank=True, help_text="[{row, column, message}], row 1 is the header."
    )
    error_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_created_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"

    def get_kind_display(self) -> str:
        return self.kind.replace("_", " ").capitalize()

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
