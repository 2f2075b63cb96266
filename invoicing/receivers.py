"""Invoicing's receivers: a dispatched shipment is invoiced, in the dispatch's transaction."""

from django.dispatch import receiver

from orders.models import OrderStatus
from orders.signals import order_status_changed, orders_status_changed, shipment_dispatched

from . import services


@receiver(shipment_dispatched, dispatch_uid="invoicing.issue_on_dispatch")
def issue_invoice_on_dispatch(sender, shipment_id, shipment=None, lines=None, **kwargs):
    services.invoice_issue_for_shipment(shipment_id=shipment_id, dispatched=(shipment, lines))


@receiver(order_status_changed, dispatch_uid="invoicing.issue_missing_on_delivery")
def issue_missing_invoices_on_delivery(sender, order_id, to_status, **kwargs):
    """An order that shipped before invoices per shipment is invoiced when it is delivered."""
    if to_status == OrderStatus.DELIVERED:
        services.invoices_issue_missing(order_id=order_id)


@receiver(orders_status_changed, dispatch_uid="invoicing.issue_missing_on_delivery_batch")
def issue_missing_invoices_on_batch_delivery(sender, changes, to_status, **kwargs):
    """As issue_missing_invoices_on_delivery, for each order of a batch."""
    if to_status == OrderStatus.DELIVERED:
        services.invoices_issue_missing_for_orders(order_ids=[change[0] for change in changes])
