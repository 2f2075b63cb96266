"""Writes for inventory: every change of on_hand goes through here and into the ledger."""

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from accounts.agreements import agreement_is_accepted
from accounts.models import Organization, User
from catalog.models import Product

from . import stock_sql
from .exceptions import InsufficientStock, StockTakeMissed
from .models import StockItem, StockMovement
from .signals import reorder_settings_changed, stock_available, stock_low, stock_short

STOCK_FIGURES = ["on_hand", "allocated", "held"]
# The most any stock figure may reach: an assignment, receipt or count that
# would pass it is refused before the write (the column is a signed 32-bit
# integer on MariaDB, so an overflow would otherwise be a database error).
MAX_STOCK = 1_000_000_000


def _lock(stock_item_pk: int) -> StockItem:
    # No select_related here: MariaDB has no FOR UPDATE OF, so a join would
    # lock the product and organization rows as well.
    return StockItem.objects.with_dynamic_level().select_for_update().get(pk=stock_item_pk)


def _record_movement(
    item: StockItem,
    *,
    kind: str,
    quantity: int,
    by: User | None,
    note: str,
    reference: str,
) -> StockItem:
    """Apply a signed change to a locked stock item and write its ledger row.

    A removal may take only what is available: units allocated to orders or
    held stay on the shelf (a count, which may find less, is stock_count's).
    """
    if item.on_hand + quantity > MAX_STOCK:
        raise ValidationError(
            {
                "quantity": f"That would put {item.on_hand + quantity:,} units on the shelf; "
                f"a stock item holds at most {MAX_STOCK:,}."
            }
        )
    if quantity < 0 and -quantity > item.available:
        raise InsufficientStock(
            item.product,
            available=item.available,
            requested=-quantity,
            distributor=item.distributor,
        )
    try:
        # The database does the arithmetic, so the CHECK constraints see the
        # real result even for a row changed behind the lock (a raw UPDATE).
        # A savepoint, so that a refused UPDATE leaves the transaction usable.
        with transaction.atomic():
            StockItem.objects.filter(pk=item.pk).update(
                on_hand=F("on_hand") + quantity, updated_at=timezone.now()
            )
    except IntegrityError as exc:
        item.refresh_from_db(fields=STOCK_FIGURES)
        raise InsufficientStock(
            item.product,
            available=item.available,
            requested=-quantity,
            distributor=item.distributor,
        ) from exc
    item.refresh_from_db(fields=[*STOCK_FIGURES, "updated_at"])
    StockMovement.objects.create(
        stock_item=item,
        kind=kind,
        quantity=quantity,
        balance_after=item.on_hand,
        reference=reference,
        note=note,
        created_by=by,
    )
    return item


