"""Messages arrive in the order things happened: "delivered" never before the invoice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import MessageStatus, OutboundMessage
from orders.models import Order
from orders.tests.factories import place_order
from orders.transitions import order_transition


def _subjects(inbox):
    return [" ".join(m["Subject"].split()) for m in inbox.messages]


@pytest.mark.django_db
def test_the_delivered_email_waits_for_the_shipments_invoice_email(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order()
        order_transition(order=order, to_status=Order.Status.ACCEPTED, by=None)
        order_transition(order=order, to_status=Order.Status.PROCESSING, by=None)
    # The shipment's e-mail is queued but not sent yet: its first attempt
    # failed and it waits for its retry (or its PDF is still rendering).
    with django_capture_on_commit_callbacks(execute=False):
        order_transition(
            order=order, to_status=Order.Status.SHIPPED, by=None, tracking_reference="DTDC D1234"
        )
    invoice_mail = OutboundMessage.objects.get(template="invoice", channel="email")
    OutboundMessage.objects.filter(pk=invoice_mail.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert invoice_mail.status == MessageStatus.PENDING
    smtp_server.inbox.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to_status=Order.Status.DELIVERED, by=None)
    delivered = OutboundMessage.objects.get(
        template="order_status", dedup_key__contains="delivered"
    )
    assert delivered.wait_for == f"{invoice_mail.dedup_key}"
    delivered.refresh_from_db()
    assert delivered.status == MessageStatus.PENDING and delivered.attempts == 0
    assert smtp_server.inbox.messages == []  # the "delivered" e-mail did not overtake
    assert services.outbox_sweep()["sent"] == 0  # the sweep does not send it either

    # The invoice e-mail goes; the "delivered" one follows it at once.
    OutboundMessage.objects.filter(pk=invoice_mail.pk).update(next_attempt_at=timezone.now())
    services.message_deliver(message_id=invoice_mail.pk)
    subjects = _subjects(smtp_server.inbox)
    assert len(subjects) == 2, subjects
    assert subjects[0].startswith(f"Order {order.number} shipped: shipment 1, invoice")
    assert subjects[1] == f"Order {order.number} delivered"
    delivered.refresh_from_db()
    assert delivered.status == MessageStatus.SENT and delivered.attempts == 1


@pytest.mark.django_db
def test_a_failed_invoice_email_does_not_hold_back_the_delivered_one(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order()
        order_transition(order=order, to_status=Order.Status.ACCEPTED, by=None)
        order_transition(order=order, to_status=Order.Status.PROCESSING, by=None)
    with django_capture_on_commit_callbacks(execute=False):
        order_transition(
            order=order, to_status=Order.Status.SHIPPED, by=None, tracking_reference="DTDC D1"
        )
    OutboundMessage.objects.filter(template="invoice").update(status=MessageStatus.FAILED)
    smtp_server.inbox.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_transition(order=order, to_status=Order.Status.DELIVERED, by=None)
    assert _subjects(smtp_server.inbox) == [f"Order {order.number} delivered"]


def test_subjects_say_what_the_bodies_say():
    from notifications.rendering import render_message
    from notifications.samples import sample_contexts

    contexts = sample_contexts()
    placed = render_message("order_confirmation", contexts["order_confirmation"])
    number = contexts["order_confirmation"]["order"].number
    # At placement the order is received; the distributor confirms it later.
    assert placed.subject.startswith(f"Order {number} received")
    assert "will confirm it shortly" in placed.text
    assert "confirmed" not in placed.subject + placed.html

    accepted = render_message("order_status", {**contexts["order_status"], "status": "accepted"})
    assert accepted.subject == f"Order {number} confirmed"
    assert "confirmed your order" in accepted.text and "confirmed your order" in accepted.html
