"""The invoice pages: who sees which invoices, filters, the detail, the PDF download."""

import datetime
import subprocess
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
    UserFactory,
)
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.models import Invoice
from orders.tests.factories import stocked_product

from .factories import invoice_for

pytestmark = pytest.mark.django_db

LIST = reverse("invoicing:list")


def detail(invoice: Invoice) -> str:
    return reverse("invoicing:detail", args=[invoice.seller_slug, invoice.number])


def pdf(invoice: Invoice) -> str:
    return reverse("invoicing:pdf", args=[invoice.seller_slug, invoice.number])


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def body(response) -> bytes:
    """A FileResponse's bytes (reading them to the end closes the file)."""
    return b"".join(response.streaming_content)


def invoice_staff(**fields):
    """A staff user who may view every invoice (the model's view permission), no organization."""
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="invoicing", codename="view_invoice")
    )
    return user


def issued_on(invoice: Invoice, day: datetime.date) -> Invoice:
    """Move an invoice's dates (the service always issues today)."""
    Invoice.objects.filter(pk=invoice.pk).update(
        issue_date=day, due_date=day + datetime.timedelta(days=30)
    )
    invoice.refresh_from_db()
    return invoice


@dataclass
class Parties:
    """Two sellers; for each, buyers of both kinds, so every invoice has strangers."""

    seller: object  # the distributor organization
    seller_member: object
    rival_member: object
    customer: object
    retailer: object  # a member of the retailer organization
    colleague: object  # another member of the same organization
    customer_invoice: Invoice  # customer <- seller
    retailer_invoice: Invoice  # retailer organization (placed by the colleague) <- seller
    rival_invoice: Invoice  # another retailer organization <- rival
    stranger_invoice: Invoice  # another customer <- rival

    @property
    def all_invoices(self):
        return {
            self.customer_invoice,
            self.retailer_invoice,
            self.rival_invoice,
            self.stranger_invoice,
        }


def build_parties() -> Parties:
    seller = DistributorFactory(name="Deccan Distribution")
    rival = DistributorFactory(name="Konkan Traders")
    product = stocked_product(distributor=seller, on_hand=1000, name="Steel Almirah")
    rival_product = stocked_product(distributor=rival, on_hand=1000, name="Teak Cot")
    customer = CustomerFactory(name="Asha Rao")
    retailer = RetailerUserFactory(name="Ravi Shah", organization__name="Shah Stores")
    colleague = RetailerUserFactory(name="Meera Shah", organization=retailer.organization)
    other_retailer = RetailerUserFactory(organization__name="Other Mart")
    stranger = CustomerFactory(name="Someone Else")
    return Parties(
        seller=seller,
        seller_member=DistributorUserFactory(organization=seller),
        rival_member=DistributorUserFactory(organization=rival),
        customer=customer,
        retailer=retailer,
        colleague=colleague,
        customer_invoice=invoice_for(customer=customer, distributor=seller, lines=[(product, 2)]),
        retailer_invoice=invoice_for(customer=colleague, distributor=seller, lines=[(product, 1)]),
        rival_invoice=invoice_for(
            customer=other_retailer, distributor=rival, lines=[(rival_product, 1)]
        ),
        stranger_invoice=invoice_for(
            customer=stranger, distributor=rival, lines=[(rival_product, 3)]
        ),
    )


@pytest.fixture
def parties():
    return build_parties()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response) -> set[Invoice]:
    assert response.status_code == 200
    return set(response.context["page"].object_list)


# --- Who sees what -------------------------------------------------------------------


def test_a_customer_sees_only_the_invoices_of_their_own_orders(parties):
    response = client_for(parties.customer).get(LIST)
    assert listed(response) == {parties.customer_invoice}
    html = response.content.decode()
    assert parties.customer_invoice.number in html
    assert parties.retailer_invoice.number not in html
    assert "Deccan Distribution" in html  # a buyer sees the seller
    assert ">Seller</th>" in html


def test_a_retailer_member_sees_the_organizations_invoices_whoever_ordered(parties):
    # The colleague placed the order; every member of the organization sees its invoice.
    assert listed(client_for(parties.retailer).get(LIST)) == {parties.retailer_invoice}


def test_a_distributor_member_sees_the_invoices_its_organization_issued(parties):
    response = client_for(parties.seller_member).get(LIST)
    assert listed(response) == {parties.customer_invoice, parties.retailer_invoice}
    html = response.content.decode()
    assert ">Buyer</th>" in html and "Shah Stores" in html and "Asha Rao" in html
    assert listed(client_for(parties.rival_member).get(LIST)) == {
        parties.rival_invoice,
        parties.stranger_invoice,
    }


def test_staff_with_the_view_permission_see_every_invoice(parties):
    assert listed(client_for(invoice_staff()).get(LIST)) == parties.all_invoices


def test_staff_without_the_permission_see_only_their_own(parties):
    response = client_for(UserFactory(is_staff=True)).get(LIST)
    assert listed(response) == set()
    assert "No invoices yet" in response.content.decode()


