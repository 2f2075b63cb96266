"""Inventory's handlers of other apps' signals: thin, each calls an inventory service."""

from django.dispatch import receiver

from orders.models import RETURNS_STOCK
from orders.signals import order_placed, order_status_changed

from . import services


@receiver(order_placed, dispatch_uid="inventory.take_stock_for_order")
def take_stock_for_order(sender, *, distributor_id, lines, reference, customer_id, **kwargs):
    """Take the order's units; InsufficientStock propagates and rolls the order back."""
    services.stock_take_for_order(
        distributor_id=distributor_id, lines=lines, reference=reference, by_id=customer_id
    )


@receiver(order_status_changed, dispatch_uid="inventory.return_stock_for_order")
def return_stock_for_order(
    sender, *, distributor_id, to_status, reference, changed_by_id, note, **kwargs
):
    """A rejected or cancelled order gives back what its sales took."""
    if to_status in RETURNS_STOCK:
        services.stock_return_for_order(
            distributor_id=distributor_id,
            reference=reference,
            by_id=changed_by_id,
            note=f"Order {to_status}" + (f": {note}" if note else ""),
        )
