"""One product with limited stock, 32 clients buying it one unit at a time through the HTTP API.

`POST /api/customer/orders` on gunicorn (2 gthread workers of 4 threads, production settings;
bench/server.py), 32 client threads, each a customer with a JWT, each
ordering 1 unit of the same product again and again until it is told 409
(sold out), then trying twice more: more attempts than stock. Stock is 200
units (50 in --quick). The product's reorder level is 10, so the last sales
also raise the procurement request and its outbox e-mails, as in production.

Checks: orders answered 201 == stock exactly, every other answer 409, no 5xx,
on_hand 0 and equal to its ledger sum. Reports p50/p99 of the 201s.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_orders \
        .venv/bin/python bench/hot_product.py [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, cli, setup_django
from server import (
    Client,
    Gunicorn,
    describe,
    fivexx,
    ledger_check,
    reset_and_seed,
    run_clients,
    wait_outbox_drained,
)

NAME = "hot_product"
CLIENTS = 32
EXTRA_ATTEMPTS = 2  # per client, after its first 409


def main(quick: bool) -> list[Result]:
    setup_django()
    stock = 30 if quick else 200
    seed = reset_and_seed(products=1, stock=stock, customers=CLIENTS)
    (product_id,) = seed.products
    payload = {
        "items": [{"product_id": product_id, "quantity": 1}],
        "fulfillment_type": "delivery",
        "shipping_address": "1 Bench Street, Loopback",
    }
    import time

    with Gunicorn(workers=2) as server:

        def make(index: int):
            client = Client(server.port, seed.tokens[index])
            refused = [0]

            def step():
                if refused[0] > EXTRA_ATTEMPTS:
                    return None
                start = time.perf_counter()
                status, _ = client.post("/api/customer/orders", payload)
                if status != 201:
                    refused[0] += 1
                return status, time.perf_counter() - start, status == 201

            return step

        run = run_clients(make, clients=CLIENTS)
        outbox = wait_outbox_drained()
    from inventory.models import StockItem

    # Sold = allocated: nothing is available any more, the shelf still holds it all.
    on_hand = StockItem.objects.get(product_id=product_id).available
    ledger = ledger_check()
    print(f"1 product, {stock} units, {CLIENTS} clients buying 1 unit each until refused")
    print(describe("orders", run))
    print(f"available after {on_hand}; ledger {ledger}; outbox {outbox}")
    sold = run.statuses.get(201, 0)
    refused = run.statuses.get(409, 0)
    errors_5xx = fivexx(run)
    unexpected = sum(n for status, n in run.statuses.items() if status not in (201, 409))
    passed = (
        sold == stock
        and refused >= CLIENTS
        and unexpected == 0
        and on_hand == 0
        and ledger["mismatched"] == 0
        and ledger["negative"] == 0
    )
    return [
        Result(
            NAME,
            sold,
            f"sold of {stock} ({refused} refused 409, 5xx {errors_5xx}, other {unexpected};"
            f" p50 {run.ms(50):.0f} ms p99 {run.ms(99):.0f} ms)",
            f"sold == {stock}, 0 5xx",
            passed,
            {
                "stock": stock,
                "sold": sold,
                "refused": refused,
                "statuses": {str(k): v for k, v in run.statuses.items()},
                "p50_ms": run.ms(50),
                "p99_ms": run.ms(99),
                "on_hand": on_hand,
                "ledger": ledger,
                "outbox": outbox,
            },
        )
    ]


if __name__ == "__main__":
    cli(main)
