"""Signals sent by orders. Payloads are ids and primitives only."""

from django.dispatch import Signal

order_placed = Signal()
"""An order and all its lines exist; sent inside order_place's transaction.

Receivers that raise roll the whole order back. The lines are already
allocated (orders.services calls inventory directly; DemandLine rows exist).

Arguments:
    order_id (int), number (str), customer_id (int), distributor_id (int),
    lines (tuple of (product_id, quantity) pairs, one per product),
    reference (str): "order:<order_id>", the ledger reference of its stock.
"""

order_status_changed = Signal()
"""An order moved from one status to another; sent inside the transaction.

Sent by order_transition after the order row and its OrderStatusChange are
written. Not sent for the initial "placed" (that is order_placed).

Arguments:
    order_id (int), distributor_id (int), customer_id (int),
    from_status (str), to_status (str), changed_by_id (int | None),
    note (str), reference (str): "order:<order_id>".
"""

orders_status_changed = Signal()
"""Several orders moved to the same status at once (a distributor's bulk move).

Sent by orders.transitions.record_changes, inside the transaction, instead
of one order_status_changed per order: a receiver of order_status_changed
must receive this one too, and answer the whole batch in a fixed number of
queries. The orders' rows and OrderStatusChange rows are written.

Arguments:
    changes (tuple of (order_id, distributor_id, customer_id, from_status)),
    to_status (str), changed_by_id (int | None), note (str).
"""

backorder_allocated = Signal()
"""Units a buyer was waiting for were allocated to their order (first in, first out).

Sent by orders.backorders.backorders_allocate inside the transaction that made
the stock available (a receipt, an assignment, a release, a count up).

Arguments:
    order_id (int), product_id (int), quantity (int): units this fill
    allocated to the line, still_backordered (int): units the line still waits for,
    reference (str): what made the stock available, e.g. "po:7".
"""

shipment_dispatched = Signal()
"""Units of an order left the distributor as one shipment; sent inside its transaction.

Sent by orders.shipments.shipment_dispatch after the stock movements, the
order lines' figures and the Shipment with its lines are written. Invoicing
issues the shipment's tax invoice on it (in the same transaction).

Arguments: shipment_id (int), order_id (int), sequence (int): 1 for the first shipment;
shipment (the Shipment as written, its warehouse loaded) and lines (its ShipmentLines, each
with its order line), for a receiver that would otherwise read them back.
"""

shipment_delivered = Signal()
"""A shipment reached the buyer (or was handed over); sent inside the transaction.

Arguments: shipment_id (int), order_id (int).
"""
