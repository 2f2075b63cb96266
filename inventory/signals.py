"""Signals sent by inventory. Payloads are ids and primitives only."""

from django.dispatch import Signal

stock_low = Signal()
"""A stock item's available quantity fell to or below its reorder level.

Sent by inventory.services inside the transaction that took the stock away
(an order's sale, an adjustment downwards), once per item per change, every
time the item is at or below its level after the change; receivers decide
whether anything new needs doing (procurement keeps one open request per item).

Arguments:
    stock_item_id (int), product_id (int), distributor_id (int),
    on_hand (int), reserved (int), reorder_level (int): the item's figures
    right after the change.
    reference (str): what caused the change, e.g. "order:12".
"""
