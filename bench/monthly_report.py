"""Benchmark for issue #11: the monthly report over 1,000,000 order lines vs the same SQL by hand.

Seeds (once; re-used while the row counts match) 333,334 orders of 3 lines each
(1,000,000 lines; 10,000 orders / 30,000 lines with --quick) spread evenly
over January to June 2025, across 8 distributors in 4 regions, 2,000 products
in 20 categories from 5 manufacturers; statuses mixed (60% delivered, 10%
cancelled, 5% rejected, the rest placed/accepted/shipped), every order with its
`placed` status change and every delivered order with a `delivered` one 1 to
200 hours later, so fulfillment times have data. Seeding is raw multi-row
INSERTs with the foreign-key and unique checks off.

Then it times, best of 3 after a warm-up run of each:

* `reporting.selectors.monthly_report(scope=all, year=2025, month=3)`: what the
  report page, the CSV export and the monthly e-mail call;
* the same figures in raw SQL written by hand from the queries Django emits
  (orders count/sum, the lines' totals, top products, by distributor, by
  region, fulfillment count/sum and its median/p90 ranks), run with the same
  connection, fetching the rows and nothing else.

It checks the two give the same figures and reports report / raw (target <= 2).

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_reports \\
        .venv/bin/python bench/monthly_report.py [--quick]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, cli, defaults_for, setup_django

TARGET_RATIO = 2.0
LINES_PER_ORDER = 3
DISTRIBUTORS = 8
REGIONS = ["North", "South", "East", "West"]
MANUFACTURERS = 5
CATEGORIES = 20
PRODUCTS = 2000
CUSTOMERS = 100
YEAR, MONTH = 2025, 3
FIRST = datetime(2025, 1, 1)
SPAN_SECONDS = int((datetime(2025, 7, 1) - FIRST).total_seconds())
STATUSES = (
    ["delivered"] * 60
    + ["cancelled"] * 10
    + ["rejected"] * 5
    + ["placed"] * 10
    + ["accepted"] * 5
    + ["shipped"] * 10
)
BATCH = 5000
NOW = "2025-07-01 00:00:00"


def _insert(cursor, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Multi-row INSERTs of BATCH rows (mysqlclient turns executemany into one statement)."""
    extra = defaults_for(table, columns)
    columns = (*columns, *extra)
    rows = [(*row, *extra.values()) for row in rows] if extra else rows
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    for i in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[i : i + BATCH])


