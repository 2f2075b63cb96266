"""Online payments: start one, learn its outcome from the provider, refund, release.

Trust (docs/architecture.md, "Online payment"): a payment's state changes only
in `payment_confirm`, after a server-side fetch from the provider, reached
from a webhook whose signature the SDK verified (`webhook_receive`) or from
the buyer's return (which only triggers the fetch). An unknown or tampered
payment raises PaymentRejected (HTTP 400) and changes nothing; an amount that
differs from ours flags the payment for staff.
"""

import datetime
import json
import logging
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from inventory.exceptions import InsufficientStock
from invoicing.models import Invoice, InvoiceStatus, PaymentMethod
from invoicing.receipts import invoice_payment_record
from notifications.services import user_notify
from orders.exceptions import IllegalTransition, OrderNotReinstated
from orders.models import Order, OrderStatus
from orders.payment_states import (
    order_payment_expire,
    order_payment_received,
    order_reinstate_after_payment,
    was_released_unpaid,
)

from .gateway import BadSignature, GatewayError, gateway
from .models import Payment, PaymentStatus, WebhookEvent
from .signals import payment_confirmed

logger = logging.getLogger(__name__)

PAID_STATES = ("captured", "authorized")
FAILED_STATES = ("failed",)


class PaymentRejected(Exception):
    """A webhook or confirmation that must change nothing (HTTP 400)."""


class NothingToPay(Exception):
    """The order or invoice owes nothing online (HTTP 409)."""


def may_pay(user: User, *, customer_id: int, buyer_organization_id: int | None) -> bool:
    if buyer_organization_id is not None:
        return user.role == Role.RETAILER and user.organization_id == buyer_organization_id
    return user.pk == customer_id


def _open_payment(**lookup) -> Payment | None:
    return Payment.objects.filter(status=PaymentStatus.CREATED, **lookup).first()


def _create(*, amount: Decimal, receipt: str, by: User, **fields) -> Payment:
    gw = gateway()
    amount = amount.quantize(Decimal("0.01"))
    provider_order_id = gw.order_create(
        amount_paise=int(amount * 100), receipt=receipt, notes={"receipt": receipt}
    )
    return Payment.objects.create(
        amount=amount, gateway=gw.name, provider_order_id=provider_order_id, payer=by, **fields
    )


def payment_start_for_order(*, order: Order, by: User) -> Payment:
    """Start (or resume) paying an order awaiting payment; returns the Payment.

    PermissionDenied unless `by` is its buyer; NothingToPay unless it awaits
    payment. An attempt already started and not finished is returned again,
    so a reload does not open a second provider order. GatewayError when the
    provider does not answer.
    """
    if not may_pay(
        by, customer_id=order.customer_id, buyer_organization_id=order.buyer_organization_id
    ):
        raise PermissionDenied("Only the buyer can pay this order.")
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise NothingToPay(f"Order {order.number} is not awaiting payment.")
    if (payment := _open_payment(order=order)) is not None:
        return payment
    return _create(
        amount=order.total,
        receipt=order.number,
        by=by,
        order=order,
        distributor_id=order.distributor_id,
        buyer_organization_id=order.buyer_organization_id,
    )


def payment_start_for_invoice(*, invoice: Invoice, by: User) -> Payment:
    """Start paying an invoice's balance due ("Pay now"); returns the Payment."""
    if not may_pay(
        by, customer_id=invoice.customer_id, buyer_organization_id=invoice.buyer_organization_id
    ):
        raise PermissionDenied("Only the buyer can pay this invoice.")
    balance = invoice.balance_due
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID) or balance <= 0:
        raise NothingToPay(f"Nothing is due on invoice {invoice.number}.")
    if (payment := _open_payment(invoice=invoice, amount=balance)) is not None:
        return payment
    return _create(
        amount=balance,
        receipt=invoice.number,
        by=by,
        invoice=invoice,
        distributor_id=invoice.distributor_id,
        buyer_organization_id=invoice.buyer_organization_id,
    )


# --- What the provider says ---------------------------------------------------------


