"""Correcting an invoice (issue 24 §4): credit it in full, then invoice the shipment again.

Nothing is edited in place. The old invoice keeps its number, its lines and
its credit notes; a fully credited (or void) invoice is no longer its
shipment's current one (`current_for_shipment` cleared), so the shipment can
be invoiced again, with the seller's next number and today's snapshot of the
parties, at the order lines' prices and rates. The new invoice names the one
it replaces (`replaces`); `shipment.invoice` is the new one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from orders.models import Order

from .models import Invoice, InvoiceStatus
from .services import invoice_issue_for_shipment


def may_reissue(invoice: Invoice) -> bool:
    """Whether `invoice` can be replaced by a new one (as loaded; the service checks locked)."""
    return (
        invoice.shipment_id is not None
        and invoice.current_for_shipment_id is None
        and (invoice.fully_credited or invoice.status == InvoiceStatus.VOID)
        and not invoice.replaced_by.exists()
    )


@transaction.atomic
def invoice_reissue(*, invoice: Invoice, by: User | None) -> Invoice:
    """Issue a new invoice for the shipment of a fully credited or void `invoice`; returns it.

    ValidationError when the invoice is not fully credited (or void), has no
    shipment, or the shipment already has a current invoice (a reissue done).
    The order's row is locked first, as at dispatch.
    """
    if invoice.shipment_id is None:
        raise ValidationError({"invoice": f"{invoice.number} was not issued for a shipment."})
    Order.objects.select_for_update().get(pk=invoice.order_id)
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not (locked.fully_credited or locked.status == InvoiceStatus.VOID):
        raise ValidationError(
            {"invoice": f"Credit {locked.number} in full before invoicing its shipment again."}
        )
    if Invoice.objects.filter(current_for_shipment_id=locked.shipment_id).exists():
        raise ValidationError({"invoice": "The shipment already has a current invoice."})
    if locked.replaced_by.exists():
        raise ValidationError({"invoice": f"{locked.number} was already reissued."})
    new = invoice_issue_for_shipment(shipment_id=locked.shipment_id, replaces=locked)
    if new is None:  # pragma: no cover - guarded above, under the locks
        raise ValidationError({"invoice": "The shipment already has a current invoice."})
    return new
