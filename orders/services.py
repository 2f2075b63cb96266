"""Writes for orders: placing an order, moving it through its states."""

import datetime
import hashlib
import json
import logging
import random
import secrets
import time
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from accounts.models import BUYER_ROLES, BackorderPolicy, Organization, Role, User
from auromart.tax import common_rate, tax_totals
from catalog.models import Product
from inventory.exceptions import InsufficientStock
from inventory.services import (
    stock_allocate_for_order,
    stock_release,
)
from pricing.selectors import price_quotes

from .exceptions import IdempotencyKeyReused, IllegalTransition, OrderPlacementBusy
from .models import (
    RETURNS_STOCK,
    SHIPS_STOCK,
    TRANSITIONS,
    Cart,
    CartItem,
    DemandLine,
    FulfillmentType,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
)
from .shipments import shipment_dispatch, shipments_deliver_all, status_after_shipping
from .signals import order_placed, order_status_changed
from .tax import lines_taxed, order_supply, validate_state

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_LINES = 100
MAX_QUANTITY = 10_000
# A deadlock or lock-wait timeout rolls the whole transaction back, so the
# whole order is tried again, a few times, with a short jittered pause.
PLACE_ATTEMPTS = 4
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone


class OrderLineInput(NamedTuple):
    product_id: int
    quantity: int


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def add_business_days(start: datetime.date, days: int) -> datetime.date:
    day = start
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def estimate_delivery(fulfillment_type: str, *, today: datetime.date | None = None):
    """Delivery: ORDER_DELIVERY_DAYS business days; pickup: ORDER_PICKUP_DAYS."""
    today = today or timezone.localdate()
    days = (
        settings.ORDER_PICKUP_DAYS
        if fulfillment_type == FulfillmentType.PICKUP
        else settings.ORDER_DELIVERY_DAYS
    )
    return add_business_days(today, days)


def _new_number() -> str:
    # Random, not sequential: an order number tells nobody how many orders
    # the shop takes. 32**6 per day; the UNIQUE index catches the rare clash.
    suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
    return f"AM-{timezone.localdate():%y%m%d}-{suffix}"


def repeated_products(indexed_product_ids) -> dict[int, str]:
    """{line index: message} for each line whose product is already on an earlier line.

    `indexed_product_ids` are (line index, product id) pairs; the API checks
    its lines with this too, so that one answer names every bad line.
    """
    first_line: dict[int, int] = {}
    errors = {}
    for index, product_id in indexed_product_ids:
        first = first_line.setdefault(product_id, index)
        if first != index:
            errors[index] = (
                f"This product is already on line {first}; put its whole quantity on one line."
            )
    return errors


def _validate_lines(items: Sequence) -> list[OrderLineInput]:
    errors: dict[str, str] = {}
    if not items:
        raise ValidationError({"items": "Add at least one product to the order."})
    if len(items) > MAX_LINES:
        raise ValidationError({"items": f"An order has at most {MAX_LINES} lines."})
    lines = []
    for index, raw in enumerate(items):
        product_id, quantity = raw
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors[f"items.{index}.quantity"] = "Enter a whole number of at least 1."
        elif quantity > MAX_QUANTITY:
            errors[f"items.{index}.quantity"] = f"At most {MAX_QUANTITY} units per line."
        lines.append(OrderLineInput(product_id, quantity))
    for index, message in repeated_products(enumerate(line.product_id for line in lines)).items():
        errors[f"items.{index}.product_id"] = message
    if errors:
        raise ValidationError(errors)
    return lines


def _fingerprint(
    *, distributor_id, lines, fulfillment_type, shipping_address, backorder, shipping_state=""
) -> str:
    body = {
        "distributor": distributor_id,
        "items": sorted([line.product_id, line.quantity] for line in lines),
        "fulfillment_type": fulfillment_type,
        "shipping_address": shipping_address,
    }
    if backorder:  # absent when false, so keys stored before backorders still match
        body["backorder"] = True
    if shipping_state:  # likewise, for keys stored before states
        body["shipping_state"] = shipping_state
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _replay(*, customer: User, key: str, fingerprint: str) -> Order | None:
    order = Order.objects.filter(customer=customer, idempotency_key=key).first()
    if order is None:
        return None
    if order.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(order)
    order.replayed = True
    return order


def _is_transient(exc: OperationalError) -> bool:
    code = exc.args[0] if exc.args else None
    if connection.vendor == "mysql":
        return code in (1205, 1213)  # lock wait timeout, deadlock
    if connection.vendor == "sqlite":
        return "locked" in str(exc)
    return False


