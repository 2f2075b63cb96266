"""Money in against invoices: record a payment, bounce a cheque; the status follows.

`invoice_payment_record` is the one way money is put against an invoice: a
distributor member or finance staff typing in a bank transfer, a cheque, UPI
or cash; the admin's "record full payment"; the gateway's confirmed online
payment (`by=None`, method "online"). Each call locks the invoice row, adds
the payment, and sets the invoice's `amount_paid` and status from the sum of
its recorded payments, so two people recording at once cannot overpay it.

Status rule: nothing recorded -> issued; some -> partially paid; the total ->
paid. A bounced cheque stops counting, so the status goes back. Credit notes
lower what is owed (total - credited) and refunds what was kept (paid -
refunded); a fully credited invoice with nothing kept is "credited". Amounts
are rounded half-up to the paisa as entered.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from auromart.formatting import money_display

from .exceptions import InvoiceStateError
from .models import (
    OPEN_STATUSES,
    Invoice,
    InvoicePayment,
    InvoiceStatus,
    PaymentMethod,
    PaymentStatus,
)
from .signals import invoice_payment_bounced, invoice_payment_recorded

PAISA = Decimal("0.01")
# The largest amount the form, the API and the service accept (the field holds 14 digits).
MAX_PAYMENT = Decimal("999999999999.99")
REFERENCE_MAX_LENGTH = InvoicePayment._meta.get_field("reference").max_length
REASON_MAX_LENGTH = InvoicePayment._meta.get_field("bounce_reason").max_length


def payment_amount(value) -> Decimal:
    """`value` as a positive money amount, half-up to the paisa; ValidationError otherwise."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "Enter the amount as a number, e.g. 2500.50."}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": "Enter the amount as a number, e.g. 2500.50."})
    amount = amount.quantize(PAISA, rounding=ROUND_HALF_UP)
    if amount <= 0:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if amount > MAX_PAYMENT:
        raise ValidationError(
            {"amount": f"The amount cannot be more than {money_display(MAX_PAYMENT)}."}
        )
    return amount


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _settle(invoice: Invoice, *, by: User | None, reference: str) -> None:
    """Set `invoice`'s amount paid and status from its recorded payments (its row is locked)."""
    paid = invoice.payments.filter(status=PaymentStatus.RECORDED).aggregate(s=Sum("amount"))["s"]
    paid = paid or Decimal("0.00")
    invoice.amount_paid = paid
    # Credit notes lower what is owed; refunds give paid money back (issue 24).
    owed = invoice.total - invoice.amount_credited
    kept = paid - invoice.amount_refunded
    if invoice.fully_credited and kept <= 0:
        invoice.status = InvoiceStatus.CREDITED
        invoice.paid_at, invoice.paid_by, invoice.payment_reference = None, None, ""
    elif paid > 0 and kept >= owed:
        if invoice.status != InvoiceStatus.PAID:
            invoice.paid_at, invoice.paid_by = timezone.now(), by
            invoice.payment_reference = reference
        invoice.status = InvoiceStatus.PAID
    else:
        invoice.status = InvoiceStatus.PARTIALLY_PAID if kept > 0 else InvoiceStatus.ISSUED
        invoice.paid_at, invoice.paid_by, invoice.payment_reference = None, None, ""
    # The PDF prints the status: forget the file in the same UPDATE (as _pdf_out_of_date
    # does); the next download renders it.
    invoice.pdf, invoice.pdf_rendered_at = "", None
    invoice.save(
        update_fields=[
            "amount_paid",
            "status",
            "paid_at",
            "paid_by",
            "payment_reference",
            "pdf",
            "pdf_rendered_at",
            "updated_at",
        ]
    )


