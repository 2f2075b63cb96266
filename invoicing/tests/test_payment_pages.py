"""Recording payments and bounced cheques on the invoice pages and the API; who may."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    RetailerUserFactory,
)
from invoicing.models import InvoicePayment, InvoiceStatus, PaymentMethod
from invoicing.receipts import invoice_payment_record
from notifications.models import OutboundMessage

from .factories import invoice_copies, invoice_owing
from .test_admin import finance_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def client_for(user, api=False):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


def new_url(invoice):
    return reverse("invoicing:payment_new", args=[invoice.seller_slug, invoice.number])


def bounce_url(invoice, payment):
    return reverse(
        "invoicing:payment_bounce", args=[invoice.seller_slug, invoice.number, payment.pk]
    )


def api_payments(invoice):
    return reverse("api-invoice-payments", args=[invoice.pk])


@pytest.fixture
def sale():
    member = DistributorUserFactory()
    buyer = RetailerUserFactory()
    invoice = invoice_owing("1000.00", customer=buyer, distributor=member.organization)
    return member, buyer, invoice


def form(amount, method="cheque", reference="CHQ 1", received_on=None):
    return {
        "amount": amount,
        "method": method,
        "reference": reference,
        "received_on": (received_on or TODAY()).isoformat(),
    }


def test_the_distributor_records_two_part_payments_on_the_page_then_a_cheque_bounces(sale):
    member, _buyer, invoice = sale
    client = client_for(member)
    detail = client.get(reverse("invoicing:detail", args=[invoice.seller_slug, invoice.number]))
    assert new_url(invoice) in detail.content.decode()  # the button is there for the seller

    page = client.get(new_url(invoice))
    assert page.status_code == 200 and page.context["form"].initial["amount"] == Decimal("1000.00")
    done = client.post(new_url(invoice), form("400.00", "upi", "UPI-9"), follow=True)
    assert "now partially paid" in done.content.decode()
    client.post(new_url(invoice), form("600.00", "cheque", "CHQ 77"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_due == 0

    cheque = invoice.payments.get(method="cheque")
    assert client.get(bounce_url(invoice, cheque)).status_code == 200
    done = client.post(bounce_url(invoice, cheque), {"reason": "Insufficient funds"}, follow=True)
    assert "partially paid again" in done.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert invoice.balance_due == Decimal("600.00")
    assert OutboundMessage.objects.filter(dedup_key__startswith=f"payment_bounced:{cheque.pk}")


def test_the_form_refuses_more_than_the_balance_and_bad_input_with_field_errors(sale):
    member, _buyer, invoice = sale
    client = client_for(member)
    over = client.post(new_url(invoice), form("1000.01"))
    assert over.status_code == 200
    assert "balance due" in " ".join(over.context["form"].errors["amount"])
    huge = client.post(new_url(invoice), form("10000000000000"))
    assert huge.context["form"].errors["amount"]
    future = client.post(new_url(invoice), form("1", received_on=TODAY() + datetime.timedelta(1)))
    assert "future" in " ".join(future.context["form"].errors["received_on"])
    online = client.post(new_url(invoice), form("1", method="online"))
    assert online.context["form"].errors["method"]  # the gateway's, not typed in
    assert not InvoicePayment.objects.exists()


def test_finance_staff_record_on_the_same_page(sale):
    _member, _buyer, invoice = sale
    client = client_for(finance_user())
    client.post(new_url(invoice), form("1000.00", "bank_transfer", "NEFT 1"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID


def test_the_buyer_sees_the_payments_but_may_not_record_and_others_get_404(sale):
    member, buyer, invoice = sale
    invoice_payment_record(
        invoice=invoice, amount="100", method="cheque", reference="C-5", received_on=TODAY()
    )
    buyer_client = client_for(buyer)
    detail = buyer_client.get(
        reverse("invoicing:detail", args=[invoice.seller_slug, invoice.number])
    ).content.decode()
    assert "C-5" in detail and new_url(invoice) not in detail and "Mark bounced" not in detail
    assert buyer_client.get(new_url(invoice)).status_code == 403
    payment = invoice.payments.get()
    assert buyer_client.post(bounce_url(invoice, payment), {"reason": "x"}).status_code == 403
    stranger = client_for(DistributorUserFactory())
    assert stranger.get(new_url(invoice)).status_code == 404
    assert stranger.post(bounce_url(invoice, payment), {"reason": "x"}).status_code == 404
    # A payment of another invoice through this invoice's URL: 404.
    other = invoice_owing("50.00", distributor=member.organization)
    mine = client_for(member)
    assert mine.get(bounce_url(other, payment)).status_code == 404


def test_a_non_cheque_cannot_be_bounced_on_the_page(sale):
    member, _buyer, invoice = sale
    payment = invoice_payment_record(
        invoice=invoice, amount="10", method="upi", reference="U1", received_on=TODAY()
    )
    page = client_for(member).post(bounce_url(invoice, payment), {"reason": "x"})
    assert page.status_code == 200 and "Only a cheque can bounce." in page.content.decode()


# --- API ---------------------------------------------------------------------------------


def test_the_api_records_lists_and_bounces(sale):
    member, buyer, invoice = sale
    api = client_for(member, api=True)
    created = api.post(api_payments(invoice), form("250.50", "cheque", "CHQ 8"), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["amount"] == "250.50" and created.json()["status"] == "recorded"
    again = api.post(api_payments(invoice), form("250.50", "cheque", "CHQ 8"), format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    listed = client_for(buyer, api=True).get(api_payments(invoice)).json()
    assert [p["reference"] for p in listed["results"]] == ["CHQ 8"]
    detail = api.get(reverse("api-invoice-detail", args=[invoice.pk])).json()
    assert detail["status"] == "partially_paid" and detail["balance_due"] == "749.50"

    bounce = reverse("api-invoice-payment-bounce", args=[invoice.pk, created.json()["id"]])
    assert api.post(bounce, {}, format="json").status_code == 400
    bounced = api.post(bounce, {"reason": "Account closed"}, format="json")
    assert bounced.status_code == 200 and bounced.json()["status"] == "bounced"
    assert api.post(bounce, {"reason": "Again"}, format="json").status_code == 409
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.balance_due == Decimal("1000.00")


def test_the_api_refuses_with_clear_errors(sale):
    member, buyer, invoice = sale
    api = client_for(member, api=True)
    over = api.post(api_payments(invoice), form("1000.01"), format="json")
    assert over.status_code == 400 and "amount" in over.json()["errors"]
    bad = api.post(api_payments(invoice), {"amount": "x", "method": "gold"}, format="json")
    assert bad.status_code == 400
    assert {"amount", "method", "received_on"} <= set(bad.json()["errors"])
    api.post(api_payments(invoice), form("1000.00"), format="json")
    paid = api.post(api_payments(invoice), form("1.00", reference="CHQ 2"), format="json")
    assert paid.status_code == 409
    assert (
        client_for(buyer, api=True)
        .post(api_payments(invoice), form("1.00"), format="json")
        .status_code
        == 403
    )
    assert (
        client_for(DistributorUserFactory(), api=True)
        .post(api_payments(invoice), form("1.00"), format="json")
        .status_code
        == 404
    )
    assert client_for(CustomerFactory(), api=True).get(api_payments(invoice)).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_payment_list_endpoint_and_the_invoice_page_count_their_queries(sale):
    member, _buyer, invoice = sale
    client, api = client_for(member), client_for(member, api=True)
    page = reverse("invoicing:detail", args=[invoice.seller_slug, invoice.number])

    def add(count):
        for _ in range(count):
            invoice_payment_record(
                invoice=invoice,
                amount="1.00",
                method=PaymentMethod.CASH,
                reference="",
                received_on=TODAY(),
                by=member,
            )

    add(2)
    two = (
        _queries(client, page),
        _queries(api, api_payments(invoice)),
        _queries(client, new_url(invoice)),
    )
    add(18)
    twenty = (
        _queries(client, page),
        _queries(api, api_payments(invoice)),
        _queries(client, new_url(invoice)),
    )
    assert two == twenty


def test_the_invoice_list_still_counts_constant_queries_with_part_payments(sale):
    member, _buyer, invoice = sale
    client = client_for(member)
    invoice_copies(invoice, 1)
    two = _queries(client, reverse("invoicing:list"))
    invoice_copies(invoice, 18, amount_paid=Decimal("1.00"), status="partially_paid")
    assert _queries(client, reverse("invoicing:list")) == two


def test_the_overdue_filter_is_derived_from_the_due_date_and_the_balance(sale):
    member, _buyer, _invoice = sale
    late = invoice_owing(
        "10.00", distributor=member.organization, due_date=TODAY() - datetime.timedelta(days=3)
    )
    paid_late = invoice_owing(
        "10.00", distributor=member.organization, due_date=TODAY() - datetime.timedelta(days=3)
    )
    invoice_payment_record(
        invoice=paid_late, amount="10", method="cash", reference="", received_on=TODAY()
    )
    api = client_for(member, api=True)
    listed = api.get(reverse("api-invoice-list"), {"status": "overdue"}).json()["results"]
    assert [row["id"] for row in listed] == [late.pk]
    page = client_for(member).get(reverse("invoicing:list"), {"status": "overdue"})
    assert [i.pk for i in page.context["page"].object_list] == [late.pk]
