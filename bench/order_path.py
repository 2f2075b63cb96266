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

Two throughput figures of #22 §1 follow, each bounded in time:

- hot product (`order_path_hot_product`, full run only): 8 threads placing
  orders that all take 1 unit of one product (bench/hot_runner.py, each
  round a process of its own), against the same run's baseline: the code
  before the lean order path (the parent of the commit that added
  inventory/stock_sql.py, or BENCH_BASELINE_COMMIT), checked out in a
  temporary `git worktree` and run against a database of its own on the
  same server (BENCH_DATABASE_URL's name + "_base", migrated by its own
  code), in interleaved rounds (baseline, lean, lean, baseline, ...).
  Median orders/s of each and their ratio; target +50 %.
- HTTP order placement (`order_path_http_vs_raw`): `POST /api/customer/orders`
  through Django's test client (the whole request path but the HTTP server;
  JWT, validation, order_place, the 201 body) against the raw-SQL writes of
  bench/order_placement.py's baseline, one thread each, interleaved rounds.
  Target >= 0.10x. It empties and reseeds the data tables, as
  order_placement does.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_path \\
        .venv/bin/python bench/order_path.py [--quick]

The statements, CPU and lock figures add their own organizations and
products (names with a run tag) and flush nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Result, cli, percentile, setup_django

ROOT = Path(__file__).resolve().parent.parent

TARGET_STATEMENTS = 12
TARGET_CPU_MS = 15.0
TARGET_LOCK_MS = 5.0
TARGET_HOT_GAIN = 1.5
TARGET_HTTP_RATIO = 0.10
HOT_THREADS = 8
HOT_ROUNDS, HOT_SECONDS = 4, 8.0
HTTP_ROUNDS_FULL, HTTP_ROUNDS_QUICK = (3, 3.0), (1, 1.5)
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
    connection.close()
    extra = [http_vs_raw(*(HTTP_ROUNDS_QUICK if quick else HTTP_ROUNDS_FULL))]
    if not quick and os.environ.get("BENCH_HOT", "1") != "0":  # bench/compare.py's before tree
        extra.insert(0, hot_product_vs_baseline(rounds=HOT_ROUNDS, seconds=HOT_SECONDS))
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
        *extra,
    ]


def baseline_commit() -> str:
    """The code before the lean order path: the parent of the commit that added its stock
    statement (inventory/stock_sql.py). The first parent of the 'order-lean' merge on the
    merge branch is no baseline: its migrations had two leaves until the next merge."""
    if commit := os.environ.get("BENCH_BASELINE_COMMIT"):
        return commit
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", "inventory/stock_sql.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not added:
        raise RuntimeError("inventory/stock_sql.py has no history here: set BENCH_BASELINE_COMMIT")
    return f"{added[-1]}^"


def _hot_round(root: Path, url: str, seconds: float) -> dict:
    env = {**os.environ, "BENCH_DATABASE_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "hot_runner.py"),
            "--root",
            str(root),
            "--seconds",
            str(seconds),
            "--threads",
            str(HOT_THREADS),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=seconds + 600,  # the first round of a new database migrates it
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"hot_runner in {root} failed: {done.stderr[-2000:]}")
    figures = json.loads(lines[-1])
    if figures["errors"]:
        raise RuntimeError(f"hot_runner in {root}: {figures['errors']}")
    return figures


