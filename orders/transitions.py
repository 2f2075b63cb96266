"""Moving orders after placement: the state machine's rules and writes, for one move and many.

`order_transition` (one order, with its stock effects) and orders.bulk_moves
(many orders, moves without stock effects) check each move with
`move_refusal` and write it with `record_changes`, so both follow the same
rules and leave the same rows and signals behind. The buyer's cancels, the
distributor's moves and the release of a credit hold are rules on top of
`order_transition`. Placing an order is orders.services.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from inventory.services import stock_release
from inventory.warehouses import warehouse_default

from .exceptions import IllegalTransition
from .line_allocation import line_allocation, line_allocation_set
from .models import (
    BUYER_CANCELLABLE,
    RETURNS_STOCK,
    SHIPS_STOCK,
    TRANSITIONS,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
)
from .shipments import shipment_dispatch, shipments_deliver_all, status_after_shipping
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


@transaction.atomic
def order_transition(
    *,
    order: Order,
    to_status: str,
    by: User | None,
    note: str = "",
    tracking_reference: str = "",
    only_from: tuple[str, ...] | None = None,
) -> Order:
    """Move an order to `to_status` along the state machine (orders.models.TRANSITIONS).

    Locks the order row, so two people moving the same order are served one
    after the other and the second sees the first's result. Records an
    OrderStatusChange (who, when, note), stores `tracking_reference` when
    given, and sends `order_status_changed`. Rejecting or cancelling releases
    the order's allocation (no movement: the units never left the shelf) and
    calls off its backorders; shipping dispatches everything allocated as
    one shipment (orders.shipments: `shipment` movements, and its invoice)
    and becomes `partially_shipped` while units stay backordered;
    delivering delivers the order's shipments. Raises IllegalTransition naming the allowed moves.
    `only_from` narrows the statuses this caller may move from (checked under
    the lock). Returns the updated order.
    """
    locked = Order.objects.select_for_update().get(pk=order.pk)
    if (refusal := move_refusal(locked, to_status, only_from=only_from)) is not None:
        raise refusal
    allowed = list(TRANSITIONS[locked.status])
    if to_status in RETURNS_STOCK:
        _release_open_units(locked)
    elif to_status in SHIPS_STOCK:
        # One shipment of everything allocated; with units still backordered
        # it is a partial shipment, and the rest ships when stock comes.
        if not any(item.quantity_allocated for item in locked.items.all()):
            raise IllegalTransition(
                locked,
                OrderStatus.SHIPPED,
                [],
                message=f"Order {locked.number} has nothing allocated to ship yet: "
                "its units are backordered until stock comes in.",
            )
        shipment_dispatch(order=locked, by=by, tracking_reference=tracking_reference, note=note)
        to_status = status_after_shipping(locked)
        if to_status not in allowed:
            raise IllegalTransition(locked, to_status, allowed)
    elif to_status == OrderStatus.DELIVERED:
        shipments_deliver_all(order=locked)
    return _record_change(
        locked, to_status=to_status, by=by, note=note, tracking_reference=tracking_reference
    )


def order_transition_locked(
    locked: Order, *, to_status: str, by: User | None, note: str = "", tracking_reference: str = ""
) -> Order:
    """Record a move whose stock effects the caller made itself (orders.shipments).

    `locked` is the order as read under its row lock in the caller's
    transaction; the move must be one the state machine allows
    (IllegalTransition otherwise). A move to the status it already has is
    recorded only when the state machine lists it (a second partial shipment).
    """
    allowed = list(TRANSITIONS[locked.status])
    if to_status not in allowed:
        raise IllegalTransition(locked, to_status, allowed)
    return _record_change(
        locked, to_status=to_status, by=by, note=note, tracking_reference=tracking_reference
    )


def _record_change(
    locked: Order, *, to_status: str, by: User | None, note: str, tracking_reference: str = ""
) -> Order:
    """Write the new status and its history row, and send `order_status_changed`."""
    record_changes(
        [locked], to_status=to_status, by=by, note=note, tracking_reference=tracking_reference
    )
    return locked


def _release_open_units(order: Order) -> None:
    """A rejected or cancelled order: its allocation goes back to available, nothing is owed.

    No movement is written (the units never left the shelf). Lines of an
    order from before allocations existed hold no allocation and release
    nothing: the migration turned their sales into allocations.
    """
    items = list(order.items.all())
    default_id = warehouse_default(order.distributor_id).pk
    released = {item.product_id: line_allocation(item, default_id) for item in items}
    # The lines first: the release offers the units to waiting backorders,
    # and this order's own lines must no longer be waiting by then.
    for item in items:
        item.quantity_cancelled += item.quantity_allocated + item.quantity_backordered
        item.quantity_allocated = item.quantity_backordered = 0
        line_allocation_set(item, {})
    OrderItem.objects.bulk_update(
        items,
        [
            "quantity_allocated",
            "quantity_backordered",
            "quantity_cancelled",
            "allocated_by_warehouse",
        ],
    )
    stock_release(
        distributor_id=order.distributor_id, lines=released, reference=order.stock_reference
    )


def order_cancel_by_customer(*, order: Order, by: User, reason: str = "") -> Order:
    """The buyer calls off an order that the distributor has not accepted yet.

    Only the customer who placed it may; only while it is `placed` or held
    for credit (raises
    IllegalTransition otherwise). The stock goes back through the ledger.
    """
    if order.customer_id != by.pk:
        raise PermissionDenied("Only the customer who placed the order can cancel it.")
    return order_transition(
        order=order,
        to_status=OrderStatus.CANCELLED,
        by=by,
        note=reason or "Cancelled by the customer.",
        only_from=BUYER_CANCELLABLE,
    )


# The moves a distributor makes on its incoming orders: every status after
# `placed` (buyers may only cancel, through order_cancel_by_customer).
DISTRIBUTOR_MOVES = (
    OrderStatus.PLACED,  # releasing an order held for credit (credit_hold -> placed)
    OrderStatus.ACCEPTED,
    OrderStatus.REJECTED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.CANCELLED,
)
# The buyer reads the reason in their notification, so refusing or calling
# off an order needs one.
NOTE_REQUIRED = {
    OrderStatus.REJECTED: "Say why the order is rejected; the buyer reads it.",
    OrderStatus.CANCELLED: "Say why the order is cancelled; the buyer reads it.",
}
TRACKING_REFERENCE_MAX_LENGTH = Order._meta.get_field("tracking_reference").max_length


def order_move_by_distributor(
    *, order: Order, to_status: str, by: User, note: str = "", tracking_reference: str = ""
) -> Order:
    """A member of the order's distributor moves it along the state machine.

    Rules on top of order_transition: only a member of `order.distributor`
    (PermissionDenied otherwise); `to_status` one of DISTRIBUTOR_MOVES;
    rejecting and cancelling need a note (the reason the buyer is told);
    shipping needs a tracking reference, and only shipping takes one. These
    raise ValidationError keyed by field (`status`, `note`,
    `tracking_reference`) before anything is locked; an illegal move raises
    IllegalTransition naming the allowed ones. Rejecting or cancelling
    returns the stock (inventory's receiver), every move notifies the buyer.
    """
    if by.organization_id != order.distributor_id:
        raise PermissionDenied("Only the order's distributor can move it.")
    note = (note or "").strip()
    tracking_reference = (tracking_reference or "").strip()
    distributor_move_check(to_status=to_status, note=note, tracking_reference=tracking_reference)
    return order_transition(
        order=order,
        to_status=to_status,
        by=by,
        note=note,
        tracking_reference=tracking_reference,
        # Back to `placed` is the release of a credit hold only: an order awaiting
        # online payment is moved on by its payment (payments), never by hand.
        only_from=(OrderStatus.CREDIT_HOLD,) if to_status == OrderStatus.PLACED else None,
    )


def distributor_move_check(*, to_status: str, note: str, tracking_reference: str) -> None:
    """The rules of a distributor's move that need no order (ValidationError keyed by field):
    one of DISTRIBUTOR_MOVES, a note where NOTE_REQUIRED, a tracking reference to ship, and
    only to ship. One move (order_move_by_distributor) and bulk moves check the same."""
    errors = {}
    if to_status not in DISTRIBUTOR_MOVES:
        errors["status"] = f"Choose one of: {', '.join(DISTRIBUTOR_MOVES)}."
    elif to_status in NOTE_REQUIRED and not note:
        errors["note"] = NOTE_REQUIRED[to_status]
    if to_status == OrderStatus.SHIPPED and not tracking_reference:
        errors["tracking_reference"] = "Enter the tracking reference of the shipment."
    elif tracking_reference and to_status != OrderStatus.SHIPPED:
        errors["tracking_reference"] = "Only a shipment takes a tracking reference."
    elif len(tracking_reference) > TRACKING_REFERENCE_MAX_LENGTH:
        errors["tracking_reference"] = f"Use at most {TRACKING_REFERENCE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)


def order_cancel_by_retailer(*, order: Order, by: User, reason: str = "") -> Order:
    """A member of the buying retailer calls off its order before the distributor accepts it.

    Any member of the organization the order was placed for may (they order
    and track as the organization, whoever placed it); others get
    PermissionDenied. Only while it is `placed` or held for credit (raises IllegalTransition
    otherwise). The stock goes back through the ledger.
    """
    if by.role != Role.RETAILER or order.buyer_organization_id != by.organization_id:
        raise PermissionDenied("Only a member of the ordering retailer can cancel this order.")
    return order_transition(
        order=order,
        to_status=OrderStatus.CANCELLED,
        by=by,
        note=reason or f"Cancelled by {by.get_full_name()} of {by.organization}.",
        only_from=BUYER_CANCELLABLE,
    )


def order_credit_release(*, order: Order, by: User, note: str = "") -> Order:
    """The distributor approves the credit of an order held over the limit: credit_hold -> placed.

    Through order_move_by_distributor (a member of the order's distributor
    only); an order that is not held raises IllegalTransition. From `placed`
    it goes on as any other order; the buyer is told it was released.
    """
    return order_move_by_distributor(order=order, to_status=OrderStatus.PLACED, by=by, note=note)
