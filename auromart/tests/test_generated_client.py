"""A typed client generated from /api/schema/ with openapi-python-client runs the main journeys.

The client is generated at test time (offline: the generator needs no
network) into a temporary folder and talks to the app in process through
httpx's WSGI transport. Every response also passes schemathesis' response
checks against the same schema (status documented, content type, body schema,
OAS 3.0 `nullable` honoured): `MISMATCHES` must stay empty.

The one generator warning allowed: the invoice PDF (`application/pdf`) has no
model, so that operation's parsed value is None and the test reads the bytes
of the raw response instead.
"""

import datetime
import importlib
import json
import subprocess
import sys

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator

from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory, DistributorUserFactory
from auromart.tests.openapi import api_schema, keep_test_connection
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import StockItemFactory
from procurement.tests.factories import procurement_staff

PACKAGE = "auromart_api_client"
MISMATCHES: list[str] = []
VALIDATED: list[str] = []


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("client")
    schema_file = folder / "schema.json"
    schema_file.write_text(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))
    config = folder / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    warnings = [line for line in output.splitlines() if line.startswith("WARNING")]
    # The PDF endpoints answer application/pdf, which the generator leaves to a raw call.
    assert sorted(warnings) == [
        "WARNING parsing GET /api/distributor/pick-list within distributor.",
        "WARNING parsing GET /api/distributor/shipments/{id}/packing-slip within distributor.",
        "WARNING parsing GET /api/invoices/{id}/pdf within invoices.",
    ], output
    assert "Unsupported content_type application/pdf" in output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _validate(response: httpx.Response) -> None:
    response.read()
    operation = api_schema().find_operation_by_path(
        response.request.method, response.request.url.path
    )
    where = f"{response.request.method} {response.request.url.path} {response.status_code}"
    VALIDATED.append(where)
    if operation is None:
        MISMATCHES.append(f"{where}: not in the schema")
        return
    try:
        operation.validate_response(response)
    except (Exception, BaseExceptionGroup) as exc:  # FailureGroup: every failed check
        MISMATCHES.append(f"{where}: {exc}")


def clients(package, token=None):
    transport = httpx.WSGITransport(app=WSGIHandler())
    args = {"transport": transport, "event_hooks": {"response": [_validate]}}
    if token is None:
        return package.Client(base_url="http://testserver", httpx_args=args)
    return package.AuthenticatedClient(base_url="http://testserver", token=token, httpx_args=args)