def webhook_receive(*, body: bytes, signature: str, event_id: str = "") -> Payment | None:
    """A provider webhook: verify it, record it once, and confirm its payment.

    BadSignature or an unknown payment -> PaymentRejected (nothing written).
    The same event id again returns None and changes nothing (the unique
    WebhookEvent.event_id, so concurrent replays too). Events without a
    payment entity are acknowledged and ignored.
    """
    try:
        gateway().webhook_verify(body, signature)
    except BadSignature as exc:
        raise PaymentRejected(str(exc)) from None
    try:
        event = json.loads(body)
        entity = event["payload"]["payment"]["entity"]
        provider_payment_id = str(entity["id"])
        provider_order_id = str(entity.get("order_id") or "")
    except (ValueError, KeyError, TypeError):
        raise PaymentRejected("The webhook holds no payment.") from None
    event_id = (event_id or "").strip()[:100] or f"{event.get('event')}:{provider_payment_id}"
    if WebhookEvent.objects.filter(event_id=event_id).exists():
        return None  # a replay: handled the first time (the unique key below covers a race)
    fetched = _fetch(provider_payment_id)  # outside the transaction: no connection held open
    try:
        with transaction.atomic():
            payment = _apply_fetched(
                fetched,
                provider_payment_id=provider_payment_id,
                provider_order_id=provider_order_id,
            )
            WebhookEvent.objects.create(
                event_id=event_id, event=str(event.get("event", ""))[:60], payment=payment
            )
    except IntegrityError:
        if WebhookEvent.objects.filter(event_id=event_id).exists():
            return None  # a replay: handled the first time
        raise
    return payment


def payment_confirm(*, provider_payment_id: str, provider_order_id: str = "") -> Payment:
    """Fetch the payment from the provider and apply what it says; returns our Payment.

    The one place a payment's state changes. PaymentRejected when the
    provider does not know the payment, or it belongs to no payment of ours
    (or to another than `provider_order_id` claims). Applying the same state
    again changes nothing. The fetch runs before the transaction opens, so a
    slow provider holds no database connection in a transaction and no lock;
    what it says is applied under the payment's row lock.
    """
    fetched = _fetch(provider_payment_id)
    with transaction.atomic():
        return _apply_fetched(
            fetched, provider_payment_id=provider_payment_id, provider_order_id=provider_order_id
        )


def _fetch(provider_payment_id: str) -> dict:
    try:
        return gateway().payment_fetch(provider_payment_id)
    except GatewayError as exc:
        raise PaymentRejected(f"The provider does not confirm this payment: {exc}") from None


def _apply_fetched(fetched: dict, *, provider_payment_id: str, provider_order_id: str) -> Payment:
    fetched_order_id = str(fetched.get("order_id") or "")
    if provider_order_id and fetched_order_id != provider_order_id:
        raise PaymentRejected("The payment does not belong to the order it names.")
    payment = Payment.objects.select_for_update().filter(provider_order_id=fetched_order_id).first()
    if payment is None:
        raise PaymentRejected("No payment of ours has this provider order.")
    state = str(fetched.get("status", ""))
    if payment.status != PaymentStatus.CREATED and payment.status != PaymentStatus.FAILED:
        if payment.provider_payment_id not in (None, provider_payment_id) and state in PAID_STATES:
            # A second successful payment for one of our orders: staff refund it by hand.
            logger.error("Second payment %s for %s", provider_payment_id, payment)
        return payment  # already settled: a replay or the return after the webhook
    if state in FAILED_STATES:
        payment.status = PaymentStatus.FAILED
        payment.save(update_fields=["status", "updated_at"])
        return payment
    if state not in PAID_STATES:
        return payment  # created/pending at the provider: wait for the webhook
    received = (Decimal(int(fetched.get("amount", 0))) / 100).quantize(Decimal("0.01"))
    payment.provider_payment_id = provider_payment_id
    payment.amount_received = received
    payment.paid_at = timezone.now()
    if received != payment.amount or str(fetched.get("currency", "INR")) != payment.currency:
        payment.status = PaymentStatus.FLAGGED
        payment.flag_reason = (
            f"The provider received {received} {fetched.get('currency', '')}; "
            f"we asked for {payment.amount} {payment.currency}."
        )
        payment.save()
        logger.error("Payment %s flagged: %s", payment.pk, payment.flag_reason)
        return payment
    payment.status = PaymentStatus.PAID
    payment.save()
    if payment.invoice_id:
        _apply_to_invoice(payment, payment.invoice)
    else:
        _order_paid(payment)
    payment_confirmed.send(
        sender=Payment,
        payment_id=payment.pk,
        order_id=payment.order_id,
        invoice_id=payment.invoice_id,
        amount=str(payment.amount),
    )
    return payment


def _order_paid(payment: Payment) -> None:
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if order.status == OrderStatus.AWAITING_PAYMENT:
        order_payment_received(order=order)
        return
    if not was_released_unpaid(order):
        return  # placed another way meanwhile; the payment waits for its invoices
    reason = ""
    try:
        with transaction.atomic():
            order_reinstate_after_payment(order=order)
    except InsufficientStock:
        reason = "stock"
    except OrderNotReinstated as exc:
        reason = exc.reason
    if reason:
        payment.status = PaymentStatus.REFUNDING
        payment.save(update_fields=["status", "updated_at"])
        transaction.on_commit(partial(_refund_after_commit, payment_id=payment.pk))
    _tell_buyer_late(payment, order, "refunded" if reason else "reallocated", reason)


