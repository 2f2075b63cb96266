"""The credit note pages at 1280 and 390 px: the invoice with its credit notes and refunds,
the credit note, the issue and refund forms, the list. Nothing scrolls sideways."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from invoicing.credit_notes import credit_note_issue
from invoicing.models import PaymentMethod
from invoicing.receipts import invoice_payment_record
from invoicing.refunds import refund_record
from orders.tests.factories import place_order, stocked_product

from .factories import deliver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = "() => document.documentElement.scrollWidth"


@pytest.mark.parametrize("width", [1280, 390])
def test_credit_note_pages_fit_the_screen(watched_page, live_server, settings, tmp_path, width):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    member = DistributorUserFactory(organization__name="Deccan Distribution")
    seller = member.organization
    buyer = RetailerUserFactory(organization__name="Sri Venkateswara Kirana Stores")
    products = [
        stocked_product(distributor=seller, price=Decimal(price), name=name)
        for price, name in (("45999.00", "Basmati rice, 25 kg sack (premium)"), ("120.50", "Tea"))
    ]
    order = place_order(
        customer=buyer,
        distributor=seller,
        lines=[(products[0], 3), (products[1], 12)],
        fulfillment_type="pickup",
    )
    invoice = deliver(order).invoices.get()
    invoice_payment_record(
        invoice=invoice,
        amount=invoice.total,
        method=PaymentMethod.BANK_TRANSFER,
        reference="NEFT-HDFC-000123456789",
        received_on=invoice.issue_date,
    )
    lines = list(invoice.lines.all())
    note = credit_note_issue(
        invoice=invoice,
        by=member,
        kind="price",
        amounts={lines[0].pk: "1500.00", lines[1].pk: "100.00"},
        reason="Rate agreed on the phone after delivery: 500 off per sack",
        reference="rma:12",
    )
    credit_note_issue(invoice=invoice, by=member, kind="return", lines={lines[1].pk: 2})
    refund_record(invoice=invoice, by=member, amount="500.00", method="upi", reference="UPI-1")

    client = Client()
    client.force_login(member)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = watched_page.page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 900})
    args = [invoice.seller_slug, invoice.number]
    for name, path in (
        ("invoice", reverse("invoicing:detail", args=args)),
        (
            "credit-note",
            reverse("invoicing:credit_note_detail", args=[note.seller_slug, note.number]),
        ),
        ("credit-note-form", reverse("invoicing:credit_note_new", args=args)),
        ("refund-form", reverse("invoicing:refund_new", args=args)),
        ("credit-note-list", reverse("invoicing:credit_notes")),
        ("invoice-list", reverse("invoicing:list")),
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (name, response.status)
        watched_page.screenshot(f"creditnotes-{name}-{width}")
        assert page.evaluate(WIDTH) <= width, name
    watched_page.assert_clean()
