"""The admin's background import in a browser: the progress bar moves, then the totals show."""

import threading

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from auromart import spreadsheet_jobs
from catalog.models import Product
from jobs import dispatch

from .test_spreadsheet_jobs import catalog, product_rows, staff_importer, upload  # noqa: F401


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog")
def test_the_import_page_shows_the_progress_then_the_totals(
    watched_page,
    live_server,
    settings,
    monkeypatch,
    tmp_path,
):
    settings.IMPORT_BACKGROUND_ROWS = 20
    settings.IMPORT_BATCH_ROWS = 10
    settings.JOBS_DELIVERY = "thread"
    go = threading.Semaphore(0)
    real = spreadsheet_jobs.import_in_batches

    def held(**kwargs):
        inner = kwargs["progress"]

        def progress(done):
            inner(done)
            go.acquire(timeout=60)  # each batch waits for the test

        return real(**{**kwargs, "progress": progress})

    monkeypatch.setattr(spreadsheet_jobs, "import_in_batches", held)
    user = staff_importer()
    file = tmp_path / "products.csv"
    file.write_bytes(upload(product_rows(60)).read())
    page = watched_page.page
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/catalog/product/import/")
        page.locator("#id_username").fill(user.email)
        page.locator("#id_password").fill(DEFAULT_PASSWORD)
        page.locator("input[type=submit]").click()
        page.wait_for_url("**/admin/catalog/product/import/")
        assert "imported in the background" in page.content()
        page.locator("#id_import_file").set_input_files(str(file))
        page.locator("#id_format").select_option(label="csv")
        page.locator("input[type=submit]").click()
        page.wait_for_url("**/import/job/**")
        go.release()
        go.release()  # two batches through, the third reported and held: 30 of 60 rows
        page.locator(".job-progress-percent", has_text="50 %").wait_for()
        assert page.locator(".job-progress-rows").inner_text() == "30 of 60 rows"
        watched_page.screenshot("admin-import-job-progress-1280")
        assert not Product.objects.filter(sku__startswith="BG-").exists()  # not committed yet
        for _ in range(10):
            go.release()
        page.locator(".job-succeeded").wait_for()
    finally:
        for _ in range(10):
            go.release()
        dispatch.wait_for_threads()
    assert "Imported 60 rows: 60 new" in page.locator(".job-succeeded").inner_text()
    watched_page.screenshot("admin-import-job-done-1280")
    watched_page.assert_clean()
    assert Product.objects.filter(sku__startswith="BG-").count() == 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalog")
def test_a_failed_background_import_shows_the_row_numbered_report(
    watched_page, live_server, settings, tmp_path
):
    settings.IMPORT_BACKGROUND_ROWS = 20
    settings.JOBS_DELIVERY = "thread"
    user = staff_importer()
    file = tmp_path / "products.csv"
    file.write_bytes(upload(product_rows(30, bad=11)).read())
    page = watched_page.page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/catalog/product/import/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/catalog/product/import/")
    page.locator("#id_import_file").set_input_files(str(file))
    page.locator("#id_format").select_option(label="csv")
    page.locator("input[type=submit]").click()
    try:
        page.locator(".job-failed").wait_for()
    finally:
        dispatch.wait_for_threads()
    assert "Nothing was imported: products.csv has 1 error." in page.content()
    assert page.locator("table.import-error-report td").all_inner_texts()[:2] == ["13", "price"]
    watched_page.screenshot("admin-import-job-failed-1280")
    watched_page.assert_clean()
    assert not Product.objects.filter(sku__startswith="BG-").exists()
