"""Order placement through the HTTP API under gunicorn, against the same writes in raw SQL.

The app: `POST /api/customer/orders` on `gunicorn auromart.wsgi:application`
with 2 gthread workers of 4 threads (gunicorn.conf.py) and production
settings (bench/server.py: DEBUG off, CONN_MAX_AGE=60, no broker so
notifications go through the outbox and the in-process "thread" deliverer,
mail to the in-memory backend), 16 client threads, each a customer with a
JWT, each order 3 random distinct products of 1,000 (1-3 units each) with
ample stock, for delivery.

The baseline, in the same run, at the same concurrency: 16 threads, each a
mysqlclient (MySQLdb) connection in READ COMMITTED like the app, each order
one transaction doing the writes an order needs: INSERT the order, INSERT its
3 lines (one statement), 3 conditional allocations in pk order
(`UPDATE ... SET allocated = allocated + n WHERE id = ... AND on_hand - allocated
- held >= n`, row count checked), INSERT 3 demand rows (one statement), INSERT 1
outbox row, COMMIT (since #12 an order allocates and writes no ledger row). Product data is
known to it up front (no reads), and nothing is validated.

Checks: zero 5xx, zero oversell (every stock item's on_hand equals its
ledger sum and none is negative), every app order's outbox rows delivered.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_orders \
        .venv/bin/python bench/order_placement.py [--quick]
"""

from __future__ import annotations

import random
import sys
import threading
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, cli, database_url, setup_django, with_defaults
from server import (
    Gunicorn,
    Run,
    api_order_step,
    describe,
    fivexx,
    ledger_check,
    order_lines,
    reset_and_seed,
    run_clients,
    wait_outbox_drained,
)

NAME = "order_placement"
TARGET = 0.30
CLIENTS = 16
PRODUCTS = 1000
STOCK = 1_000_000


def mysql_connect():
    import MySQLdb

    url = urlparse(database_url())
    conn = MySQLdb.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        passwd=url.password or "",
        db=url.path.lstrip("/"),
        charset="utf8mb4",
        autocommit=False,
    )
    cursor = conn.cursor()
    cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
    cursor.execute("SET sql_mode='STRICT_TRANS_TABLES'")
    return conn


def raw_step(seed, customer_id: int, rng: random.Random, product_ids: list[int]):
    """A step for run_clients: one order's writes in raw SQL, in one transaction."""
    conn = mysql_connect()
    cursor = conn.cursor()
    tax_rate = Decimal("0.18")
    cent = Decimal("0.01")
    # Every NOT NULL column added since this was written gets its model default
    # (bench.common.with_defaults), so a new field cannot zero the baseline again.
    order_sql, order_extra = with_defaults(
        "orders_order",
        "INSERT INTO orders_order (number, status, fulfillment_type, shipping_address,"
        " estimated_delivery, tracking_reference, subtotal, tax_rate, tax, total,"
        " idempotency_key, request_fingerprint, created_at, updated_at,"
        " buyer_organization_id, customer_id, distributor_id, backorder)"
        " VALUES (%s, 'pending', 'delivery', %s, CURDATE() + INTERVAL 3 DAY, '',"
        " %s, %s, %s, %s, NULL, '', NOW(6), NOW(6), NULL, %s, %s, 0)",
    )
    outbox_sql, outbox_extra = with_defaults(
        "notifications_outboundmessage",
        "INSERT INTO notifications_outboundmessage (channel, recipient, template, subject,"
        " body_text, body_html, attachments, status, attempts, next_attempt_at,"
        " claimed_until, last_error, provider_message_id, simulated, dedup_key,"
        " created_at, sent_at, status_changed_at, resent_from_id, user_id, reply_to)"
        " VALUES ('email', %s, 'order_confirmation', %s, %s, %s, '[]', 'bench', 0,"
        " NOW(6), NULL, '', '', 0, %s, NOW(6), NULL, NOW(6), NULL, %s, '')",
    )

    def step():
        lines = order_lines(rng, product_ids)
        start = time.perf_counter()
        priced = [(pid, qty, *seed.products[pid]) for pid, qty in lines]
        subtotal = sum(Decimal(price) * qty for _, qty, _, _, price in priced)
        tax = (subtotal * tax_rate).quantize(cent, ROUND_HALF_UP)
        cursor.execute(
            order_sql,
            (
                "B" + uuid.uuid4().hex[:12].upper(),
                "1 Bench Street, Loopback",
                subtotal,
                tax_rate,
                tax,
                subtotal + tax,
                customer_id,
                seed.distributor_id,
                *order_extra,
            ),
        )
        order_id = cursor.lastrowid
        item_sql, item_extra = with_defaults(
            "orders_orderitem",
            "INSERT INTO orders_orderitem (sku, product_name, quantity, unit_price,"
            " line_total, order_id, product_id, quantity_allocated, quantity_shipped,"
            " quantity_backordered, quantity_cancelled, list_price, price_list_name) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, 0, 0, 0, %s, '')",
            rows=len(priced),
        )
        cursor.execute(
            item_sql,
            [
                value
                for pid, qty, sku, name, price in priced
                for value in (
                    sku,
                    name,
                    qty,
                    price,
                    Decimal(price) * qty,
                    order_id,
                    pid,
                    qty,
                    price,
                    *item_extra,
                )
            ],
        )
        items = sorted((seed.stock_items[pid], qty) for pid, qty, *_ in priced)
        for item_id, qty in items:
            cursor.execute(
                "UPDATE inventory_stockitem SET allocated = allocated + %s, updated_at = NOW(6)"
                " WHERE id = %s AND on_hand - allocated - held >= %s",
                (qty, item_id, qty),
            )
            if cursor.rowcount != 1:
                conn.rollback()
                return 409, time.perf_counter() - start, False
        reference = f"order:{order_id}"
        demand_sql, demand_extra = with_defaults(
            "orders_demandline",
            "INSERT INTO orders_demandline (product_id, distributor_id, customer_id,"
            " requested, allocated, backordered, refused, created_at) VALUES "
            "(%s, %s, %s, %s, %s, 0, 0, NOW(6))",
            rows=len(priced),
        )
        cursor.execute(
            demand_sql,
            [
                value
                for pid, qty, *_ in priced
                for value in (pid, seed.distributor_id, customer_id, qty, qty, *demand_extra)
            ],
        )
        cursor.execute(
            outbox_sql,
            (
                f"customer{customer_id}@bench.local",
                f"Order {order_id} confirmed",
                "Thank you for your order. " * 20,
                "<p>Thank you for your order.</p>" * 20,
                f"bench:{reference}",
                customer_id,
                *outbox_extra,
            ),
        )
        conn.commit()
        return 201, time.perf_counter() - start, True

    return step, conn


