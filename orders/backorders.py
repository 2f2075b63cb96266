"""Writes for backorders: units owed to buyers, filled first in first out, or called off.

Split from orders.services (the order and its state machine), which this
module builds on; inventory's signals reach it through orders.receivers.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import Role, User
from inventory.allocation import stock_allocate_for_order, stock_deallocate
from inventory.warehouses import warehouse_default

from .exceptions import IllegalTransition
from .line_allocation import line_allocation_add, line_allocation_take
from .models import OPEN_STATUSES, Order, OrderItem, OrderStatus, OrderStatusChange
from .shipments import order_deliver_if_complete
from .signals import backorder_allocated
from .transitions import order_transition, record_changes


def _open_lines_locked(
    *, distributor_id: int, product_id: int, order_by: str, **figures
) -> list[OrderItem]:
    """Open orders' lines of one item matching `figures`, row-locked, in `order_by` order.

    Found first without a lock (the filter joins the order), then locked by pk
    alone: MariaDB has no FOR UPDATE OF, and locking through the join would
    lock the orders' rows too.
    """
    ids = list(
        OrderItem.objects.filter(
            product_id=product_id,
            order__distributor_id=distributor_id,
            order__status__in=OPEN_STATUSES,
            **figures,
        ).values_list("pk", flat=True)
    )
    if not ids:
        return []
    return list(OrderItem.objects.select_for_update().filter(pk__in=ids).order_by(order_by))


def backorders_allocate(*, distributor_id: int, product_id: int, reference: str) -> int:
    """Give newly available units to waiting backorders, first placed first served.

    Runs inside the transaction that raised available (a receipt, an
    assignment, a release, a count up), with that stock item locked. Locks
    the waiting lines by pk (placement order) and allocates to each what is
    available until nothing is. Sends `backorder_allocated` per order served.
    Returns the units allocated.
    """
    lines = _open_lines_locked(
        distributor_id=distributor_id,
        product_id=product_id,
        order_by="pk",
        quantity_backordered__gt=0,
    )
    if not lines:
        return 0
    served = []
    total = 0
    default_id = warehouse_default(distributor_id).pk
    for line in lines:
        if not line.quantity_backordered:
            continue  # cancelled meanwhile
        allocation = stock_allocate_for_order(
            distributor_id=distributor_id,
            lines=[(product_id, line.quantity_backordered)],
            reference=f"order:{line.order_id}",
            backorder=True,
        )[product_id]
        if not allocation.allocated:
            break
        line_allocation_add(line, allocation.warehouses, default_id)
        line.quantity_allocated += allocation.allocated
        line.quantity_backordered -= allocation.allocated
        total += allocation.allocated
        served.append((line, allocation.allocated))
        if allocation.backordered:
            break  # this line took the last available unit
    OrderItem.objects.bulk_update(
        [line for line, _ in served],
        ["quantity_allocated", "quantity_backordered", "allocated_by_warehouse"],
    )
    for line, now in served:
        backorder_allocated.send(
            sender=Order,
            order_id=line.order_id,
            product_id=product_id,
            quantity=now,
            still_backordered=line.quantity_backordered,
            reference=reference,
        )
    return total


def allocations_turn_to_backorders(
    *, distributor_id: int, product_id: int, units: int, warehouse_id: int
) -> int:
    """A count found less than is allocated in a warehouse: the newest allocations there
    become backorders.

    Takes `units` from the most recently placed open lines of this product at
    this distributor allocated in that warehouse (their buyers waited least),
    moves them from allocated to backordered on the lines and releases them in
    inventory without offering them to anyone. Returns the units moved (less than `units`
    only when not that many are allocated).
    """
    moved = 0
    changed = []
    default_id = warehouse_default(distributor_id).pk
    for line in _open_lines_locked(
        distributor_id=distributor_id,
        product_id=product_id,
        order_by="-pk",
        quantity_allocated__gt=0,
    ):
        if moved >= units:
            break
        taken = line_allocation_take(line, units - moved, default_id, [warehouse_id], only=True)
        take = taken.get(warehouse_id, 0)
        if not take:
            continue
        line.quantity_allocated -= take
        line.quantity_backordered += take
        moved += take
        changed.append(line)
    OrderItem.objects.bulk_update(
        changed, ["quantity_allocated", "quantity_backordered", "allocated_by_warehouse"]
    )
    if moved:
        stock_deallocate(
            distributor_id=distributor_id,
            product_id=product_id,
            quantity=moved,
            warehouse_id=warehouse_id,
        )
    return moved


@transaction.atomic
def order_backorder_cancel(*, order: Order, by: User) -> Order:
    """The buyer calls off the backordered rest of an order; what is allocated or shipped stays.

    Only the customer who placed it or a member of the buying retailer may
    (PermissionDenied). With nothing backordered: IllegalTransition. When
    the rest was all that was left, the order is cancelled (nothing allocated
    or shipped) or shipped (everything else has gone; delivered when its shipments are).
    """
    if not _is_buyer(order, by):
        raise PermissionDenied("Only the buyer can cancel the backordered rest of this order.")
    locked = Order.objects.select_for_update().get(pk=order.pk)
    items = list(locked.items.all())
    owed = sum(item.quantity_backordered for item in items)
    if locked.status not in OPEN_STATUSES or not owed:
        raise IllegalTransition(
            locked, "", [], message=f"Order {locked.number} has no backordered units to cancel."
        )
    for item in items:
        item.quantity_cancelled += item.quantity_backordered
        item.quantity_backordered = 0
    OrderItem.objects.bulk_update(items, ["quantity_backordered", "quantity_cancelled"])
    allocated = sum(item.quantity_allocated for item in items)
    shipped = sum(item.quantity_shipped for item in items)
    note = f"The backordered rest ({owed} units) cancelled by the buyer."
    if not allocated and not shipped:
        return order_transition(order=locked, to_status=OrderStatus.CANCELLED, by=by, note=note)
    if not allocated and locked.status == OrderStatus.PARTIALLY_SHIPPED:
        # Everything else has gone; it is delivered too when its shipments are.
        record_changes([locked], to_status=OrderStatus.SHIPPED, by=by, note=note)
        shipped_order = locked
        return order_deliver_if_complete(
            shipped_order, by=by, note="Every shipment of the order was delivered."
        )
    OrderStatusChange.objects.create(
        order=locked, from_status=locked.status, to_status=locked.status, changed_by=by, note=note
    )
    return locked


def _is_buyer(order: Order, user: User) -> bool:
    if order.buyer_organization_id is not None:
        return user.role == Role.RETAILER and user.organization_id == order.buyer_organization_id
    return order.customer_id == user.pk
