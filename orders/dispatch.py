"""Writing dispatches: one order's shipment (shipment_dispatch) or several orders' at once.

The units chosen for each order leave by warehouse priority (a line's units
waiting in two warehouses leave as two shipments, one per warehouse); the
lines' allocated units become shipped; the stock leaves through the
inventory service (`shipment` movements); the Shipments and their lines are
written; `shipment_dispatched` is sent per shipment (invoicing's receiver
issues its invoice in the same transaction). However many orders, the
writes are one query each: the order lines' UPDATE, the shipments' count,
the stock (inventory.services.stock_ship_many), the shipments' INSERT and
their lines'; only the signal's receivers work per shipment.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from inventory.services import LeavingUnits, stock_ship_many
from inventory.warehouses import warehouses_by_priority

from .line_allocation import line_allocation, line_allocation_take
from .models import Order, OrderItem, Shipment, ShipmentLine, ShipmentStatus
from .signals import shipment_dispatched


@dataclass
class Dispatch:
    """What to dispatch of one order, read under its row lock with its lines."""

    order: Order
    chosen: dict[OrderItem, int]  # shipment_lines_clean: {order line: units}
    tracking_reference: str = ""
    note: str = ""
    handed_over: bool = False  # a pickup: delivered at once
    warehouse_id: int | None = None  # ship from this warehouse only


def dispatches_write(
    dispatches: list[Dispatch], *, distributor_id: int, by: User | None
) -> dict[int, list[Shipment]]:
    """Dispatch each order's chosen units (all of one distributor's orders); returns
    {order pk: its new shipments, first warehouse first}.

    Call inside the transaction that holds the orders' row locks. ValidationError
    (nothing written) when a Dispatch's `warehouse_id` holds fewer units of a line.
    """
    if not dispatches:
        return {}
    warehouses = {w.pk: w for w in warehouses_by_priority(distributor_id)}
    priority = list(warehouses)
    default_id = priority[0]
    rank = {w: i for i, w in enumerate(priority)}
    plans: list[dict[int, dict[OrderItem, int]]] = []
    for dispatch in dispatches:
        by_warehouse: dict[int, dict[OrderItem, int]] = {}
        for item, quantity in dispatch.chosen.items():
            if (only := dispatch.warehouse_id) is not None:
                there = line_allocation(item, default_id).get(only, 0)
                if quantity > there:
                    raise ValidationError(
                        {"lines": f"{item.sku}: only {there} allocated in that warehouse."}
                    )
                taken = line_allocation_take(item, quantity, default_id, [only], only=True)
            else:
                taken = line_allocation_take(item, quantity, default_id, priority)
            for w, units in taken.items():
                by_warehouse.setdefault(w, {})[item] = units
        plans.append(by_warehouse)
    changed = []
    for dispatch in dispatches:
        for item, quantity in dispatch.chosen.items():
            item.quantity_allocated -= quantity
            item.quantity_shipped += quantity
            changed.append(item)
    OrderItem.objects.bulk_update(
        changed, ["quantity_allocated", "quantity_shipped", "allocated_by_warehouse"]
    )
    order_ids = [dispatch.order.pk for dispatch in dispatches]
    earlier = Shipment.objects.filter(order_id__in=order_ids).order_by()
    if len(order_ids) == 1:  # a plain COUNT(*)
        sequences = {order_ids[0]: earlier.count()}
    else:
        sequences = dict(
            earlier.values("order_id").annotate(n=Count("pk")).values_list("order_id", "n")
        )
    now, by_id = timezone.now(), (by.pk if by is not None else None)
    legs, shipments, units_of = [], [], []
    for dispatch, by_warehouse in zip(dispatches, plans, strict=True):
        order = dispatch.order
        status = ShipmentStatus.DELIVERED if dispatch.handed_over else ShipmentStatus.DISPATCHED
        for w in sorted(by_warehouse, key=lambda w: (rank.get(w, len(rank)), w)):
            units = by_warehouse[w]
            legs.append(
                LeavingUnits(
                    warehouse_id=w,
                    lines={item.product_id: quantity for item, quantity in units.items()},
                    reference=order.stock_reference,
                    note=f"Order {order.number} dispatched",
                )
            )
            sequence = sequences.get(order.pk, 0) + 1
            sequences[order.pk] = sequence
            shipment = Shipment(
                order=order,
                sequence=sequence,
                number=f"{order.number}-S{sequence}",
                method=order.fulfillment_type,
                warehouse_id=w,
                tracking_reference=dispatch.tracking_reference.strip(),
                note=dispatch.note.strip(),
                dispatched_at=now,
                dispatched_by=by,
                status=status,
                delivered_at=now if dispatch.handed_over else None,
            )
            shipments.append(shipment)
            units_of.append(units)
    stock_ship_many(distributor_id=distributor_id, legs=legs, by_id=by_id)
    Shipment.objects.bulk_create(shipments)
    lines = ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(shipment=shipment, order_item=item, quantity=quantity)
            for shipment, units in zip(shipments, units_of, strict=True)
            for item, quantity in units.items()
        ]
    )
    lines_of: dict[int, list[ShipmentLine]] = {}
    for line in lines:
        lines_of.setdefault(line.shipment.pk, []).append(line)
    written: dict[int, list[Shipment]] = {pk: [] for pk in order_ids}
    for shipment in shipments:
        if shipment.warehouse_id in warehouses:
            shipment.warehouse = warehouses[shipment.warehouse_id]
        # `shipment` and its lines as written (with their order lines): the invoice is
        # made from them without reading them back.
        shipment_dispatched.send(
            sender=Shipment,
            shipment_id=shipment.pk,
            order_id=shipment.order_id,
            sequence=shipment.sequence,
            shipment=shipment,
            lines=lines_of[shipment.pk],
        )
        written[shipment.order_id].append(shipment)
    return written
