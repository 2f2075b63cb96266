"""Which invoice lines a received return credits, and the call that credits them.

Units of an order line may have left on several shipments, each with its own
invoice. A return's units are matched to shipments oldest first, after the
units earlier received returns already took: the credit goes against the
invoice of the shipment those units went out on.
"""

from collections import defaultdict
from collections.abc import Mapping

from django.db.models import Sum

from accounts.models import User
from orders.models import ShipmentLine, ShipmentStatus

from .models import DONE_STATUSES, ReturnLine, ReturnRequest


def invoice_lines_for_receipt(
    request: ReturnRequest, *, received: Mapping[int, int]
) -> dict[int, dict[int, int]]:
    """{invoice id: {invoice line id: units}} for `received` ({order item id: units}).

    Three queries. A shipment without an invoice line for the product (an old
    migrated shipment never invoiced, a void invoice) credits nothing: its
    units are left out.
    """
    from invoicing.models import InvoiceLine, InvoiceStatus

    received = {item: qty for item, qty in received.items() if qty > 0}
    if not received:
        return {}
    earlier = dict(
        ReturnLine.objects.filter(order_item_id__in=received, request__status__in=DONE_STATUSES)
        .exclude(request=request)
        .values("order_item_id")
        .annotate(n=Sum("quantity_restocked") + Sum("quantity_damaged"))
        .values_list("order_item_id", "n")
    )
    shipped = list(
        ShipmentLine.objects.filter(
            order_item_id__in=received, shipment__status=ShipmentStatus.DELIVERED
        )
        .select_related("order_item")
        .order_by("shipment__sequence", "pk")
        .values_list("order_item_id", "order_item__product_id", "shipment_id", "quantity")
    )
    invoice_lines = {
        (line.invoice.shipment_id, line.product_id): line
        for line in InvoiceLine.objects.filter(
            invoice__shipment_id__in={row[2] for row in shipped},
            product_id__in={row[1] for row in shipped},
        )
        .exclude(invoice__status=InvoiceStatus.VOID)
        .select_related("invoice")
    }
    result: dict[int, dict[int, int]] = defaultdict(dict)
    skip = defaultdict(int, earlier)
    left = dict(received)
    for item_id, product_id, shipment_id, quantity in shipped:
        taken = min(skip[item_id], quantity)
        skip[item_id] -= taken
        units = min(quantity - taken, left[item_id])
        if units <= 0:
            continue
        left[item_id] -= units
        line = invoice_lines.get((shipment_id, product_id))
        if line is not None:
            result[line.invoice_id][line.pk] = result[line.invoice_id].get(line.pk, 0) + units
    return dict(result)


def _credit_for_receipt(
    request: ReturnRequest, *, received: Mapping[int, int], by: User | None
) -> list:
    """Credit the received units against the invoices they were billed on; inside the
    receipt's transaction.

    TODO(merger): the credit-note core (invoicing/credit_notes.py, helper
    "creditnotes") is not merged yet. Once it is, for each invoice of
    invoice_lines_for_receipt call
        credit_note_issue(invoice=invoice, by=by, kind="return", lines=lines,
                          reason=f"Return {request.number}", reference=request.stock_reference)
    and return the credit notes. Until then nothing is credited (no fake credit note).
    """
    invoice_lines_for_receipt(request, received=received)
    return []
