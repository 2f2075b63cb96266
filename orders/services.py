"""Writes for orders: placing an order (its moves afterwards are in orders.transitions)."""

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
from auromart.formatting import money_display
from auromart.tax import common_rate, tax_totals
from inventory.exceptions import InsufficientStock, StockTakeMissed
from inventory.services import (
    Allocation,
    stock_allocate_for_order,
    stock_take_expected,
    stock_take_for_order,
    stock_take_warehouse,
)
from invoicing.credit import credit_hold_needed
from pricing.selectors import price_quotes

from .delivery_dates import requested_date_validate
from .demand import demand_refused_record
from .exceptions import IdempotencyKeyReused, OrderPlacementBusy
from .held import orders_held
from .line_allocation import line_allocation_set
from .models import (
    Cart,
    CartItem,
    DemandLine,
    FulfillmentType,
    Order,
    OrderItem,
    OrderStatus,
    OrderStatusChange,
)
from .placement_reads import products_for_order
from .signals import order_placed
from .tax import lines_discounted, lines_taxed, order_supply, validate_state

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MAX_LINES = 100
MAX_QUANTITY = 10_000
MAX_BUYER_REFERENCE = 35
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
    *,
    distributor_id,
    lines,
    fulfillment_type,
    shipping_address,
    backorder,
    shipping_state="",
    extra=None,
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
    # Likewise the PO number, the delivery date and points: only when given.
    body.update({name: value for name, value in (extra or {}).items() if value})
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
    buyer_reference: str = "",
    requested_delivery_date: datetime.date | None = None,
    loyalty_points: int = 0,
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
    are removed in the same transaction. An order that would take the buyer
    organization over its credit limit with the distributor
    (invoicing.credit.credit_hold_needed, deciding under a lock of the terms
    row) is placed `credit_hold`, allocated like any other, and waits for the
    distributor to release it (order_credit_release) or reject it.

    `buyer_reference` is the buyer's own PO number (at most 35 characters,
    trimmed); `requested_delivery_date` a business day of the distributor's
    calendar at least its lead days ahead (orders.delivery_dates), and then
    the order's estimated delivery. `loyalty_points` (the store's customers,
    loyalty.services) are redeemed as a discount before tax, within the
    programme's cap per order: it is spread over the lines' taxable values
    and GST is computed on what is left.
    `awaiting_payment` (the buyer pays
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
    buyer_reference = " ".join((buyer_reference or "").split())
    if len(buyer_reference) > MAX_BUYER_REFERENCE:
        raise ValidationError(
            {"buyer_reference": f"Use a PO number of at most {MAX_BUYER_REFERENCE} characters."}
        )
    requested_delivery_date = requested_date_validate(distributor, requested_delivery_date)
    if (
        isinstance(loyalty_points, bool)
        or not isinstance(loyalty_points, int)
        or loyalty_points < 0
    ):
        raise ValidationError({"loyalty_points": "Enter a whole number of points, 0 or more."})
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
            extra={
                "buyer_reference": buyer_reference,
                "requested_delivery_date": requested_delivery_date and str(requested_delivery_date),
                "loyalty_points": loyalty_points,
            },
        )
        if (order := _replay(customer=customer, key=key, fingerprint=fingerprint)) is not None:
            return order

    # With the distributor's stock figures: a forecast of whether the lean
    # stock take will take every line (inventory.allocation.stock_take_expected).
    products = products_for_order(
        distributor_id=distributor.pk, product_ids=[line.product_id for line in lines]
    )
    missing = {
        f"items.{i}.product_id": f"Product {line.product_id} does not exist or is not for sale."
        for i, line in enumerate(lines)
        if line.product_id not in products
    }
    if missing:
        raise ValidationError(missing)

    careful = not stock_take_expected(lines=lines, products=products)
    attempt = 1
    while True:
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
                buyer_reference=buyer_reference,
                requested_delivery_date=requested_delivery_date,
                loyalty_points=loyalty_points,
                careful=careful,
                awaiting_payment=awaiting_payment,
            )
        except StockTakeMissed:
            # The one-statement take could not take every line, and the order
            # rolled back: once more through the locked path, which names a
            # short line. Not an attempt of its own: that path cannot miss.
            careful = True
            continue
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
        attempt += 1


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
    buyer_reference="",
    requested_delivery_date=None,
    loyalty_points=0,
    careful=False,
    awaiting_payment=False,
) -> Order:
    order_items = []
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
    redemption = None
    shares = [Decimal("0.00")] * len(taxed)
    if loyalty_points:
        from loyalty.services import redemption_check

        redemption = redemption_check(
            customer=customer,
            distributor=distributor,
            points=loyalty_points,
            taxable=tax_totals(line.tax for line in taxed).subtotal,
        )
        taxed, shares = lines_discounted(taxed, redemption.discount, intra_state=supply.intra_state)
    for (product, quantity, quote), line, share in zip(priced, taxed, shares, strict=True):
        order_items.append(
            OrderItem(
                product=product,
                sku=product.sku,
                product_name=product.name,
                quantity=quantity,
                unit_price=quote.unit_price,
                line_total=line.tax.taxable,
                discount=share,
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
        # First in the transaction: the buyer's terms row at this distributor is
        # locked until commit, so concurrent orders of one buyer are decided in turn.
        credit = credit_hold_needed(seller=distributor, buyer=buyer, amount=totals.total)
        # Paying online first (payments.checkout.payment_required said so): the
        # order waits for the money; else over the limit it waits for the seller.
        if awaiting_payment:
            status = OrderStatus.AWAITING_PAYMENT
        elif credit.hold:
            status = OrderStatus.CREDIT_HOLD
        else:
            status = OrderStatus.PLACED
        order = Order.objects.create(
            number=_new_number(),
            customer=customer,
            buyer_organization=buyer,
            distributor=distributor,
            status=status,
            fulfillment_type=fulfillment_type,
            shipping_address=shipping_address,
            shipping_state=supply.shipping_state,
            seller_state=supply.seller_state,
            place_of_supply=supply.place,
            estimated_delivery=requested_delivery_date or estimate_delivery(fulfillment_type),
            buyer_reference=buyer_reference,
            requested_delivery_date=requested_delivery_date,
            loyalty_points_redeemed=redemption.points if redemption else 0,
            loyalty_discount=redemption.discount if redemption else Decimal("0.00"),
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
        wanted = [(line.product_id, line.quantity) for line in lines]
        if backorder or careful:
            # The figures decide the lines (what is backordered), or the lean
            # take below missed: lock and allocate first, each line written once.
            allocations = stock_allocate_for_order(
                distributor_id=distributor.pk,
                lines=wanted,
                reference=order.stock_reference,
                products=products,
                backorder=backorder,
            )
        else:
            # Ship complete: every line is allocated in full (in the distributor's
            # first warehouse, where the forecast saw it) or the order rolls
            # back, so the lines are written now and the stock taken last.
            take_in = stock_take_warehouse(products.values())
            allocations = {
                pid: Allocation(allocated=qty, backordered=0, warehouses={take_in: qty})
                for pid, qty in wanted
            }
        for item in order_items:
            item.order = order
            item.quantity_allocated = allocations[item.product_id].allocated
            item.quantity_backordered = allocations[item.product_id].backordered
            line_allocation_set(item, allocations[item.product_id].warehouses)
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
        if redemption is not None:
            from loyalty.services import points_redeem

            points_redeem(
                customer=customer,
                order_id=order.pk,
                points=redemption.points,
                discount=redemption.discount,
            )
        first_change = OrderStatusChange.objects.create(
            order=order,
            from_status="",
            to_status=status,
            changed_by=customer,
            note=_hold_note(credit) if status == OrderStatus.CREDIT_HOLD else "",
        )
        _set_loaded(order, "items", order_items)
        with orders_held(order):
            order_placed.send(
                sender=Order,
                order_id=order.pk,
                number=order.number,
                customer_id=customer.pk,
                distributor_id=distributor.pk,
                lines=tuple(wanted),
                reference=order.stock_reference,
            )
        if from_cart is not None:
            CartItem.objects.filter(
                cart=from_cart, product_id__in=[line.product_id for line in lines]
            ).delete()
        if not (backorder or careful):
            # Last, so the stock rows stay locked only from here to the commit
            # (docs/architecture.md, "The order path"). A miss raises
            # StockTakeMissed: this transaction rolls back and order_place
            # places the order again through the locked path.
            stock_take_for_order(
                distributor_id=distributor.pk,
                warehouse_id=take_in,
                lines=wanted,
                reference=order.stock_reference,
                products=products,
            )
    # The caller gets the order as a fresh read would give it, without reading:
    # its lines, its one status change and no shipments, in their model orderings.
    _set_loaded(order, "status_changes", [first_change])
    _set_loaded(order, "shipments", [])  # a new order has none yet
    order.replayed = False
    return order


def _hold_note(credit) -> str:
    return (
        f"Held for credit approval: {money_display(credit.exposure)} owed and on order plus "
        f"this order would exceed the credit limit of {money_display(credit.limit)}."
    )


def _demand_refused(*, customer: User, distributor: Organization, lines) -> None:
    """Record an order refused for short stock: its lines' demand, all refused (orders.demand).

    Its own transaction after the order's rolled back, so the demand that was
    turned away is still there for the reports and forecasting.
    """
    demand_refused_record(
        customer=customer,
        distributor=distributor,
        lines=[(line.product_id, line.quantity) for line in lines],
    )


def _set_loaded(order: Order, relation: str, rows: list) -> None:
    """Give `order.<relation>.all()` these rows, as prefetch_related would, without a query."""
    rows_qs = getattr(order, relation).all()
    rows_qs._result_cache = list(rows)
    rows_qs._prefetch_done = True
    if not hasattr(order, "_prefetched_objects_cache"):
        order._prefetched_objects_cache = {}
    order._prefetched_objects_cache[relation] = rows_qs
