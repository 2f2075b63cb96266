from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.models import Category
from jobs.models import Job, JobStatus
from jobs.services import job_claim, job_run, job_start, progress_cache_key

from .factories import JobFactory
from .runners import RUNNERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("runners")]


@pytest.fixture
def runners():
    with override_settings(JOB_RUNNERS=RUNNERS, JOBS_DELIVERY="inline"):
        yield


def test_a_job_runs_after_commit_and_succeeds_with_its_result_and_file(
    django_capture_on_commit_callbacks,
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = job_start(kind="test_ok", owner=owner, label="Made")
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # not before the commit
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total, job.percent) == (4, 4, 100)
    assert job.result == {"made": 4}
    assert job.result_file.read() == b"slug\nmade\n"
    assert job.started_at and job.finished_at and job.attempts == 1
    assert Category.objects.filter(slug__startswith=f"job-{job.pk}-").count() == 4


def test_a_refused_job_writes_nothing_and_keeps_its_report():
    job = JobFactory(kind="test_refused")
    job.input_file.save("upload.csv", ContentFile(b"sku\n"), save=True)
    stored = job.input_file.name
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.input_file.name == "" and not default_storage.exists(stored)  # served its turn
    assert job.status == JobStatus.FAILED
    assert job.message == "Nothing was imported: 1 error."
    assert job.error_report == [{"row": 3, "column": "price", "message": "Too large."}]
    assert job.error_count == 1
    assert not Category.objects.filter(slug="half-written").exists()
    assert cache.get(progress_cache_key(job.pk)) is None


def test_a_crashing_runner_fails_the_job_and_rolls_back():
    job = JobFactory(kind="test_crash")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "unexpected error; nothing was written" in job.message
    assert not Category.objects.filter(slug="crash").exists()


def test_a_job_delivered_twice_runs_once():
    job = JobFactory(kind="test_ok")
    assert job_run(job_id=job.pk) is not None
    assert job_run(job_id=job.pk) is None
    assert Category.objects.filter(slug__startswith=f"job-{job.pk}-").count() == 4


def test_a_running_job_is_claimed_again_only_past_its_lease(settings):
    settings.JOB_LEASE_SECONDS = 60
    job = JobFactory(status=JobStatus.RUNNING, started_at=timezone.now(), attempts=1)
    assert job_claim(job_id=job.pk) is None
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(seconds=61))
    claimed = job_claim(job_id=job.pk)
    assert claimed is not None and claimed.attempts == 2


def test_an_unknown_kind_is_refused_at_the_start():
    with pytest.raises(ValueError, match="No runner"):
        job_start(kind="nope", owner=UserFactory(), label="x")
    assert not Job.objects.exists()


def test_the_task_retries_when_the_database_cannot_be_reached(monkeypatch):
    from celery.exceptions import Retry
    from django.db import OperationalError

    from jobs import tasks

    calls = []

    def down(**kwargs):
        calls.append(kwargs)
        raise OperationalError("gone away")

    monkeypatch.setattr(tasks, "job_run", down)
    job = JobFactory()
    with pytest.raises(Retry) as retry:  # the worker would run it again after the backoff
        tasks.run_job.apply(args=[job.pk], throw=True)
    assert isinstance(retry.value.exc, OperationalError)
    assert calls == [{"job_id": job.pk}]
    assert tasks.run_job.max_retries == 6
