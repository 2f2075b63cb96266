"""Purchase orders to a distributor (#23 §3): the supplier gets them as transfer requests.

When a PO goes out to a supplier that is a distributor, a transfer from the
supplier to the buyer is written with one line per PO line (linked), status
`requested`: the supplier confirms it (allocation at its shelf; the PO is
confirmed), ships it (`transfer_out` at the supplier, its tax invoice to the
buyer) and the buyer receives it (`transfer_in`, and the PO's goods receipt).
The PO line stays the one thing counted in the buyer's `incoming` all along:
the transfer fulfils it and is not added to it.
"""

from accounts.models import Organization
from procurement.models import PurchaseOrder

from .models import TransferOrder, TransferStatus
from .services import transfer_cancel, transfer_create


def transfer_for_purchase_order(*, purchase_order_id: int) -> TransferOrder | None:
    """Write the supplier distributor's incoming transfer request for a PO just issued.

    None when the supplier is not a distributor, or the PO has its transfer already.
    """
    po = PurchaseOrder.objects.select_related("supplier", "distributor").get(pk=purchase_order_id)
    if po.supplier.kind != Organization.Kind.DISTRIBUTOR:
        return None
    if TransferOrder.objects.filter(purchase_order=po).exists():
        return None
    po_lines = list(po.lines.select_related("product").order_by("pk"))
    return transfer_create(
        source=po.supplier,
        destination=po.distributor,
        lines=[(line.product, line.quantity) for line in po_lines],
        by=None,
        note=f"Purchase order {po.number}",
        purchase_order=po,
        po_lines={line.product_id: line for line in po_lines},
    )


def transfer_cancel_for_purchase_order(*, purchase_order_id: int) -> TransferOrder | None:
    """The PO was cancelled: its transfer, not shipped yet, is cancelled with it."""
    transfer = TransferOrder.objects.filter(purchase_order_id=purchase_order_id).first()
    if transfer is None or transfer.status not in (
        TransferStatus.DRAFT,
        TransferStatus.REQUESTED,
        TransferStatus.CONFIRMED,
    ):
        return None
    return transfer_cancel(
        transfer=transfer,
        by=None,
        reason="Its purchase order was cancelled.",
        for_purchase_order=True,
    )
