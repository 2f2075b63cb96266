"""What the order being written holds, for the receivers of its signals (per transaction).

order_place (and the bulk moves) have the order, its lines, its customer
and distributor in hand when they send their signals; a receiver that needs
them asks `held_order` instead of reading them again. Signals stay ids and
primitives: a receiver called without the context (a test, a task, another
sender) reads the order as before (orders.selectors.order_for_message).
The context lives only inside the sender's `with orders_held(...)` block,
which is inside its transaction.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_held: ContextVar[dict | None] = ContextVar("orders_held", default=None)


@contextmanager
def orders_held(*orders) -> Iterator[None]:
    """Offer these orders (their lines loaded, as `order.items.all()`) to receivers."""
    current = _held.get() or {}
    token = _held.set({**current, **{order.pk: order for order in orders}})
    try:
        yield
    finally:
        _held.reset(token)


def held_order(order_id: int):
    """The order the sender holds for this transaction, or None."""
    held = _held.get()
    return held.get(order_id) if held else None
