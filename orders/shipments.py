"""Shipments: the distributor sends all or part of an order, now or later, each with its invoice.

A shipment takes the units it carries off the shelf (`shipment` movements:
on_hand and allocated drop together), records its lines, moves the order to
`partially_shipped` or `shipped`, and sends `shipment_dispatched`, on which
invoicing issues the shipment's tax invoice in the same transaction. The
order is delivered when its last shipment is delivered and nothing is left
to ship. Moving an order to `shipped` through the state machine (the API of
#6) is one shipment of everything allocated; moving it to `delivered`
delivers its shipments.
"""

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .dispatch import Dispatch, dispatches_write
from .exceptions import IllegalTransition
from .models import (
    FulfillmentType,
    Order,
    OrderItem,
    OrderStatus,
    Shipment,
    ShipmentStatus,
)
from .signals import shipment_delivered

# The statuses an order may ship from: the distributor has taken it in hand.
SHIPS_FROM = (OrderStatus.PROCESSING, OrderStatus.PARTIALLY_SHIPPED)
TRACKING_MAX_LENGTH = Shipment._meta.get_field("tracking_reference").max_length
NOTE_MAX_LENGTH = 1000


def shipment_lines_clean(order: Order, lines: Mapping[int, int] | None) -> dict[OrderItem, int]:
    """Which units of `order` a shipment takes: {order item: units}.

    `lines` maps an order line's product id to the units to ship; None ships
    everything allocated. Each must be a line of the order, a whole number
    from 0 to what the line has allocated; at least one unit in all. Raises
    ValidationError keyed by `lines` (one message per bad line, naming it).
    """
    items = {item.product_id: item for item in order.items.all()}
    if lines is None:
        chosen = {item: item.quantity_allocated for item in items.values()}
    else:
        errors, chosen = [], {}
        for product_id, quantity in lines.items():
            item = items.get(product_id)
            if item is None:
                errors.append(f"Product {product_id} is not on order {order.number}.")
            elif not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
                errors.append(f"{item.sku}: enter a whole number of units, 0 or more.")
            elif quantity > item.quantity_allocated:
                errors.append(
                    f"{item.sku}: only {item.quantity_allocated} allocated, "
                    f"so at most {item.quantity_allocated} can ship now."
                )
            else:
                chosen[item] = quantity
        if errors:
            raise ValidationError({"lines": errors})
    chosen = {item: quantity for item, quantity in chosen.items() if quantity}
    if not chosen:
        raise ValidationError(
            {"lines": f"Order {order.number} has nothing allocated to ship in this shipment."}
        )
    return chosen


def shipment_dispatch(
    *,
    order: Order,
    by: User | None,
    lines: Mapping[int, int] | None = None,
    tracking_reference: str = "",
    note: str = "",
    handed_over: bool = False,
    warehouse_id: int | None = None,
) -> list[Shipment]:
    """Dispatch (or, with `handed_over`, hand over at the counter) units of an order.

    Call inside the transaction that holds the order's row lock (see
    shipment_create, order_transition). Ships `lines` ({product id: units},
    None for everything allocated). A shipment leaves from one warehouse:
    the units are taken from the lines' allocations by warehouse priority,
    and units waiting in two warehouses leave as two shipments, one per
    warehouse (`warehouse_id` ships from that one only: ValidationError when
    a line has fewer units allocated there). For each (orders.dispatch): stock_ship writes the
    movements, the lines' allocated units become shipped, the Shipment and
    its lines are written, and `shipment_dispatched` is sent (its invoice,
    with that warehouse's state and GSTIN, is issued by invoicing's
    receiver). A handed-over shipment is delivered at once. The caller moves
    the order's status. Returns the shipments, first warehouse first.
    """
    chosen = shipment_lines_clean(order, lines)
    dispatch = Dispatch(
        order=order,
        chosen=chosen,
        tracking_reference=tracking_reference,
        note=note,
        handed_over=handed_over,
        warehouse_id=warehouse_id,
    )
    return dispatches_write([dispatch], distributor_id=order.distributor_id, by=by)[order.pk]


