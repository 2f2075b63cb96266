"""Recording payments: part payments add up to paid, a bounced cheque takes its money back,
the balance is never overpaid, and the same gateway payment twice is recorded once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.exceptions import InvoiceStateError
from invoicing.models import InvoicePayment, InvoiceStatus, PaymentMethod, PaymentStatus
from invoicing.receipts import (
    MAX_PAYMENT,
    invoice_pay_in_full,
    invoice_payment_bounce,
    invoice_payment_record,
)
from invoicing.signals import invoice_payment_recorded
from notifications.models import OutboundMessage

from .factories import invoice_owing

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def record(invoice, amount, method=PaymentMethod.BANK_TRANSFER, reference="", by=None, **kw):
    return invoice_payment_record(
        invoice=invoice,
        amount=amount,
        method=method,
        reference=reference,
        received_on=kw.pop("received_on", TODAY()),
        by=by,
    )


def test_two_part_payments_make_an_invoice_paid_and_a_bounced_cheque_takes_it_back():
    invoice = invoice_owing("1000.00")
    seller = invoice.distributor
    first = record(invoice, "400.00", PaymentMethod.UPI, "UPI-1")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert invoice.amount_paid == Decimal("400.00") and invoice.balance_due == Decimal("600.00")

    cheque = record(invoice, "600.00", PaymentMethod.CHEQUE, "CHQ 000123")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_due == 0
    assert invoice.paid_at is not None and invoice.payment_reference == "CHQ 000123"
    assert first.status == cheque.status == PaymentStatus.RECORDED

    invoice = invoice_payment_bounce(payment=cheque, by=None, reason="Insufficient funds")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID
    assert invoice.amount_paid == Decimal("400.00") and invoice.balance_due == Decimal("600.00")
    assert invoice.paid_at is None and invoice.payment_reference == ""
    cheque.refresh_from_db()
    assert cheque.status == PaymentStatus.BOUNCED and cheque.bounce_reason == "Insufficient funds"
    assert invoice.distributor == seller


def test_a_bounced_only_payment_sends_the_invoice_back_to_issued_and_queues_the_buyer_email():
    invoice = invoice_owing("250.00")
    cheque = record(invoice, "250.00", PaymentMethod.CHEQUE, "CHQ 9")
    invoice_payment_bounce(payment=cheque, by=None, reason="Signature differs")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.ISSUED and invoice.balance_due == Decimal("250.00")
    mail = OutboundMessage.objects.get(dedup_key=f"payment_bounced:{cheque.pk}:email")
    assert mail.recipient == invoice.customer.email
    assert "bounced" in mail.subject and "₹250.00" in mail.subject


def test_only_a_recorded_cheque_can_bounce_and_only_once():
    invoice = invoice_owing("300.00")
    transfer = record(invoice, "100.00", PaymentMethod.BANK_TRANSFER, "UTR1")
    with pytest.raises(InvoiceStateError, match="Only a cheque"):
        invoice_payment_bounce(payment=transfer, by=None, reason="x")
    cheque = record(invoice, "100.00", PaymentMethod.CHEQUE, "C1")
    with pytest.raises(ValidationError) as missing:
        invoice_payment_bounce(payment=cheque, by=None, reason="  ")
    assert "reason" in missing.value.message_dict
    invoice_payment_bounce(payment=cheque, by=None, reason="Stopped")
    with pytest.raises(InvoiceStateError, match="already"):
        invoice_payment_bounce(payment=cheque, by=None, reason="Again")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "more than zero"),
        ("-5", "more than zero"),
        ("abc", "as a number"),
        ("NaN", "as a number"),
        (str(MAX_PAYMENT + 1), "cannot be more than"),
        ("100.01", "balance due"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_error(amount, message):
    invoice = invoice_owing("100.00")
    with pytest.raises(ValidationError) as refused:
        record(invoice, amount)
    assert message in " ".join(refused.value.message_dict["amount"])
    assert not InvoicePayment.objects.exists()


def test_amounts_round_half_up_to_the_paisa():
    invoice = invoice_owing("100.00")
    payment = record(invoice, "10.005")
    assert payment.amount == Decimal("10.01")


def test_future_dates_unknown_methods_and_long_references_are_refused():
    invoice = invoice_owing("100.00")
    with pytest.raises(ValidationError) as future:
        record(invoice, "1", received_on=TODAY() + datetime.timedelta(days=1))
    assert "future" in str(future.value)
    with pytest.raises(ValidationError) as method:
        record(invoice, "1", method="barter")
    assert "method" in method.value.message_dict
    with pytest.raises(ValidationError) as long:
        record(invoice, "1", reference="x" * 101)
    assert "reference" in long.value.message_dict


def test_a_paid_or_void_invoice_takes_no_payment():
    paid = invoice_owing("50.00")
    record(paid, "50.00")
    with pytest.raises(InvoiceStateError, match="paid"):
        record(paid, "1.00")
    void = invoice_owing("50.00")
    services.invoice_void(invoice=void, by=CustomerFactory(is_staff=True), reason="Wrong")
    with pytest.raises(InvoiceStateError, match="void"):
        record(void, "1.00")


def test_a_partly_paid_invoice_cannot_be_voided():
    invoice = invoice_owing("50.00")
    record(invoice, "10.00")
    with pytest.raises(InvoiceStateError):
        services.invoice_void(invoice=invoice, by=CustomerFactory(is_staff=True), reason="x")


def test_the_same_gateway_payment_twice_is_recorded_once():
    invoice = invoice_owing("500.00")
    sent = []
    invoice_payment_recorded.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="t")
    try:
        first = record(invoice, "500.00", PaymentMethod.ONLINE, "pay_ABC123")
        again = record(invoice, "500.00", PaymentMethod.ONLINE, "pay_ABC123")
    finally:
        invoice_payment_recorded.disconnect(dispatch_uid="t")
    assert first.pk == again.pk and InvoicePayment.objects.count() == 1
    assert len(sent) == 1 and sent[0]["status"] == InvoiceStatus.PAID
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.amount_paid == Decimal("500.00")


def test_the_same_reference_with_another_amount_is_an_error():
    invoice = invoice_owing("500.00")
    record(invoice, "100.00", PaymentMethod.UPI, "UPI-77")
    with pytest.raises(ValidationError) as refused:
        record(invoice, "200.00", PaymentMethod.UPI, "UPI-77")
    assert "already recorded" in " ".join(refused.value.message_dict["reference"])


def test_pay_in_full_records_the_balance_and_who():
    invoice = invoice_owing("900.00")
    record(invoice, "100.00")
    staff = RetailerUserFactory(is_staff=True)
    paid = invoice_pay_in_full(invoice=invoice, by=staff, reference="NEFT 5")
    assert paid.status == InvoiceStatus.PAID and paid.paid_by == staff
    assert list(paid.payments.values_list("amount", flat=True)) == [
        Decimal("100.00"),
        Decimal("800.00"),
    ]


def test_the_recording_helper_keeps_the_distributor_scope():
    # Balances stay per invoice: another seller's invoice to the same buyer is untouched.
    buyer = CustomerFactory()
    one = invoice_owing("100.00", customer=buyer, distributor=DistributorFactory())
    two = invoice_owing("100.00", customer=buyer, distributor=DistributorFactory())
    record(one, "100.00")
    two.refresh_from_db()
    assert two.status == InvoiceStatus.ISSUED and two.amount_paid == 0