@transaction.atomic
def invoice_payment_record(
    *,
    invoice: Invoice,
    amount: Decimal | str | int,
    method: str,
    reference: str,
    received_on: datetime.date,
    by: User | None = None,
) -> InvoicePayment:
    """Record money received against `invoice`; returns the payment.

    `amount` must be more than zero and not more than the balance due (a
    ValidationError naming the field says why not). A void or fully paid
    invoice raises InvoiceStateError. `received_on` cannot be in the future.
    `by` is who recorded it (None: the system, e.g. the payment gateway).

    Idempotent: the same method and non-empty reference with the same amount,
    recorded again on the same invoice (a gateway callback delivered twice, a
    double-clicked form), returns the first payment and changes nothing. The
    invoice row is locked first, so concurrent calls queue and see each other.
    """
    amount = payment_amount(amount)
    if method not in PaymentMethod.values:
        raise ValidationError({"method": f"Choose one of: {', '.join(PaymentMethod.values)}."})
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError({"reference": f"At most {REFERENCE_MAX_LENGTH} characters, please."})
    if not isinstance(received_on, datetime.date):
        raise ValidationError({"received_on": "Enter the date the money was received."})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The payment date cannot be in the future."})
    locked = _locked(invoice)
    if received_on < timezone.localdate(locked.order.created_at):
        raise ValidationError({"received_on": "The payment date is before the order was placed."})
    if reference:
        earlier = locked.payments.filter(
            method=method, reference=reference, status=PaymentStatus.RECORDED
        ).first()
        if earlier is not None:
            if earlier.amount == amount:
                return earlier  # the same payment again
            raise ValidationError(
                {
                    "reference": f"A {earlier.get_method_display()} with this reference is already "
                    f"recorded on {locked.number} for {money_display(earlier.amount)}."
                }
            )
    if locked.status not in OPEN_STATUSES:
        raise InvoiceStateError(
            f"Invoice {locked.number} is {locked.get_status_display().lower()}; "
            "nothing is due on it."
        )
    balance = locked.balance_due
    if amount > balance:
        raise ValidationError(
            {
                "amount": f"The balance due on {locked.number} is {money_display(balance)}; "
                f"{money_display(amount)} is more than that."
            }
        )
    payment = InvoicePayment.objects.create(
        invoice=locked,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference,
        recorded_by=by,
    )
    _settle(locked, by=by, reference=reference)
    invoice_payment_recorded.send(
        sender=InvoicePayment,
        payment_id=payment.pk,
        invoice_id=locked.pk,
        amount=str(amount),
        status=locked.status,
    )
    invoice.status, invoice.amount_paid = locked.status, locked.amount_paid
    return payment


def invoice_pay_in_full(
    *,
    invoice: Invoice,
    by: User | None,
    reference: str = "",
    method: str = PaymentMethod.BANK_TRANSFER,
    received_on: datetime.date | None = None,
) -> Invoice:
    """Record a payment of the whole balance due (the admin's "record full payment")."""
    with transaction.atomic():
        locked = _locked(invoice)
        if locked.status not in OPEN_STATUSES:
            raise InvoiceStateError(
                f"Invoice {locked.number} is {locked.get_status_display().lower()}; "
                "only an issued or partially paid invoice can take a payment."
            )
        invoice_payment_record(
            invoice=locked,
            amount=locked.balance_due,
            method=method,
            reference=reference,
            received_on=received_on or timezone.localdate(),
            by=by,
        )
        locked.refresh_from_db()
        return locked


@transaction.atomic
def invoice_payment_bounce(*, payment: InvoicePayment, by: User | None, reason: str) -> Invoice:
    """A cheque bounced: it stops counting, the invoice's status and balance go back.

    Only a recorded cheque can bounce. The buyer is told by e-mail (the
    `invoice_payment_bounced` signal; notifications.payment_notices), once.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the cheque bounced (e.g. insufficient funds)."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"At most {REASON_MAX_LENGTH} characters, please."})
    invoice = _locked(payment.invoice)
    locked = InvoicePayment.objects.select_for_update().get(pk=payment.pk)
    if locked.method != PaymentMethod.CHEQUE:
        raise InvoiceStateError("Only a cheque can bounce.")
    if locked.status != PaymentStatus.RECORDED:
        raise InvoiceStateError("This cheque is already marked bounced.")
    locked.status = PaymentStatus.BOUNCED
    locked.bounced_at, locked.bounced_by, locked.bounce_reason = timezone.now(), by, reason
    locked.save(update_fields=["status", "bounced_at", "bounced_by", "bounce_reason"])
    _settle(invoice, by=None, reference="")
    invoice_payment_bounced.send(sender=InvoicePayment, payment_id=locked.pk, invoice_id=invoice.pk)
    payment.status, payment.bounced_at = locked.status, locked.bounced_at
    return invoice