def order_place(
    *,
    customer: User,
    items: Sequence[OrderLineInput | tuple[int, int]],
    distributor: Organization,
    fulfillment_type: str = FulfillmentType.DELIVERY,
    shipping_address: str = "",
    shipping_state: str = "",
    idempotency_key: str | None = None,
    from_cart: Cart | None = None,
    backorder: bool | None = None,
    awaiting_payment: bool = False,
) -> Order:
    """Place an order: the order, its lines and their allocation, all or nothing.

    `items` are (product_id, quantity) pairs, one per product. Each line's
    price comes from pricing.selectors.price_quotes (the buyer's price list
    for this distributor, the break at the line's quantity) and is
    snapshotted with the list and break; each line is taxed at the GST rate
    in force today for its HSN code, CGST + SGST or IGST by the place of
    supply (`shipping_state`, else the state named in the address, else the
    buyer's or the seller's: orders.tax, auromart.tax), rounded half-up per
    line; a line's `line_total` is its taxable value. The lines are allocated from the distributor's
    available stock in the same transaction (on_hand moves only at dispatch).
    `backorder` (None: the buyer's setting, `User.buyer_backorder_policy`):
    False ships complete, so a short line raises InsufficientStock (naming
    the product and what is available) and nothing is written but the demand,
    recorded as refused; True allocates what is available and backorders the
    rest. Every line's demand is recorded (DemandLine). Sends `order_placed`
    inside the transaction. `from_cart`: that cart's lines for these products
    are removed in the same transaction. `awaiting_payment` (the buyer pays
    online: payments.checkout.payment_required decides) starts the order as
    `awaiting_payment` instead of `placed`; its stock is allocated all the same.

    With an `idempotency_key`, a retry with the same key and request returns
    the first order (its `replayed` attribute is True) and writes nothing; the
    same key with a different request raises IdempotencyKeyReused.
    Raises ValidationError keyed by field for bad input, PermissionDenied
    when the user may not buy, OrderPlacementBusy when the database kept
    refusing the locks (a deadlock or lock timeout, retried first).
    """
    if customer.role not in BUYER_ROLES:
        raise PermissionDenied(
            f"A {customer.role_label.lower()} account cannot place orders; "
            "customers and retailers do."
        )
    lines = _validate_lines(items)
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor_id": f"{distributor} is not a distributor."})
    if fulfillment_type not in FulfillmentType.values:
        raise ValidationError(
            {"fulfillment_type": f"Choose one of: {', '.join(FulfillmentType.values)}."}
        )
    shipping_address = (shipping_address or "").strip()
    if fulfillment_type == FulfillmentType.DELIVERY and not shipping_address:
        raise ValidationError({"shipping_address": "Enter the address to deliver to."})
    if fulfillment_type == FulfillmentType.PICKUP:
        shipping_address = ""
    try:
        shipping_state = validate_state(shipping_state)
    except ValueError as exc:
        raise ValidationError({"shipping_state": str(exc)}) from None
    if backorder is None:
        backorder = customer.buyer_backorder_policy == BackorderPolicy.BACKORDER
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 255:
        raise ValidationError({"idempotency_key": "Use a key of at most 255 characters."})
    fingerprint = ""
    if key is not None:
        fingerprint = _fingerprint(
            distributor_id=distributor.pk,
            lines=lines,
            fulfillment_type=fulfillment_type,
            shipping_address=shipping_address,
            backorder=backorder,
            shipping_state=shipping_state,
        )
        if (order := _replay(customer=customer, key=key, fingerprint=fingerprint)) is not None:
            return order

    products = Product.objects.filter(is_active=True).in_bulk([line.product_id for line in lines])
    missing = {
        f"items.{i}.product_id": f"Product {line.product_id} does not exist or is not for sale."
        for i, line in enumerate(lines)
        if line.product_id not in products
    }
    if missing:
        raise ValidationError(missing)

    for attempt in range(1, PLACE_ATTEMPTS + 1):
        try:
            return _place(
                customer=customer,
                lines=lines,
                products=products,
                distributor=distributor,
                fulfillment_type=fulfillment_type,
                shipping_address=shipping_address,
                shipping_state=shipping_state,
                key=key,
                fingerprint=fingerprint,
                from_cart=from_cart,
                backorder=backorder,
                awaiting_payment=awaiting_payment,
            )
        except InsufficientStock:
            _demand_refused(customer=customer, distributor=distributor, lines=lines)
            raise
        except IntegrityError:
            # A concurrent request with the same key committed first, or (very
            # rarely) the random number clashed.
            if key is not None:
                order = _replay(customer=customer, key=key, fingerprint=fingerprint)
                if order is not None:
                    return order
            if attempt == PLACE_ATTEMPTS or connection.in_atomic_block:
                raise
        except OperationalError as exc:
            if not _is_transient(exc):
                raise
            logger.warning("order_place attempt %d hit %s", attempt, exc)
            # Inside a caller's transaction the whole of it is gone: only the
            # caller can start again.
            if attempt == PLACE_ATTEMPTS or connection.in_atomic_block:
                raise OrderPlacementBusy() from exc
            time.sleep(random.uniform(0.01, 0.05) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _place(
    *,
    customer,
    lines,
    products,
    distributor,
    fulfillment_type,
    shipping_address,
    shipping_state,
    key,
    fingerprint,
    from_cart,
    backorder,
    awaiting_payment=False,
) -> Order:
    order_items = []
    first_status = OrderStatus.AWAITING_PAYMENT if awaiting_payment else OrderStatus.PLACED
    buyer = customer.organization if customer.role == Role.RETAILER else None
    # The one price resolution (pricing.selectors): the buyer's list, the
    # break at the line's quantity; the line snapshots all of it.
    quotes = price_quotes(
        organization=buyer,
        distributor=distributor,
        products=[products[line.product_id] for line in lines],
        quantities={line.product_id: line.quantity for line in lines},
    )
    supply = order_supply(
        distributor=distributor,
        buyer=buyer,
        fulfillment_type=fulfillment_type,
        shipping_state=shipping_state,
        shipping_address=shipping_address,
    )
    priced = [(products[line.product_id], line.quantity, quotes[line.product_id]) for line in lines]
    taxed = lines_taxed(priced=priced, intra_state=supply.intra_state)
    for (product, quantity, quote), line in zip(priced, taxed, strict=True):
        order_items.append(
            OrderItem(
                product=product,
                sku=product.sku,
                product_name=product.name,
                quantity=quantity,
                unit_price=quote.unit_price,
                line_total=line.tax.taxable,
                list_price=quote.list_price,
                price_list_id=quote.price_list_id,
                price_list_name=quote.price_list_name,
                price_break_quantity=quote.break_quantity,
                prices_include_tax=line.includes_tax,
                hsn_code=line.hsn_code,
                tax_rate=line.tax.rate,
                cgst=line.tax.cgst,
                sgst=line.tax.sgst,
                igst=line.tax.igst,
            )
        )
    totals = tax_totals(line.tax for line in taxed)
    tax_rate = common_rate(
        (line.tax.rate for line in taxed), subtotal=totals.subtotal, tax=totals.tax
    )

    with transaction.atomic():
        order = Order.objects.create(
            number=_new_number(),
            customer=customer,
            buyer_organization=buyer,
            distributor=distributor,
            status=first_status,
            fulfillment_type=fulfillment_type,
            shipping_address=shipping_address,
            shipping_state=supply.shipping_state,
            seller_state=supply.seller_state,
            place_of_supply=supply.place,
            estimated_delivery=estimate_delivery(fulfillment_type),
            subtotal=totals.subtotal,
            tax_rate=tax_rate,
            tax=totals.tax,
            cgst=totals.cgst,
            sgst=totals.sgst,
            igst=totals.igst,
            total=totals.total,
            idempotency_key=key,
            request_fingerprint=fingerprint,
            backorder=backorder,
        )
        # Allocate before the lines are written, so that each line is written
        # once with its figures. InsufficientStock rolls the whole order back.
        allocations = stock_allocate_for_order(
            distributor_id=distributor.pk,
            lines=[(line.product_id, line.quantity) for line in lines],
            reference=order.stock_reference,
            products=products,
            backorder=backorder,
        )
        for item in order_items:
            item.order = order
            item.quantity_allocated = allocations[item.product_id].allocated
            item.quantity_backordered = allocations[item.product_id].backordered
        OrderItem.objects.bulk_create(order_items)
        DemandLine.objects.bulk_create(
            DemandLine(
                product_id=item.product_id,
                distributor=distributor,
                customer=customer,
                buyer_organization=buyer,
                order_item=item,
                requested=item.quantity,
                allocated=item.quantity_allocated,
                backordered=item.quantity_backordered,
                created_at=order.created_at,
            )
            for item in order_items
        )
        first_change = OrderStatusChange.objects.create(
            order=order, from_status="", to_status=first_status, changed_by=customer
        )
        order_placed.send(
            sender=Order,
            order_id=order.pk,
            number=order.number,
            customer_id=customer.pk,
            distributor_id=distributor.pk,
            lines=tuple((line.product_id, line.quantity) for line in lines),
            reference=order.stock_reference,
        )
        if from_cart is not None:
            CartItem.objects.filter(
                cart=from_cart, product_id__in=[line.product_id for line in lines]
            ).delete()
    # The caller gets the order as a fresh read would give it, without reading:
    # its lines, its one status change and no shipments, in their model orderings.
    _set_loaded(order, "items", order_items)
    _set_loaded(order, "status_changes", [first_change])
    _set_loaded(order, "shipments", [])  # a new order has none yet
    order.replayed = False
    return order


def _demand_refused(*, customer: User, distributor: Organization, lines) -> None:
    """Record an order refused for short stock: its lines' demand, all refused.

    Its own transaction after the order's rolled back, so the demand that was
    turned away is still there for the reports and forecasting.
    """
    buyer = customer.organization if customer.role == Role.RETAILER else None
    now = timezone.now()
    with transaction.atomic():
        DemandLine.objects.bulk_create(
            DemandLine(
                product_id=line.product_id,
                distributor=distributor,
                customer=customer,
                buyer_organization=buyer,
                requested=line.quantity,
                refused=line.quantity,
                created_at=now,
            )
            for line in lines
        )


def _set_loaded(order: Order, relation: str, rows: list) -> None:
    """Give `order.<relation>.all()` these rows, as prefetch_related would, without a query."""
    rows_qs = getattr(order, relation).all()
    rows_qs._result_cache = list(rows)
    rows_qs._prefetch_done = True
    if not hasattr(order, "_prefetched_objects_cache"):
        order._prefetched_objects_cache = {}
    order._prefetched_objects_cache[relation] = rows_qs


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
    allowed = list(TRANSITIONS[locked.status])
    if to_status not in allowed:
        raise IllegalTransition(locked, to_status, allowed)
    if only_from is not None and locked.status not in only_from:
        raise IllegalTransition(
            locked,
            to_status,
            [],
            message=(
                f"Order {locked.number} is already {locked.get_status_display().lower()}; "
                f"it can only be made {to_status} while it is {' or '.join(only_from)}."
            ),
        )
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
    from_status = locked.status
    locked.status = to_status
    fields = ["status", "updated_at"]
    if tracking_reference:
        locked.tracking_reference = tracking_reference.strip()
        fields.append("tracking_reference")
    locked.save(update_fields=fields)
    OrderStatusChange.objects.create(
        order=locked,
        from_status=from_status,
        to_status=to_status,
        changed_by=by,
        note=note.strip(),
    )
    order_status_changed.send(
        sender=Order,
        order_id=locked.pk,
        distributor_id=locked.distributor_id,
        customer_id=locked.customer_id,
        from_status=from_status,
        to_status=to_status,
        changed_by_id=by.pk if by is not None else None,
        note=note.strip(),
        reference=locked.stock_reference,
    )
    return locked


def _release_open_units(order: Order) -> None:
    """A rejected or cancelled order: its allocation goes back to available, nothing is owed.

    No movement is written (the units never left the shelf). Lines of an
    order from before allocations existed hold no allocation and release
    nothing: the migration turned their sales into allocations.
    """
    items = list(order.items.all())
    released = {item.product_id: item.quantity_allocated for item in items}
    # The lines first: the release offers the units to waiting backorders,
    # and this order's own lines must no longer be waiting by then.
    for item in items:
        item.quantity_cancelled += item.quantity_allocated + item.quantity_backordered
        item.quantity_allocated = item.quantity_backordered = 0
    OrderItem.objects.bulk_update(
        items, ["quantity_allocated", "quantity_backordered", "quantity_cancelled"]
    )
    stock_release(
        distributor_id=order.distributor_id, lines=released, reference=order.stock_reference
    )


def order_cancel_by_customer(*, order: Order, by: User, reason: str = "") -> Order:
    """The buyer calls off an order that the distributor has not accepted yet.

    Only the customer who placed it may; only while it is `placed` (raises
    IllegalTransition otherwise). The stock goes back through the ledger.
    """
    if order.customer_id != by.pk:
        raise PermissionDenied("Only the customer who placed the order can cancel it.")
    return order_transition(
        order=order,
        to_status=OrderStatus.CANCELLED,
        by=by,
        note=reason or "Cancelled by the customer.",
        only_from=(OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT),
    )


# The moves a distributor makes on its incoming orders: every status after
# `placed` (buyers may only cancel, through order_cancel_by_customer).
DISTRIBUTOR_MOVES = (
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
    return order_transition(
        order=order,
        to_status=to_status,
        by=by,
        note=note,
        tracking_reference=tracking_reference,
    )


def order_cancel_by_retailer(*, order: Order, by: User, reason: str = "") -> Order:
    """A member of the buying retailer calls off its order before the distributor accepts it.

    Any member of the organization the order was placed for may (they order
    and track as the organization, whoever placed it); others get
    PermissionDenied. Only while it is `placed` (raises IllegalTransition
    otherwise). The stock goes back through the ledger.
    """
    if by.role != Role.RETAILER or order.buyer_organization_id != by.organization_id:
        raise PermissionDenied("Only a member of the ordering retailer can cancel this order.")
    return order_transition(
        order=order,
        to_status=OrderStatus.CANCELLED,
        by=by,
        note=reason or f"Cancelled by {by.get_full_name()} of {by.organization}.",
        only_from=(OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT),
    )
