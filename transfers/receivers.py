"""Transfers' handlers of other apps' signals: thin, each calls a transfers service."""

from django.dispatch import receiver

from procurement.signals import purchase_order_cancelled, purchase_order_issued

from . import po_routing


@receiver(purchase_order_issued, dispatch_uid="transfers.request_from_purchase_order")
def request_transfer_for_purchase_order(sender, *, purchase_order_id, **kwargs):
    """A PO to a distributor becomes that distributor's incoming transfer request."""
    po_routing.transfer_for_purchase_order(purchase_order_id=purchase_order_id)


@receiver(purchase_order_cancelled, dispatch_uid="transfers.cancel_with_purchase_order")
def cancel_transfer_with_purchase_order(sender, *, purchase_order_id, **kwargs):
    po_routing.transfer_cancel_for_purchase_order(purchase_order_id=purchase_order_id)
