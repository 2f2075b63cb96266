"""Stock writes of a transfer order (#23 §2): units leave one shelf and arrive on another.

The transfers app calls these; they write the ledger like every other stock
change (inventory.services' locking helpers, one movement per line):

- `stock_transfer_out`: dispatch of allocated units at the source, on_hand and
  allocated drop together, one `transfer_out` movement each (like stock_ship);
- `stock_transfer_in`: arrival at the destination, on_hand rises, one
  `transfer_in` movement each (like stock_receive), and `stock_available`.

Between the two the units are *in transit*: on no shelf, counted by the
transfer's lines (shipped - received - written off; transfers.selectors).
The network total, sum of on_hand + in transit, is therefore unchanged by a
shipment and by a receipt, a short one included: what did not arrive stays
in transit until it arrives or is written off.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Organization, User
from catalog.models import Product

from .models import StockItem, StockMovement
from .services import (
    MAX_STOCK,
    _apply_deltas,
    _lock_many,
    _send_available,
)


@transaction.atomic
def stock_transfer_out(
    *,
    distributor_id: int,
    lines: Mapping[int, int],
    reference: str,
    by_id: int | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Ship allocated units out to a transfer: on_hand and allocated drop, one
    `transfer_out` movement per line. `lines` maps product_id to units; each must be
    allocated (ValueError otherwise: the transfer allocated them when confirmed)."""
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not lines:
        return []
    items = _lock_many(distributor_id=distributor_id, product_ids=lines)
    short = [pid for pid, qty in lines.items() if pid not in items or items[pid].allocated < qty]
    if short:
        raise ValueError(f"Transferring units that are not allocated ({reference}): {short}")
    negative = {pid: -qty for pid, qty in lines.items()}
    _apply_deltas(items, on_hand=negative, allocated=negative)
    movements = []
    for pid, qty in sorted(lines.items()):
        item = items[pid]
        item.on_hand -= qty
        item.allocated -= qty
        movements.append(
            StockMovement(
                stock_item=item,
                kind=StockMovement.Kind.TRANSFER_OUT,
                quantity=-qty,
                balance_after=item.on_hand,
                reference=reference,
                note=note[:255],
                created_by_id=by_id,
            )
        )
    return StockMovement.objects.bulk_create(movements)


@transaction.atomic
def stock_transfer_in(
    *,
    distributor: Organization,
    lines: Mapping[int, int],
    reference: str,
    by: User | None = None,
    note: str = "",
) -> list[StockMovement]:
    """Book a transfer's arrival: on_hand rises, one `transfer_in` movement per line.

    Creates the destination's stock item on a first arrival. Sends
    `stock_available` for each item (backorders take the units first in, first out).
    """
    lines = {pid: qty for pid, qty in lines.items() if qty > 0}
    if not lines:
        return []
    if distributor.kind != Organization.Kind.DISTRIBUTOR:
        raise ValidationError({"distributor": f"{distributor} is not a distributor."})
    existing = set(
        StockItem.objects.filter(distributor=distributor, product_id__in=list(lines)).values_list(
            "product_id", flat=True
        )
    )
    for pid in sorted(set(lines) - existing):
        StockItem.objects.get_or_create(product_id=pid, distributor=distributor)
    items = _lock_many(distributor_id=distributor.pk, product_ids=lines)
    too_many = [pid for pid, qty in lines.items() if items[pid].on_hand + qty > MAX_STOCK]
    if too_many:
        raise ValidationError({"quantity": f"A stock item holds at most {MAX_STOCK:,} units."})
    _apply_deltas(items, on_hand=dict(lines))
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
                kind=StockMovement.Kind.TRANSFER_IN,
                quantity=qty,
                balance_after=item.on_hand,
                reference=reference,
                note=note[:255],
                created_by=by,
            )
        )
    created = StockMovement.objects.bulk_create(movements)
    _send_available(list(items.values()), reference)
    return created
