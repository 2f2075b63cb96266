"""A shipment's invoice reaches the buyer with the shipment's notice: one e-mail with the PDF
attached, a WhatsApp-style notice, in-app."""

import json
import subprocess

import pytest

from accounts.tests.factories import CustomerFactory, OrganizationFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from notifications.models import Channel, MessageStatus, Notification, OutboundMessage
from notifications.tests.conftest import parts
from notifications.tests.test_channels import SECRET, Webhook
from notifications.transports import SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_signature
from orders.models import OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

from .factories import TO_DELIVERED

pytestmark = pytest.mark.django_db


def walk_to_processing(order):
    for status in TO_DELIVERED[:2]:
        order = order_transition(order=order, to_status=status, by=None)
    return order


def ship(order):
    return order_transition(
        order=order, to_status=OrderStatus.SHIPPED, by=None, tracking_reference="DTDC-77"
    )


def invoice_mails(inbox, number):
    # (A subject with non-ASCII characters is an encoded word after a fold.)
    return [m for m in inbox if f"invoice {number}" in " ".join(m["Subject"].split())]


def test_the_invoice_email_reaches_a_real_smtp_server_with_the_pdf_attached(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.WHATSAPP_WEBHOOK_SECRET = SECRET
    customer = CustomerFactory(name="Asha Rao", phone="+91 98450 12345")
    distributor = DistributorFactory(name="Deccan Distribution")
    tea = stocked_product(distributor=distributor, name="Assam tea")
    order = walk_to_processing(
        place_order(customer=customer, distributor=distributor, lines=[(tea, 2)])
    )
    # (The setup's own messages stay queued: its transaction never commits.)

    with Webhook() as hook:
        settings.WHATSAPP_WEBHOOK_URL = hook.url
        with django_capture_on_commit_callbacks(execute=True):
            order = ship(order)
    invoice = order.invoices.get()

    # The shipment's one message: no separate "shipped" e-mail races it.
    [mail] = smtp_server.inbox.wait_for(1)
    assert invoice_mails([mail], invoice.number) == [mail]
    assert mail["To"] == customer.email
    assert " ".join(mail["Subject"].split()) == (
        f"Order {order.number} shipped: shipment 1, invoice {invoice.number} "
        f"(₹{invoice.total:,.2f})"
    )
    text, html = parts(mail)
    for part in (text, html):
        assert invoice.number in part and order.number in part and "Assam tea" in part
        assert (
            f"{invoice.total:,.2f}" in part
            and f"/invoices/{invoice.seller_slug}/{invoice.number}/" in part
        )
        assert "DTDC-77" in part and f"{order.number}-S1" in part
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    body = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=attachment.get_content(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert invoice.number in body and "Assam tea" in body and f"{invoice.total:,.2f}" in body

    # The WhatsApp-style notice: signed, to the buyer's phone, with the link.
    [(headers, raw)] = hook.calls
    assert headers[SIGNATURE_HEADER] == webhook_signature(SECRET, headers[TIMESTAMP_HEADER], raw)
    notice = json.loads(raw)
    assert notice["to"] == "+91 98450 12345"
    assert invoice.number in notice["text"] and order.number in notice["text"]
    assert notice["text"].endswith(f"/invoices/{invoice.seller_slug}/{invoice.number}/")
    # In-app, linking to the invoice page.
    inbox = Notification.objects.get(user=customer, event="invoice_issued")
    assert inbox.link == f"/invoices/{invoice.seller_slug}/{invoice.number}/"
    rows = OutboundMessage.objects.filter(template="invoice")
    assert sorted(rows.values_list("channel", "status")) == [
        (Channel.EMAIL, MessageStatus.SENT),
        (Channel.WHATSAPP, MessageStatus.SENT),
    ]
    # The PDF rendered once, when the e-mail went out, and is kept.
    invoice.refresh_from_db()
    assert (
        invoice.pdf
        == f"invoices/{invoice.issue_date:%Y}/{invoice.seller_slug}/{invoice.number}.pdf"
    )


def test_a_retailers_invoice_also_goes_to_the_organizations_accounts_address(
    smtp_server, django_capture_on_commit_callbacks
):
    retailer = OrganizationFactory(
        kind="retailer", name="Koramangala Fresh Mart", contact_email="accounts@freshmart.test"
    )
    member = RetailerUserFactory(organization=retailer)
    order = walk_to_processing(place_order(customer=member))
    with django_capture_on_commit_callbacks(execute=True):
        order = ship(order)

    messages = invoice_mails(smtp_server.inbox.wait_for(2), order.invoices.get().number)
    assert sorted(m["To"] for m in messages) == sorted([member.email, "accounts@freshmart.test"])
    for mail in messages:
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_filename() == f"{order.invoices.get().number}.pdf"
    to_org = next(m for m in messages if m["To"] == "accounts@freshmart.test")
    assert "Hello Koramangala Fresh Mart" in parts(to_org)[0]


def test_a_dispatch_that_rolls_back_sends_no_invoice(django_capture_on_commit_callbacks):
    order = walk_to_processing(place_order())
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True) as callbacks:
        from django.db import transaction

        with transaction.atomic():
            ship(order)
            raise RuntimeError("the caller failed after the dispatch")
    assert callbacks == []
    assert not OutboundMessage.objects.filter(template="invoice").exists()
    assert not Notification.objects.filter(event="invoice_issued").exists()