def status_after_shipping(order: Order) -> str:
    """`shipped` when nothing is left to ship (allocated or backordered), else partially."""
    owed = sum(item.quantity_allocated + item.quantity_backordered for item in order.items.all())
    return OrderStatus.PARTIALLY_SHIPPED if owed else OrderStatus.SHIPPED


def shipments_deliver_all(*, order: Order) -> list[Shipment]:
    """Deliver every dispatched shipment of the order (its move to `delivered`).

    Called by order_transition under the order's lock. Sends
    `shipment_delivered` for each one it delivers.
    """
    waiting = list(order.shipments.filter(status=ShipmentStatus.DISPATCHED))
    now = timezone.now()
    for shipment in waiting:
        shipment.status, shipment.delivered_at = ShipmentStatus.DELIVERED, now
    Shipment.objects.bulk_update(waiting, ["status", "delivered_at"])
    for shipment in waiting:
        shipment_delivered.send(sender=Shipment, shipment_id=shipment.pk, order_id=order.pk)
    return waiting


def order_deliver_if_complete(locked: Order, *, by: User | None, note: str) -> Order:
    """Move a `shipped` order on to `delivered` once none of its shipments is on the way.

    `locked`: the order under its row lock in the caller's transaction.
    """
    from .transitions import order_transition_locked

    if (
        locked.status == OrderStatus.SHIPPED
        and not locked.shipments.filter(status=ShipmentStatus.DISPATCHED).exists()
    ):
        return order_transition_locked(locked, to_status=OrderStatus.DELIVERED, by=by, note=note)
    return locked


def _check_distributor(order: Order, by: User) -> None:
    if by.organization_id != order.distributor_id:
        raise PermissionDenied("Only the order's distributor can ship it.")


