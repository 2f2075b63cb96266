"""Migration invoicing 0006: an invoice marked paid before payments existed gets its payment."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.tests.factories import CustomerFactory
from invoicing.models import Invoice, InvoicePayment, InvoiceStatus

from .factories import invoice_owing

pytestmark = pytest.mark.django_db

migration = importlib.import_module("invoicing.migrations.0006_payments_for_paid_invoices")


def test_each_paid_invoice_gets_one_payment_of_its_total_and_a_zero_balance():
    staff = CustomerFactory(is_staff=True)
    paid = invoice_owing("1234.56")
    open_ = invoice_owing("10.00")
    # As `invoice_mark_paid` left it before #16: status and date, no payment row.
    Invoice.objects.filter(pk=paid.pk).update(
        status=InvoiceStatus.PAID, paid_at=timezone.now(), paid_by=staff, payment_reference="UTR 7"
    )

    migration.payments_for_paid(apps, None)
    migration.payments_for_paid(apps, None)  # run twice: still one payment

    payment = InvoicePayment.objects.get()
    assert payment.invoice_id == paid.pk and payment.amount == Decimal("1234.56")
    assert payment.reference == "UTR 7" and payment.recorded_by == staff
    assert payment.method == "bank_transfer" and payment.status == "recorded"
    paid.refresh_from_db()
    open_.refresh_from_db()
    assert paid.status == InvoiceStatus.PAID and paid.balance_due == 0
    assert open_.status == InvoiceStatus.ISSUED and open_.amount_paid == 0


def test_the_finance_group_sees_payments_and_reminders():
    codenames = set(
        Group.objects.get(name="Finance").permissions.values_list("codename", flat=True)
    )
    assert {"view_invoicepayment", "view_paymentreminder"} <= codenames