def hot_product_vs_baseline(*, rounds: int, seconds: float) -> Result:
    """8 threads on one hot product: the lean order path against the code before it."""
    from bench.common import database_url

    url = database_url()
    base_url = url.rstrip("/") + "_base"
    commit = baseline_commit()
    rates: dict[str, list[float]] = {"baseline": [], "lean": []}
    with tempfile.TemporaryDirectory(prefix="order-path-base-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(tree), commit],
            cwd=ROOT,
            check=True,
        )
        try:
            sha = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                cwd=tree,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            _hot_round(tree, base_url, 0.5)  # migrate the baseline's database, warm the disk
            _hot_round(ROOT, url, 0.5)
            for number in range(rounds):
                order = ("baseline", "lean") if number % 2 == 0 else ("lean", "baseline")
                for label in order:
                    root, db = (tree, base_url) if label == "baseline" else (ROOT, url)
                    figures = _hot_round(root, db, seconds)
                    rates[label].append(figures["orders_per_s"])
                    print(
                        f"  hot product round {number + 1} {label:8s} "
                        f"{figures['orders_per_s']:7.1f} orders/s ({figures['orders']} orders,"
                        f" load {figures['load_average']})",
                        flush=True,
                    )
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
            )
    base, lean = statistics.median(rates["baseline"]), statistics.median(rates["lean"])
    gain = lean / base if base else 0.0
    print(
        f"hot product, {HOT_THREADS} threads: lean {lean:.1f} vs baseline {sha} {base:.1f} "
        f"orders/s (medians of {rounds}): {gain:.2f}x"
    )
    return Result(
        name="order_path_hot_product",
        figure=round(gain, 2),
        unit=f"x baseline {sha} (median orders/s {lean:.1f} vs {base:.1f})",
        target=f">= {TARGET_HOT_GAIN:g}x",
        passed=gain >= TARGET_HOT_GAIN,
        details={
            "baseline_commit": sha,
            "threads": HOT_THREADS,
            "seconds_per_round": seconds,
            "lean_orders_per_s": rates["lean"],
            "baseline_orders_per_s": rates["baseline"],
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
    )


def http_vs_raw(rounds: int, seconds: float) -> Result:
    """POST /api/customer/orders through the test client against raw SQL, one thread each."""
    import random

    from django.db import connections
    from django.test import Client

    from bench.order_placement import raw_step
    from bench.server import order_lines, reset_and_seed

    seed = reset_and_seed(products=200, stock=1_000_000, customers=2)
    product_ids = list(seed.products)
    client = Client(HTTP_HOST="localhost")
    rng = random.Random(7)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {seed.tokens[0]}"}

    def app_order() -> None:
        payload = {
            "items": [
                {"product_id": pid, "quantity": qty} for pid, qty in order_lines(rng, product_ids)
            ],
            "fulfillment_type": "delivery",
            "shipping_address": "1 Bench Street, Loopback",
        }
        response = client.post(
            "/api/customer/orders", json.dumps(payload), content_type="application/json", **auth
        )
        if response.status_code != 201:
            raise RuntimeError(f"order: HTTP {response.status_code} {response.content[:300]!r}")

    raw, conn = raw_step(seed, seed.customer_ids[1], random.Random(8), product_ids)

    def raw_order() -> None:
        status, _, ok = raw()
        if not ok:
            raise RuntimeError(f"raw order: {status}")

    def window(fn) -> float:
        count, began = 0, time.perf_counter()
        while time.perf_counter() - began < seconds:
            fn()
            count += 1
        return count / (time.perf_counter() - began)

    rates: dict[str, list[float]] = {"app": [], "raw": []}
    with mock.patch("notifications.dispatch.deliver_now_or_later"):
        for _ in range(3):  # warm both paths
            app_order()
            raw_order()
        for number in range(rounds):
            order = (("raw", raw_order), ("app", app_order))
            for label, fn in order if number % 2 == 0 else order[::-1]:
                rates[label].append(window(fn))
    conn.close()
    connections["default"].close()
    app, base = statistics.median(rates["app"]), statistics.median(rates["raw"])
    ratio = app / base if base else 0.0
    print(
        f"HTTP order placement (test client, 1 thread): {app:.1f} orders/s vs raw SQL "
        f"{base:.1f}: {ratio:.3f}x ({rounds} round(s) of {seconds:g} s each, interleaved)"
    )
    return Result(
        name="order_path_http_vs_raw",
        figure=round(ratio, 3),
        unit=f"x raw SQL ({app:.1f} vs {base:.1f} orders/s, 1 thread, Django test client)",
        target=f">= {TARGET_HTTP_RATIO:g}x",
        passed=ratio >= TARGET_HTTP_RATIO,
        details={
            "app_orders_per_s": rates["app"],
            "raw_orders_per_s": rates["raw"],
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
    )


if __name__ == "__main__":
    cli(main)
