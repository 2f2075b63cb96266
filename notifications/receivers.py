"""Notifications' receivers: other apps' events become messages; ESP events update them.

Thin: each calls a service of this app. The order receivers run inside the
sender's transaction, so what they queue commits or rolls back with it.
"""

from anymail.signals import tracking
from django.dispatch import receiver

from invoicing.signals import (
    invoice_issued,
    invoice_payment_bounced,
    invoice_payment_reminder_due,
    refund_recorded,
)
from orders.signals import (
    backorder_allocated,
    order_placed,
    order_status_changed,
    orders_status_changed,
)
from procurement.signals import (
    procurement_requested,
    purchase_order_answered,
    purchase_order_cancelled,
    purchase_order_closed_short,
    purchase_order_issued,
    purchase_order_proposal_decided,
    purchase_order_reminder_due,
)
from returns.signals import return_status_changed

from . import (
    distributor_notices,
    order_notices,
    payment_notices,
    procurement_notices,
    return_notices,
    services,
    supplier_notices,
)


@receiver(order_placed, dispatch_uid="notifications.order_placed_messages")
def queue_order_placed_messages(sender, order_id, distributor_id, **kwargs):
    """The customer's confirmation and the distributor members' "new order", in one pass."""
    order_notices.order_placed_messages_queue(order_id=order_id, distributor_id=distributor_id)


@receiver(backorder_allocated, dispatch_uid="notifications.backorder_allocated")
def queue_backorder_allocated(sender, order_id, product_id, quantity, still_backordered, **kwargs):
    """The buyer is told when stock came in for a backordered line."""
    order_notices.backorder_allocated_queue(
        order_id=order_id,
        product_id=product_id,
        quantity=quantity,
        still_backordered=still_backordered,
    )


@receiver(order_status_changed, dispatch_uid="notifications.order_status_update")
def queue_order_status_update(sender, order_id, to_status, note="", **kwargs):
    order_notices.order_status_update_queue(order_id=order_id, to_status=to_status, note=note)


@receiver(orders_status_changed, dispatch_uid="notifications.orders_status_update")
def queue_orders_status_update(sender, changes, to_status, note="", **kwargs):
    """A bulk move: every buyer is told, in one pass (a fixed number of queries)."""
    order_notices.order_status_updates_queue(
        order_ids=[change[0] for change in changes], to_status=to_status, note=note
    )


@receiver(orders_status_changed, dispatch_uid="notifications.orders_cancelled_by_buyer")
def queue_orders_cancelled_notice(sender, changes, to_status, changed_by_id=None, note="", **kw):
    """As queue_order_cancelled_notice, for each order of a batch (bulk moves never cancel)."""
    if to_status == "cancelled":
        for order_id, _, _, from_status in changes:
            if from_status in NOT_THE_DISTRIBUTORS_YET:
                continue
            distributor_notices.order_cancelled_by_buyer_queue(
                order_id=order_id, changed_by_id=changed_by_id, note=note
            )


# An order placed awaiting online payment is not the distributor's yet: its members hear of
# it when it is paid (or placed again after a late payment), and not of its release unpaid.
NOT_THE_DISTRIBUTORS_YET = ("awaiting_payment",)


@receiver(order_status_changed, dispatch_uid="notifications.order_received_once_paid")
def queue_order_received_once_paid(sender, order_id, distributor_id, from_status, to_status, **kw):
    """The distributor's "new order" for an order that is now placed after its payment."""
    if to_status == "placed" and from_status in (*NOT_THE_DISTRIBUTORS_YET, "cancelled"):
        order_notices.order_received_queue(order_id=order_id, distributor_id=distributor_id)


@receiver(order_status_changed, dispatch_uid="notifications.order_cancelled_by_buyer")
def queue_order_cancelled_notice(
    sender, order_id, to_status, from_status="", changed_by_id=None, note="", **kw
):
    """The distributor's members hear of an order someone else (the buyer) cancelled."""
    if to_status == "cancelled" and from_status not in NOT_THE_DISTRIBUTORS_YET:
        distributor_notices.order_cancelled_by_buyer_queue(
            order_id=order_id, changed_by_id=changed_by_id, note=note
        )


@receiver(backorder_allocated, dispatch_uid="notifications.backorder_ready")
def queue_backorder_ready(sender, order_id, product_id, quantity, still_backordered, **kwargs):
    """The distributor's members hear that backordered units can now be shipped."""
    distributor_notices.backorder_ready_queue(
        order_id=order_id,
        product_id=product_id,
        quantity=quantity,
        still_backordered=still_backordered,
    )


