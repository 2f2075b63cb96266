"""The order state machine's rules and writes, shared by one move and many.

orders.services.order_transition (one order, with its stock effects) and
orders.bulk_moves (many orders, moves without stock effects) check each move
with `move_refusal` and write it with `record_changes`, so both follow the
same rules and leave the same rows and signals behind.
"""

from django.utils import timezone

from accounts.models import User

from .exceptions import IllegalTransition
from .models import TRANSITIONS, Order, OrderStatusChange
from .signals import order_status_changed, orders_status_changed


def move_refusal(
    locked: Order, to_status: str, *, only_from: tuple[str, ...] | None = None
) -> IllegalTransition | None:
    """Why the state machine refuses to move `locked` (read under its lock) to `to_status`,
    or None. `only_from` narrows the statuses this caller may move from."""
    allowed = list(TRANSITIONS[locked.status])
    if to_status not in allowed:
        return IllegalTransition(locked, to_status, allowed)
    if only_from is not None and locked.status not in only_from:
        return IllegalTransition(
            locked,
            to_status,
            [],
            message=(
                f"Order {locked.number} is already {locked.get_status_display().lower()}; "
                f"it can only be made {to_status} while it is {' or '.join(only_from)}."
            ),
        )
    return None


def record_changes(
    locked: list[Order],
    *,
    to_status: str,
    by: User | None,
    note: str = "",
    tracking_reference: str = "",
) -> None:
    """Write the new status of orders read under their locks, their history rows, and the signal.

    One UPDATE and one INSERT however many orders. One order sends
    `order_status_changed`; several send `orders_status_changed` once (the
    same arguments per order, batched), so that receivers can answer them
    in a fixed number of queries. The orders in `locked` are updated in place.
    """
    if not locked:
        return
    note = note.strip()
    now = timezone.now()
    fields = {"status": to_status, "updated_at": now}
    if tracking_reference:
        fields["tracking_reference"] = tracking_reference.strip()
    Order.objects.filter(pk__in=[order.pk for order in locked]).update(**fields)
    from_statuses = [order.status for order in locked]
    OrderStatusChange.objects.bulk_create(
        OrderStatusChange(
            order=order, from_status=from_status, to_status=to_status, changed_by=by, note=note
        )
        for order, from_status in zip(locked, from_statuses, strict=True)
    )
    for order in locked:
        for name, value in fields.items():
            setattr(order, name, value)
    changed_by_id = by.pk if by is not None else None
    if len(locked) == 1:
        order = locked[0]
        order_status_changed.send(
            sender=Order,
            order_id=order.pk,
            distributor_id=order.distributor_id,
            customer_id=order.customer_id,
            from_status=from_statuses[0],
            to_status=to_status,
            changed_by_id=changed_by_id,
            note=note,
            reference=order.stock_reference,
        )
        return
    orders_status_changed.send(
        sender=Order,
        changes=tuple(
            (order.pk, order.distributor_id, order.customer_id, from_status)
            for order, from_status in zip(locked, from_statuses, strict=True)
        ),
        to_status=to_status,
        changed_by_id=changed_by_id,
        note=note,
    )
