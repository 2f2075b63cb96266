"""Where an order line's allocated units wait: {warehouse id: units} per line.

Kept on the line (`OrderItem.allocated_by_warehouse`) so that placing an
order writes it in the lines' own INSERT and shipping or cancelling in their
own UPDATE: no statement of its own on the order path (docs/architecture.md,
"Warehouses"). The units it does not name are in `default_id`, the
distributor's first warehouse: lines from before warehouses, or written by
hand. These helpers keep the map's sum equal to `quantity_allocated`.
"""

from collections.abc import Iterable, Mapping

from .models import OrderItem


def line_allocation(item: OrderItem, default_id: int | None) -> dict[int, int]:
    """{warehouse_id: units} of the line's allocated units, in the map's order."""
    where = {int(w): int(units) for w, units in (item.allocated_by_warehouse or {}).items()}
    where = {w: units for w, units in where.items() if units > 0}
    rest = item.quantity_allocated - sum(where.values())
    if rest > 0 and default_id is not None:
        where[default_id] = where.get(default_id, 0) + rest
    return where


def line_allocation_set(item: OrderItem, where: Mapping[int, int] | None) -> None:
    """Store `where` ({warehouse_id: units}) on the line; zeros are dropped."""
    item.allocated_by_warehouse = {str(w): units for w, units in (where or {}).items() if units > 0}


def line_allocation_add(item: OrderItem, where: Mapping[int, int] | None, default_id) -> None:
    """Add newly allocated units (a backorder served) to the line's map; the caller raises
    quantity_allocated by their sum first or after, either way."""
    current = line_allocation(item, default_id)
    for w, units in (where or {}).items():
        current[w] = current.get(w, 0) + units
    line_allocation_set(item, current)


def line_allocation_take(
    item: OrderItem,
    units: int,
    default_id: int | None,
    order: Iterable[int],
    *,
    only: bool = False,
) -> dict[int, int]:
    """Take up to `units` off the line's map, from the warehouses in `order` (then any other,
    unless `only`), and return what came from where. The caller lowers
    quantity_allocated by what was taken."""
    current = line_allocation(item, default_id)
    taken: dict[int, int] = {}
    left = units
    order = list(order)
    for w in order if only else [*order, *current]:
        if not left:
            break
        here = min(current.get(w, 0), left)
        if here:
            taken[w] = taken.get(w, 0) + here
            current[w] -= here
            left -= here
    line_allocation_set(item, current)
    return taken
