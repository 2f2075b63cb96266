"""Spreadsheet export of invoices (one row each) and invoice lines: admin, command, figures."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, UserFactory
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.models import Invoice
from invoicing.resources import InvoiceLineResource, InvoiceResource
from orders.tests.factories import stocked_product

from .factories import invoice_for

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:invoicing_invoice_export")
CSV, XLSX = "0", "1"  # indexes of IMPORT_EXPORT_FORMATS
CENT = Decimal("0.01")


def csv_rows(data: bytes | str) -> list[dict]:
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def cents(value) -> Decimal:
    """A cell's amount, from CSV text or an XLSX number, to the cent."""
    return Decimal(str(value)).quantize(CENT)


@pytest.fixture
def invoices():
    """Three invoices with awkward figures and text: one paid, one void, one formula-like buyer."""
    distributor = DistributorFactory(name="=Deccan Distribution")
    odd = stocked_product(distributor=distributor, sku="ODD-1", price=Decimal("333.33"))
    cheap = stocked_product(
        distributor=distributor, sku="CHP-2", name="@Pillow", price=Decimal("0.99")
    )
    staff = UserFactory(is_staff=True)
    first = invoice_for(distributor=distributor, lines=[(odd, 3), (cheap, 7)])
    paid = invoice_for(distributor=distributor, lines=[(cheap, 1)])
    void = invoice_for(
        customer=CustomerFactory(name="-Minus Buyer"), distributor=distributor, lines=[(odd, 1)]
    )
    services.invoice_mark_paid(invoice=paid, by=staff, reference="+91 UTR 5501")
    services.invoice_void(invoice=void, by=staff, reason="=HYPERLINK(x)")
    return [Invoice.objects.get(pk=i.pk) for i in (first, paid, void)]


def exporter() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_export(client, resource_index: int, fmt: str, query: str = "") -> bytes:
    resource = [InvoiceResource, InvoiceLineResource][resource_index]
    prefix = resource.__name__.lower()
    columns = {f"{prefix}_{name}": "on" for name in resource().get_export_order()}
    response = client.post(
        EXPORT + query, {"resource": str(resource_index), "format": fmt, **columns}
    )
    assert response.status_code == 200, response.content[:500]
    return response.content


def check_invoice_rows(rows, invoices):
    by_number = {row["number"]: row for row in rows}
    assert list(by_number) == [i.number for i in invoices]  # oldest first, one row each
    for invoice in invoices:
        row = by_number[invoice.number]
        assert row["order_number"] == invoice.order.number
        assert row["status"] == invoice.status
        assert row["lines"] in (invoice.lines.count(), str(invoice.lines.count()))
        for column in ("subtotal", "tax", "total"):
            assert cents(row[column]) == getattr(invoice, column), column
        assert Decimal(str(row["tax_rate"])) == invoice.tax_rate
        assert cents(row["subtotal"]) + cents(row["tax"]) == cents(row["total"])


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_the_invoice_export_parses_back_to_the_same_figures(invoices, fmt):
    data = admin_export(exporter(), 0, fmt)
    rows = csv_rows(data) if fmt == CSV else xlsx_rows(data)
    check_invoice_rows(rows, invoices)
    first, paid, void = (next(r for r in rows if r["number"] == i.number) for i in invoices)
    assert first["subtotal"] not in ("", None)
    assert paid["payment_reference"] == "'+91 UTR 5501"  # escaped
    assert void["void_reason"] == "'=HYPERLINK(x)"
    assert void["buyer"] == "'-Minus Buyer"
    assert first["seller"] == "'=Deccan Distribution"
    assert paid["paid_at"] not in ("", None) and first["paid_at"] in ("", None)


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_the_line_export_parses_back_to_the_same_figures(invoices, fmt):
    data = admin_export(exporter(), 1, fmt)
    rows = csv_rows(data) if fmt == CSV else xlsx_rows(data)
    expected = [(i, line) for i in invoices for line in i.lines.order_by("position")]
    assert [(r["invoice_number"], r["sku"]) for r in rows] == [
        (i.number, line.sku) for i, line in expected
    ]
    for row, (invoice, line) in zip(rows, expected, strict=True):
        assert int(row["quantity"]) == line.quantity
        assert cents(row["unit_price"]) == line.unit_price
        assert cents(row["line_total"]) == line.line_total
        assert cents(row["invoice_total"]) == invoice.total
    assert {r["description"] for r in rows if r["sku"] == "CHP-2"} == {"'@Pillow"}
    # The lines add up to each invoice's subtotal.
    for invoice in invoices:
        mine = [cents(r["line_total"]) for r in rows if r["invoice_number"] == invoice.number]
        assert sum(mine) == invoice.subtotal


