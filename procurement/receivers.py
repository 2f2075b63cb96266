"""Procurement's handlers of other apps' signals: thin, each calls a procurement service."""

from django.dispatch import receiver

from inventory.signals import stock_low

from . import services


@receiver(stock_low, dispatch_uid="procurement.reorder_check")
def reorder_on_low_stock(
    sender,
    *,
    product_id,
    distributor_id,
    on_hand,
    allocated,
    held,
    reorder_level,
    reference,
    **kwargs,
):
    """Open a procurement request unless one is open (inside the stock change's transaction)."""
    services.reorder_check(
        product_id=product_id,
        distributor_id=distributor_id,
        on_hand=on_hand,
        allocated=allocated,
        held=held,
        reorder_level=reorder_level,
        reference=reference,
    )
