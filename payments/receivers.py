"""Payments' receivers: an issued invoice takes the online payment already made for its order."""

from django.dispatch import receiver

from invoicing.signals import invoice_issued

from . import services


@receiver(invoice_issued, dispatch_uid="payments.apply_to_issued_invoice")
def apply_payment_to_issued_invoice(sender, invoice_id, order_id=None, **kwargs):
    services.payment_apply_to_invoice(invoice_id=invoice_id, order_id=order_id)