@transaction.atomic
def stock_assign(
    *,
    product: Product,
    distributor: Organization,
    quantity: int,
    by: User | None = None,
    note: str = "",
    reference: str = "",
) -> StockItem:
    """Put `quantity` units of `product` into `distributor`'s stock (a manufacturer's assignment).

    Creates the stock item on first assignment, locks it, raises on_hand and
    writes an `assignment` movement; `reference` names its cause (e.g.
    "po:7"). Returns the updated stock item.
    Raises ValidationError keyed by field when the organization is not a
    distributor or the quantity is not a whole number of at least 1.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError(
            {"distributor": f"{distributor} is not a distributor; stock is held by distributors."}
        )
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": "Assign a whole number of at least 1 unit."})
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    # Already loaded by the caller: spare the queries an error message would make.
    item.product = product
    item.distributor = distributor
    item = _record_movement(
        item,
        kind=StockMovement.Kind.ASSIGNMENT,
        quantity=quantity,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    _send_available([item], reference)
    return item


def stock_assign_by_manufacturer(
    *,
    product: Product,
    distributor: Organization,
    quantity: int,
    by: User,
    note: str = "",
) -> StockItem:
    """A manufacturer puts units of one of its products on sale at a distributor.

    Like stock_assign, and refuses a deactivated product (its stock could not
    be sold): ValidationError keyed "product_id". Only into a distributor that
    has accepted a supply agreement with the product's manufacturer:
    PermissionDenied otherwise (a manufacturer writes into no other
    organization's stock uninvited). Scoping the product to the caller's
    organization is the caller's lookup (another's product is 404).
    """
    if not product.is_active:
        raise ValidationError(
            {"product_id": f"{product} is deactivated; put it back on sale first."}
        )
    if not agreement_is_accepted(
        manufacturer_id=product.manufacturer_id, distributor_id=distributor.pk
    ):
        raise PermissionDenied(
            f"{distributor} has not accepted a supply agreement with you: request one under "
            "Agreements, and assign stock once the distributor accepts it."
        )
    return stock_assign(
        product=product, distributor=distributor, quantity=quantity, by=by, note=note
    )


@transaction.atomic
def stock_receive(
    *,
    product: Product,
    distributor: Organization,
    quantity: int,
    reference: str,
    by: User | None = None,
    note: str = "",
) -> StockItem:
    """Book goods received from a supplier (a purchase order's delivery) into stock.

    Like stock_assign, but the ledger row is a `receipt`; `reference` names
    the purchase order (e.g. "po:7"). Returns the updated stock item. Raises
    ValidationError keyed by field when the organization is not a distributor
    or the quantity is not a whole number of at least 1.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": "Receive a whole number of at least 1 unit."})
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    item.product = product
    item.distributor = distributor
    item = _record_movement(
        item,
        kind=StockMovement.Kind.RECEIPT,
        quantity=quantity,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    _send_available([item], reference)
    return item


@transaction.atomic
def stock_adjust(
    *,
    stock_item: StockItem,
    delta: int,
    note: str,
    by: User | None = None,
    reference: str = "",
) -> StockItem:
    """Correct on_hand by `delta` (a stock-take, damage, shrinkage) and record why.

    Locks the item, applies the signed change and writes an `adjustment`
    movement. Returns the updated stock item (a fresh instance; the one passed
    in is not changed). Raises ValidationError keyed by field when delta is 0
    or not a whole number, or the note is empty; InsufficientStock when
    removing `-delta` units would take more than is available (on hand less
    allocated and held). Nothing is written when it raises.
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise ValidationError({"delta": "Adjust by a whole number of units other than 0."})
    if not note.strip():
        raise ValidationError({"note": "Say why the stock is adjusted."})
    item = _lock(stock_item.pk)
    item = _record_movement(
        item,
        kind=StockMovement.Kind.ADJUSTMENT,
        quantity=delta,
        by=by,
        note=note.strip(),
        reference=reference,
    )
    _announce_change(item, delta, reference)
    return item


@transaction.atomic
def stock_count(
    *,
    stock_item: StockItem,
    counted: int,
    note: str = "",
    by: User | None = None,
    reference: str = "",
) -> StockItem:
    """Set on_hand to what a count found: one `count` movement for the difference.

    Allocated and held units are on the shelf, so they are part of what a
    count finds: an item with 67 on the shelf and 10 allocated counts 67 and
    nothing is written. Under the row lock, so an order placed since the
    sheet was read is not counted twice. A count below what is allocated:
    `stock_short` makes the newest allocations backorders (orders' receiver)
    until they fit; a hold larger than what is left shrinks to it. Sends
    stock_low after a count down that leaves the item low, stock_available
    after a count up. Returns the item (a fresh instance).
    """
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise ValidationError({"counted": "Enter the whole number of units counted (0 or more)."})
    if counted > MAX_STOCK:
        raise ValidationError({"counted": f"A stock item holds at most {MAX_STOCK:,} units."})
    item = _lock(stock_item.pk)
    if counted < item.allocated + item.held:
        short, held_after = item.count_effects(counted)
        if short:
            stock_short.send(
                sender=StockItem,
                stock_item_id=item.pk,
                product_id=item.product_id,
                distributor_id=item.distributor_id,
                units=short,
            )
            item.refresh_from_db(fields=STOCK_FIGURES)
        # Every allocation belongs to an open order line, so the receiver covers the
        # shortfall; if it could not, nothing is written.
        if item.allocated + held_after > counted:
            raise InsufficientStock(
                stock_item.product,
                available=item.available,
                requested=item.on_hand - counted,
                distributor=stock_item.distributor,
            )
        if item.held != held_after:
            # What the hold covered is no longer there: the hold shrinks to the shelf.
            item.held = held_after
            StockItem.objects.filter(pk=item.pk).update(held=item.held)
    item.product = stock_item.product
    item.distributor = stock_item.distributor
    delta = counted - item.on_hand
    if not delta:
        return item
    item = _record_movement(
        item,
        kind=StockMovement.Kind.COUNT,
        quantity=delta,
        by=by,
        note=(note or "Stock count").strip(),
        reference=reference,
    )
    _announce_change(item, delta, reference)
    return item


@transaction.atomic
def stock_item_set_reorder_overrides(
    *,
    stock_item: StockItem,
    reorder_level_override: int | None,
    reorder_quantity_override: int | None,
) -> StockItem:
    """Set a distributor's own reorder level and quantity for one item (None: the product's).

    Writes only these two columns, so a form that loaded the item earlier
    cannot write a stale on_hand back. Raises ValidationError keyed by field
    for a negative value.
    """
    errors = {
        name: "Enter a number of 0 or more, or leave it empty."
        for name, value in [
            ("reorder_level_override", reorder_level_override),
            ("reorder_quantity_override", reorder_quantity_override),
        ]
        if value is not None and value < 0
    }
    if errors:
        raise ValidationError(errors)
    stock_item.reorder_level_override = reorder_level_override
    stock_item.reorder_quantity_override = reorder_quantity_override
    stock_item.save(
        update_fields=["reorder_level_override", "reorder_quantity_override", "updated_at"]
    )
    reorder_settings_changed.send(
        sender=StockItem,
        stock_item_id=stock_item.pk,
        product_id=stock_item.product_id,
        distributor_id=stock_item.distributor_id,
    )
    return stock_item


def _send_stock_low(item: StockItem, reorder_level: int, reference: str) -> None:
    stock_low.send(
        sender=StockItem,
        stock_item_id=item.pk,
        product_id=item.product_id,
        distributor_id=item.distributor_id,
        on_hand=item.on_hand,
        allocated=item.allocated,
        held=item.held,
        reorder_level=reorder_level,
        reference=reference,
    )


def _lock_many(*, distributor_id: int, product_ids: Iterable[int]) -> dict[int, StockItem]:
    """Lock the distributor's items of these products, in pk order; keyed by product id.

    Every writer that locks several items goes through here, so two orders
    over the same products always lock them in the same order and cannot
    deadlock on each other.
    """
    items = (
        StockItem.objects.with_dynamic_level()
        .select_for_update()
        .filter(distributor_id=distributor_id, product_id__in=list(product_ids))
        .order_by("pk")
    )
    return {item.product_id: item for item in items}


def _apply_deltas(items: Mapping[int, StockItem], **columns: Mapping[int, int]) -> None:
    """One UPDATE adding, for each column, deltas[product_id] to each locked item.

    `columns` maps a figure ("on_hand", "allocated") to {product_id: delta}.
    """
    pks = {items[pid].pk for deltas in columns.values() for pid in deltas}
    changes = {
        column: F(column)
        + Case(
            *[When(pk=items[pid].pk, then=Value(delta)) for pid, delta in deltas.items()],
            default=Value(0),
            output_field=IntegerField(),
        )
        for column, deltas in columns.items()
    }
    StockItem.objects.filter(pk__in=sorted(pks)).update(**changes, updated_at=timezone.now())


class Allocation(NamedTuple):
    """What one order line got: units allocated now, and units left owed (backordered)."""

    allocated: int
    backordered: int


# No savepoint of its own: a short line must roll the caller's whole order back.
@transaction.atomic(savepoint=False)
def stock_allocate_for_order(
    *,
    distributor_id: int,
    lines: Iterable[tuple[int, int]],
    reference: str,
    backorder: bool = False,
    products: Mapping[int, Product] | None = None,
) -> dict[int, Allocation]:
    """Promise an order's units out of the distributor's available stock.

    `lines` are (product_id, quantity) pairs, one per product. Locks the items
    in pk order and checks each line against available (on hand less
    allocated and held). `backorder=False` ("ship complete"): all lines or
    none, InsufficientStock for the first short line (a product the
    distributor does not stock has 0 available), and the caller's transaction
    rolls back. `backorder=True`: each line gets what is available and the
    rest is backordered. Raises allocated in one UPDATE; writes no movement
    (on_hand changes only at dispatch). Sends `stock_low` for each item left
    at or below its reorder level. `products` (by id) spares a query when the
    caller has them. Returns {product_id: Allocation}.
    """
    wanted = dict(lines)
    items = _lock_many(distributor_id=distributor_id, product_ids=wanted)
    if products is None:
        # Read without a lock (MariaDB has no FOR UPDATE OF: joining them above
        # would lock the product rows too).
        products = Product.objects.in_bulk(list(wanted))
    result = {}
    for product_id, quantity in wanted.items():
        item = items.get(product_id)
        available = max(item.available, 0) if item is not None else 0
        if quantity > available and not backorder:
            raise InsufficientStock(
                products[product_id],
                available=available,
                requested=quantity,
                distributor=Organization.objects.filter(pk=distributor_id).first(),
            )
        take = min(quantity, available)
        result[product_id] = Allocation(allocated=take, backordered=quantity - take)
    taken = {pid: a.allocated for pid, a in result.items() if a.allocated}
    if taken:
        # Under the locks the check above holds; the CHECK constraint is the backstop.
        _apply_deltas(items, allocated=taken)
    low = []
    for product_id, allocation in result.items():
        item = items.get(product_id)
        if item is None:
            continue
        item.allocated += allocation.allocated
        item.product = products[product_id]
        if item.is_low:
            low.append(item)
    for item in sorted(low, key=lambda i: i.pk):
        _send_stock_low(item, item.reorder_level, reference)
    return result


def stock_take_expected(
    *, lines: Iterable[tuple[int, int]], products: Mapping[int, Product]
) -> bool:
    """Whether the lean take (stock_take_for_order) should take every line, as far as the
    products read before the transaction say (inventory.selectors.product_stock_annotations).

    A forecast from an unlocked read: a wrong one costs a rolled-back attempt,
    never a wrong figure. Without the annotations, True.
    """
    returning = stock_sql.supports_returning()
    for product_id, quantity in lines:
        product = products[product_id]
        if not hasattr(product, "stock_available"):
            continue
        available = product.stock_available
        if available is None or quantity > available:
            return False
        # Without RETURNING the lean take refuses a line that reaches the reorder point.
        if not returning and available - quantity <= product.stock_reorder_point:
            return False
    return True


def stock_take_for_order(
    *,
    distributor_id: int,
    lines: Iterable[tuple[int, int]],
    reference: str,
    products: Mapping[int, Product],
) -> None:
    """Allocate a ship-complete order's lines in one statement, last in its transaction.

    The lean form of stock_allocate_for_order(backorder=False) for order_place:
    one guarded UPDATE (inventory.stock_sql), no read before it, so the rows
    are locked only from here to the commit. `products` (by id, as read
    before the transaction) give the reorder levels. Sends `stock_low` for
    each item left at or below its reorder point. Raises StockTakeMissed
    when a line could not be taken this way (short, not stocked, or on
    MariaDB an item reaching its reorder point): the caller must roll back
    its transaction, since other rows may have been updated, and use
    stock_allocate_for_order, which locks, names the short product and sends
    stock_low. Must run inside the caller's transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock_take_for_order runs inside the order's transaction")
    wanted = dict(lines)
    levels = {pid: products[pid].reorder_level for pid in wanted}
    rows = stock_sql.take(distributor_id=distributor_id, wanted=wanted, levels=levels)
    if rows is None:
        # No query may follow in this transaction: it must roll back.
        transaction.set_rollback(True)
        raise StockTakeMissed(reference)
    for row in sorted(rows, key=lambda r: r.stock_item_id):
        if row.is_low:
            stock_low.send(
                sender=StockItem,
                stock_item_id=row.stock_item_id,
                product_id=row.product_id,
                distributor_id=distributor_id,
                on_hand=row.on_hand,
                allocated=row.allocated,
                held=row.held,
                reorder_level=row.reorder_point,
                reference=reference,
            )


@transaction.atomic
def stock_release(
    *, distributor_id: int, lines: Mapping[int, int], reference: str
) -> list[StockItem]:
    """Give allocated units back to available (a cancelled or rejected order, a count).

    `lines` maps product_id to the units to release. Writes no movement: the
    units never left the shelf. Sends `stock_available` for each item, so
    that waiting backorders can take them. Returns the items.
    """
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not lines:
        return []
    items = _lock_many(distributor_id=distributor_id, product_ids=lines)
    missing = set(lines) - set(items)
    short = [pid for pid, qty in lines.items() if pid in items and items[pid].allocated < qty]
    if missing or short:
        raise ValueError(
            f"Releasing more than is allocated ({reference}): {sorted(missing)} {short}"
        )
    _apply_deltas(items, allocated={pid: -qty for pid, qty in lines.items()})
    for pid, qty in lines.items():
        items[pid].allocated -= qty
    _send_available(list(items.values()), reference)
    return list(items.values())


@transaction.atomic
def stock_ship(
    *,
    distributor_id: int,
    lines: Mapping[int, int],
    reference: str,
    by_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Dispatch allocated units: on_hand and allocated drop together, one `shipment` each.

    `lines` maps product_id to the units leaving; each must be allocated
    (ValueError otherwise: the caller ships only what its lines hold). One
    UPDATE, one INSERT of the movements. Returns the movements.
    """
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not lines:
        return []
    items = _lock_many(distributor_id=distributor_id, product_ids=lines)
    short = [pid for pid, qty in lines.items() if pid not in items or items[pid].allocated < qty]
    if short:
        raise ValueError(f"Shipping units that are not allocated ({reference}): {short}")
    negative = {pid: -qty for pid, qty in lines.items()}
    _apply_deltas(items, on_hand=negative, allocated=negative)
    movements = []
    for pid, qty in lines.items():
        item = items[pid]
        item.on_hand -= qty
        item.allocated -= qty
        movements.append(
            StockMovement(
                stock_item=item,
                kind=StockMovement.Kind.SHIPMENT,
                quantity=-qty,
                balance_after=item.on_hand,
                reference=reference,
                note=note,
                created_by_id=by_id,
            )
        )
    return StockMovement.objects.bulk_create(movements)


@transaction.atomic
def stock_deallocate(*, distributor_id: int, product_id: int, quantity: int) -> StockItem:
    """Take units off an item's allocation without offering them to anyone.

    For a count that found less than was allocated: the units are gone, so
    unlike stock_release nothing is announced as available. ValueError when
    fewer are allocated.
    """
    item = _lock_many(distributor_id=distributor_id, product_ids=[product_id])[product_id]
    if item.allocated < quantity:
        raise ValueError(f"Only {item.allocated} allocated, {quantity} to take off.")
    StockItem.objects.filter(pk=item.pk).update(
        allocated=F("allocated") - quantity, updated_at=timezone.now()
    )
    item.allocated -= quantity
    return item


def _announce_change(item: StockItem, delta: int, reference: str) -> None:
    """After an adjustment or a count: stock_low when it left the item low, stock_available
    when it rose."""
    if delta < 0 and item.is_low:
        _send_stock_low(item, item.reorder_level, reference)
    elif delta > 0:
        _send_available([item], reference)


def _send_available(items: list[StockItem], reference: str) -> None:
    """Tell listeners that these items' available stock rose (backorders may take it)."""
    for item in sorted(items, key=lambda i: i.pk):
        if item.available > 0:
            stock_available.send(
                sender=StockItem,
                stock_item_id=item.pk,
                product_id=item.product_id,
                distributor_id=item.distributor_id,
                available=item.available,
                reference=reference,
            )