def run_baseline(seed, *, seconds: float, clients: int) -> Run:
    product_ids = list(seed.products)
    connections = []
    lock = threading.Lock()

    def make(index: int):
        step, conn = raw_step(
            seed, seed.customer_ids[index], random.Random(1000 + index), product_ids
        )
        with lock:
            connections.append(conn)
        return step

    run = run_clients(make, clients=clients, seconds=seconds)
    for conn in connections:
        conn.close()
    return run


def run_app(seed, server: Gunicorn, *, seconds: float, clients: int) -> Run:
    product_ids = list(seed.products)

    def make(index: int):
        rng = random.Random(2000 + index)
        return api_order_step(
            server.port, seed.tokens[index], lambda: order_lines(rng, product_ids)
        )

    return run_clients(make, clients=clients, seconds=seconds)


def main(quick: bool) -> list[Result]:
    setup_django()
    seconds = 2.0 if quick else 30.0
    rounds = 1 if quick else 2
    products = 200 if quick else PRODUCTS
    seed = reset_and_seed(products=products, stock=STOCK, customers=CLIENTS)
    baseline_runs, app_runs = [], []
    with Gunicorn(workers=2) as server:
        print(
            f"{products} products, {CLIENTS} clients, 3-line orders; {rounds} round(s) of"
            f" {seconds:g} s each, baseline then app; {server.describe()}"
        )
        for number in range(1, rounds + 1):
            baseline = run_baseline(seed, seconds=seconds, clients=CLIENTS)
            print(describe(f"round {number} raw SQL", baseline), flush=True)
            app = run_app(seed, server, seconds=seconds, clients=CLIENTS)
            print(describe(f"round {number} app (HTTP)", app), flush=True)
            baseline_runs.append(baseline)
            app_runs.append(app)
        outbox = wait_outbox_drained()
    ledger = ledger_check()
    base_rate = sum(r.ok for r in baseline_runs) / sum(r.seconds for r in baseline_runs)
    app_rate = sum(r.ok for r in app_runs) / sum(r.seconds for r in app_runs)
    ratio = app_rate / base_rate if base_rate else 0.0
    errors_5xx = sum(fivexx(r) for r in app_runs)
    other = sum(n for r in app_runs for status, n in r.statuses.items() if status != 201) + sum(
        n for r in baseline_runs for status, n in r.statuses.items() if status != 201
    )
    latencies = [x for r in app_runs for x in r.latencies]
    base_latencies = [x for r in baseline_runs for x in r.latencies]
    merged, merged_base = Run(latencies=latencies), Run(latencies=base_latencies)
    print(
        f"app {app_rate:.1f} orders/s (p50 {merged.ms(50):.1f} ms, p99 {merged.ms(99):.1f} ms);"
        f" raw SQL {base_rate:.1f} orders/s (p50 {merged_base.ms(50):.1f} ms,"
        f" p99 {merged_base.ms(99):.1f} ms); ratio {ratio:.2f}"
    )
    print(f"5xx {errors_5xx}; other non-201 {other}; ledger {ledger}; outbox {outbox}")
    passed = (
        ratio >= TARGET
        and errors_5xx == 0
        and other == 0
        and ledger["mismatched"] == 0
        and ledger["negative"] == 0
        and outbox.get("pending", 0) == 0
        and outbox.get("failed", 0) == 0
    )
    return [
        Result(
            NAME,
            round(ratio, 3),
            f"x raw SQL ({app_rate:.1f} vs {base_rate:.1f} orders/s, app p50"
            f" {merged.ms(50):.0f} ms p99 {merged.ms(99):.0f} ms, 5xx {errors_5xx},"
            f" oversold items {ledger['mismatched'] + ledger['negative']})",
            f">= {TARGET} x, 0 5xx, 0 oversell",
            passed,
            {
                "app_orders_per_s": app_rate,
                "baseline_orders_per_s": base_rate,
                "app_p50_ms": merged.ms(50),
                "app_p99_ms": merged.ms(99),
                "baseline_p50_ms": merged_base.ms(50),
                "baseline_p99_ms": merged_base.ms(99),
                "fivexx": errors_5xx,
                "ledger": ledger,
                "outbox": outbox,
            },
        )
    ]


if __name__ == "__main__":
    cli(main)
