"""Refunds (issue 24 §3): paying back what a buyer is owed on an invoice after a credit note.

What may be refunded is the invoice's credit owed: what was paid beyond what
is now owed (paid - refunded - (total - credited)), less refunds still
pending at the gateway. Two ways:

- **By hand** (bank transfer, cheque, UPI, cash, with a reference): recorded
  at once, up to that amount.
- **Through the gateway** when the money came that way (an online payment
  put against this invoice): at most what that payment paid on it, less its
  earlier refunds. Three steps so that no transaction waits on the provider
  and a lost answer makes no second refund: (1) the Refund row is created
  `pending` with its idempotency key and committed; (2) the SDK's refund call
  is made with that key (the X-Refund-Idempotency header and the receipt);
  (3) the provider's refund id is saved and the refund counts. A call that
  fails or whose answer is lost leaves it pending; `refund_retry` (the form
  again, the sweep) calls again with the same key, and the provider answers
  with the refund it already made: one refund, counted once.

A refund counts in `Invoice.amount_refunded` (the invoice row locked) and the
invoice's status follows (invoicing.receipts._settle).
"""

import datetime
import logging
import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from auromart.formatting import money_display

from .models import (
    CreditNote,
    Invoice,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundMethod,
    RefundStatus,
)
from .receipts import REFERENCE_MAX_LENGTH, payment_amount
from .signals import refund_recorded

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
KEY_MAX_LENGTH = Refund._meta.get_field("idempotency_key").max_length


class RefundPending(Exception):
    """The gateway did not confirm the refund yet; it stays pending and is retried."""

    def __init__(self, refund: Refund, message: str):
        super().__init__(message)
        self.refund = refund


def new_idempotency_key() -> str:
    """A key for one refund the user means to make (the form carries it: a double submit
    or a retry is the same refund)."""
    return f"rf_{secrets.token_hex(12)}"


def refundable(invoice: Invoice) -> Decimal:
    """What may still be refunded on `invoice`: its credit owed less pending refunds."""
    pending = invoice.refunds.filter(status=RefundStatus.PENDING).aggregate(s=Sum("amount"))["s"]
    return max(invoice.credit_owed - (pending or ZERO), ZERO)


def online_payments(invoice: Invoice) -> list[dict]:
    """The online payments put against `invoice` that can take a refund: dicts of
    payment (payments.Payment), paid (on this invoice), left (not refunded yet)."""
    from payments.models import Payment
    from payments.models import PaymentStatus as OnlineStatus

    paid_here = {
        row["reference"]: row["amount"]
        for row in invoice.payments.filter(
            method=PaymentMethod.ONLINE, status=PaymentStatus.RECORDED
        )
        .exclude(reference="")
        .values("reference")
        .annotate(amount=Sum("amount"))
    }
    if not paid_here:
        return []
    refunded = {
        row["online_payment_id"]: row["amount"]
        for row in invoice.refunds.filter(method=RefundMethod.GATEWAY)
        .values("online_payment_id")
        .annotate(amount=Sum("amount"))
    }
    found = []
    for payment in Payment.objects.filter(
        provider_payment_id__in=paid_here, status=OnlineStatus.PAID
    ).order_by("pk"):
        paid = paid_here[payment.provider_payment_id]
        found.append(
            {"payment": payment, "paid": paid, "left": paid - refunded.get(payment.pk, ZERO)}
        )
    return found


def _count(refund: Refund) -> None:
    """The refund is done: add it to its invoice (row locked) and let the status follow."""
    from .receipts import _settle

    invoice = Invoice.objects.select_for_update().get(pk=refund.invoice_id)
    invoice.amount_refunded = (
        invoice.refunds.filter(status=RefundStatus.DONE).aggregate(s=Sum("amount"))["s"] or ZERO
    )
    invoice.save(update_fields=["amount_refunded", "updated_at"])
    _settle(invoice, by=None, reference="")
    refund_recorded.send(
        sender=Refund,
        refund_id=refund.pk,
        invoice_id=invoice.pk,
        amount=str(refund.amount),
        method=refund.method,
    )


def _validated(
    *, invoice: Invoice, amount, method: str, reference: str, refunded_on, credit_note
) -> tuple:
    amount = payment_amount(amount)
    if method not in RefundMethod.values:
        raise ValidationError({"method": f"Choose one of: {', '.join(RefundMethod.values)}."})
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError({"reference": f"At most {REFERENCE_MAX_LENGTH} characters, please."})
    if method not in (RefundMethod.GATEWAY, RefundMethod.CASH) and not reference:
        raise ValidationError({"reference": "Give the transfer's or cheque's reference."})
    today = timezone.localdate()
    refunded_on = refunded_on or today
    if not isinstance(refunded_on, datetime.date) or refunded_on > today:
        raise ValidationError({"refunded_on": "The refund date cannot be in the future."})
    if refunded_on < invoice.issue_date:
        raise ValidationError({"refunded_on": "The refund date is before the invoice."})
    if credit_note is not None and credit_note.invoice_id != invoice.pk:
        raise ValidationError({"credit_note": "That credit note is not on this invoice."})
    return amount, reference, refunded_on


