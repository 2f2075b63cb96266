"""What a supplier hears about a purchase order after it was sent: cancelled, closed short,
its proposal accepted or declined. One template (purchase_order_notice), one e-mail per
address, Reply-To the procurement team."""

from notifications.procurement_notices import _organization_addresses
from notifications.services import DEDUP_KEY_MAX_LENGTH, message_queue, supplier_reply_to

NOTICES = ("cancelled", "closed_short", "accepted", "declined")


def purchase_order_notice_queue(*, purchase_order_id: int, notice: str, note: str = "") -> None:
    """Queue the supplier's notice about a PO; inside the transaction that made the change."""
    from procurement.selectors import purchase_order_for_message

    if notice not in NOTICES:
        raise ValueError(f"Unknown purchase order notice {notice!r}.")
    po = purchase_order_for_message(purchase_order_id=purchase_order_id)
    context = {
        "po": po,
        "lines": list(po.lines.all()),
        "supplier": po.supplier,
        "notice": notice,
        "note": note,
    }
    for address in _organization_addresses(po.supplier):
        message_queue(
            template="purchase_order_notice",
            recipient=address,
            context=context,
            dedup_key=f"po_notice:{notice}:{po.pk}:{address}"[:DEDUP_KEY_MAX_LENGTH],
            reply_to=supplier_reply_to(),
        )
