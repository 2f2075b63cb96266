"""An order's stock take as one SQL statement (used by inventory.allocation only).

`stock_take_for_order` (inventory.allocation) runs this last in the order's
transaction: one guarded UPDATE adds each line's quantity to `allocated` on
the items (the distributor's totals) and on their rows in one warehouse
(`WarehouseStock`, the distributor's first) that still have it available,
so the row locks it takes are held only from this statement to the commit.
On a database with UPDATE ... RETURNING (SQLite, PostgreSQL) the statement also returns the
rows' figures and reorder points, so the caller knows which items are now low. MariaDB has
no UPDATE ... RETURNING: there the statement also requires that each row stays above its
reorder point, so a row it updates is never low and the row count alone says whether every
line was taken.

A line it could not take (short, not stocked, or on MariaDB an item that
would fall to its reorder point) is reported as a miss; the caller's
transaction must then roll back (the statement may have updated the other
rows) and the order goes through the locked path instead
(inventory.allocation.stock_allocate_for_order), which names the short product
and sends stock_low. The CHECK constraints stay the backstop.
"""

from collections.abc import Mapping
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from .models import StockItem, WarehouseStock


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


def _case(
    product_ids: list[int], values: Mapping[int, int], params: list, column: str = "product_id"
) -> str:
    for pid in product_ids:
        params.extend((pid, values[pid]))
    return f"CASE {column} " + "WHEN %s THEN %s " * len(product_ids) + "END"


def _reorder_point_sql(
    table: str, levels: Mapping[int, int], pids: list, params: list, column: str = "product_id"
) -> str:
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
    level = _case(pids, levels, params, column=column)
    return f"COALESCE({dynamic}, {table}.{qn('reorder_level_override')}, {level})"


def supports_returning() -> bool:
    return connection.vendor in ("sqlite", "postgresql")


def take(
    *,
    distributor_id: int,
    warehouse_id: int,
    wanted: Mapping[int, int],
    levels: Mapping[int, int],
) -> list[TakenRow] | None:
    """Allocate `wanted` ({product_id: units}) in one warehouse; None when a line missed.

    Raises `allocated` on the distributor's items (the totals) and on their
    rows in `warehouse_id` together. On MariaDB one multi-table UPDATE
    (STRAIGHT_JOIN: the item rows are locked first, as every locked path
    does); on SQLite the item UPDATE ... RETURNING, then the warehouse rows'.
    `levels`: each product's own reorder level. Returns the updated items
    (empty figures list on MariaDB, where no updated row is low) or None when
    fewer rows than lines were updated: the caller must roll back.
    """
    pids = sorted(wanted)
    qn = connection.ops.quote_name
    table = qn(StockItem._meta.db_table)
    rows_table = qn(WarehouseStock._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    returning = supports_returning()
    if returning:
        taken = _take_items(table, distributor_id, pids, wanted, levels, now)
        if taken is None:
            return None
        ids = {row.product_id: row.stock_item_id for row in taken}
        params: list = []
        add = _case_of(ids, pids, wanted, params)
        where_params: list = [warehouse_id, *[ids[pid] for pid in pids]]
        need = _case_of(ids, pids, wanted, where_params)
        sql = (
            f"UPDATE {rows_table} SET allocated = allocated + {add}, updated_at = %s "
            f"WHERE warehouse_id = %s AND stock_item_id IN ({', '.join(['%s'] * len(pids))}) "
            f"AND on_hand - allocated - held >= {need}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, now, *where_params])
            return taken if cursor.rowcount == len(pids) else None
    # MariaDB: items and warehouse rows in one statement, the items joined first.
    item = f"{table}.{qn('product_id')}"
    params = []
    add_item = _case(pids, wanted, params, column=item)
    add_row = _case(pids, wanted, params, column=item)
    params.extend([now, now])
    where_params = [distributor_id, *pids]
    need_item = _case(pids, wanted, where_params, column=item)
    need_row = _case(pids, wanted, where_params, column=item)
    after = _case(pids, wanted, where_params, column=item)
    point = _reorder_point_sql(table, levels, pids, where_params, column=item)
    available = f"{table}.on_hand - {table}.allocated - {table}.held"
    row_available = f"{rows_table}.on_hand - {rows_table}.allocated - {rows_table}.held"
    sql = (
        f"UPDATE {table} STRAIGHT_JOIN {rows_table} "
        f"ON {rows_table}.stock_item_id = {table}.id AND {rows_table}.warehouse_id = %s "
        f"SET {table}.allocated = {table}.allocated + {add_item}, "
        f"{rows_table}.allocated = {rows_table}.allocated + {add_row}, "
        f"{table}.updated_at = %s, {rows_table}.updated_at = %s "
        f"WHERE {table}.distributor_id = %s "
        f"AND {item} IN ({', '.join(['%s'] * len(pids))}) "
        f"AND {available} >= {need_item} AND {row_available} >= {need_row} "
        # No RETURNING: the statement takes a line only if the item stays above
        # its reorder point, so that no stock_low can be missed.
        f"AND {available} - {after} > {point}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [warehouse_id, *params, *where_params])
        # Found rows: an item and its warehouse row per line.
        return [] if cursor.rowcount == 2 * len(pids) else None


def _case_of(ids: Mapping[int, int], pids: list[int], values: Mapping[int, int], params) -> str:
    for pid in pids:
        params.extend((ids[pid], values[pid]))
    return "CASE stock_item_id " + "WHEN %s THEN %s " * len(pids) + "END"


def _take_items(table, distributor_id, pids, wanted, levels, now) -> list[TakenRow] | None:
    """The items' UPDATE ... RETURNING (SQLite, PostgreSQL)."""
    params: list = []
    add = _case(pids, wanted, params)
    params.append(now)
    where_params: list = [distributor_id, *pids]
    need = _case(pids, wanted, where_params)
    available = "on_hand - allocated - held"
    where = (
        f"distributor_id = %s AND product_id IN ({', '.join(['%s'] * len(pids))}) "
        f"AND {available} >= {need}"
    )
    point_params: list = []
    point = _reorder_point_sql(table, levels, pids, point_params)
    tail = f" RETURNING id, product_id, on_hand, allocated, held, {point}"
    sql = f"UPDATE {table} SET allocated = allocated + {add}, updated_at = %s WHERE {where}{tail}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params, *point_params])
        rows = [TakenRow(*row) for row in cursor.fetchall()]
        return rows if len(rows) == len(pids) else None
