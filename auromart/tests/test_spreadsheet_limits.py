"""Imports are bounded by rows (#20): IMPORT_MAX_ROWS in the admin, IMPORT_MAX_ROWS_CLI (CLI)."""

import io
import time
import tracemalloc

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from import_export.formats import base_formats

from auromart.spreadsheets import count_rows
from catalog.models import Product
from catalog.tests.test_admin_spreadsheets import CSV, XLSX, catalog, importer, preview, upload

pytestmark = pytest.mark.django_db
__all__ = ["catalog", "importer"]  # fixtures


def rows(n):
    return [[f"X-{i}", "Product", "home", "1", "Auro Sleep"] for i in range(n)]


def xlsx_bytes(n):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["sku", "name", "category", "price", "manufacturer"])
    for row in rows(n):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "fmt_index"), [("csv", CSV), ("xlsx", XLSX)])
@override_settings(IMPORT_MAX_ROWS=5)
def test_an_admin_upload_past_the_row_limit_is_a_form_error(importer, catalog, fmt, fmt_index):
    response = preview(importer, upload(rows(6), fmt), fmt_index)
    assert response.status_code == 200
    errors = str(response.context["form"].errors["import_file"])
    assert "more than 5 rows; the limit here is 5" in errors
    assert "manage.py import_data" in errors
    assert not Product.objects.exists()
    # At the limit the preview runs (nothing is written before the confirm).
    response = preview(importer, upload(rows(5), fmt), fmt_index)
    assert "form" not in response.context or not response.context["form"].errors
    assert response.context["result"].totals["new"] == 5


def test_the_default_limit_is_20000_and_a_big_workbook_is_refused_fast():
    from django.conf import settings

    assert settings.IMPORT_MAX_ROWS == 20_000
    data = xlsx_bytes(30_000)
    tracemalloc.start()
    started = time.monotonic()
    counted = count_rows(data, base_formats.XLSX(), stop_after=20_000)
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert counted > 20_000
    assert seconds < 5, seconds
    assert peak < 20 * 2**20, peak  # streamed: about the 1 MB chunk, not the sheet


def test_counting_is_exact_for_quoted_newlines_and_blank_lines():
    csv_data = b'sku,name\r\nA,"two\nlines"\r\n\r\nB,x\r\n'
    assert count_rows(csv_data, base_formats.CSV(), stop_after=100) == 2
    assert count_rows(xlsx_bytes(7), base_formats.XLSX(), stop_after=100) == 7


@override_settings(IMPORT_MAX_ROWS_CLI=3)
def test_the_command_refuses_a_file_past_its_own_limit(tmp_path, catalog):
    path = tmp_path / "products.csv"
    path.write_bytes(upload(rows(4)).read())
    with pytest.raises(CommandError, match="more than 3 rows; the limit here is 3"):
        call_command(
            "import_data", "products", str(path), stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert not Product.objects.exists()
