"""Loyalty listens to orders and credit notes: points earned on delivery, returned on
cancellation, taken back when goods come back or the price is lowered afterwards."""

from django.dispatch import receiver

from invoicing.signals import credit_note_issued
from orders.signals import order_status_changed, shipment_delivered

from . import services

RETURNS_POINTS = ("cancelled", "rejected")
# Credit notes that lower what the buyer paid for delivered goods. A "cancellation" credit
# note cancels an invoice to reissue it: the goods and their points stay.
CLAWS_BACK = ("return", "price")


@receiver(shipment_delivered, dispatch_uid="loyalty.earn_on_delivery")
def earn_on_delivery(sender, *, shipment_id, **kwargs):
    services.points_earn_for_shipment(shipment_id=shipment_id)


@receiver(order_status_changed, dispatch_uid="loyalty.return_on_cancel")
def return_on_cancel(sender, *, order_id, to_status, **kwargs):
    if to_status in RETURNS_POINTS:
        services.points_return_for_order(order_id=order_id)


@receiver(credit_note_issued, dispatch_uid="loyalty.clawback_on_credit_note")
def clawback_on_credit_note(sender, *, credit_note_id, kind, **kwargs):
    if kind in CLAWS_BACK:
        services.points_clawback_for_credit_note(credit_note_id=credit_note_id)
