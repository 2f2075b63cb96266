"""Procurement's handlers of other apps' signals: thin, each calls a procurement service."""

from django.dispatch import receiver

from inventory.signals import reorder_settings_changed, stock_available, stock_low

from . import monitoring


@receiver(stock_low, dispatch_uid="procurement.reorder_check")
def reorder_on_low_stock(sender, *, product_id, distributor_id, reference, **kwargs):
    """Re-evaluate the item inside the stock change's transaction (a request, or a reason)."""
    monitoring.item_evaluate(
        product_id=product_id, distributor_id=distributor_id, reference=reference
    )


@receiver(stock_available, dispatch_uid="procurement.evaluate_on_rise")
def evaluate_on_stock_rise(sender, *, product_id, distributor_id, reference, **kwargs):
    """A rise can end the need: the item's reason (if any) is cleared."""
    monitoring.item_evaluate(
        product_id=product_id, distributor_id=distributor_id, reference=reference
    )


@receiver(reorder_settings_changed, dispatch_uid="procurement.evaluate_on_settings")
def evaluate_on_reorder_settings(sender, *, product_id, distributor_id, **kwargs):
    """A raised reorder level opens a request in the same transaction."""
    monitoring.item_evaluate(
        product_id=product_id, distributor_id=distributor_id, reference="reorder-settings"
    )
