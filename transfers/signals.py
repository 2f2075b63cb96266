"""Signals sent by transfers. Payloads are ids and primitives only; sent inside the
transaction that made the change, once the transfer and its lines exist."""

from django.dispatch import Signal

transfer_requested = Signal()
"""A transfer waits for its source to confirm it: asked for by the destination, or made
for a purchase order whose supplier is a distributor.

Arguments:
    transfer_id (int), source_id (int), destination_id (int), purchase_order_id (int | None).
"""

transfer_reminder_due = Signal()
"""A requested transfer has had no answer from its source for
TRANSFER_CONFIRM_REMINDER_HOURS. Sent once per transfer by the reminder task.

Arguments:
    transfer_id (int), source_id (int).
"""

transfer_shipped = Signal()
"""A transfer left its source: its units are in transit to the destination.

Arguments:
    transfer_id (int), source_id (int), destination_id (int), units (int).
"""

transfer_received = Signal()
"""The destination booked a transfer's arrival (in full, or short with reasons).

Arguments:
    transfer_id (int), source_id (int), destination_id (int), units (int),
    short (int): units still in transit after this receipt.
"""
