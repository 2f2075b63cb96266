"""The invoice API: scoping, filters, the detail, the PDF."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
    UserFactory,
)
from inventory.tests.factories import DistributorFactory
from invoicing import services
from orders.tests.factories import stocked_product

from .factories import invoice_for
from .test_views import body, build_parties, invoice_staff, issued_on, pdf_text

pytestmark = pytest.mark.django_db

LIST = reverse("api-invoice-list")


def test_the_paths_follow_the_api_convention_without_a_trailing_slash():
    assert LIST == "/api/invoices"
    assert reverse("api-invoice-detail", args=[7]) == "/api/invoices/7"
    assert reverse("api-invoice-pdf", args=[7]) == "/api/invoices/7/pdf"


def detail(invoice) -> str:
    return reverse("api-invoice-detail", args=[invoice.pk])


def pdf(invoice) -> str:
    return reverse("api-invoice-pdf", args=[invoice.pk])


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["code"] == code
    assert set(data) == {"detail", "code", "errors"}
    return data


@pytest.fixture
def parties():
    return build_parties()


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def numbers_of(*invoices) -> set[str]:
    return {invoice.number for invoice in invoices}


# --- Who sees what -------------------------------------------------------------------


def test_each_party_lists_only_its_invoices(parties):
    p = parties
    assert numbers(api_for(p.customer).get(LIST)) == numbers_of(p.customer_invoice)
    assert numbers(api_for(p.retailer).get(LIST)) == numbers_of(p.retailer_invoice)
    assert numbers(api_for(p.colleague).get(LIST)) == numbers_of(p.retailer_invoice)
    assert numbers(api_for(p.seller_member).get(LIST)) == numbers_of(
        p.customer_invoice, p.retailer_invoice
    )
    assert numbers(api_for(p.rival_member).get(LIST)) == numbers_of(
        p.rival_invoice, p.stranger_invoice
    )
    assert numbers(api_for(invoice_staff()).get(LIST)) == numbers_of(*p.all_invoices)
    assert numbers(api_for(UserFactory(is_staff=True)).get(LIST)) == set()


def test_a_manufacturer_gets_403_and_a_visitor_401(parties):
    invoice = parties.customer_invoice
    maker = api_for(ManufacturerUserFactory())
    for url in (LIST, detail(invoice), pdf(invoice)):
        assert_error(maker.get(url), 403, "permission_denied")
        assert_error(APIClient().get(url), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("who", "strangers"),
    [
        ("customer", ("retailer_invoice", "stranger_invoice")),
        ("retailer", ("customer_invoice", "rival_invoice")),
        ("seller_member", ("rival_invoice", "stranger_invoice")),
    ],
)
def test_another_partys_invoice_and_its_pdf_are_404(parties, who, strangers):
    """Acceptance: a user of another organization gets 404 for the invoice and its PDF."""
    client = api_for(getattr(parties, who))
    for name in strangers:
        invoice = getattr(parties, name)
        assert_error(client.get(detail(invoice)), 404, "not_found")
        assert_error(client.get(pdf(invoice)), 404, "not_found")
        # Asking for the PDF explicitly changes nothing: the error is still JSON.
        assert_error(client.get(pdf(invoice), HTTP_ACCEPT="application/pdf"), 404, "not_found")
    assert_error(client.get(reverse("api-invoice-detail", args=[2**63])), 404, "not_found")
    # Its own (by id: numbers repeat across sellers, each has its own series).
    own = client.get(LIST).json()["results"][0]["id"]
    assert client.get(reverse("api-invoice-detail", args=[own])).status_code == 200


# --- Filters ---------------------------------------------------------------------------


def test_filters_status_dates_and_search(parties):
    p = parties
    client = api_for(p.seller_member)
    services.invoice_mark_paid(invoice=p.customer_invoice, by=invoice_staff())
    assert numbers(client.get(LIST, {"status": "paid"})) == numbers_of(p.customer_invoice)
    assert numbers(client.get(LIST, {"status": "issued"})) == numbers_of(p.retailer_invoice)

    today = timezone.localdate()
    old = issued_on(p.retailer_invoice, today - datetime.timedelta(days=60))
    cut = (today - datetime.timedelta(days=30)).isoformat()
    assert numbers(client.get(LIST, {"issued_before": cut})) == numbers_of(old)
    assert numbers(client.get(LIST, {"issued_after": cut})) == numbers_of(p.customer_invoice)

    assert numbers(client.get(LIST, {"search": old.order.number})) == numbers_of(old)
    assert numbers(client.get(LIST, {"search": "asha"})) == numbers_of(p.customer_invoice)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"issued_after": "2025-13-45"}, "issued_after"),
        ({"issued_before": "yesterday"}, "issued_before"),
        ({"issued_after": "2025-05-10", "issued_before": "2025-05-01"}, "issued_before"),
        ({"status": "late"}, "status"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_filters_are_400_naming_the_field(parties, params, field):
    data = assert_error(api_for(parties.seller_member).get(LIST, params), 400, "invalid")
    assert list(data["errors"]) == [field]


def test_the_list_endpoint_query_count_does_not_grow_with_invoices():
    seller = DistributorFactory()
    product = stocked_product(distributor=seller, on_hand=1000)
    client = api_for(DistributorUserFactory(organization=seller))
    buyers = [CustomerFactory(), RetailerUserFactory()]

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"page_size": 20})
        count = len(captured.captured_queries)
        assert response.status_code == 200
        return count, len(response.json()["results"])

    for n in range(3):
        invoice_for(customer=buyers[n % 2], distributor=seller, lines=[(product, 1)])
    few = measure()
    for n in range(27):
        invoice_for(customer=buyers[n % 2], distributor=seller, lines=[(product, 1)])
    many = measure()
    assert (few[1], many[1]) == (3, 20)
    assert few[0] == many[0]


# --- The detail ---------------------------------------------------------------------


def test_the_detail_has_lines_snapshots_order_and_pdf_url(parties):
    invoice = parties.retailer_invoice
    response = api_for(parties.retailer).get(detail(invoice))
    assert response.status_code == 200
    data = response.json()
    line = invoice.lines.get()
    assert data["number"] == invoice.number and data["status"] == "issued"
    assert data["order"] == {
        "id": invoice.order_id,
        "number": invoice.order.number,
        "created_at": data["order"]["created_at"],
    }
    assert data["seller"] == {
        "organization_id": parties.seller.pk,
        "name": "Deccan Distribution",
        "address": invoice.seller_address,
        "email": invoice.seller_email,
        "phone": invoice.seller_phone,
    }
    assert data["buyer"]["organization_id"] == parties.retailer.organization_id
    assert data["buyer"]["name"] == "Shah Stores"
    assert data["lines"] == [
        {
            "position": 1,
            "product_id": line.product_id,
            "sku": line.sku,
            "description": "Steel Almirah",
            "quantity": 1,
            "unit_price": f"{line.unit_price:.2f}",
            "line_total": f"{line.line_total:.2f}",
        }
    ]
    assert (data["subtotal"], data["tax"], data["total"]) == (
        f"{invoice.subtotal:.2f}",
        f"{invoice.tax:.2f}",
        f"{invoice.total:.2f}",
    )
    assert data["tax_rate"] == f"{invoice.tax_rate:.4f}"
    assert data["pdf_url"] == "http://testserver" + pdf(invoice)
    assert data["is_overdue"] is False and data["paid_at"] is None


def test_the_detail_tells_payment(parties):
    invoice = services.invoice_mark_paid(
        invoice=parties.customer_invoice, by=invoice_staff(), reference="UTR-4411"
    )
    data = api_for(parties.customer).get(detail(invoice)).json()
    assert data["status"] == "paid" and data["payment_reference"] == "UTR-4411"
    assert data["paid_at"] is not None


# --- The PDF ----------------------------------------------------------------------------


def test_the_pdf_endpoint_returns_the_pdf_with_a_token_too(parties):
    invoice = parties.customer_invoice
    tokens = APIClient().post(
        reverse("auth-login"),
        {"email": parties.customer.email, "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert tokens.status_code == 200, tokens.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")
    for accept in ("application/pdf", "application/json", "*/*"):
        response = client.get(pdf(invoice), HTTP_ACCEPT=accept)
        assert response.status_code == 200, (accept, response.content)
        assert response["Content-Type"] == "application/pdf"
        assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]
        data = body(response)
        assert data.startswith(b"%PDF")
    assert invoice.number in pdf_text(data)


def test_the_pdf_endpoint_renders_again_when_the_file_is_gone(parties):
    invoice = parties.retailer_invoice
    client = api_for(parties.seller_member)
    assert body(client.get(pdf(invoice))).startswith(b"%PDF")
    invoice.refresh_from_db()
    default_storage.delete(invoice.pdf)
    assert not default_storage.exists(invoice.pdf)

    response = client.get(pdf(invoice))
    assert response.status_code == 200
    data = body(response)
    assert data.startswith(b"%PDF") and invoice.number in pdf_text(data)
    invoice.refresh_from_db()
    assert default_storage.exists(invoice.pdf)
