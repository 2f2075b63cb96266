"""Report downloads over the thresholds run as a background job (reporting.export_jobs)."""

import csv
import io
import threading
import time
import uuid

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from auromart.celery import app
from auromart.tests.celery_worker import celery_worker, database_url_of_the_test_database
from jobs import dispatch
from jobs.models import Job
from reporting import export_jobs

from .dataset import build_market
from .test_views import MARCH, client_for

STOCK = reverse("reporting:stock")
CSV = {**MARCH, "export": "csv", "table": "cover"}


def progress_of(client, job):
    response = client.get(reverse("jobs:progress", kwargs={"public_id": job.public_id}))
    assert response.status_code == 200
    return response.json()


def rows_of(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode())))


@pytest.fixture
def m(settings):
    return build_market(settings)


@pytest.mark.django_db
def test_a_small_download_is_answered_in_the_request(m):
    response = client_for(m.users["staff"]).get(STOCK, CSV)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_download_over_the_threshold_becomes_a_job_whose_file_is_the_same(
    m, settings, django_capture_on_commit_callbacks
):
    client = client_for(m.users["staff"])
    inline = rows_of(client.get(STOCK, CSV).content)
    settings.REPORT_EXPORT_INLINE_ROWS = 5  # the cover table has 6 rows

    page = client.get(STOCK, MARCH).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(STOCK, CSV)

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:export_job", args=[job.public_id])
    # The page's background links are plain links: `download` would save the progress page.
    assert 'table=cover" title="Prepared in the background' in page.replace("&amp;", "&")
    assert job.kind == "report_export" and job.params["format"] == "csv"
    assert job.status == "succeeded" and job.result["rows"] == 6  # inline delivery in tests
    done = client.get(response["Location"]).content.decode()
    assert "Ready: cover-2025-03-01-2025-03-31.csv, 6 rows" in done
    file = client.get(reverse("jobs:file", args=[job.public_id]))
    assert rows_of(b"".join(file.streaming_content)) == inline
    assert not job.result["emailed"] and not mail.outbox  # below REPORT_EXPORT_EMAIL_ROWS


@pytest.mark.django_db
def test_a_large_export_is_also_emailed_with_the_file_attached(
    m, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_PDF_INLINE_ROWS = 5
    settings.REPORT_EXPORT_EMAIL_ROWS = 6
    staff = m.users["staff"]
    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff).get(STOCK, {**CSV, "export": "pdf"})
    job = Job.objects.get()
    assert job.status == "succeeded" and job.result["emailed"] is True
    [message] = mail.outbox
    assert message.to == [staff.email] and "cover-2025-03-01-2025-03-31.pdf" in message.subject
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".pdf") and content[:5] == b"%PDF-" and mimetype == "application/pdf"
    assert str(job.public_id) in message.body


@pytest.mark.django_db
def test_the_job_page_and_file_belong_to_whoever_started_it(m, settings):
    settings.REPORT_EXPORT_INLINE_ROWS = 5
    client_for(m.users["staff"]).get(STOCK, CSV)
    job = Job.objects.get()
    other = client_for(m.users["north"])
    assert other.get(reverse("reporting:export_job", args=[job.public_id])).status_code == 404
    assert other.get(reverse("jobs:file", args=[job.public_id])).status_code == 404
    assert (
        client_for().get(reverse("reporting:export_job", args=[job.public_id])).status_code == 302
    )


# The procurement group and its report permission come from migrations, which an
# earlier transactional test's flush removes: procurement_staff() restores them.
@pytest.mark.django_db(transaction=True)
def test_progress_goes_from_0_to_100_percent_in_process(m, settings, monkeypatch):
    """The embedded set-up (no broker): a thread of this process runs the job while the
    page polls. The file waits until the test has polled once, so the step before it is
    seen while the job's transaction is open."""
    settings.JOBS_DELIVERY = "thread"
    settings.REPORT_EXPORT_INLINE_ROWS = 5
    reached, polled = threading.Semaphore(0), threading.Semaphore(0)
    real = export_jobs.table_csv

    def held(table):
        reached.release()
        polled.acquire(timeout=30)
        return real(table)

    monkeypatch.setattr(export_jobs, "table_csv", held)
    client = client_for(m.users["staff"])
    client.get(STOCK, CSV)
    job = Job.objects.get()
    seen = []
    try:
        seen.append(progress_of(client, job)["percent"])
        assert reached.acquire(timeout=30), "the job never reached the file"
        middle = progress_of(client, job)
        seen.append(middle["percent"])
        assert middle["status"] == "running" and not middle["finished"]
        polled.release()
    finally:
        polled.release()
        dispatch.wait_for_threads()
    final = progress_of(client, job)
    seen.append(final["percent"])
    assert final["status"] == "succeeded" and final["file_url"]
    assert seen[0] < 100 and 0 < seen[1] < 100 and seen[-1] == 100, seen
    assert seen == sorted(seen)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_progress_goes_from_0_to_100_percent_through_a_real_worker(settings, monkeypatch):
    if not django_settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: the CI run on MariaDB + Redis sets one")
    if connection.vendor != "mysql":
        pytest.skip("the worker process needs a database server it can share with the test")
    if "redis" not in django_settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("live progress between processes needs the shared cache (CACHE_URL)")
    m = build_market(settings)
    queue = f"test-exports-{uuid.uuid4().hex[:12]}"
    settings.JOBS_DELIVERY = "celery"
    settings.REPORT_PDF_INLINE_ROWS = 5
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    client = client_for(m.users["staff"])
    response = client.get(STOCK, {**CSV, "export": "pdf"})  # commits: the task waits in Redis
    assert response.status_code == 302
    job = Job.objects.get()
    seen = [progress_of(client, job)["percent"]]  # no worker yet: 0
    worker_env = {
        "DATABASE_URL": database_url_of_the_test_database(),
        "REPORT_PDF_INLINE_ROWS": "5",
    }
    with celery_worker(queue, loglevel="info", env=worker_env) as worker:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = progress_of(client, job)
            seen.append(body["percent"])
            if body["finished"]:
                break
            time.sleep(0.05)
    assert body["status"] == "succeeded", (body, worker.output)
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen), seen
    assert "jobs.run_job" in worker.output and "Traceback" not in worker.output, worker.output
    pdf = client.get(reverse("jobs:file", args=[job.public_id]))
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
