"""Which invoice lines a received return credits, and the credit notes that credit them.

Units of an order line may have left on several shipments, each with its own
current invoice. A return's units are matched to shipments oldest first, each
taking what its invoice line still has to credit (what earlier returns and
credit notes left on it): the credit goes against the invoice of the shipment
those units went out on.
"""

from collections import defaultdict
from collections.abc import Mapping

from accounts.models import User
from orders.models import ShipmentLine, ShipmentStatus

from .models import ReturnRequest


def invoice_lines_for_receipt(*, received: Mapping[int, int]) -> dict[int, dict[int, int]]:
    """{invoice id: {invoice line id: units}} for `received` ({order item id: units}).

    Locks the shipments' current invoices (pk order) before reading what they
    still have to credit, so a concurrent credit note cannot change it under
    us. Units beyond what the invoices can take (a shipment from before
    invoices, a fully credited invoice not reissued) are credited nowhere.
    """
    from invoicing.credit_notes import lines_remaining
    from invoicing.models import Invoice, InvoiceStatus

    received = {item: qty for item, qty in received.items() if qty > 0}
    if not received:
        return {}
    shipped = list(
        ShipmentLine.objects.filter(
            order_item_id__in=received, shipment__status=ShipmentStatus.DELIVERED
        )
        .order_by("shipment__sequence", "pk")
        .values_list("order_item_id", "order_item__product_id", "shipment_id")
    )
    invoices = list(
        Invoice.objects.select_for_update()
        .filter(current_for_shipment_id__in={row[2] for row in shipped})
        .exclude(status=InvoiceStatus.VOID)
        .order_by("pk")
    )
    remaining = {}  # (shipment id, product id) -> [invoice id, line id, units left]
    for invoice in invoices:
        for line_id, left in lines_remaining(invoice).items():
            key = (invoice.current_for_shipment_id, left.line.product_id)
            remaining[key] = [invoice.pk, line_id, left.quantity]
    result: dict[int, dict[int, int]] = defaultdict(dict)
    left = dict(received)
    for item_id, product_id, shipment_id in shipped:
        slot = remaining.get((shipment_id, product_id))
        units = min(slot[2], left[item_id]) if slot else 0
        if units <= 0:
            continue
        slot[2] -= units
        left[item_id] -= units
        invoice_id, line_id = slot[0], slot[1]
        result[invoice_id][line_id] = result[invoice_id].get(line_id, 0) + units
    return dict(result)


def _credit_for_receipt(
    request: ReturnRequest, *, received: Mapping[int, int], by: User | None
) -> list:
    """Credit the received units against the invoices they were billed on, inside the
    receipt's transaction: one credit note (kind "return", reference "rma:<id>") per
    invoice. Returns the credit notes."""
    from invoicing.credit_notes import credit_note_issue
    from invoicing.models import Invoice

    notes = []
    for invoice_id, lines in sorted(invoice_lines_for_receipt(received=received).items()):
        notes.append(
            credit_note_issue(
                invoice=Invoice.objects.get(pk=invoice_id),
                by=by,
                kind="return",
                lines=lines,
                reason=f"Return {request.number}",
                reference=request.stock_reference,
            )
        )
    return notes
