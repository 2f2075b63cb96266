"""Payments and reminders under real concurrency: threads with their own connections.

On MariaDB (CI) the invoice's row lock queues the recorders and the reminder
log's unique key turns a second run's insert into a duplicate-key error; on
SQLite the IMMEDIATE transactions queue the writers. The same assertions hold.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from invoicing.models import Invoice, InvoicePayment, InvoiceStatus, PaymentReminder
from invoicing.receipts import invoice_payment_record
from invoicing.reminders import payment_reminders_send
from notifications.models import OutboundMessage
from orders.tests.test_concurrency import run_concurrently

from .factories import invoice_owing

pytestmark = pytest.mark.django_db(transaction=True)


def recorder(invoice_id, amount, method="bank_transfer", reference=""):
    def job():
        invoice = Invoice.objects.get(pk=invoice_id)
        payment = invoice_payment_record(
            invoice=invoice,
            amount=amount,
            method=method,
            reference=reference,
            received_on=timezone.localdate(),
        )
        return payment.pk

    return job


def test_five_people_recording_at_once_never_overpay_an_invoice():
    invoice = invoice_owing("1000.00")
    results = run_concurrently(
        [recorder(invoice.pk, "300.00", reference=f"UTR{i}") for i in range(5)]
    )
    succeeded = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(succeeded) == 3 and len(refused) == 2, results
    assert all("balance due" in str(r) for r in refused)
    invoice.refresh_from_db()
    assert (
        invoice.amount_paid == Decimal("900.00") and invoice.status == InvoiceStatus.PARTIALLY_PAID
    )
    assert sum(InvoicePayment.objects.values_list("amount", flat=True)) == Decimal("900.00")


def test_the_same_gateway_payment_five_times_at_once_is_recorded_once():
    invoice = invoice_owing("499.99")
    results = run_concurrently(
        [recorder(invoice.pk, "499.99", "online", "pay_N0v3mb3r") for _ in range(5)]
    )
    assert len(set(results)) == 1 and isinstance(results[0], int), results
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and InvoicePayment.objects.count() == 1


def test_three_reminder_runs_at_once_send_one_reminder_per_invoice(settings):
    settings.PAYMENT_REMINDER_DAYS = [-3, 1, 7, 30]
    invoices = [
        invoice_owing("10.00", due_date=timezone.localdate() - datetime.timedelta(days=2))
        for _ in range(4)
    ]
    results = run_concurrently([payment_reminders_send for _ in range(3)])
    assert sum(results) == 4, results
    assert PaymentReminder.objects.count() == 4
    assert set(PaymentReminder.objects.values_list("step", flat=True)) == {1}
    for invoice in invoices:
        assert (
            OutboundMessage.objects.filter(
                template="payment_reminder", dedup_key=f"payment_reminder:{invoice.pk}:1:email"
            ).count()
            == 1
        )