@transaction.atomic
def refund_record(
    *,
    invoice: Invoice,
    by: User | None,
    amount,
    method: str,
    reference: str = "",
    refunded_on: datetime.date | None = None,
    credit_note: CreditNote | None = None,
    idempotency_key: str = "",
) -> Refund:
    """Record a refund paid by hand (bank transfer, cheque, UPI, cash); returns it.

    At most `refundable(invoice)`; ValidationError naming the field otherwise.
    The same `idempotency_key` again (a double-submitted form) returns the
    first refund and changes nothing.
    """
    if method == RefundMethod.GATEWAY:
        raise ValidationError({"method": "A gateway refund goes through refund_through_gateway."})
    amount, reference, refunded_on = _validated(
        invoice=invoice,
        amount=amount,
        method=method,
        reference=reference,
        refunded_on=refunded_on,
        credit_note=credit_note,
    )
    key = (idempotency_key or "").strip()[:KEY_MAX_LENGTH] or new_idempotency_key()
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    earlier = Refund.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        return earlier
    _check_bound(locked, amount)
    refund = Refund.objects.create(
        invoice=locked,
        credit_note=credit_note,
        amount=amount,
        method=method,
        status=RefundStatus.DONE,
        reference=reference,
        idempotency_key=key,
        refunded_on=refunded_on,
        created_by=by,
    )
    _count(refund)
    return refund


def _check_bound(locked: Invoice, amount) -> None:
    left = refundable(locked)
    if amount > left:
        raise ValidationError(
            {
                "amount": f"{money_display(left)} can be refunded on {locked.number}; "
                f"{money_display(amount)} is more."
            }
        )


def refund_through_gateway(
    *,
    invoice: Invoice,
    by: User | None,
    amount,
    credit_note: CreditNote | None = None,
    idempotency_key: str = "",
) -> Refund:
    """Refund `amount` of the invoice's online payment back through the gateway; returns it.

    ValidationError when nothing was paid online or the amount is more than is
    refundable (overall, and on that payment). RefundPending (the refund kept,
    pending) when the provider does not confirm it; `refund_retry` finishes it.
    The same `idempotency_key` again returns that refund (retrying it if pending).
    Call it outside a transaction (a view, the API, a task): the pending row
    commits before the provider is asked, so a lost answer leaves a row to retry.
    """
    key = (idempotency_key or "").strip()[:KEY_MAX_LENGTH] or new_idempotency_key()
    earlier = Refund.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        return refund_retry(refund=earlier)
    amount, _, refunded_on = _validated(
        invoice=invoice,
        amount=amount,
        method=RefundMethod.GATEWAY,
        reference="",
        refunded_on=None,
        credit_note=credit_note,
    )
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        _check_bound(locked, amount)
        candidates = [row for row in online_payments(locked) if row["left"] > 0]
        if not candidates:
            raise ValidationError({"method": f"Nothing on {locked.number} was paid online."})
        row = max(candidates, key=lambda r: r["left"])
        if amount > row["left"]:
            raise ValidationError(
                {
                    "amount": f"The online payment can give back {money_display(row['left'])}; "
                    f"{money_display(amount)} is more. Refund the rest by hand."
                }
            )
        refund = Refund.objects.create(
            invoice=locked,
            credit_note=credit_note,
            online_payment=row["payment"],
            amount=amount,
            method=RefundMethod.GATEWAY,
            status=RefundStatus.PENDING,
            idempotency_key=key,
            refunded_on=refunded_on,
            created_by=by,
        )
    return refund_retry(refund=refund)


def refund_retry(*, refund: Refund) -> Refund:
    """Ask the gateway (again) for a pending refund, with its idempotency key; returns it.

    Done already: returned as it is. RefundPending when the provider still does not answer.
    """
    from payments.gateway import GatewayError, gateway

    if refund.status == RefundStatus.DONE:
        return refund
    payment = refund.online_payment
    try:
        provider_refund_id = gateway().refund_create(
            provider_payment_id=payment.provider_payment_id,
            amount_paise=int(refund.amount * 100),
            receipt=refund.idempotency_key,
            idempotency_key=refund.idempotency_key,
        )
    except GatewayError as exc:
        raise RefundPending(refund, f"The gateway did not confirm the refund: {exc}") from exc
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status == RefundStatus.DONE:
            return locked  # another retry finished it meanwhile
        locked.provider_refund_id = provider_refund_id
        locked.reference = provider_refund_id[:REFERENCE_MAX_LENGTH]
        locked.status = RefundStatus.DONE
        locked.save(update_fields=["provider_refund_id", "reference", "status"])
        _count(locked)
    return locked


def refunds_retry_pending() -> int:
    """Retry gateway refunds still pending (the sweep); returns how many finished."""
    done = 0
    for refund in Refund.objects.filter(status=RefundStatus.PENDING).select_related(
        "online_payment"
    )[:100]:
        try:
            refund_retry(refund=refund)
            done += 1
        except RefundPending:
            logger.warning("Refund %s still pending at the gateway", refund.pk)
    return done
