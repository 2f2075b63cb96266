"""The order path itself (issue #22): statements, CPU and stock lock hold of order_place.

One thread, orders placed one after the other through
orders.services.order_place on today's `queries_per_order` setup: 3 lines,
no item crossing its reorder level, the default price list, a distributor
with 2 members; delivery of the outbox rows left out (it runs after the
commit, in a worker). Per order:

- statements: every SQL statement from the product read to the commit
  (Django's query capture, on a few orders only: capturing costs CPU);
- CPU: the thread's CPU time (time.thread_time) of order_place, uncaptured;
- lock hold: from the first statement that locks a stock row (an UPDATE of
  inventory_stockitem or a SELECT ... FOR UPDATE of it) to the end of the
  COMMIT, wall clock: how long another order on the same products waits.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_path \\
        .venv/bin/python bench/order_path.py [--quick]

Adds its own organizations and products (names with a run tag); flushes nothing.
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Result, cli, percentile, setup_django

TARGET_STATEMENTS = 12
TARGET_CPU_MS = 15.0
TARGET_LOCK_MS = 5.0
ORDERS_FULL, ORDERS_QUICK = 200, 40
CAPTURED = 5
WARM_UP = 10


def _setup(tag: str):
    from accounts.models import Organization
    from accounts.services import organization_create, user_create
    from catalog.models import Category, Product
    from inventory.services import stock_assign

    maker = organization_create(name=f"Path Maker {tag}", kind=Organization.Kind.MANUFACTURER)
    hub = organization_create(
        name=f"Path Hub {tag}", kind=Organization.Kind.DISTRIBUTOR, contact_email="hub@bench.test"
    )
    for n in range(2):
        user_create(
            email=f"member{n}.{tag}@bench.test", password=None, name=f"M {n}", organization=hub
        )
    category, _ = Category.objects.get_or_create(slug="bench-path", defaults={"name": "Path"})
    products = Product.objects.bulk_create(
        Product(
            sku=f"PATH-{tag}-{n}",
            name=f"Path product {n}",
            slug=f"path-{tag}-{n}",
            category=category,
            price=Decimal("120.00") + n,
            manufacturer=maker,
            supplier=maker,
            reorder_level=5,
            reorder_quantity=50,
            cost_price=Decimal("60.00"),
        )
        for n in range(9)
    )
    for product in products:
        stock_assign(product=product, distributor=hub, quantity=1_000_000, note="bench")
    return hub, products


class _LockClock:
    """Times each transaction from its first stock-row lock to the end of its COMMIT."""

    def __init__(self, connection):
        self.connection = connection
        self.locked_at: float | None = None
        self.holds: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        upper = sql.upper()
        locks = upper.lstrip().startswith("UPDATE") or "FOR UPDATE" in upper
        if self.locked_at is None and locks and "INVENTORY_STOCKITEM" in upper:
            self.locked_at = time.perf_counter()
        return execute(sql, params, many, context)

    def committed(self) -> None:
        if self.locked_at is not None:
            self.holds.append((time.perf_counter() - self.locked_at) * 1000)
        self.locked_at = None


def main(quick: bool) -> list[Result]:
    setup_django()
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from accounts.services import user_create
    from orders.services import order_place

    connection = connections["default"]
    tag = f"{int(time.time() * 1000) % 10**9}"
    hub, products = _setup(tag)
    total = ORDERS_QUICK if quick else ORDERS_FULL
    customers = [
        user_create(email=f"c{n}.{tag}@bench.test", password=None, name=f"C {n}") for n in range(8)
    ]

    def place(n: int):
        trio = [products[(n + k) % len(products)] for k in range(3)]
        return order_place(
            customer=customers[n % len(customers)],
            distributor=hub,
            items=[(trio[0].pk, 3), (trio[1].pk, 2), (trio[2].pk, 1)],
            shipping_address="1 Bench Street, Pune",
        )

    clock = _LockClock(connection)
    real_commit = connection.commit

    def commit():
        real_commit()
        clock.committed()

    statements, cpu_ms = [], []
    with (
        mock.patch("notifications.dispatch.deliver_now_or_later"),
        mock.patch.object(connection, "commit", commit),
        connection.execute_wrapper(clock),
    ):
        for n in range(WARM_UP):
            place(n)
        for n in range(CAPTURED):
            with CaptureQueriesContext(connection) as captured:
                place(WARM_UP + n)
            statements.append(len(captured.captured_queries))
        clock.holds.clear()
        for n in range(total):
            began = time.thread_time()
            place(WARM_UP + CAPTURED + n)
            cpu_ms.append((time.thread_time() - began) * 1000)
    holds = clock.holds
    worst = max(statements)
    cpu50, cpu95 = percentile(cpu_ms, 50), percentile(cpu_ms, 95)
    hold50, hold95 = percentile(holds, 50), percentile(holds, 95)
    print(
        f"database {connection.vendor}; {total} orders; statements {sorted(set(statements))}; "
        f"CPU p50 {cpu50:.1f} ms p95 {cpu95:.1f} ms; "
        f"stock lock hold p50 {hold50:.2f} ms p95 {hold95:.2f} ms ({len(holds)} transactions)"
    )
    return [
        Result(
            name="order_path_statements",
            figure=worst,
            unit="statements",
            target=f"<= {TARGET_STATEMENTS}",
            passed=worst <= TARGET_STATEMENTS,
            details={"orders": CAPTURED},
        ),
        Result(
            name="order_path_cpu",
            figure=round(cpu50, 2),
            unit="ms p50",
            target=f"<= {TARGET_CPU_MS:g} ms p50",
            passed=cpu50 <= TARGET_CPU_MS,
            details={"p95_ms": round(cpu95, 2), "orders": total},
        ),
        Result(
            name="order_path_lock_hold",
            figure=round(hold50, 2),
            unit="ms p50",
            target=f"<= {TARGET_LOCK_MS:g} ms p50",
            passed=hold50 <= TARGET_LOCK_MS,
            details={"p95_ms": round(hold95, 2), "transactions": len(holds)},
        ),
    ]


if __name__ == "__main__":
    cli(main)
