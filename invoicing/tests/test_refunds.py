"""Refunds (issue 24 §3): back through the gateway (the official SDK against the local fake
Razorpay) once, even when the call is retried after a lost answer; by hand with a reference;
the invoice's balance follows: total - credited - paid + refunded."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing.credit_notes import credit_note_issue
from invoicing.models import Invoice, InvoiceStatus, PaymentMethod, Refund, RefundStatus
from invoicing.receipts import invoice_payment_record
from invoicing.refunds import (
    RefundPending,
    refund_record,
    refund_retry,
    refund_through_gateway,
    refundable,
    refunds_retry_pending,
)
from payments import services as payments
from payments.tests.fake_razorpay import KEY_ID, KEY_SECRET, WEBHOOK_SECRET, FakeRazorpay

from .factories import invoice_for

pytestmark = pytest.mark.django_db

PORTS = range(18400, 18450)  # this worktree's loopback ports


@pytest.fixture
def fake_gateway(settings):
    for port in PORTS:
        try:
            fake = FakeRazorpay(port).start()
            break
        except OSError:
            continue
    else:
        raise RuntimeError("No free port in 18400-18449 for the fake Razorpay")
    settings.PAYMENT_GATEWAY = "razorpay"
    settings.RAZORPAY_BASE_URL = fake.base_url
    settings.RAZORPAY_KEY_ID, settings.RAZORPAY_KEY_SECRET = KEY_ID, KEY_SECRET
    settings.RAZORPAY_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.RAZORPAY_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


def paid_online(fake):
    """An invoice (1 unit at ₹100.00 + 18 % = ₹118.00) paid in full through "Pay now"."""
    invoice = invoice_for()
    payment = payments.payment_start_for_invoice(invoice=invoice, by=invoice.customer)
    payment_id = fake.capture(payment.provider_order_id)
    body, signature = fake.signed_webhook(payment_id)
    payments.webhook_receive(body=body, signature=signature)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.total == Decimal("118.00")
    return invoice, payment_id


def test_a_gateway_refund_retried_after_a_lost_answer_makes_one_refund(fake_gateway):
    invoice, payment_id = paid_online(fake_gateway)
    credit_note_issue(
        invoice=invoice, by=None, kind="price", amounts={invoice.lines.get().pk: "40.00"}
    )
    invoice.refresh_from_db()
    # 40.00 taxable + 18 % (7.20) = 47.20 credited; paid 118.00:
    # balance 118.00 - 47.20 - 118.00 + 0 = -47.20, owed to the buyer.
    assert invoice.balance_due == Decimal("-47.20")
    assert refundable(invoice) == Decimal("47.20")

    fake_gateway.drop_next_refund_response = True
    with pytest.raises(RefundPending) as pending:
        refund_through_gateway(invoice=invoice, by=None, amount="47.20", idempotency_key="rf-1")
    refund = pending.value.refund
    # The provider made the refund, but we never heard: pending, not counted.
    assert fake_gateway.refund_calls == 1
    assert refund.status == RefundStatus.PENDING
    invoice.refresh_from_db()
    assert invoice.amount_refunded == 0 and invoice.balance_due == Decimal("-47.20")
    assert refundable(invoice) == 0  # the pending refund holds its amount

    # The retry (the sweep) calls the SDK again with the same key: the same refund.
    assert refunds_retry_pending() == 1
    refund.refresh_from_db()
    [made] = fake_gateway.refunds[payment_id]
    assert fake_gateway.refund_calls == 1
    assert refund.status == RefundStatus.DONE and refund.provider_refund_id == made["id"]
    assert made["amount"] == 4720  # paise
    # Submitting the same form again changes nothing either.
    again = refund_through_gateway(invoice=invoice, by=None, amount="47.20", idempotency_key="rf-1")
    assert again.pk == refund.pk and fake_gateway.refund_calls == 1
    assert refund_retry(refund=refund).pk == refund.pk

    invoice = Invoice.objects.get(pk=invoice.pk)
    # 118.00 - 47.20 - 118.00 + 47.20 = 0.00.
    assert invoice.amount_refunded == Decimal("47.20")
    assert invoice.balance_due == 0
    assert invoice.status == InvoiceStatus.PAID
    assert Refund.objects.count() == 1


def test_a_gateway_refund_cannot_exceed_what_is_owed_back(fake_gateway):
    invoice, _ = paid_online(fake_gateway)
    with pytest.raises(ValidationError) as error:
        refund_through_gateway(invoice=invoice, by=None, amount="1.00")
    assert "amount" in error.value.message_dict  # nothing credited: nothing to refund
    credit_note_issue(invoice=invoice, by=None, kind="cancellation")
    with pytest.raises(ValidationError) as error:
        refund_through_gateway(invoice=invoice, by=None, amount="118.01")
    assert "amount" in error.value.message_dict
    refund = refund_through_gateway(invoice=invoice, by=None, amount="118.00")
    assert refund.status == RefundStatus.DONE
    invoice.refresh_from_db()
    # Fully credited and everything paid back: 118 - 118 - 118 + 118 = 0, "credited".
    assert invoice.status == InvoiceStatus.CREDITED and invoice.balance_due == 0
    assert fake_gateway.payments[refund.online_payment.provider_payment_id]["status"] == "refunded"


def test_money_not_paid_online_is_refunded_by_hand_with_a_reference():
    invoice = invoice_for()
    invoice_payment_record(
        invoice=invoice,
        amount=invoice.total,
        method=PaymentMethod.BANK_TRANSFER,
        reference="NEFT-77",
        received_on=invoice.issue_date,
    )
    credit_note_issue(
        invoice=invoice, by=None, kind="price", amounts={invoice.lines.get().pk: "10.00"}
    )
    invoice.refresh_from_db()
    assert invoice.credit_owed == Decimal("11.80")  # 10.00 + 18 % GST
    with pytest.raises(ValidationError) as error:
        refund_through_gateway(invoice=invoice, by=None, amount="11.80")
    assert "method" in error.value.message_dict  # nothing was paid online
    with pytest.raises(ValidationError) as error:
        refund_record(invoice=invoice, by=None, amount="11.80", method="bank_transfer")
    assert "reference" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        refund_record(
            invoice=invoice, by=None, amount="11.81", method="bank_transfer", reference="X"
        )
    assert "amount" in error.value.message_dict
    first = refund_record(
        invoice=invoice,
        by=None,
        amount="11.80",
        method="bank_transfer",
        reference="NEFT-OUT-1",
        idempotency_key="form-1",
    )
    again = refund_record(
        invoice=invoice,
        by=None,
        amount="11.80",
        method="bank_transfer",
        reference="NEFT-OUT-1",
        idempotency_key="form-1",
    )
    assert again.pk == first.pk
    invoice.refresh_from_db()
    assert (invoice.amount_refunded, invoice.balance_due) == (Decimal("11.80"), 0)
    assert invoice.status == InvoiceStatus.PAID


def test_the_buyer_is_told_of_a_refund_once_with_its_reference():
    from notifications.models import OutboundMessage

    invoice = invoice_for()
    invoice_payment_record(
        invoice=invoice,
        amount=invoice.total,
        method=PaymentMethod.BANK_TRANSFER,
        reference="NEFT-77",
        received_on=invoice.issue_date,
    )
    note = credit_note_issue(
        invoice=invoice, by=None, kind="price", amounts={invoice.lines.get().pk: "10.00"}
    )
    for _ in range(2):  # a double-submitted form: one refund, one message
        refund = refund_record(
            invoice=invoice,
            by=None,
            amount="11.80",
            method="bank_transfer",
            reference="NEFT-OUT-9",
            credit_note=note,
            idempotency_key="form-9",
        )
    mails = OutboundMessage.objects.filter(dedup_key__startswith=f"refund_recorded:{refund.pk}")
    mail = mails.get(channel="email")
    assert mail.recipient == invoice.customer.email
    assert mail.subject == f"₹11.80 refunded against invoice {invoice.number}"
    assert "NEFT-OUT-9" in mail.body_text and note.number in mail.body_text
    assert "Nothing more is owed either way" in mail.body_text
