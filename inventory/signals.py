"""Signals sent by inventory. Payloads are ids and primitives only."""

from django.dispatch import Signal

stock_low = Signal()
"""A stock item's available quantity fell to or below its reorder level.

Sent by inventory.services inside the transaction that took the stock away
(an order's allocation, an adjustment or count downwards), once per item per change, every
time the item is at or below its level after the change; receivers decide
whether anything new needs doing (procurement keeps one open request per item).

Arguments:
    stock_item_id (int), product_id (int), distributor_id (int),
    on_hand (int), allocated (int), held (int), reorder_level (int): the
    item's figures right after the change (available = on_hand - allocated - held).
    reference (str): what caused the change, e.g. "order:12".
"""

stock_available = Signal()
"""A stock item's available quantity rose (and is above 0).

Sent by inventory.services inside the transaction that raised it: an
assignment, a receipt, an adjustment or count upwards, a release of allocated
units (a cancelled or rejected order), a hold lifted. Orders' receiver gives
the units to waiting backorders, first in first out.

Arguments:
    stock_item_id (int), product_id (int), distributor_id (int),
    available (int): what is available right after the change.
    reference (str): what caused it, e.g. "po:7" or "order:12".
"""

stock_short = Signal()
"""A count found fewer units than are allocated to orders (and held).

Sent by inventory.services.stock_count inside its transaction, with the stock
item locked, before on_hand is set. Orders' receiver turns the newest
allocations in that warehouse into backorders (calling stock_deallocate)
until allocated plus held fits what was counted there; whatever it leaves
comes off the hold.

Arguments:
    stock_item_id (int), product_id (int), distributor_id (int),
    warehouse_id (int): the warehouse counted,
    units (int): how many allocated units there the count does not cover.
"""

reorder_settings_changed = Signal()
"""A distributor changed an item's reorder level or quantity.

Sent by inventory.services.stock_item_set_reorder_overrides inside its
transaction; procurement re-evaluates the item (a raised level opens a request).

Arguments:
    stock_item_id (int), product_id (int), distributor_id (int).
"""
