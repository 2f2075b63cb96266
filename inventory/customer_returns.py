"""Stock that buyers send back (returns, #17): the ledger side of a received return.

- Restockable units come back on the shelf as one `customer_return` movement
  per item (reference `rma:<id>`), and `stock_available` is sent so waiting
  backorders can take them.
- Damaged units are received and scrapped: a `damaged_return` movement (+n)
  and right after it a `scrap` movement (-n), so the ledger shows both and
  on_hand ends as it was. They are scrapped before anything is announced, so
  no backorder can take a damaged unit in between.

Warehouses (#23): the units go back into the warehouse they were shipped
from (`warehouses`: product id -> warehouse id, the caller's choice; the
distributor's default warehouse where it names none), and all three kinds
move the item's and that warehouse's figures together.

Never netted with a cancellation: a cancelled order releases its allocation
(`stock_release`, no movement at all), so `customer_return` rows count only
units that came back from a buyer.
"""

from collections.abc import Mapping
from typing import NamedTuple

from django.db import transaction

from accounts.models import User

from .models import StockItem, StockMovement
from .services import _lock, _record_movement
from .stock_locks import send_available
from .warehouses import warehouse_of_distributor


class ReturnedUnits(NamedTuple):
    restock: int = 0
    damaged: int = 0


@transaction.atomic
def stock_return_from_customer(
    *,
    distributor_id: int,
    lines: Mapping[int, ReturnedUnits],
    reference: str,
    by: User | None = None,
    note: str = "",
    warehouses: Mapping[int, int] | None = None,
) -> list[StockMovement]:
    """Book units a buyer sent back: `lines` maps product_id to (restock, damaged) units.

    Locks the items in pk order (an item the distributor no longer stocks is
    created: the goods are back on its shelf), writes `customer_return` for the
    restockable units and `damaged_return` + `scrap` for the damaged ones, in
    one transaction, then announces the items whose available stock rose.
    Returns the movements written, in order. ValueError for a negative count.
    """
    wanted = {pid: ReturnedUnits(*units) for pid, units in lines.items() if sum(units) > 0}
    if any(units.restock < 0 or units.damaged < 0 for units in wanted.values()):
        raise ValueError(f"Negative returned units ({reference}).")
    if not wanted:
        return []
    for pid in wanted:
        StockItem.objects.get_or_create(product_id=pid, distributor_id=distributor_id)
    pks = dict(
        StockItem.objects.filter(distributor_id=distributor_id, product_id__in=wanted)
        .order_by("pk")
        .values_list("pk", "product_id")
    )
    movements, restocked = [], []
    for pk, product_id in pks.items():
        units = wanted[product_id]
        warehouse = warehouse_of_distributor(
            distributor_id=distributor_id, warehouse=(warehouses or {}).get(product_id)
        )
        item = _lock(pk)
        note = note.strip()
        if units.damaged:
            for kind, quantity in (
                (StockMovement.Kind.DAMAGED_RETURN, units.damaged),
                (StockMovement.Kind.SCRAP, -units.damaged),
            ):
                item = _record_movement(
                    item,
                    warehouse=warehouse,
                    kind=kind,
                    quantity=quantity,
                    by=by,
                    note=note,
                    reference=reference,
                )
                movements.append(item.movements.order_by("-pk").first())
        if units.restock:
            item = _record_movement(
                item,
                warehouse=warehouse,
                kind=StockMovement.Kind.CUSTOMER_RETURN,
                quantity=units.restock,
                by=by,
                note=note,
                reference=reference,
            )
            movements.append(item.movements.order_by("-pk").first())
            restocked.append(item)
    send_available(restocked, reference)
    return movements