@receiver(invoice_issued, dispatch_uid="notifications.invoice")
def queue_invoice(sender, invoice_id, **kwargs):
    order_notices.invoice_messages_queue(invoice_id=invoice_id)


@receiver(invoice_payment_bounced, dispatch_uid="notifications.payment_bounced")
def queue_payment_bounced(sender, payment_id, **kwargs):
    payment_notices.payment_bounced_queue(payment_id=payment_id)


@receiver(refund_recorded, dispatch_uid="notifications.refund_recorded")
def queue_refund_recorded(sender, refund_id, **kwargs):
    payment_notices.refund_recorded_queue(refund_id=refund_id)


@receiver(invoice_payment_reminder_due, dispatch_uid="notifications.payment_reminder")
def queue_payment_reminder(sender, invoice_id, step, **kwargs):
    payment_notices.payment_reminder_queue(invoice_id=invoice_id, step=step)


@receiver(procurement_requested, dispatch_uid="notifications.procurement_request")
def queue_procurement_request(sender, request_id, **kwargs):
    procurement_notices.procurement_request_messages_queue(request_id=request_id)


@receiver(purchase_order_issued, dispatch_uid="notifications.purchase_order")
def queue_purchase_order(sender, purchase_order_id, **kwargs):
    procurement_notices.purchase_order_messages_queue(purchase_order_id=purchase_order_id)


@receiver(purchase_order_reminder_due, dispatch_uid="notifications.purchase_order_reminder")
def queue_purchase_order_reminder(sender, purchase_order_id, **kwargs):
    procurement_notices.purchase_order_messages_queue(
        purchase_order_id=purchase_order_id, reminder=True
    )


@receiver(purchase_order_answered, dispatch_uid="notifications.purchase_order_answered")
def queue_purchase_order_answered(sender, purchase_order_id, answer, **kwargs):
    procurement_notices.purchase_order_answered_queue(
        purchase_order_id=purchase_order_id, answer=answer
    )


@receiver(purchase_order_cancelled, dispatch_uid="notifications.purchase_order_cancelled")
def queue_purchase_order_cancelled(sender, purchase_order_id, supplier_was_told, **kwargs):
    if supplier_was_told:
        supplier_notices.purchase_order_notice_queue(
            purchase_order_id=purchase_order_id, notice="cancelled"
        )


@receiver(purchase_order_closed_short, dispatch_uid="notifications.purchase_order_closed_short")
def queue_purchase_order_closed_short(sender, purchase_order_id, **kwargs):
    supplier_notices.purchase_order_notice_queue(
        purchase_order_id=purchase_order_id, notice="closed_short"
    )


@receiver(purchase_order_proposal_decided, dispatch_uid="notifications.proposal_decided")
def queue_proposal_decided(sender, purchase_order_id, decision, note="", **kwargs):
    supplier_notices.purchase_order_notice_queue(
        purchase_order_id=purchase_order_id, notice=decision, note=note
    )


@receiver(tracking, dispatch_uid="notifications.tracking")
def record_tracking_event(sender, event, esp_name, **kwargs):
    services.message_track(
        provider_message_id=event.message_id or "",
        event_type=event.event_type,
        description=event.description or event.reject_reason or "",
    )


@receiver(return_status_changed, dispatch_uid="notifications.return_status")
def queue_return_status(sender, return_id, to_status, note="", **kwargs):
    """Returns (#17): the buyer at each step; the distributor's members of a new request."""
    return_notices.return_status_notices_queue(return_id=return_id, to_status=to_status, note=note)


# --- Transfers (#23): notifications.transfer_notices ------------------------------

from transfers.signals import (  # noqa: E402
    transfer_reminder_due,
    transfer_requested,
    transfer_shipped,
)

from . import transfer_notices  # noqa: E402


@receiver(transfer_requested, dispatch_uid="notifications.transfer_requested")
def queue_transfer_requested(sender, transfer_id, **kwargs):
    transfer_notices.transfer_requested_queue(transfer_id=transfer_id)


@receiver(transfer_reminder_due, dispatch_uid="notifications.transfer_reminder")
def queue_transfer_reminder(sender, transfer_id, **kwargs):
    transfer_notices.transfer_requested_queue(transfer_id=transfer_id, reminder=True)


@receiver(transfer_shipped, dispatch_uid="notifications.transfer_shipped")
def queue_transfer_shipped(sender, transfer_id, **kwargs):
    transfer_notices.transfer_shipped_queue(transfer_id=transfer_id)
