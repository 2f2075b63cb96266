"""Loyalty listens to orders: points earned on delivery, returned on cancellation."""

from django.dispatch import receiver

from orders.signals import order_status_changed, shipment_delivered

from . import services

RETURNS_POINTS = ("cancelled", "rejected")


@receiver(shipment_delivered, dispatch_uid="loyalty.earn_on_delivery")
def earn_on_delivery(sender, *, shipment_id, **kwargs):
    services.points_earn_for_shipment(shipment_id=shipment_id)


@receiver(order_status_changed, dispatch_uid="loyalty.return_on_cancel")
def return_on_cancel(sender, *, order_id, to_status, **kwargs):
    if to_status in RETURNS_POINTS:
        services.points_return_for_order(order_id=order_id)
