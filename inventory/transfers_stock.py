"""Stock writes of a transfer order (#23 §2): units leave one warehouse's shelf and arrive
on another's (of the same distributor or of another).

The transfers app calls these; they follow inventory.services' rules: the
stock items are locked first (pk order, `lock_many`), then their warehouse
rows (`inventory.warehouses.rows_locked`), and every change is applied to the
item (the distributor's total) and to the one warehouse row alike, so the
rows still add up to the item.

- `stock_transfer_allocate`: the source promises the lines out of one
  warehouse's available (all or nothing, InsufficientStock), like an order's
  allocation but from that warehouse only; `stock_low` for items left low;
- `stock_transfer_release`: a cancelled confirmed transfer gives them back;
- `stock_transfer_out`: dispatch, on_hand and allocated drop together, one
  `transfer_out` movement each, naming the warehouse (like stock_ship);
- `stock_transfer_in`: arrival, on_hand rises in the destination warehouse,
  one `transfer_in` movement each (like stock_receive), `stock_available`.

Between out and in the units are *in transit*: on no shelf, counted by the
transfer's lines (shipped - received - written off; transfers.selectors).
The network total, sum of on_hand + in transit, is therefore unchanged by a
shipment and by a receipt, a short one included.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organization, User
from catalog.models import Product

from . import warehouses as wh
from .allocation import allocated_units_leave, stock_release
from .exceptions import InsufficientStock
from .models import StockItem, StockMovement, Warehouse
from .services import MAX_STOCK
from .stock_locks import apply_deltas, lock_many, send_available, send_stock_low


@transaction.atomic(savepoint=False)
def stock_transfer_allocate(
    *, distributor_id: int, warehouse_id: int, lines: Mapping[int, int], reference: str
) -> None:
    """Allocate every line ({product_id: units}) in one warehouse of the distributor, or
    none: InsufficientStock names the first short line (and the caller rolls back)."""
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    items = lock_many(distributor_id=distributor_id, product_ids=lines)
    rows = wh.rows_locked([item.pk for item in items.values()], [warehouse_id])
    products = Product.objects.in_bulk(list(lines))
    row_deltas = {}
    for pid, qty in sorted(lines.items()):
        item = items.get(pid)
        row = rows.get(item.pk, {}).get(warehouse_id) if item is not None else None
        available = min(max(row.available, 0), max(item.available, 0)) if row else 0
        if qty > available:
            raise InsufficientStock(
                products[pid],
                available=available,
                requested=qty,
                distributor=Organization.objects.filter(pk=distributor_id).first(),
            )
        row_deltas[row.pk] = qty
    apply_deltas(items, allocated=dict(lines))
    wh.rows_apply(allocated=row_deltas)
    for pid, qty in sorted(lines.items(), key=lambda pair: items[pair[0]].pk):
        item = items[pid]
        item.allocated += qty
        item.product = products[pid]
        if item.is_low:
            send_stock_low(item, item.reorder_level, reference)


def stock_transfer_release(
    *, distributor_id: int, warehouse_id: int, lines: Mapping[int, int], reference: str
) -> list[StockItem]:
    """Give a confirmed transfer's allocation back in its warehouse (stock_available)."""
    return stock_release(
        distributor_id=distributor_id,
        lines={pid: {warehouse_id: qty} for pid, qty in lines.items()},
        reference=reference,
    )


@transaction.atomic
def stock_transfer_out(
    *,
    distributor_id: int,
    warehouse_id: int,
    lines: Mapping[int, int],
    reference: str,
    by_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Ship allocated units out of one warehouse to a transfer: on_hand and allocated drop
    (item and row), one `transfer_out` movement per line. Each line must be allocated in
    that warehouse (ValueError otherwise: the transfer allocated them when confirmed)."""
    return allocated_units_leave(
        kind=StockMovement.Kind.TRANSFER_OUT,
        distributor_id=distributor_id,
        lines=lines,
        reference=reference,
        warehouse_id=warehouse_id,
        by_id=by_id,
        note=note,
    )


@transaction.atomic
def stock_transfer_in(
    *,
    distributor: Organization,
    warehouse: Warehouse,
    lines: Mapping[int, int],
    reference: str,
    by: User | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Book a transfer's arrival in one warehouse: on_hand rises (item and row), one
    `transfer_in` movement per line. Creates the stock item and its warehouse row on a
    first arrival. Sends `stock_available` (backorders take the units first in, first out).
    """
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not lines:
        return []
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    if warehouse.distributor_id != distributor.pk:
        raise ValidationError({"warehouse": f"{warehouse} is not {distributor}'s warehouse."})
    existing = set(
        StockItem.objects.filter(distributor=distributor, product_id__in=list(lines)).values_list(
            "product_id", flat=True
        )
    )
    for pid in sorted(set(lines) - existing):
        StockItem.objects.get_or_create(product_id=pid, distributor=distributor)
    items = lock_many(distributor_id=distributor.pk, product_ids=lines)
    if any(items[pid].on_hand + qty > MAX_STOCK for pid, qty in lines.items()):
        raise ValidationError({"quantity": f"A stock item holds at most {MAX_STOCK:,} units."})
    rows = {
        item.pk: wh.row_locked(item, warehouse)
        for item in sorted(items.values(), key=lambda i: i.pk)
    }
    apply_deltas(items, on_hand=dict(lines))
    wh.rows_apply(on_hand={rows[items[pid].pk].pk: qty for pid, qty in lines.items()})
    products = Product.objects.in_bulk(list(lines))
    movements = []
    for pid, qty in sorted(lines.items()):
        item = items[pid]
        item.on_hand += qty
        item.product = products[pid]
        item.distributor = distributor
        movements.append(
            StockMovement(
                stock_item=item,
                warehouse=warehouse,
                kind=StockMovement.Kind.TRANSFER_IN,
                quantity=qty,
                balance_after=item.on_hand,
                reference=reference,
                note=note[:255],
                created_by=by,
            )
        )
    created = StockMovement.objects.bulk_create(movements)
    send_available(list(items.values()), reference)
    return created
