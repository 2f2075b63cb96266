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
