"""Signals sent by procurement. Payloads are ids and primitives only.

All are sent inside the transaction that made the change; receivers that
reach outside the database (e-mail, PDFs) write to the outbox, which sends
after commit.
"""

from django.dispatch import Signal

procurement_requested = Signal()
"""A procurement request was opened (by the reorder check or by staff).

Arguments:
    request_id (int), product_id (int), distributor_id (int), supplier_id (int),
    trigger (str): "auto" or "manual".
"""

purchase_order_issued = Signal()
"""A purchase order is approved (both approvals, when it needs two) and goes to its supplier.

Arguments:
    purchase_order_id (int), supplier_id (int), distributor_id (int).
"""

purchase_order_reminder_due = Signal()
"""A sent purchase order has had no answer for PROCUREMENT_CONFIRM_REMINDER_HOURS.

Sent once per purchase order by the reminder task.

Arguments:
    purchase_order_id (int), supplier_id (int).
"""

purchase_order_answered = Signal()
"""The supplier confirmed a purchase order or proposed changes.

Arguments:
    purchase_order_id (int), answer (str): "confirmed" or "proposed",
    responded_by (str): who answered.
"""

goods_received = Signal()
"""A delivery was booked against a purchase order (stock is already raised).

Arguments:
    purchase_order_id (int), receipt_id (int), fully_received (bool).
"""

purchase_order_cancelled = Signal()
"""Staff cancelled a purchase order (nothing had been received).

Arguments:
    purchase_order_id (int), supplier_was_told (bool): whether the PO had
    gone to the supplier (only then is the supplier told it is cancelled).
"""

purchase_order_closed_short = Signal()
"""Staff closed a partially received purchase order: the rest will not come.

Arguments:
    purchase_order_id (int), short_units (int): units recorded short over all lines.
"""

purchase_order_proposal_decided = Signal()
"""Staff accepted or declined the supplier's proposal.

Arguments:
    purchase_order_id (int), decision (str): "accepted" or "declined",
    note (str): staff's word to the supplier (may be empty).
"""
