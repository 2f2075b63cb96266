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
from . import warehouses as wh
from .exceptions import InsufficientStock, StockTakeMissed
from .models import StockItem, StockMovement, Warehouse, WarehouseStock
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
    warehouse: Warehouse,
    kind: str,
    quantity: int,
    by: User | None,
    note: str,
    reference: str,
) -> StockItem:
    """Apply a signed change to a locked stock item and write its ledger row.

    A removal may take only what is available in that warehouse: units
    allocated to orders or held stay on the shelf (a count, which may find
    less, is stock_count's). The warehouse's row changes with the item.
    """
    row = wh.row_locked(item, warehouse)
    if item.on_hand + quantity > MAX_STOCK:
        raise ValidationError(
            {
                "quantity": f"That would put {item.on_hand + quantity:,} units on the shelf; "
                f"a stock item holds at most {MAX_STOCK:,}."
            }
        )
    if quantity < 0 and -quantity > min(item.available, row.available):
        raise InsufficientStock(
            item.product,
            available=min(item.available, row.available),
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
            WarehouseStock.objects.filter(pk=row.pk).update(
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
        warehouse=warehouse,
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
    warehouse: Warehouse | None = None,
) -> StockItem:
    """Put `quantity` units of `product` into `distributor`'s stock (a manufacturer's assignment).

    Creates the stock item on first assignment, locks it, raises on_hand (of
    the item and of `warehouse`, None: the distributor's default) and
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
    warehouse = wh.warehouse_of_distributor(distributor_id=distributor.pk, warehouse=warehouse)
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    # Already loaded by the caller: spare the queries an error message would make.
    item.product = product
    item.distributor = distributor
    item = _record_movement(
        item,
        warehouse=warehouse,
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
    warehouse: Warehouse | None = None,
) -> StockItem:
    """Book goods received from a supplier (a purchase order's delivery) into stock.

    Like stock_assign, but the ledger row is a `receipt`; `reference` names
    the purchase order (e.g. "po:7"); `warehouse` where it arrived (None: the
    distributor's default). Returns the updated stock item. Raises
    ValidationError keyed by field when the organization is not a distributor
    or the quantity is not a whole number of at least 1.
    """
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationError({"quantity": "Receive a whole number of at least 1 unit."})
    warehouse = wh.warehouse_of_distributor(distributor_id=distributor.pk, warehouse=warehouse)
    item, _ = StockItem.objects.get_or_create(product=product, distributor=distributor)
    item = _lock(item.pk)
    item.product = product
    item.distributor = distributor
    item = _record_movement(
        item,
        warehouse=warehouse,
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
    warehouse: Warehouse | None = None,
) -> StockItem:
    """Correct on_hand by `delta` (a stock-take, damage, shrinkage) and record why.

    Locks the item, applies the signed change in `warehouse` (None: the
    distributor's default) and writes an `adjustment` movement. Returns the
    updated stock item (a fresh instance; the one passed in is not changed).
    Raises ValidationError keyed by field when delta is 0 or not a whole number, or the note
    is empty; InsufficientStock when removing `-delta` units would take more than is
    available (on hand less allocated and held). Nothing is written when it raises.
    """
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0:
        raise ValidationError({"delta": "Adjust by a whole number of units other than 0."})
    if not note.strip():
        raise ValidationError({"note": "Say why the stock is adjusted."})
    warehouse = wh.warehouse_of_distributor(
        distributor_id=stock_item.distributor_id, warehouse=warehouse
    )
    item = _lock(stock_item.pk)
    item = _record_movement(
        item,
        warehouse=warehouse,
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
    warehouse: Warehouse | None = None,
    of_total: bool = False,
) -> StockItem:
    """Set one warehouse's on_hand to what a count found there: one `count` movement for
    the difference. `warehouse` None: the distributor's default. `of_total`: `counted`
    is the distributor's total (a spreadsheet of totals): the other warehouses keep
    theirs and the difference is booked in `warehouse` (ValidationError keyed
    "counted" when they alone hold more than was counted).

    Allocated and held units are on the shelf, so they are part of what a
    count finds: a shelf with 67 on it and 10 allocated counts 67 and
    nothing is written. Under the row lock, so an order placed since the
    sheet was read is not counted twice. A count below what is allocated in
    that warehouse: `stock_short` makes the newest allocations there
    backorders (orders' receiver) until they fit; a hold larger than what is
    left shrinks to it. Sends stock_low after a count down that leaves the
    item low, stock_available after a count up. Returns the item (a fresh
    instance).
    """
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise ValidationError({"counted": "Enter the whole number of units counted (0 or more)."})
    if counted > MAX_STOCK:
        raise ValidationError({"counted": f"A stock item holds at most {MAX_STOCK:,} units."})
    warehouse = wh.warehouse_of_distributor(
        distributor_id=stock_item.distributor_id, warehouse=warehouse
    )
    item = _lock(stock_item.pk)
    row = wh.row_locked(item, warehouse)
    if of_total:
        elsewhere = item.on_hand - row.on_hand
        if counted < elsewhere:
            raise ValidationError(
                {
                    "counted": f"The other warehouses hold {elsewhere:,} units, more than the "
                    f"{counted:,} counted: count each warehouse on the inventory page."
                }
            )
        counted -= elsewhere
    if counted < row.allocated + row.held:
        short, held_after = shelf_count_effects(row.allocated, row.held, counted)
        if short:
            stock_short.send(
                sender=StockItem,
                stock_item_id=item.pk,
                product_id=item.product_id,
                distributor_id=item.distributor_id,
                warehouse_id=warehouse.pk,
                units=short,
            )
            item.refresh_from_db(fields=STOCK_FIGURES)
            row.refresh_from_db(fields=STOCK_FIGURES)
        # Every allocation belongs to an open order line, so the receiver covers the
        # shortfall; if it could not, nothing is written.
        if row.allocated + held_after > counted:
            raise InsufficientStock(
                stock_item.product,
                available=row.available,
                requested=row.on_hand - counted,
                distributor=stock_item.distributor,
            )
        if row.held != held_after:
            # What the hold covered is no longer there: the hold shrinks to the shelf.
            shrink = row.held - held_after
            row.held = held_after
            item.held -= shrink
            WarehouseStock.objects.filter(pk=row.pk).update(held=F("held") - shrink)
            StockItem.objects.filter(pk=item.pk).update(held=F("held") - shrink)
    item.product = stock_item.product
    item.distributor = stock_item.distributor
    delta = counted - row.on_hand
    if not delta:
        return item
    item = _record_movement(
        item,
        warehouse=warehouse,
        kind=StockMovement.Kind.COUNT,
        quantity=delta,
        by=by,
        note=(note or "Stock count").strip(),
        reference=reference,
    )
    _announce_change(item, delta, reference)
    return item


def shelf_count_effects(allocated: int, held: int, counted: int) -> tuple[int, int]:
    """What a count of `counted` does to the promises on one shelf: (allocated units it does
    not cover, the hold after it). Holds are kept first; allocations beyond what is left
    become backorders, and a hold larger than the shelf shrinks to it."""
    short = max(allocated - max(counted - held, 0), 0)
    return short, min(held, counted)


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
    """What one order line got: units allocated now, units left owed (backordered), and
    where the allocated units are ({warehouse_id: units}, in allocation order)."""

    allocated: int
    backordered: int
    warehouses: Mapping[int, int] | None = None


def _warehouse_rows_in_order(
    distributor_id: int, items: Mapping[int, StockItem]
) -> tuple[list[int], dict[int, dict[int, WarehouseStock]]]:
    """The distributor's active warehouses in allocation order, and the locked rows of the
    items there ({stock_item_id: {warehouse_id: row}})."""
    order = wh.allocation_order(distributor_id)
    rows = wh.rows_locked([item.pk for item in items.values()], order) if items else {}
    return order, rows


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
    in pk order, then their warehouse rows, and takes each line from the
    distributor's active warehouses by priority (lower first, then pk): a
    line larger than the first warehouse's available takes the rest from the
    next. `backorder=False` ("ship complete"): all lines or
    none, InsufficientStock for the first short line (a product the
    distributor does not stock has 0 available), and the caller's transaction
    rolls back. `backorder=True`: each line gets what is available and the
    rest is backordered. Raises allocated in one UPDATE per table; writes no
    movement (on_hand changes only at dispatch). Sends `stock_low` for each
    item left at or below its reorder level. `products` (by id) spares a
    query when the caller has them. Returns {product_id: Allocation}.
    """
    wanted = dict(lines)
    items = _lock_many(distributor_id=distributor_id, product_ids=wanted)
    order, rows = _warehouse_rows_in_order(distributor_id, items)
    if products is None:
        # Read without a lock (MariaDB has no FOR UPDATE OF: joining them above
        # would lock the product rows too).
        products = Product.objects.in_bulk(list(wanted))
    result = {}
    row_deltas: dict[int, int] = {}
    for product_id, quantity in wanted.items():
        item = items.get(product_id)
        shelves = rows.get(item.pk, {}) if item is not None else {}
        available = sum(max(shelves[w].available, 0) for w in order if w in shelves)
        if item is not None:
            available = min(available, max(item.available, 0))
        if quantity > available and not backorder:
            raise InsufficientStock(
                products[product_id],
                available=available,
                requested=quantity,
                distributor=Organization.objects.filter(pk=distributor_id).first(),
            )
        take = min(quantity, available)
        where: dict[int, int] = {}
        left = take
        for warehouse_id in order:
            row = shelves.get(warehouse_id)
            if not left or row is None or row.available <= 0:
                continue
            units = min(left, row.available)
            where[warehouse_id] = units
            row_deltas[row.pk] = units
            left -= units
        result[product_id] = Allocation(
            allocated=take, backordered=quantity - take, warehouses=where
        )
    taken = {pid: a.allocated for pid, a in result.items() if a.allocated}
    if taken:
        # Under the locks the check above holds; the CHECK constraints are the backstop.
        _apply_deltas(items, allocated=taken)
        wh.rows_apply(allocated=row_deltas)
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

    The lean take allocates every line in the distributor's first warehouse,
    so each line must fit there. A forecast from an unlocked read: a wrong
    one costs a rolled-back attempt, never a wrong figure. Without the
    annotations, True.
    """
    returning = stock_sql.supports_returning()
    for product_id, quantity in lines:
        product = products[product_id]
        if not hasattr(product, "stock_available"):
            continue
        available = product.stock_available
        if available is None or quantity > available:
            return False
        first = getattr(product, "stock_warehouse_available", None)
        if first is None or quantity > first:
            return False
        # Without RETURNING the lean take refuses a line that reaches the reorder point.
        if not returning and available - quantity <= product.stock_reorder_point:
            return False
    return True


def stock_take_warehouse(products: Iterable[Product]) -> int | None:
    """The warehouse the lean take allocates in, as the products' forecast read it."""
    for product in products:
        return getattr(product, "stock_warehouse_id", None)
    return None


def stock_take_for_order(
    *,
    distributor_id: int,
    warehouse_id: int,
    lines: Iterable[tuple[int, int]],
    reference: str,
    products: Mapping[int, Product],
) -> None:
    """Allocate a ship-complete order's lines in one statement, last in its transaction.

    The lean form of stock_allocate_for_order(backorder=False) for order_place:
    every line from one warehouse (the distributor's first, from the
    forecast: stock_take_warehouse), one guarded UPDATE of the items and that
    warehouse's rows (inventory.stock_sql; two statements on SQLite), no read
    before it, so the rows
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
    rows = stock_sql.take(
        distributor_id=distributor_id, warehouse_id=warehouse_id, wanted=wanted, levels=levels
    )
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
    *, distributor_id: int, lines: Mapping[int, Mapping[int, int]], reference: str
) -> list[StockItem]:
    """Give allocated units back to available (a cancelled or rejected order).

    `lines` maps product_id to {warehouse_id: units} to release there. Writes
    no movement: the units never left the shelf. Sends `stock_available` for
    each item, so that waiting backorders can take them. Returns the items.
    """
    lines = {pid: {w: qty for w, qty in where.items() if qty > 0} for pid, where in lines.items()}
    lines = {pid: where for pid, where in lines.items() if where}
    if not lines:
        return []
    items = _lock_many(distributor_id=distributor_id, product_ids=lines)
    missing = set(lines) - set(items)
    totals = {pid: sum(where.values()) for pid, where in lines.items()}
    short = [pid for pid, qty in totals.items() if pid in items and items[pid].allocated < qty]
    if missing or short:
        raise ValueError(
            f"Releasing more than is allocated ({reference}): {sorted(missing)} {short}"
        )
    rows = wh.rows_locked([item.pk for item in items.values()])
    row_deltas = {}
    for pid, where in lines.items():
        shelves = rows.get(items[pid].pk, {})
        for warehouse_id, qty in where.items():
            row = shelves.get(warehouse_id)
            if row is None or row.allocated < qty:
                raise ValueError(
                    f"Releasing more than is allocated in warehouse {warehouse_id} "
                    f"({reference}): product {pid}"
                )
            row_deltas[row.pk] = -qty
    _apply_deltas(items, allocated={pid: -qty for pid, qty in totals.items()})
    wh.rows_apply(allocated=row_deltas)
    for pid, qty in totals.items():
        items[pid].allocated -= qty
    _send_available(list(items.values()), reference)
    return list(items.values())


@transaction.atomic
def stock_ship(
    *,
    distributor_id: int,
    lines: Mapping[int, int],
    reference: str,
    warehouse_id: int,
    by_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Dispatch allocated units from one warehouse: on_hand and allocated drop together
    (the item's and the warehouse's), one `shipment` movement each.

    `lines` maps product_id to the units leaving; each must be allocated in
    that warehouse (ValueError otherwise: the caller ships only what its
    lines hold there). One UPDATE per table, one INSERT of the movements.
    Returns the movements.
    """
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not lines:
        return []
    items = _lock_many(distributor_id=distributor_id, product_ids=lines)
    rows = wh.rows_locked([item.pk for item in items.values()], [warehouse_id])
    short = [
        pid
        for pid, qty in lines.items()
        if pid not in items
        or items[pid].allocated < qty
        or rows.get(items[pid].pk, {}).get(warehouse_id) is None
        or rows[items[pid].pk][warehouse_id].allocated < qty
    ]
    if short:
        raise ValueError(
            f"Shipping units that are not allocated in warehouse {warehouse_id} "
            f"({reference}): {short}"
        )
    negative = {pid: -qty for pid, qty in lines.items()}
    _apply_deltas(items, on_hand=negative, allocated=negative)
    row_deltas = {rows[items[pid].pk][warehouse_id].pk: -qty for pid, qty in lines.items()}
    wh.rows_apply(on_hand=row_deltas, allocated=row_deltas)
    movements = []
    for pid, qty in lines.items():
        item = items[pid]
        item.on_hand -= qty
        item.allocated -= qty
        movements.append(
            StockMovement(
                stock_item=item,
                warehouse_id=warehouse_id,
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
def stock_deallocate(
    *, distributor_id: int, product_id: int, quantity: int, warehouse_id: int
) -> StockItem:
    """Take units off an item's allocation in one warehouse without offering them to anyone.

    For a count that found less than was allocated there: the units are
    gone, so unlike stock_release nothing is announced as available.
    ValueError when fewer are allocated.
    """
    item = _lock_many(distributor_id=distributor_id, product_ids=[product_id])[product_id]
    row = wh.rows_locked([item.pk], [warehouse_id]).get(item.pk, {}).get(warehouse_id)
    if row is None or row.allocated < quantity or item.allocated < quantity:
        raise ValueError(f"Fewer than {quantity} allocated in warehouse {warehouse_id}.")
    StockItem.objects.filter(pk=item.pk).update(
        allocated=F("allocated") - quantity, updated_at=timezone.now()
    )
    wh.rows_apply(allocated={row.pk: -quantity})
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