def test_a_manufacturer_gets_403_on_every_invoice_page(parties):
    client = client_for(ManufacturerUserFactory())
    for url in (LIST, detail(parties.customer_invoice), pdf(parties.customer_invoice)):
        assert client.get(url).status_code == 403, url


def test_visitors_are_sent_to_log_in(parties):
    login = reverse("accounts:login")
    for url in (LIST, detail(parties.customer_invoice), pdf(parties.customer_invoice)):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), url


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
    client = client_for(getattr(parties, who))
    for name in strangers:
        invoice = getattr(parties, name)
        assert client.get(detail(invoice)).status_code == 404, name
        assert client.get(pdf(invoice)).status_code == 404, name
    assert (
        client.get(reverse("invoicing:detail", args=["org-1", "INV-1999-000001"])).status_code
        == 404
    )
    # The caller's own invoices open (the 404s above are about whose invoice it is).
    own = next(iter(listed(client.get(LIST))))
    assert client.get(detail(own)).status_code == 200


def test_buyers_customers_and_distributors_find_invoices_in_the_navigation(parties):
    for user in (parties.customer, parties.retailer, parties.seller_member):
        html = client_for(user).get(reverse("accounts:profile")).content.decode()
        assert f'href="{LIST}">Invoices</a>' in html
    html = client_for(ManufacturerUserFactory()).get(reverse("accounts:profile")).content.decode()
    assert f'href="{LIST}"' not in html


# --- Filters ---------------------------------------------------------------------------


@pytest.fixture
def seller_client(parties):
    return client_for(parties.seller_member)


def test_filter_by_status(parties, seller_client):
    services.invoice_mark_paid(invoice=parties.customer_invoice, by=invoice_staff())
    assert listed(seller_client.get(LIST, {"status": "paid"})) == {parties.customer_invoice}
    assert listed(seller_client.get(LIST, {"status": "issued"})) == {parties.retailer_invoice}
    assert listed(seller_client.get(LIST, {"status": "void"})) == set()


def test_filter_by_issue_date(parties, seller_client):
    today = timezone.localdate()
    old = issued_on(parties.customer_invoice, today - datetime.timedelta(days=60))
    cut = (today - datetime.timedelta(days=30)).isoformat()
    assert listed(seller_client.get(LIST, {"issued_before": cut})) == {old}
    assert listed(seller_client.get(LIST, {"issued_after": cut})) == {parties.retailer_invoice}
    day = old.issue_date.isoformat()
    assert listed(seller_client.get(LIST, {"issued_after": day, "issued_before": day})) == {old}


def test_search_by_invoice_number_order_number_or_party(parties, seller_client):
    invoice = parties.retailer_invoice
    assert listed(seller_client.get(LIST, {"q": invoice.number})) == {invoice}
    assert listed(seller_client.get(LIST, {"q": invoice.order.number})) == {invoice}
    assert listed(seller_client.get(LIST, {"q": "shah stor"})) == {invoice}
    response = seller_client.get(LIST, {"q": "nobody at all"})
    assert listed(response) == set()
    assert "No invoices match these filters." in response.content.decode()