def _tell_buyer_late(payment: Payment, order: Order, outcome: str, reason: str = "") -> None:
    user_notify(
        user=order.customer,
        event="order_status",
        template="payment_late",
        context={
            "recipient_name": order.customer.get_short_name(),
            "order": order,
            "payment": payment,
            "outcome": outcome,
            "refund_reason": reason,
        },
        dedup_key=f"payment_late:{payment.pk}",
        link=reverse("payments:detail", args=[payment.pk]),
    )


def _apply_to_invoice(payment: Payment, invoice: Invoice) -> Decimal:
    """Put what is left of `payment` against `invoice` (up to its balance); returns that."""
    left = payment.amount - payment.amount_applied
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    amount = min(left, invoice.balance_due)
    if amount <= 0:
        return Decimal("0")
    invoice_payment_record(
        invoice=invoice,
        amount=amount,
        method=PaymentMethod.ONLINE,
        reference=payment.provider_payment_id,
        received_on=timezone.localdate(payment.paid_at),
        by=None,
    )
    payment.amount_applied += amount
    payment.save(update_fields=["amount_applied", "updated_at"])
    return amount


def payment_apply_to_invoice(*, invoice_id: int, order_id: int | None = None) -> None:
    """An invoice was issued: the paid online payments of its order go against it.

    With `order_id` (the invoice's order, as `invoice_issued` tells it), an
    order with nothing paid online left to apply, as most are (paid against
    the invoice), costs one query: the invoice is not read.
    """
    if order_id is not None and not _paid_online_unapplied(order_id).exists():
        return
    _apply_paid_online(invoice_id)


def _paid_online_unapplied(order_id: int):
    return Payment.objects.filter(
        order_id=order_id, status=PaymentStatus.PAID, amount_applied__lt=F("amount")
    )


@transaction.atomic
def _apply_paid_online(invoice_id: int) -> None:
    invoice = Invoice.objects.get(pk=invoice_id)
    payments = Payment.objects.select_for_update().filter(
        order_id=invoice.order_id, status=PaymentStatus.PAID
    )
    for payment in payments.order_by("pk"):
        if payment.amount_applied < payment.amount:
            _apply_to_invoice(payment, invoice)


# --- Refunds and the sweep ------------------------------------------------------------


def _refund_after_commit(*, payment_id: int) -> None:
    try:
        payment_refund_by_id(payment_id=payment_id)
    except GatewayError:
        logger.warning("Refund of payment %s failed; the sweep retries it", payment_id)


def payments_refund_pending() -> int:
    """Retry refunds the provider did not take yet (the sweep); returns how many succeeded."""
    done = 0
    for payment_id in Payment.objects.filter(status=PaymentStatus.REFUNDING).values_list(
        "pk", flat=True
    )[:100]:
        try:
            payment_refund_by_id(payment_id=payment_id)
            done += 1
        except GatewayError:
            logger.warning("Refund of payment %s failed again", payment_id)
    return done


def payment_refund_by_id(*, payment_id: int) -> Payment:
    return payment_refund(payment=Payment.objects.get(pk=payment_id))


def payment_refund(*, payment: Payment) -> Payment:
    """Refund a payment in full through the provider, once.

    Idempotent: a payment already refunded is returned as it is; before
    creating a refund the provider is asked for one already made for it (a
    retry after a crash between its answer and our save finds it).
    GatewayError leaves it `refunding` for a retry.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.refund_id:
            return locked
        if locked.status not in (PaymentStatus.REFUNDING, PaymentStatus.PAID):
            raise ValidationError(
                {"status": f"A {locked.get_status_display()} payment is not refunded."}
            )
        gw = gateway()
        refund_id = gw.refund_find(locked.provider_payment_id) or gw.refund_create(
            provider_payment_id=locked.provider_payment_id,
            amount_paise=locked.amount_paise,
            receipt=f"refund-{locked.pk}",
        )
        locked.refund_id = refund_id
        locked.status = PaymentStatus.REFUNDED
        locked.refunded_at = timezone.now()
        locked.save(update_fields=["refund_id", "status", "refunded_at", "updated_at"])
        return locked


def payments_release_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Release orders still awaiting payment after PAYMENT_TIMEOUT_MINUTES; returns how many.

    Each through the order's cancellation (orders.payment_states), one order
    per transaction; an order paid meanwhile is left alone (checked under its lock).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(minutes=settings.PAYMENT_TIMEOUT_MINUTES)
    ids = list(
        Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    released = 0
    for order_id in ids:
        try:
            order_payment_expire(order=Order(pk=order_id))
            released += 1
        except IllegalTransition:  # paid or cancelled meanwhile
            logger.info("Order %s no longer awaits payment", order_id)
    return released