def test_the_admin_exports_what_the_changelist_filters(invoices):
    _, paid, void = invoices
    client = exporter()
    assert [r["number"] for r in csv_rows(admin_export(client, 0, CSV, "?status__exact=paid"))] == [
        paid.number
    ]
    found = csv_rows(admin_export(client, 1, CSV, f"?q={void.number}"))
    assert {r["invoice_number"] for r in found} == {void.number}


def test_the_export_needs_the_view_permission(invoices):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(EXPORT).status_code == 403


def test_overdue_is_exported(invoices):
    first = invoices[0]
    today = timezone.localdate()
    Invoice.objects.filter(pk=first.pk).update(
        issue_date=today - datetime.timedelta(40), due_date=today - datetime.timedelta(10)
    )
    rows = {r["number"]: r for r in csv_rows(admin_export(exporter(), 0, CSV))}
    assert [rows[i.number]["overdue"] for i in invoices] == ["yes", "no", "no"]


@pytest.mark.parametrize(("name", "key"), [("invoices", "number"), ("invoice-lines", "sku")])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_export_data_command_writes_the_same_rows(invoices, tmp_path, name, key, extension):
    target = tmp_path / f"{name}.{extension}"
    out = io.StringIO()
    call_command("export_data", name, str(target), "--no-progress", stdout=out)
    data = target.read_bytes()
    rows = csv_rows(data) if extension == "csv" else xlsx_rows(data)
    resource = InvoiceResource if name == "invoices" else InvoiceLineResource
    assert list(rows[0]) == [f.column_name for f in resource().get_export_fields()]
    if name == "invoices":
        check_invoice_rows(rows, invoices)
    else:
        assert len(rows) == sum(i.lines.count() for i in invoices)
    assert f"Wrote {len(rows)} {name} rows" in out.getvalue()


def test_invoices_cannot_be_imported(invoices):
    for resource in (InvoiceResource, InvoiceLineResource):
        with pytest.raises(ValueError, match="exported, not imported"):
            resource().import_data(resource().export())


@pytest.mark.parametrize("resource", [InvoiceResource, InvoiceLineResource])
def test_export_queries_do_not_grow_with_invoices(resource):
    distributor = DistributorFactory()
    products = [stocked_product(distributor=distributor, on_hand=500) for _ in range(2)]

    def queries(total):
        while Invoice.objects.count() < total:
            invoice_for(distributor=distributor, lines=[(p, 1) for p in products])
        with CaptureQueriesContext(connection) as ctx:
            dataset = resource().export()
        count = len(ctx.captured_queries)
        assert len(dataset) == total * (1 if resource is InvoiceResource else 2)
        return count

    assert queries(2) == queries(20)


def test_admin_export_queries_do_not_grow_with_invoices():
    distributor = DistributorFactory()
    client = exporter()

    def queries(total):
        while Invoice.objects.count() < total:
            invoice_for(distributor=distributor)
        with CaptureQueriesContext(connection) as ctx:
            rows = csv_rows(admin_export(client, 0, CSV))
        count = len(ctx.captured_queries)
        assert len(rows) == total
        return count

    queries(1)  # warm the session
    assert queries(3) == queries(30)
