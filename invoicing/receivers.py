"""Invoicing's receivers: a delivered order is invoiced, in the delivery's transaction."""

from django.dispatch import receiver

from orders.models import OrderStatus
from orders.signals import order_status_changed

from . import services


@receiver(order_status_changed, dispatch_uid="invoicing.issue_on_delivery")
def issue_invoice_on_delivery(sender, order_id, to_status, **kwargs):
    if to_status == OrderStatus.DELIVERED:
        services.invoice_issue_for_order(order_id=order_id)