def seed(orders: int) -> float:
    """Empty the tables and fill them; returns the seconds taken."""
    from django.db import connection, transaction

    start = time.perf_counter()
    rng = random.Random(11)
    tables = [
        "orders_orderstatuschange",
        "orders_orderitem",
        "orders_order",
        "inventory_stockmovement",
        "inventory_stockitem",
        "catalog_product",
        "catalog_category",
        "accounts_user",
        "accounts_organization",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS=0")
        cursor.execute("SET UNIQUE_CHECKS=0")
        for table in tables:
            cursor.execute(f"TRUNCATE TABLE {table}")
        with transaction.atomic():
            orgs = []
            for i in range(1, DISTRIBUTORS + 1):
                region = REGIONS[i % len(REGIONS)]
                orgs.append((i, f"Distributor {i}", "distributor", region))
            for i in range(1, MANUFACTURERS + 1):
                orgs.append((DISTRIBUTORS + i, f"Manufacturer {i}", "manufacturer", ""))
            _insert(
                cursor,
                "accounts_organization",
                (
                    "id",
                    "name",
                    "kind",
                    "region",
                    "contact_email",
                    "phone",
                    "address",
                    "city",
                    "country",
                    "backorder_policy",
                    "created_at",
                    "updated_at",
                ),
                [(*o, "", "", "", "", "", "ship_complete", NOW, NOW) for o in orgs],
            )
            _insert(
                cursor,
                "accounts_user",
                (
                    "id",
                    "password",
                    "is_superuser",
                    "email",
                    "name",
                    "phone",
                    "is_org_admin",
                    "is_staff",
                    "is_active",
                    "date_joined",
                    "backorder_policy",
                    "token_version",
                ),
                [
                    (
                        *(i, "!", 0, f"c{i}@bench.invalid", f"Customer {i}", "", 0, 0, 1, NOW),
                        *("ship_complete", 0),
                    )
                    for i in range(1, CUSTOMERS + 1)
                ],
            )
            _insert(
                cursor,
                "catalog_category",
                ("id", "name", "slug"),
                [(i, f"Category {i}", f"category-{i}") for i in range(1, CATEGORIES + 1)],
            )
            prices = {i: Decimal(rng.randint(100, 50000)) / 100 for i in range(1, PRODUCTS + 1)}
            _insert(
                cursor,
                "catalog_product",
                (
                    "id",
                    "sku",
                    "name",
                    "slug",
                    "description",
                    "price",
                    "reorder_level",
                    "reorder_quantity",
                    "pack_size",
                    "minimum_order_quantity",
                    "lead_time_days",
                    "is_active",
                    "created_at",
                    "updated_at",
                    "category_id",
                    "manufacturer_id",
                    "supplier_id",
                ),
                [
                    (
                        i,
                        f"SKU-{i:05d}",
                        f"Product {i:05d}",
                        f"product-{i}",
                        "",
                        prices[i],
                        0,
                        0,
                        1,
                        1,
                        7,
                        1,
                        NOW,
                        NOW,
                        1 + i % CATEGORIES,
                        DISTRIBUTORS + 1 + i % MANUFACTURERS,
                        DISTRIBUTORS + 1 + i % MANUFACTURERS,
                    )
                    for i in range(1, PRODUCTS + 1)
                ],
            )
            order_rows, line_rows, change_rows = [], [], []
            line_id = change_id = 0
            for order_id in range(1, orders + 1):
                created = FIRST + timedelta(
                    seconds=rng.randrange(SPAN_SECONDS), microseconds=rng.randrange(1_000_000)
                )
                status = rng.choice(STATUSES)
                # Where the line's units stand (they add up to the quantity, a CHECK).
                where = (
                    "shipped"
                    if status in ("shipped", "delivered")
                    else "cancelled"
                    if status in ("rejected", "cancelled")
                    else "allocated"
                )
                subtotal = Decimal(0)
                for product_id in rng.sample(range(1, PRODUCTS + 1), LINES_PER_ORDER):
                    quantity = rng.randint(1, 5)
                    price = prices[product_id]
                    subtotal += price * quantity
                    line_id += 1
                    line_rows.append(
                        (
                            line_id,
                            f"SKU-{product_id:05d}",
                            f"Product {product_id:05d}",
                            quantity,
                            price,
                            price * quantity,
                            order_id,
                            product_id,
                            *(quantity if where == f else 0 for f in FIGURES),
                        )
                    )
                tax = (subtotal * Decimal("0.2")).quantize(Decimal("0.01"), ROUND_HALF_UP)
                order_rows.append(
                    (
                        order_id,
                        f"B{order_id:09d}",
                        status,
                        "delivery",
                        "1 Bench Street",
                        (created + timedelta(days=3)).date(),
                        "",
                        subtotal,
                        Decimal("0.2000"),
                        tax,
                        subtotal + tax,
                        "",
                        created,
                        created,
                        1 + order_id % CUSTOMERS,
                        1 + rng.randrange(DISTRIBUTORS),
                        0,
                    )
                )
                change_id += 1
                change_rows.append((change_id, "", "placed", "", created, order_id))
                if status == "delivered":
                    change_id += 1
                    delivered = created + timedelta(seconds=rng.randint(3600, 200 * 3600))
                    change_rows.append((change_id, "shipped", "delivered", "", delivered, order_id))
            _insert(
                cursor,
                "orders_order",
                (
                    "id",
                    "number",
                    "status",
                    "fulfillment_type",
                    "shipping_address",
                    "estimated_delivery",
                    "tracking_reference",
                    "subtotal",
                    "tax_rate",
                    "tax",
                    "total",
                    "request_fingerprint",
                    "created_at",
                    "updated_at",
                    "customer_id",
                    "distributor_id",
                    "backorder",
                ),
                order_rows,
            )
            _insert(
                cursor,
                "orders_orderitem",
                (
                    "id",
                    "sku",
                    "product_name",
                    "quantity",
                    "unit_price",
                    "line_total",
                    "order_id",
                    "product_id",
                    *(f"quantity_{f}" for f in FIGURES),
                ),
                line_rows,
            )
            _insert(
                cursor,
                "orders_orderstatuschange",
                ("id", "from_status", "to_status", "note", "created_at", "order_id"),
                change_rows,
            )
        cursor.execute("SET UNIQUE_CHECKS=1")
        cursor.execute("SET FOREIGN_KEY_CHECKS=1")
        for table in ("orders_order", "orders_orderitem", "orders_orderstatuschange"):
            cursor.execute(f"ANALYZE TABLE {table}")
            cursor.fetchall()
    return time.perf_counter() - start


FIGURES = ("allocated", "shipped", "backordered", "cancelled")


def seeded(orders: int) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MAX(id) FROM orders_order")
        count, top = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM orders_orderitem")
        (lines,) = cursor.fetchone()
    return count == orders and top == orders and lines == orders * LINES_PER_ORDER


# --- The baseline: the report's figures, by hand ------------------------------------------

RAW_ORDERS = """
SELECT COUNT(*),
       COUNT(CASE WHEN status = 'cancelled' THEN 1 END),
       COUNT(CASE WHEN status = 'rejected' THEN 1 END),
       COUNT(CASE WHEN status NOT IN ('rejected', 'cancelled') THEN 1 END),
       SUM(CASE WHEN status NOT IN ('rejected', 'cancelled') THEN tax END),
       SUM(CASE WHEN status NOT IN ('rejected', 'cancelled') THEN total END)
FROM orders_order WHERE created_at >= %s AND created_at < %s
"""
RAW_LINES = """
SELECT COUNT(DISTINCT i.order_id), SUM(i.quantity), SUM(i.line_total)
FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
WHERE o.status NOT IN ('rejected', 'cancelled') AND o.created_at >= %s AND o.created_at < %s
"""
RAW_TOP = """
SELECT i.product_id, p.sku, p.name,
       COUNT(DISTINCT i.order_id), SUM(i.quantity), SUM(i.line_total) AS revenue
FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
JOIN catalog_product p ON p.id = i.product_id
WHERE o.status NOT IN ('rejected', 'cancelled') AND o.created_at >= %s AND o.created_at < %s
GROUP BY i.product_id, p.sku, p.name ORDER BY revenue DESC, p.sku, p.name LIMIT 10
"""
RAW_DISTRIBUTOR = """
SELECT o.distributor_id, d.name,
       COUNT(DISTINCT i.order_id), SUM(i.quantity), SUM(i.line_total) AS revenue
FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
JOIN accounts_organization d ON d.id = o.distributor_id
WHERE o.status NOT IN ('rejected', 'cancelled') AND o.created_at >= %s AND o.created_at < %s
GROUP BY o.distributor_id, d.name ORDER BY revenue DESC, d.name
"""
RAW_REGION = """
SELECT d.region, COUNT(DISTINCT i.order_id), SUM(i.quantity), SUM(i.line_total) AS revenue
FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id
JOIN accounts_organization d ON d.id = o.distributor_id
WHERE o.status NOT IN ('rejected', 'cancelled') AND o.created_at >= %s AND o.created_at < %s
GROUP BY d.region ORDER BY revenue DESC
"""
SPAN = "TIMESTAMPDIFF(MICROSECOND, o.created_at, c.created_at)"
RAW_FULFILLMENT = f"""
SELECT COUNT(*), SUM({SPAN})
FROM orders_orderstatuschange c JOIN orders_order o ON o.id = c.order_id
WHERE c.to_status = 'delivered' AND o.created_at >= %s AND o.created_at < %s
"""
RAW_RANKS = f"""
SELECT rank_, span_us FROM (
    SELECT ROW_NUMBER() OVER (ORDER BY {SPAN}, c.id) AS rank_, {SPAN} AS span_us
    FROM orders_orderstatuschange c JOIN orders_order o ON o.id = c.order_id
    WHERE c.to_status = 'delivered' AND o.created_at >= %s AND o.created_at < %s
) ranked WHERE rank_ IN (%s, %s, %s)
"""


def raw_report(start, end) -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for name, sql in (
            ("orders", RAW_ORDERS),
            ("lines", RAW_LINES),
            ("top", RAW_TOP),
            ("distributor", RAW_DISTRIBUTOR),
            ("region", RAW_REGION),
            ("fulfillment", RAW_FULFILLMENT),
        ):
            cursor.execute(sql, [start, end])
            out[name] = cursor.fetchall()
        n = out["fulfillment"][0][0]
        low, high, p90 = (n + 1) // 2, (n + 2) // 2, -(-n * 9 // 10)
        cursor.execute(RAW_RANKS, [start, end, low, high, p90])
        out["ranks"] = dict(cursor.fetchall())
    return out


def same_figures(report, raw) -> list[str]:
    """What differs between the selector's report and the raw figures (empty when equal)."""
    cent = Decimal("0.01")
    problems = []
    placed, cancelled, rejected, sold, tax, total = raw["orders"][0]
    orders, units, revenue = raw["lines"][0]
    checks = [
        ("orders_placed", report.orders_placed, placed),
        ("orders_cancelled", report.orders_cancelled, cancelled),
        ("orders_rejected", report.orders_rejected, rejected),
        ("orders", report.orders, orders),
        ("orders sold (order rows)", report.orders, sold),
        ("units", report.units, units),
        ("subtotal", report.subtotal, revenue.quantize(cent)),
        ("tax", report.tax, tax.quantize(cent)),
        ("total", report.total, total.quantize(cent)),
        ("fulfillment count", report.fulfillment.count, raw["fulfillment"][0][0]),
        ("top products", [r["key"] for r in report.top_products.rows], [r[1] for r in raw["top"]]),
        (
            "distributors",
            [(r["key"], r["revenue"]) for r in report.by_distributor.rows],
            [(str(r[0]), r[4]) for r in raw["distributor"]],
        ),
        (
            "regions",
            [(r["key"], r["units"]) for r in report.by_region.rows],
            [(r[0], r[2]) for r in raw["region"]],
        ),
    ]
    for name, ours, theirs in checks:
        if ours != theirs:
            problems.append(f"{name}: report {ours!r} != raw {theirs!r}")
    return problems


def best_of(fn, runs: int = 3) -> tuple[float, list[float]]:
    fn()  # warm-up: caches, buffer pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times), times


def main(quick: bool) -> list[Result]:
    setup_django()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from reporting.selectors import ReportScope, month_filters, monthly_report

    lines = 30_000 if quick else 1_000_000
    orders = -(-lines // LINES_PER_ORDER)
    if seeded(orders):
        print(f"seed: re-using {orders:,} orders / {orders * LINES_PER_ORDER:,} lines")
    else:
        took = seed(orders)
        print(f"seed: {orders:,} orders / {orders * LINES_PER_ORDER:,} lines in {took:.1f} s")

    scope = ReportScope(ReportScope.ALL)
    filters = month_filters(YEAR, MONTH)
    start, end = filters.start_at, filters.end_before

    def run_report():
        return monthly_report(scope=scope, year=YEAR, month=MONTH)

    with CaptureQueriesContext(connection) as captured:
        report = run_report()
    queries = len(captured.captured_queries)
    reset_queries()
    raw = raw_report(start, end)
    problems = same_figures(report, raw)
    for problem in problems:
        print("MISMATCH", problem)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM orders_orderitem i JOIN orders_order o ON o.id = i.order_id "
            "WHERE o.created_at >= %s AND o.created_at < %s",
            [start, end],
        )
        (month_lines,) = cursor.fetchone()
    report_s, report_runs = best_of(run_report)
    raw_s, raw_runs = best_of(lambda: raw_report(start, end))
    ratio = report_s / raw_s
    print(
        f"{orders * LINES_PER_ORDER:,} order lines in all, {month_lines:,} in {YEAR}-{MONTH:02d}; "
        f"{report.orders:,} orders sold, {report.fulfillment.count:,} delivered"
    )
    print(
        f"monthly_report: best {report_s * 1000:.0f} ms of "
        f"{', '.join(f'{t * 1000:.0f}' for t in report_runs)} ms; {queries} queries"
    )
    print(
        f"raw SQL:        best {raw_s * 1000:.0f} ms of "
        f"{', '.join(f'{t * 1000:.0f}' for t in raw_runs)} ms; 7 queries"
    )
    print(f"report / raw = {ratio:.2f}x (target <= {TARGET_RATIO:g})")
    return [
        Result(
            name="monthly_report",
            figure=round(ratio, 2),
            unit="x raw SQL",
            target=f"<= {TARGET_RATIO:g}",
            passed=ratio <= TARGET_RATIO and not problems,
            details={
                "lines": orders * LINES_PER_ORDER,
                "month_lines": month_lines,
                "report_ms": round(report_s * 1000, 1),
                "raw_ms": round(raw_s * 1000, 1),
                "queries": queries,
                "mismatches": problems,
            },
        )
    ]


if __name__ == "__main__":
    cli(main)
