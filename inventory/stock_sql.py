"""An order's stock take as one SQL statement (used by inventory.services only).

`stock_take_for_order` (inventory.services) runs this last in the order's
transaction: one guarded UPDATE adds each line's quantity to `allocated` on
the rows that still have it available, so the row locks it takes are held
only from this statement to the commit. On a database with UPDATE ...
RETURNING (SQLite, PostgreSQL) the statement also returns the rows' figures
and reorder points, so the caller knows which items are now low. MariaDB has
no UPDATE ... RETURNING: there the statement also requires that each row
stays above its reorder point, so a row it updates is never low and the row
count alone says whether every line was taken.

A line it could not take (short, not stocked, or on MariaDB an item that
would fall to its reorder point) is reported as a miss; the caller's
transaction must then roll back (the statement may have updated the other
rows) and the order goes through the locked path instead
(inventory.services.stock_allocate_for_order), which names the short product
and sends stock_low. The CHECK constraints stay the backstop.
"""

from collections.abc import Mapping
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from .models import StockItem


class TakenRow(NamedTuple):
    """A stock row as the take left it (RETURNING databases only)."""

    stock_item_id: int
    product_id: int
    on_hand: int
    allocated: int
    held: int
    reorder_point: int

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated - self.held

    @property
    def is_low(self) -> bool:
        return self.available <= self.reorder_point


def _case(product_ids: list[int], values: Mapping[int, int], params: list) -> str:
    for pid in product_ids:
        params.extend((pid, values[pid]))
    return "CASE product_id " + "WHEN %s THEN %s " * len(product_ids) + "END"


def _reorder_point_sql(table: str, levels: Mapping[int, int], pids: list, params: list) -> str:
    """The item's reorder point, as StockItem.reorder_level computes it, in SQL.

    The dynamic policy's figure, else the item's override, else the product's
    level (passed in: the products were read before the transaction).
    """
    policy = StockItem._meta.get_field("replenishment_policy").related_model
    qn = connection.ops.quote_name
    dynamic = (
        f"(SELECT {qn('reorder_point')} FROM {qn(policy._meta.db_table)} "
        f"WHERE {qn('stock_item_id')} = {table}.{qn('id')} AND {qn('policy')} = 'dynamic')"
    )
    level = _case(pids, levels, params)
    return f"COALESCE({dynamic}, {qn('reorder_level_override')}, {level})"


def supports_returning() -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def take(
    *, distributor_id: int, wanted: Mapping[int, int], levels: Mapping[int, int]
) -> list[TakenRow] | None:
    """Allocate `wanted` ({product_id: units}) in one UPDATE; None when a line missed.

    `levels`: each product's own reorder level. Returns the updated rows
    (empty figures list on MariaDB, where no updated row is low) or None when
    fewer rows than lines were updated: the caller must roll back.
    """
    pids = sorted(wanted)
    qn = connection.ops.quote_name
    table = qn(StockItem._meta.db_table)
    params: list = []
    add = _case(pids, wanted, params)
    params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    where_params: list = [distributor_id, *pids]
    need = _case(pids, wanted, where_params)
    available = "on_hand - allocated - held"
    where = (
        f"distributor_id = %s AND product_id IN ({', '.join(['%s'] * len(pids))}) "
        f"AND {available} >= {need}"
    )
    returning = supports_returning()
    if returning:
        point_params: list = []
        point = _reorder_point_sql(table, levels, pids, point_params)
        tail = f" RETURNING id, product_id, on_hand, allocated, held, {point}"
        where_params.extend(point_params)
    else:
        # No RETURNING: the statement takes a line only if the item stays above
        # its reorder point, so that no stock_low can be missed.
        after = _case(pids, wanted, where_params)
        point = _reorder_point_sql(table, levels, pids, where_params)
        where += f" AND {available} - {after} > {point}"
        tail = ""
    sql = f"UPDATE {table} SET allocated = allocated + {add}, updated_at = %s WHERE {where}{tail}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])
        if returning:
            rows = [TakenRow(*row) for row in cursor.fetchall()]
            return rows if len(rows) == len(pids) else None
        return [] if cursor.rowcount == len(pids) else None
