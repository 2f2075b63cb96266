"""The order side of stock: allocating an order's lines across the distributor's
warehouses (the locked path and the one-statement lean take), releasing them,
dispatching them (`shipment`) and dropping an allocation a count found gone.

inventory.services keeps the shelf side (assignments, receipts, adjustments,
counts, reorder settings) and re-exports these names for its callers.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Organization
from catalog.models import Product

from . import stock_sql
from . import warehouses as wh
from .exceptions import InsufficientStock, StockTakeMissed
from .models import StockItem, StockMovement, WarehouseStock
from .signals import stock_low
from .stock_locks import apply_deltas, lock_many, send_available, send_stock_low


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
    items = lock_many(distributor_id=distributor_id, product_ids=wanted)
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
        apply_deltas(items, allocated=taken)
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
        send_stock_low(item, item.reorder_level, reference)
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
    items = lock_many(distributor_id=distributor_id, product_ids=lines)
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
    apply_deltas(items, allocated={pid: -qty for pid, qty in totals.items()})
    wh.rows_apply(allocated=row_deltas)
    for pid, qty in totals.items():
        items[pid].allocated -= qty
    send_available(list(items.values()), reference)
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
    return allocated_units_leave(
        kind=StockMovement.Kind.SHIPMENT,
        distributor_id=distributor_id,
        lines=lines,
        reference=reference,
        warehouse_id=warehouse_id,
        by_id=by_id,
        note=note,
    )


@transaction.atomic
def stock_ship_many(
    *, distributor_id: int, legs: list["LeavingUnits"], by_id: int | None = None
) -> list[StockMovement]:
    """stock_ship for several shipments of a distributor at once (orders shipped together):
    each leg is one shipment's {product id: units} from its warehouse, with its reference
    and note; one lock query per table, one UPDATE per table, one INSERT of the movements."""
    return allocated_units_leave_many(
        kind=StockMovement.Kind.SHIPMENT, distributor_id=distributor_id, legs=legs, by_id=by_id
    )


def allocated_units_leave(
    *,
    kind: str,
    distributor_id: int,
    lines: Mapping[int, int],
    reference: str,
    warehouse_id: int,
    by_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Units allocated in one warehouse leave it (a shipment to a buyer, a transfer out):
    on_hand and allocated drop together, item and warehouse row, one movement of `kind`
    per line (in product order). ValueError naming the products not allocated there.
    Runs in the caller's transaction."""
    return allocated_units_leave_many(
        kind=kind,
        distributor_id=distributor_id,
        legs=[LeavingUnits(warehouse_id, lines, reference, note)],
        by_id=by_id,
    )


@dataclass(frozen=True)
class LeavingUnits:
    """One leg of allocated_units_leave_many: {product id: units} leaving one warehouse."""

    warehouse_id: int
    lines: Mapping[int, int]
    reference: str
    note: str = ""


def allocated_units_leave_many(
    *, kind: str, distributor_id: int, legs: list[LeavingUnits], by_id: int | None = None
) -> list[StockMovement]:
    """allocated_units_leave for several legs at once (a batch of shipments): the items of
    every leg are locked in one query, their warehouse rows in one, each table is updated
    once with the summed units and the movements are inserted together (in leg order,
    each leg's in product order, balances running on). ValueError, nothing written, when
    a leg's units (with the legs before it) are more than are allocated there."""
    legs = [
        LeavingUnits(leg.warehouse_id, lines, leg.reference, leg.note)
        for leg in legs
        if (lines := {pid: qty for pid, qty in leg.lines.items() if qty > 0})
    ]
    if not legs:
        return []
    # Available stock does not change: no stock_low, no reorder levels needed.
    product_ids = sorted({pid for leg in legs for pid in leg.lines})
    items = lock_many(distributor_id=distributor_id, product_ids=product_ids, levels=False)
    warehouse_ids = sorted({leg.warehouse_id for leg in legs})
    rows = wh.rows_locked([item.pk for item in items.values()], warehouse_ids)
    item_totals: dict[int, int] = {}
    row_totals: dict[tuple[int, int], int] = {}
    for leg in legs:
        for pid, qty in leg.lines.items():
            item_totals[pid] = item_totals.get(pid, 0) + qty
            key = (pid, leg.warehouse_id)
            row_totals[key] = row_totals.get(key, 0) + qty
    short = sorted(
        {
            pid
            for (pid, w), qty in row_totals.items()
            if pid not in items
            or items[pid].allocated < item_totals[pid]
            or rows.get(items[pid].pk, {}).get(w) is None
            or rows[items[pid].pk][w].allocated < qty
        }
    )
    if short:
        where = ", ".join(str(w) for w in warehouse_ids)
        references = ", ".join(dict.fromkeys(leg.reference for leg in legs))
        raise ValueError(
            f"Units not allocated in warehouse {where} ({kind}, {references}): {short}"
        )
    negative = {pid: -qty for pid, qty in item_totals.items()}
    apply_deltas(items, on_hand=negative, allocated=negative)
    row_deltas = {rows[items[pid].pk][w].pk: -qty for (pid, w), qty in row_totals.items()}
    wh.rows_apply(on_hand=row_deltas, allocated=row_deltas)
    movements = []
    for leg in legs:
        for pid, qty in sorted(leg.lines.items()):
            item = items[pid]
            item.on_hand -= qty
            item.allocated -= qty
            movements.append(
                StockMovement(
                    stock_item=item,
                    warehouse_id=leg.warehouse_id,
                    kind=kind,
                    quantity=-qty,
                    balance_after=item.on_hand,
                    reference=leg.reference,
                    note=leg.note[:255],
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
    item = lock_many(distributor_id=distributor_id, product_ids=[product_id])[product_id]
    row = wh.rows_locked([item.pk], [warehouse_id]).get(item.pk, {}).get(warehouse_id)
    if row is None or row.allocated < quantity or item.allocated < quantity:
        raise ValueError(f"Fewer than {quantity} allocated in warehouse {warehouse_id}.")
    StockItem.objects.filter(pk=item.pk).update(
        allocated=F("allocated") - quantity, updated_at=timezone.now()
    )
    wh.rows_apply(allocated={row.pk: -quantity})
    item.allocated -= quantity
    return item
