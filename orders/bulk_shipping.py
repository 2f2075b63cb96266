"""Shipping many of a distributor's orders at once (its order list's "Ship selected").

What shipment_create does for one order, for up to BULK_SHIP_MAX orders in
one transaction and a fixed number of queries besides the receivers of
`shipment_dispatched` (each shipment's invoice, issued at dispatch as one at
a time): the orders are locked in one query (pk order) with their lines in
one more, everything allocated of each ships (orders.dispatch: one shipment
per warehouse its units wait in, the stock leaving through
inventory.services.stock_ship_many), the tracking references are written in
one UPDATE, and the orders move to `shipped` or `partially_shipped`
together (orders.transitions.record_changes, one group per status). A
pickup is handed over at once and, when nothing is left to ship, delivered.

An order that cannot ship (not one of the distributor's, cancelled or
already shipped since the page was drawn, nothing allocated, a delivery
without a tracking reference) is reported and the others still ship: the
batch is one transaction, so a failure while writing (a database error)
ships none of them.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When

from accounts.models import Organization, User

from .dispatch import Dispatch, dispatches_write
from .models import FulfillmentType, Order, OrderStatus, Shipment, ShipmentStatus
from .shipments import (
    NOTE_MAX_LENGTH,
    SHIPS_FROM,
    TRACKING_MAX_LENGTH,
    shipment_lines_clean,
    status_after_shipping,
)
from .transitions import record_changes

BULK_SHIP_MAX = 200


@dataclass(frozen=True)
class ShipResult:
    number: str
    shipped: bool
    message: str
    shipments: tuple[str, ...] = ()


def _clean(
    numbers: list[str], tracking_references: Mapping[str, str], shared: str, note: str
) -> tuple[list[str], dict[str, str], str, str]:
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))
    if not numbers:
        raise ValidationError({"order": "Tick at least one order."})
    if len(numbers) > BULK_SHIP_MAX:
        raise ValidationError({"order": f"Ship at most {BULK_SHIP_MAX} orders at once."})
    tracking = {n.strip(): (t or "").strip() for n, t in tracking_references.items()}
    shared, note = (shared or "").strip(), (note or "").strip()
    errors = {}
    if any(len(t) > TRACKING_MAX_LENGTH for t in [*tracking.values(), shared]):
        errors["tracking_reference"] = f"Use at most {TRACKING_MAX_LENGTH} characters."
    if len(note) > NOTE_MAX_LENGTH:
        errors["note"] = f"Use at most {NOTE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    return numbers, tracking, shared, note


def _refusal(order: Order | None, number: str, tracking: str) -> str | None:
    if order is None:
        return f"Order {number} is not one of yours."
    if order.status == OrderStatus.SHIPPED or order.status == OrderStatus.DELIVERED:
        return f"Order {number} was already shipped."
    if order.status not in SHIPS_FROM:
        return (
            f"Order {number} is {order.get_status_display().lower()}; "
            "it ships once it is processing."
        )
    if order.fulfillment_type != FulfillmentType.PICKUP and not tracking:
        return f"Order {number}: enter the tracking reference of the shipment."
    return None


def orders_ship_in_bulk(
    *,
    numbers: list[str],
    by: User,
    tracking_references: Mapping[str, str] | None = None,
    tracking_reference: str = "",
    note: str = "",
) -> list[ShipResult]:
    """Ship everything allocated of each of `by`'s distributor's orders named by `numbers`.

    1 to BULK_SHIP_MAX order numbers (repeated ones count once; ValidationError
    otherwise, before anything is read). Each delivery needs a tracking
    reference: its own in `tracking_references` ({order number: reference}),
    else `tracking_reference` (one consignment for all); a pickup needs none.
    One result per number, in the order given; one transaction for the batch.
    """
    if by.organization_id is None:
        raise PermissionDenied("Only a distributor's member can ship its orders.")
    numbers, tracking, shared, note = _clean(
        numbers, tracking_references or {}, tracking_reference, note
    )
    results: dict[str, ShipResult] = {}
    with transaction.atomic():
        orders = {
            order.number: order
            for order in Order.objects.select_for_update()
            .filter(distributor_id=by.organization_id, number__in=numbers)
            .prefetch_related("items")
            .order_by("pk")
        }
        dispatches = []
        for number in numbers:
            order = orders.get(number)
            reference = tracking.get(number) or shared
            refusal = _refusal(order, number, reference)
            if refusal is None:
                try:
                    chosen = shipment_lines_clean(order, None)
                except ValidationError as error:
                    refusal = "; ".join(error.message_dict["lines"])
            if refusal is not None:
                results[number] = ShipResult(number, False, refusal)
                continue
            pickup = order.fulfillment_type == FulfillmentType.PICKUP
            dispatches.append(
                Dispatch(
                    order=order,
                    chosen=chosen,
                    tracking_reference=reference,
                    note=note,
                    handed_over=pickup,
                )
            )
        _load_parties([dispatch.order for dispatch in dispatches])
        written = dispatches_write(dispatches, distributor_id=by.organization_id, by=by)
        _record_moves([d.order for d in dispatches], written, by=by, note=note)
    for dispatch in dispatches:
        order = dispatch.order
        names = tuple(shipment.number for shipment in written[order.pk])
        results[order.number] = ShipResult(
            order.number, True, f"Order {order.number} shipped: {', '.join(names)}.", names
        )
    return [results[number] for number in numbers]


def _load_parties(orders: list[Order]) -> None:
    """Each order's customer, buyer organization and distributor, in two queries for the
    batch (not joined to the locking query: MariaDB would lock their rows too); each
    shipment's invoice takes them from its order instead of reading the order again."""
    if not orders:
        return
    users = User.objects.in_bulk({order.customer_id for order in orders})
    orgs = Organization.objects.in_bulk(
        {order.distributor_id for order in orders}
        | {order.buyer_organization_id for order in orders if order.buyer_organization_id}
    )
    for order in orders:
        order.customer = users.get(order.customer_id)
        order.buyer_organization = orgs.get(order.buyer_organization_id)
        order.distributor = orgs[order.distributor_id]


def _record_moves(
    shipped: list[Order], written: dict[int, list[Shipment]], *, by: User, note: str
) -> None:
    """The shipped orders' tracking references (one UPDATE) and status moves (one group per
    status); pickups with nothing left to ship are then delivered."""
    if not shipped:
        return
    references = {
        order.pk: written[order.pk][0].tracking_reference
        for order in shipped
        if written[order.pk][0].tracking_reference
    }
    if references:
        Order.objects.filter(pk__in=list(references)).update(
            tracking_reference=Case(
                *[When(pk=pk, then=Value(ref)) for pk, ref in references.items()]
            )
        )
        for order in shipped:
            if order.pk in references:
                order.tracking_reference = references[order.pk]
    groups: dict[str, list[Order]] = {}
    for order in shipped:
        groups.setdefault(status_after_shipping(order), []).append(order)
    for to_status, orders in groups.items():
        record_changes(orders, to_status=to_status, by=by, note=note or "Dispatched.")
    pickups = [
        order
        for order in groups.get(OrderStatus.SHIPPED, [])
        if order.fulfillment_type == FulfillmentType.PICKUP
    ]
    if pickups:
        on_the_way = set(
            Shipment.objects.filter(
                order_id__in=[o.pk for o in pickups], status=ShipmentStatus.DISPATCHED
            )
            .order_by()
            .values_list("order_id", flat=True)
        )
        handed = [order for order in pickups if order.pk not in on_the_way]
        handed_note = "Handed over to the buyer."
        record_changes(handed, to_status=OrderStatus.DELIVERED, by=by, note=handed_note)