def _clean_text(tracking_reference: str, note: str, *, pickup: bool) -> tuple[str, str]:
    tracking_reference, note = (tracking_reference or "").strip(), (note or "").strip()
    errors = {}
    if not pickup and not tracking_reference:
        errors["tracking_reference"] = "Enter the tracking reference of the shipment."
    elif len(tracking_reference) > TRACKING_MAX_LENGTH:
        errors["tracking_reference"] = f"Use at most {TRACKING_MAX_LENGTH} characters."
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Use at most {NOTE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return tracking_reference, note


@transaction.atomic
def shipment_create(
    *,
    order: Order,
    by: User,
    lines: Mapping[int, int] | None = None,
    tracking_reference: str = "",
    note: str = "",
    warehouse_id: int | None = None,
) -> Shipment:
    """A member of the order's distributor ships chosen lines and quantities of it.

    Returns the first shipment: units allocated in two warehouses leave as
    one shipment from each (shipment_dispatch), all with this tracking
    reference; `warehouse_id` ships from that warehouse only.

    Only from `processing` or `partially_shipped` (IllegalTransition
    otherwise); a delivery needs a tracking reference, a pickup is handed
    over without one. Bad lines or text raise ValidationError keyed by field,
    before anything is written. The order moves to `partially_shipped` while
    units stay allocated or backordered, else to `shipped`; a handed-over
    pickup that completes the order moves on to `delivered`.
    """
    from .transitions import order_transition_locked

    _check_distributor(order, by)
    pickup = order.fulfillment_type == FulfillmentType.PICKUP
    tracking_reference, note = _clean_text(tracking_reference, note, pickup=pickup)
    # Its lines are read once: choosing the units, then what is left to ship.
    locked = Order.objects.select_for_update().prefetch_related("items").get(pk=order.pk)
    if locked.status not in SHIPS_FROM:
        raise IllegalTransition(
            locked,
            OrderStatus.SHIPPED,
            [],
            message=f"Order {locked.number} is {locked.get_status_display().lower()}; "
            "it ships once it is processing.",
        )
    shipments = shipment_dispatch(
        order=locked,
        by=by,
        lines=lines,
        tracking_reference=tracking_reference,
        note=note,
        handed_over=pickup,
        warehouse_id=warehouse_id,
    )
    to_status = status_after_shipping(locked)
    numbers = " and ".join(shipment.number for shipment in shipments)
    order_transition_locked(
        locked,
        to_status=to_status,
        by=by,
        note=note or f"Shipment {numbers} dispatched.",
        tracking_reference=tracking_reference,
    )
    if pickup:  # a delivery's shipments are on the way: nothing more to move
        order_deliver_if_complete(locked, by=by, note="Handed over to the buyer.")
    return shipments[0]


@transaction.atomic
def shipment_mark_delivered(*, shipment: Shipment, by: User) -> Shipment:
    """The distributor records that a shipment arrived.

    The order becomes `delivered` when this was its last undelivered
    shipment and nothing is left to ship; a shipment already delivered
    raises IllegalTransition.
    """
    _check_distributor(shipment.order, by)
    locked_order = Order.objects.select_for_update().get(pk=shipment.order_id)
    locked = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if locked.status == ShipmentStatus.DELIVERED:
        raise IllegalTransition(
            locked_order,
            OrderStatus.DELIVERED,
            [],
            message=f"Shipment {locked.number} is already delivered.",
        )
    locked.status, locked.delivered_at = ShipmentStatus.DELIVERED, timezone.now()
    locked.save(update_fields=["status", "delivered_at"])
    shipment_delivered.send(sender=Shipment, shipment_id=locked.pk, order_id=locked_order.pk)
    order_deliver_if_complete(locked_order, by=by, note=f"Last shipment {locked.number} delivered.")
    return locked


SHIPMENTS_DELIVER_MAX = 200


@transaction.atomic
def shipments_mark_delivered(*, shipment_ids: list[int], by: User) -> list[Shipment]:
    """The distributor records that several of its shipments arrived (a courier's day report).

    What shipment_mark_delivered does for each, in a fixed number of queries
    (plus the receivers' of `shipment_delivered`): the orders are locked in
    one query and the shipments in another (pk order, as one at a time
    would), the shipments are written delivered in one UPDATE, and the
    orders that this completes (`shipped`, none of their shipments on the
    way) move to `delivered` together (orders.transitions.record_changes:
    one `orders_status_changed`, whose receivers tell the buyers in one
    pass). 1 to SHIPMENTS_DELIVER_MAX ids (ValidationError otherwise);
    every shipment must be one of `by`'s distributor's (PermissionDenied,
    nothing written). A shipment already delivered is left as it is.
    Returns the shipments this delivered, in pk order.
    """
    from .transitions import record_changes

    ids = sorted(set(shipment_ids))
    if not ids:
        raise ValidationError({"shipments": "Choose at least one shipment."})
    if len(ids) > SHIPMENTS_DELIVER_MAX:
        raise ValidationError(
            {"shipments": f"Record at most {SHIPMENTS_DELIVER_MAX} deliveries at once."}
        )
    order_ids = set(
        Shipment.objects.filter(pk__in=ids).order_by().values_list("order_id", flat=True)
    )
    orders = {
        order.pk: order
        for order in Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk")
    }
    if any(order.distributor_id != by.organization_id for order in orders.values()):
        raise PermissionDenied("Only the order's distributor can record its delivery.")
    locked = list(Shipment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise ValidationError({"shipments": "Some of these shipments do not exist."})
    waiting = [shipment for shipment in locked if shipment.status != ShipmentStatus.DELIVERED]
    if not waiting:
        return []
    now = timezone.now()
    Shipment.objects.filter(pk__in=[shipment.pk for shipment in waiting]).update(
        status=ShipmentStatus.DELIVERED, delivered_at=now
    )
    for shipment in waiting:
        shipment.status, shipment.delivered_at = ShipmentStatus.DELIVERED, now
        shipment_delivered.send(
            sender=Shipment, shipment_id=shipment.pk, order_id=shipment.order_id
        )
    touched = {shipment.order_id for shipment in waiting}
    on_the_way = set(
        Shipment.objects.filter(order_id__in=touched, status=ShipmentStatus.DISPATCHED)
        .order_by()
        .values_list("order_id", flat=True)
        .distinct()
    )
    complete = [
        orders[order_id]
        for order_id in sorted(touched - on_the_way)
        if orders[order_id].status == OrderStatus.SHIPPED
    ]
    record_changes(complete, to_status=OrderStatus.DELIVERED, by=by, note="Delivered.")
    return waiting