def module(package, name):
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.mark.django_db
def test_the_main_journeys_through_the_generated_client(generated):
    MISMATCHES.clear()
    VALIDATED.clear()
    api = lambda name: module(generated, f"api.{name}")  # noqa: E731
    models = module(generated, "models")

    depot = DistributorUserFactory(organization__name="Depot", email="depot@example.test")
    depot.organization.is_default_store = True
    depot.organization.save()
    lamp = ProductFactory(name="Lamp", price="100.00", reorder_level=10, reorder_quantity=30)
    StockItemFactory(product=lamp, distributor=depot.organization, on_hand=14)
    buyer = CustomerFactory(email="buyer@example.test")
    staff = procurement_staff(email="staff@example.test")

    with keep_test_connection():
        public = clients(generated)

        # Log in and refresh: typed TokenPair and TokenRefresh.
        login = api("auth.auth_login_create").sync(
            client=public,
            body=models.LoginRequest(email=buyer.email, password=DEFAULT_PASSWORD),
        )
        assert isinstance(login, models.TokenPair) and login.user.email == buyer.email
        refreshed = api("auth.auth_refresh_create").sync(
            client=public, body=models.TokenRefreshRequest(refresh=login.refresh)
        )
        assert isinstance(refreshed, models.TokenRefresh) and refreshed.access
        customer = clients(generated, refreshed.access)

        # Products (public, even with a token).
        page = api("customer.customer_products_list").sync(client=customer)
        assert isinstance(page, models.PaginatedProductList)
        assert [(p.name, p.stock_quantity) for p in page.results] == [("Lamp", 14)]

        # An order with an Idempotency-Key; the replay gives the same order.
        body = models.OrderCreateRequest(
            items=[models.OrderLineInputRequest(product_id=lamp.pk, quantity=5)],
            fulfillment_type=models.FulfillmentTypeEnum.PICKUP,
        )
        create = api("customer.customer_orders_create")
        order = create.sync(client=customer, body=body, idempotency_key="journey-1")
        assert isinstance(order, models.Order), order
        again = create.sync_detailed(client=customer, body=body, idempotency_key="journey-1")
        assert again.status_code == 201 and again.parsed.id == order.id
        assert again.headers["Idempotent-Replayed"] == "true"

        # The distributor's moves.
        distributor = clients(generated, _token(generated, public, models, depot.email))
        accepted = api("distributor.distributor_orders_accept_create").sync(
            order.id, client=distributor, body=models.OrderNoteRequest()
        )
        assert accepted.status == models.OrderStatusEnum.ACCEPTED
        move = api("distributor.distributor_orders_status_update")
        for status in ("processing", "shipped", "delivered"):
            moved = move.sync(
                order.id,
                client=distributor,
                body=models.OrderStatusUpdateRequest(
                    status=models.OrderStatusEnum(status),
                    tracking_reference="TRK-1" if status == "shipped" else "",
                ),
            )
            assert isinstance(moved, models.DistributorOrder), moved
            assert moved.status.value == status

        # The invoice, and its PDF (no model: the raw bytes).
        invoices = api("invoices.invoices_list").sync(client=customer)
        assert isinstance(invoices, models.PaginatedInvoiceSummaryList)
        invoice = invoices.results[0]
        pdf = api("invoices.invoices_pdf_retrieve").sync_detailed(invoice.id, client=customer)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.parsed is None

        # Procurement: the order took stock to 9, under the reorder level of 10.
        admin = clients(generated, _token(generated, public, models, staff.email))
        requests = api("admin.admin_procurement_requests_list").sync(client=admin)
        assert isinstance(requests, models.PaginatedProcurementRequestList)
        request = requests.results[0]
        approved = api("admin.admin_procurement_approve_update").sync(request.id, client=admin)
        assert isinstance(approved, models.ProcurementRequest), approved
        po = approved.purchase_order
        receipt = api("admin.admin_procurement_purchase_orders_receive_create").sync(
            po.id,
            client=admin,
            body=models.ReceiptRequest(
                lines=[models.ReceiptLineRequest(product_id=lamp.pk, quantity=po_quantity(po))]
            ),
        )
        assert isinstance(receipt, models.ReceiptResult), receipt
        assert StockItem.objects.get(product=lamp).on_hand == 9 + po_quantity(po)

        # Reports as JSON and as CSV.
        today = datetime.date.today()
        monthly = api("reports.reports_monthly_retrieve").sync(
            client=admin, year=today.year, month=today.month
        )
        assert isinstance(monthly, models.MonthlyReport), monthly
        csv_text = api("reports.reports_monthly_csv").sync(
            client=admin, year=today.year, month=today.month
        )
        assert isinstance(csv_text, str) and csv_text.splitlines()[0]
        sales = api("reports.reports_sales_retrieve").sync(client=admin)
        assert isinstance(sales, models.SalesReport), sales
        sales_csv = api("reports.reports_sales_csv").sync(client=admin)
        assert isinstance(sales_csv, str) and "TOTAL" in sales_csv

    assert MISMATCHES == []
    assert len(VALIDATED) >= 20, VALIDATED
    print(f"{len(VALIDATED)} responses validated, 0 mismatches")


def po_quantity(po) -> int:
    from procurement.models import PurchaseOrderLine

    return PurchaseOrderLine.objects.get(purchase_order_id=po.id).quantity


def _token(package, public, models, email):
    api = importlib.import_module(f"{PACKAGE}.api.auth.auth_login_create")
    pair = api.sync(client=public, body=models.LoginRequest(email=email, password=DEFAULT_PASSWORD))
    assert isinstance(pair, models.TokenPair), pair
    return pair.access
