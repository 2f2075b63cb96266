"""Spreadsheet export of procurement requests, purchase orders and their lines."""

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

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ManufacturerFactory
from inventory.tests.factories import DistributorFactory
from procurement import monitoring, services
from procurement.models import ProcurementRequest, PurchaseOrder, PurchaseOrderLine
from procurement.resources import (
    ProcurementRequestResource,
    PurchaseOrderLineResource,
    PurchaseOrderResource,
)

from .factories import procurement_staff
from .test_api import low_item

pytestmark = pytest.mark.django_db

REQUESTS_EXPORT = reverse("admin:procurement_procurementrequest_export")
PO_EXPORT = reverse("admin:procurement_purchaseorder_export")
CSV, XLSX = "0", "1"  # indexes of IMPORT_EXPORT_FORMATS
CENT = Decimal("0.01")


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def rows_of(data: bytes, fmt: str) -> list[dict]:
    return csv_rows(data) if fmt == CSV else xlsx_rows(data)


def cents(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def whole(value) -> int | None:
    return None if value in ("", None) else int(value)


def blank(value) -> bool:
    return value in ("", None)


def admin_export(client, url, resource, index, fmt, query="") -> bytes:
    prefix = resource.__name__.lower()
    columns = {f"{prefix}_{name}": "on" for name in resource().get_export_order()}
    response = client.post(url + query, {"resource": str(index), "format": fmt, **columns})
    assert response.status_code == 200, response.content[:500]
    return response.content


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(procurement_staff())
    return client


@pytest.fixture
def procurement():
    """Two suppliers' purchase orders (one with two lines), an open and a rejected request."""
    distributor = DistributorFactory(name="North Depot")
    staff = procurement_staff()
    acme = ManufacturerFactory(name="+Acme Mills")
    pillows = low_item(
        distributor,
        manufacturer=acme,
        supplier=acme,
        name="@Pillow",
        cost_price=Decimal("12.35"),
    )
    sheets = low_item(distributor, manufacturer=acme, supplier=acme, cost_price=Decimal("0.99"))
    other = low_item(distributor, cost_price=Decimal("999.99"))
    still_open = low_item(distributor)
    rejected = low_item(distributor)
    # A rejection re-evaluates the item; snoozed, it stays without a new request.
    monitoring.item_snooze(
        product_id=rejected.product_id,
        distributor_id=distributor.pk,
        until=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.procurement_requests_reject(
        request_ids=[rejected.pk], by=staff, reason="=HYPERLINK(evil)"
    )
    orders = services.procurement_requests_approve(
        request_ids=[pillows.pk, sheets.pk, other.pk], by=staff
    )
    return {
        "requests": [
            ProcurementRequest.objects.get(pk=r.pk)
            for r in (pillows, sheets, other, still_open, rejected)
        ],
        "orders": sorted(orders, key=lambda po: (po.created_at, po.pk)),
        "acme": acme,
    }


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_the_request_export_parses_back_to_the_same_figures(staff_client, procurement, fmt):
    rows = rows_of(
        admin_export(staff_client, REQUESTS_EXPORT, ProcurementRequestResource, 0, fmt), fmt
    )
    requests = procurement["requests"]
    assert [r["number"] for r in rows] == [r.number for r in requests]
    for row, request in zip(rows, requests, strict=True):
        assert row["status"] == request.status
        assert row["sku"] == request.product.sku
        for column in (
            "quantity",
            "on_hand",
            "allocated",
            "held",
            "incoming",
            "available",
            "reorder_level",
            "reorder_quantity",
            "pack_size",
            "minimum_order_quantity",
        ):
            assert whole(row[column]) == getattr(request, column), column
        assert whole(row["order_up_to_level"]) == request.order_up_to_level
        po_line = PurchaseOrderLine.objects.filter(request=request).first()
        if po_line is None:
            assert blank(row["purchase_order"])
        else:
            assert row["purchase_order"] == po_line.purchase_order.number
    pillows, *_, rejected = rows
    assert pillows["product_name"] == "'@Pillow"  # escaped
    assert pillows["supplier"] == "'+Acme Mills"
    assert rejected["rejection_reason"] == "'=HYPERLINK(evil)"
    assert not blank(rejected["decided_by"]) and not blank(rejected["decided_at"])


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_the_purchase_order_export_parses_back_to_the_same_figures(staff_client, procurement, fmt):
    rows = rows_of(admin_export(staff_client, PO_EXPORT, PurchaseOrderResource, 0, fmt), fmt)
    orders = procurement["orders"]
    assert [r["number"] for r in rows] == [po.number for po in orders]
    for row, po in zip(rows, orders, strict=True):
        lines = list(po.lines.all())
        assert cents(row["total"]) == po.total
        assert sum(line.line_total for line in lines) == po.total
        assert whole(row["lines"]) == len(lines)
        assert whole(row["units_ordered"]) == sum(line.quantity for line in lines)
        assert whole(row["units_received"]) == 0
        assert row["status"] == po.status
        assert row["approved_by"] == po.approved_by.email
    acme = next(r for r in rows if r["supplier"] == "'+Acme Mills")
    assert whole(acme["lines"]) == 2


@pytest.mark.parametrize("fmt", [CSV, XLSX])
def test_the_purchase_order_line_export_parses_back_to_the_same_figures(
    staff_client, procurement, fmt
):
    rows = rows_of(admin_export(staff_client, PO_EXPORT, PurchaseOrderLineResource, 1, fmt), fmt)
    lines = [line for po in procurement["orders"] for line in po.lines.order_by("pk")]
    assert [(r["po_number"], r["sku"]) for r in rows] == [
        (line.purchase_order.number, line.sku) for line in lines
    ]
    for row, line in zip(rows, lines, strict=True):
        assert whole(row["quantity"]) == line.quantity
        assert whole(row["outstanding"]) == line.outstanding
        assert cents(row["unit_cost"]) == line.unit_cost
        assert cents(row["line_total"]) == line.line_total
        assert cents(row["po_total"]) == line.purchase_order.total
        assert row["request"] == line.request.number
    assert {r["product_name"] for r in rows if r["sku"] == lines[0].sku} == {"'@Pillow"}


def test_the_admin_exports_what_the_changelist_filters(staff_client, procurement):
    open_rows = csv_rows(
        admin_export(
            staff_client, REQUESTS_EXPORT, ProcurementRequestResource, 0, CSV, "?status__exact=open"
        )
    )
    assert [r["number"] for r in open_rows] == [procurement["requests"][3].number]
    acme = procurement["acme"]
    lines = csv_rows(
        admin_export(
            staff_client,
            PO_EXPORT,
            PurchaseOrderLineResource,
            1,
            CSV,
            f"?supplier__id__exact={acme.pk}",
        )
    )
    assert len(lines) == 2 and {r["supplier"] for r in lines} == {"'+Acme Mills"}


def test_the_export_needs_the_view_permission(procurement):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get(REQUESTS_EXPORT).status_code == 403
    assert client.get(PO_EXPORT).status_code == 403


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("procurement-requests", ProcurementRequest),
        ("purchase-orders", PurchaseOrder),
        ("purchase-order-lines", PurchaseOrderLine),
    ],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_export_data_command_writes_every_row(procurement, tmp_path, name, model, extension):
    target = tmp_path / f"{name}.{extension}"
    out = io.StringIO()
    call_command("export_data", name, str(target), "--no-progress", stdout=out)
    data = target.read_bytes()
    rows = csv_rows(data) if extension == "csv" else xlsx_rows(data)
    assert len(rows) == model.objects.count() > 0
    assert f"Wrote {len(rows)} {name} rows" in out.getvalue()
    if name == "purchase-orders":
        assert sum(cents(r["total"]) for r in rows) == sum(po.total for po in procurement["orders"])


def test_procurement_rows_cannot_be_imported(procurement):
    for resource in (ProcurementRequestResource, PurchaseOrderResource, PurchaseOrderLineResource):
        with pytest.raises(ValueError, match="exported, not imported"):
            resource().import_data(resource().export())


@pytest.mark.parametrize(
    "resource", [ProcurementRequestResource, PurchaseOrderResource, PurchaseOrderLineResource]
)
def test_export_queries_do_not_grow_with_rows(resource):
    distributor = DistributorFactory()
    staff = procurement_staff()

    def queries(total):
        while PurchaseOrder.objects.count() < total:
            supplier = ManufacturerFactory()
            requests = [
                low_item(distributor, manufacturer=supplier, supplier=supplier) for _ in range(2)
            ]
            services.procurement_requests_approve(request_ids=[r.pk for r in requests], by=staff)
        low_item(distributor)  # and an open request without a purchase order
        with CaptureQueriesContext(connection) as ctx:
            dataset = resource().export()
        count = len(ctx.captured_queries)
        assert len(dataset) == resource().get_queryset().count() >= total
        return count

    assert queries(2) == queries(12)


def test_admin_export_queries_do_not_grow_with_rows(staff_client):
    distributor = DistributorFactory()

    def queries(total):
        while ProcurementRequest.objects.count() < total:
            low_item(distributor)
        with CaptureQueriesContext(connection) as ctx:
            rows = csv_rows(
                admin_export(staff_client, REQUESTS_EXPORT, ProcurementRequestResource, 0, CSV)
            )
        count = len(ctx.captured_queries)
        assert len(rows) == total
        return count

    queries(1)  # warm the session
    assert queries(3) == queries(30)