def test_a_bad_date_is_a_form_error_not_a_500(parties, seller_client):
    response = seller_client.get(LIST, {"issued_after": "2025-13-45", "status": "issued"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"issued_after": ["Enter a valid date."]}
    assert "Enter a valid date." in response.content.decode()
    # The fields that are valid still filter.
    assert listed(response) == {parties.customer_invoice, parties.retailer_invoice}
    services.invoice_void(invoice=parties.customer_invoice, by=invoice_staff(), reason="Wrong")
    assert listed(seller_client.get(LIST, {"issued_after": "x", "status": "issued"})) == {
        parties.retailer_invoice
    }


def test_a_range_that_ends_before_it_starts_is_a_form_error(seller_client):
    response = seller_client.get(
        LIST, {"issued_after": "2025-05-10", "issued_before": "2025-05-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "issued_before": ["The range ends before it starts."]
    }


def test_totals_sum_outstanding_and_paid(parties, seller_client):
    paid, issued = parties.customer_invoice, parties.retailer_invoice
    services.invoice_mark_paid(invoice=paid, by=invoice_staff())
    totals = seller_client.get(LIST).context["totals"]
    assert totals == {"count": 2, "issued": issued.total, "paid": paid.total}


def test_an_overdue_invoice_is_marked(parties, seller_client):
    badge = '<span class="badge text-bg-danger">Overdue</span>'
    assert badge not in seller_client.get(LIST).content.decode()
    overdue = issued_on(
        parties.customer_invoice, timezone.localdate() - datetime.timedelta(days=45)
    )
    html = seller_client.get(LIST).content.decode()
    # Newest first: the other invoice's row comes before the overdue one.
    before, row = html.split(f">{overdue.number}</a>", 1)
    assert badge not in before
    assert badge in row.split("</tr>")[0] and '<div class="small">Overdue</div>' in row
    assert "(overdue)" in seller_client.get(detail(overdue)).content.decode()


def test_the_list_is_paginated_by_20(parties):
    seller = parties.seller
    product = stocked_product(distributor=seller, on_hand=1000)
    buyer = CustomerFactory()
    for _ in range(20):
        invoice_for(customer=buyer, distributor=seller, lines=[(product, 1)])
    client = client_for(parties.seller_member)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 20
    assert first.context["page"].paginator.count == 22
    assert len(client.get(LIST, {"page": 2}).context["page"].object_list) == 2


def test_the_list_page_query_count_does_not_grow_with_invoices():
    seller = DistributorFactory()
    product = stocked_product(distributor=seller, on_hand=1000)
    member = DistributorUserFactory(organization=seller)
    client = client_for(member)
    buyers = [CustomerFactory(), RetailerUserFactory()]

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST)
        count = len(captured.captured_queries)
        assert response.status_code == 200
        return count, len(response.context["page"].object_list)

    for n in range(3):
        invoice_for(customer=buyers[n % 2], distributor=seller, lines=[(product, 1)])
    few = measure()
    for n in range(27):
        invoice_for(customer=buyers[n % 2], distributor=seller, lines=[(product, 1)])
    many = measure()
    assert (few[1], many[1]) == (3, 20)
    assert few[0] == many[0]


# --- The detail ---------------------------------------------------------------------


def test_the_detail_shows_what_the_pdf_shows(parties):
    invoice = parties.customer_invoice
    response = client_for(parties.customer).get(detail(invoice))
    assert response.status_code == 200
    html = response.content.decode()
    line = invoice.lines.get()
    for text in (
        invoice.number,
        invoice.seller_name,
        invoice.buyer_name,
        line.description,
        line.sku,
        f"{invoice.subtotal:,.2f}",
        "CGST",
        f"{invoice.cgst:,.2f}",
        invoice.seller_gstin or "not registered",
        f"{invoice.total:,.2f}",
        invoice.due_date.strftime("%-d %b %Y"),
        f'href="{pdf(invoice)}"',
        "Download PDF",
    ):
        assert text in html, text


@pytest.mark.parametrize(
    ("who", "invoice", "page"),
    [
        ("customer", "customer_invoice", "portal:order"),
        ("retailer", "retailer_invoice", "retailer:order"),
        ("seller_member", "retailer_invoice", "distributor:order"),
    ],
)
def test_the_order_link_goes_to_the_callers_own_order_page(parties, who, invoice, page):
    user, invoice = getattr(parties, who), getattr(parties, invoice)
    client = client_for(user)
    url = reverse(page, args=[invoice.order.number])
    assert client.get(detail(invoice)).context["order_url"] == url
    assert f'href="{url}"' in client.get(LIST).content.decode()
    assert client.get(url).status_code == 200


def test_staff_without_the_order_permission_get_no_order_link(parties):
    response = client_for(invoice_staff()).get(detail(parties.customer_invoice))
    assert response.status_code == 200
    assert response.context["order_url"] is None
    assert parties.customer_invoice.order.number in response.content.decode()


def test_a_paid_invoice_says_when_and_the_reference(parties):
    invoice = services.invoice_mark_paid(
        invoice=parties.customer_invoice, by=invoice_staff(name="Pooja Iyer"), reference="UTR-4411"
    )
    html = client_for(parties.customer).get(detail(invoice)).content.decode()
    assert "UTR-4411" in html and 'id="invoice-paid"' in html
    assert "Please pay" not in html
    assert "Pooja Iyer" not in html  # the buyer is not told which staff member recorded it
    assert "Pooja Iyer" in client_for(parties.seller_member).get(detail(invoice)).content.decode()


def test_a_void_invoice_says_why(parties):
    invoice = services.invoice_void(
        invoice=parties.retailer_invoice, by=invoice_staff(), reason="Ordered twice by mistake"
    )
    html = client_for(parties.retailer).get(detail(invoice)).content.decode()
    assert "This invoice is void" in html and "Ordered twice by mistake" in html
    assert "Please pay" not in html


# --- The PDF ----------------------------------------------------------------------------


def test_the_pdf_download_is_the_invoice(parties):
    invoice = parties.retailer_invoice
    response = client_for(parties.retailer).get(pdf(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]
    assert "private" in response["Cache-Control"]
    data = body(response)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert invoice.number in text and invoice.buyer_name in text


def test_the_pdf_is_rendered_again_when_its_file_is_gone(parties):
    invoice = parties.customer_invoice
    client = client_for(parties.seller_member)
    assert body(client.get(pdf(invoice))).startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.pdf and default_storage.exists(invoice.pdf)
    default_storage.delete(invoice.pdf)

    response = client.get(pdf(invoice))
    assert response.status_code == 200
    data = body(response)
    assert data.startswith(b"%PDF") and invoice.number in pdf_text(data)
    invoice.refresh_from_db()
    assert default_storage.exists(invoice.pdf)
