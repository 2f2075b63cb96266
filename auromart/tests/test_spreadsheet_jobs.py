"""Admin imports above IMPORT_BACKGROUND_ROWS: a background job with progress, all or nothing."""

import re
import threading
import time
import uuid

import pytest
import tablib
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from import_export.formats import base_formats

from accounts.tests.factories import UserFactory
from auromart import spreadsheet_jobs
from auromart.celery import app
from auromart.tests.celery_worker import celery_worker, database_url_of_the_test_database
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory
from jobs import dispatch
from jobs.models import Job, JobStatus

IMPORT = reverse("admin:catalog_product_import")
HEADERS = ["sku", "name", "category", "price", "manufacturer"]


def staff_importer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_product", "add_product", "change_product", "import_product"]
        )
    )
    return user


def product_rows(count, *, bad=None):
    rows = []
    for n in range(count):
        price = "not a price" if n == bad else f"{100 + n}.00"
        rows.append([f"BG-{n:05d}", f"Background {n}", "home", price, "Auro Sleep"])
    return rows


def upload(rows, fmt="csv"):
    dataset = tablib.Dataset(*rows, headers=HEADERS)
    file_format = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}[fmt]()
    data = file_format.export_data(dataset)
    return SimpleUploadedFile(f"big.{fmt}", data.encode() if fmt == "csv" else data)


def post(client, file, fmt_index="0"):
    return client.post(IMPORT, {"resource": "0", "format": fmt_index, "import_file": file})


@pytest.fixture
def catalog():
    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")


@pytest.fixture
def background(settings):
    settings.IMPORT_BACKGROUND_ROWS = 20
    settings.IMPORT_BATCH_ROWS = 10


def job_page(job):
    return reverse("admin:catalog_product_import_job", kwargs={"public_id": job.public_id})


def progress_of(client, job):
    response = client.get(reverse("jobs:progress", kwargs={"public_id": job.public_id}))
    assert response.status_code == 200
    return response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "fmt_index"), [("csv", "0"), ("xlsx", "1")])
def test_a_large_upload_is_imported_by_a_job_and_the_page_shows_the_totals(
    client, catalog, background, fmt, fmt_index, django_capture_on_commit_callbacks
):
    client.force_login(staff_importer())
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, upload(product_rows(45), fmt), fmt_index)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job_page(job)
    assert (job.kind, job.total, job.params["resource"]) == ("spreadsheet_import", 45, "products")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result == {"rows": 45, "new": 45, "update": 0, "skip": 0}
    assert Product.objects.filter(sku__startswith="BG-").count() == 45
    page = client.get(job_page(job)).content.decode()
    assert "Imported 45 rows: 45 new, 0 updated, 0 unchanged (skipped)." in page


@pytest.mark.django_db
def test_a_small_upload_still_gets_the_preview(client, catalog, background):
    client.force_login(staff_importer())
    response = post(client, upload(product_rows(20)))
    assert response.status_code == 200 and "confirm_form" in response.context
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_a_bad_row_aborts_the_whole_background_import_with_a_row_numbered_report(
    client, catalog, background, django_capture_on_commit_callbacks
):
    client.force_login(staff_importer())
    # 45 rows in batches of 10: the bad one (spreadsheet row 39) is in the fourth
    # batch, after three batches that were valid and written.
    with django_capture_on_commit_callbacks(execute=True):
        post(client, upload(product_rows(45, bad=37)))
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message == "Nothing was imported: big.csv has 1 error."
    assert job.error_report == [
        {
            "row": 39,
            "column": "price",
            "message": "Enter an amount such as 1299.00 (got “not a price”).",
        }
    ]
    assert not Product.objects.filter(sku__startswith="BG-").exists()
    page = client.get(job_page(job)).content.decode()
    assert re.search(r"<td>39</td>\s*<td>price</td>", page)


