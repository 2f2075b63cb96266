"""Invoices the way production makes them: place a real order, walk it to delivered."""

from orders.models import OrderStatus
from orders.services import order_transition
from orders.tests.factories import place_order

TO_DELIVERED = (
    OrderStatus.ACCEPTED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


def deliver(order, *, by=None):
    """Move `order` from placed to delivered through the state machine (issues its invoice)."""
    start = TO_DELIVERED.index(order.status) + 1 if order.status in TO_DELIVERED else 0
    for status in TO_DELIVERED[start:]:
        order = order_transition(order=order, to_status=status, by=by)
    return order


def delivered_order(**place_kwargs):
    """A placed-then-delivered order (see orders.tests.factories.place_order for kwargs)."""
    return deliver(place_order(**place_kwargs))


def invoice_for(**place_kwargs):
    """The invoice of a freshly delivered order."""
    return delivered_order(**place_kwargs).invoices.get()
