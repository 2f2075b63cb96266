"""An order's moves that follow its online payment (the payments app calls these).

- paid: `awaiting_payment` -> `placed` (the distributor sees it to accept);
- not paid within PAYMENT_TIMEOUT_MINUTES: cancelled through order_transition,
  the one release path (its allocation goes back, backorders called off);
- paid after that release: reinstated as `placed` if every line can be
  allocated again, else InsufficientStock (the payment is refunded). An
  order that redeemed loyalty points is never reinstated (OrderNotReinstated,
  refunded too): its points went back to the buyer with the release, and
  placing it again would keep the discount without them.
"""

from django.db import transaction

from accounts.models import User
from inventory.allocation import stock_allocate_for_order

from .exceptions import IllegalTransition, OrderNotReinstated
from .line_allocation import line_allocation_set
from .models import Order, OrderItem, OrderStatus
from .transitions import order_transition, record_changes

EXPIRED_NOTE = "Not paid in time: the order was released."


def order_payment_received(*, order: Order, note: str = "Paid online.") -> Order:
    """The order's online payment is confirmed: it is placed with its distributor."""
    return order_transition(
        order=order,
        to_status=OrderStatus.PLACED,
        by=None,
        note=note,
        only_from=(OrderStatus.AWAITING_PAYMENT,),
    )


def order_payment_expire(*, order: Order, by: User | None = None) -> Order:
    """Release an order still awaiting payment (its stock goes back), as a cancellation."""
    return order_transition(
        order=order,
        to_status=OrderStatus.CANCELLED,
        by=by,
        note=EXPIRED_NOTE,
        only_from=(OrderStatus.AWAITING_PAYMENT,),
    )


def was_released_unpaid(order: Order) -> bool:
    last = order.status_changes.order_by("-created_at", "-pk").first()
    return (
        order.status == OrderStatus.CANCELLED
        and last is not None
        and last.from_status == OrderStatus.AWAITING_PAYMENT
    )


@transaction.atomic
def order_reinstate_after_payment(*, order: Order) -> Order:
    """A payment arrived for an order released unpaid: allocate it again and place it.

    All lines or none (ship complete): InsufficientStock when a line is short,
    and nothing changes. IllegalTransition unless the order was released unpaid;
    OrderNotReinstated when it redeemed loyalty points (they were returned).
    """
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if not was_released_unpaid(locked):
        raise IllegalTransition(locked, OrderStatus.PLACED, [])
    if locked.loyalty_points_redeemed:
        raise OrderNotReinstated(locked, "points")
    items = list(locked.items.all())
    allocations = stock_allocate_for_order(
        distributor_id=locked.distributor_id,
        lines=[(item.product_id, item.quantity) for item in items],
        reference=locked.stock_reference,
        backorder=False,
    )
    for item in items:
        item.quantity_allocated = allocations[item.product_id].allocated
        item.quantity_cancelled = 0
        line_allocation_set(item, allocations[item.product_id].warehouses)
    OrderItem.objects.bulk_update(
        items, ["quantity_allocated", "quantity_cancelled", "allocated_by_warehouse"]
    )
    record_changes(
        [locked],
        to_status=OrderStatus.PLACED,
        by=None,
        note="Paid after it was released: allocated again.",
    )
    return locked