@pytest.mark.django_db
def test_the_row_limit_still_holds_for_background_imports(client, catalog, background, settings):
    settings.IMPORT_MAX_ROWS = 40
    client.force_login(staff_importer())
    response = post(client, upload(product_rows(41)))
    assert response.status_code == 200
    assert "The file has more than 40 rows" in str(response.context["form"].errors)
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_job_page_and_its_progress_belong_to_whoever_started_it(
    client, catalog, background, django_capture_on_commit_callbacks
):
    client.force_login(staff_importer())
    with django_capture_on_commit_callbacks(execute=True):
        post(client, upload(product_rows(25)))
    job = Job.objects.get()
    client.force_login(staff_importer())  # another importer
    assert client.get(job_page(job)).status_code == 404
    assert (
        client.get(reverse("jobs:progress", kwargs={"public_id": job.public_id})).status_code == 404
    )


@pytest.mark.django_db(transaction=True)
def test_progress_goes_from_0_to_100_percent_in_process(
    client, catalog, background, settings, monkeypatch
):
    """The embedded set-up (no broker): the job runs in a thread of this process
    while the page polls. Each batch waits until the test has polled once, so
    every step is seen while the import's transaction is still open."""
    settings.JOBS_DELIVERY = "thread"
    batch_done, polled = threading.Semaphore(0), threading.Semaphore(0)
    real = spreadsheet_jobs.import_in_batches

    def stepped(**kwargs):
        inner = kwargs["progress"]

        def progress(done):
            inner(done)
            batch_done.release()
            polled.acquire(timeout=30)

        return real(**{**kwargs, "progress": progress})

    monkeypatch.setattr(spreadsheet_jobs, "import_in_batches", stepped)
    client.force_login(staff_importer())
    post(client, upload(product_rows(50)))
    job = Job.objects.get()
    seen = [progress_of(client, job)["percent"]]
    try:
        while True:
            assert batch_done.acquire(timeout=30), "the job stopped reporting progress"
            body = progress_of(client, job)
            seen.append(body["percent"])
            if not Product.objects.filter(sku__startswith="BG-").exists():
                assert body["status"] == "running"  # nothing committed while it runs
            polled.release()
            if body["done"] >= body["total"]:
                break
    finally:
        for _ in range(10):
            polled.release()
        dispatch.wait_for_threads()
    final = progress_of(client, job)
    seen.append(final["percent"])
    assert final["status"] == "succeeded" and final["finished"] is True
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen) and len({p for p in seen if 0 < p < 100}) >= 3, seen
    assert Product.objects.filter(sku__startswith="BG-").count() == 50


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_progress_goes_from_0_to_100_percent_through_a_real_worker(
    client, catalog, settings, monkeypatch
):
    if not django_settings.CELERY_BROKER_URL:
        pytest.skip("no CELERY_BROKER_URL: the CI run on MariaDB + Redis sets one")
    if connection.vendor != "mysql":
        pytest.skip("the worker process needs a database server it can share with the test")
    if "redis" not in django_settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("live progress between processes needs the shared cache (CACHE_URL)")
    queue = f"test-jobs-{uuid.uuid4().hex[:12]}"
    settings.JOBS_DELIVERY = "celery"
    settings.IMPORT_BACKGROUND_ROWS = 100
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    client.force_login(staff_importer())
    post(client, upload(product_rows(3000)))  # commits: the task waits in Redis
    job = Job.objects.get()
    seen = [progress_of(client, job)["percent"]]  # no worker yet: 0
    worker_env = {"DATABASE_URL": database_url_of_the_test_database(), "IMPORT_BATCH_ROWS": "100"}
    with celery_worker(queue, loglevel="info", env=worker_env) as worker:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = progress_of(client, job)
            seen.append(body["percent"])
            if body["finished"]:
                break
            time.sleep(0.05)
    assert body["status"] == "succeeded", (body, worker.output)
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)
    assert any(0 < p < 100 for p in seen), seen  # seen while the worker's transaction was open
    assert Product.objects.filter(sku__startswith="BG-").count() == 3000
    assert "jobs.run_job" in worker.output and "Traceback" not in worker.output, worker.output
