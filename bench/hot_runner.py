"""One round of hot-product throughput, in a process of its own, for bench/order_path.py.

Imports the project at `--root` (this tree, or a `git worktree` of the
baseline commit: bench/order_path.py runs both, interleaved, on the same
database server), sets up a distributor with 2 members, one hot product and
two products per thread, then `--threads` threads place orders through
orders.services.order_place for `--seconds`: each order 1 unit of the hot
product and 1 unit of each of its thread's two products, so every order
waits for the one hot stock row and for nothing else. Delivery of the outbox
rows is left out (it runs after the commit, in a worker), as in order_path's
CPU figure. Prints one JSON line: orders, seconds, orders/s, errors.

Only APIs that the baseline has too: order_place, organization_create,
user_create, stock_assign, notifications.dispatch.deliver_now_or_later.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/<bench db> \\
        python bench/hot_runner.py --root . --seconds 8 --threads 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock


def run() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    root = Path(args.root).resolve()
    os.chdir(root)
    sys.path.insert(0, str(root))
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)  # production-like settings, as every bench
    from bench.common import setup_django

    setup_django()
    from django.db import connection

    from accounts.models import Organization
    from accounts.services import organization_create, user_create
    from catalog.models import Category, Product
    from inventory.services import stock_assign
    from orders.services import order_place

    tag = f"{os.getpid()}-{int(time.time() * 1000) % 10**9}"
    maker = organization_create(name=f"Hot Maker {tag}", kind=Organization.Kind.MANUFACTURER)
    hub = organization_create(
        name=f"Hot Hub {tag}", kind=Organization.Kind.DISTRIBUTOR, contact_email="hub@bench.test"
    )
    for n in range(2):
        user_create(
            email=f"member{n}.{tag}@bench.test", password=None, name=f"M {n}", organization=hub
        )
    category, _ = Category.objects.get_or_create(slug="bench-hot", defaults={"name": "Hot"})
    products = Product.objects.bulk_create(
        Product(
            sku=f"HOT-{tag}-{n}",
            name=f"Hot product {n}",
            slug=f"hot-{tag}-{n}",
            category=category,
            price=Decimal("120.00") + n,
            manufacturer=maker,
            supplier=maker,
            reorder_level=5,
            reorder_quantity=50,
            cost_price=Decimal("60.00"),
        )
        for n in range(1 + 2 * args.threads)
    )
    for product in products:
        stock_assign(product=product, distributor=hub, quantity=1_000_000, note="bench")
    customers = [
        user_create(email=f"c{n}.{tag}@bench.test", password=None, name=f"C {n}")
        for n in range(args.threads)
    ]
    hot = products[0]
    connection.close()

    counts = [0] * args.threads
    errors: list[str] = []
    start = threading.Barrier(args.threads + 1)
    stop = threading.Event()

    def place(index: int) -> None:
        mine = products[1 + 2 * index : 3 + 2 * index]
        items = [(hot.pk, 1), (mine[0].pk, 1), (mine[1].pk, 1)]
        order_place(
            customer=customers[index],
            distributor=hub,
            items=items,
            shipping_address="1 Bench Street, Pune",
        )

    def body(index: int) -> None:
        try:
            place(index)  # warm: this thread's connection and caches
            start.wait()
            while not stop.is_set():
                place(index)
                counts[index] += 1
        except Exception as error:  # reported, the round fails
            errors.append(repr(error))
            start.abort()
        finally:
            connection.close()

    with mock.patch("notifications.dispatch.deliver_now_or_later"):
        threads = [threading.Thread(target=body, args=(n,)) for n in range(args.threads)]
        for thread in threads:
            thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):  # a thread failed: reported
            start.wait()
        began = time.perf_counter()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        # Orders finished after the window closed are counted: each thread finishes one.
        elapsed = time.perf_counter() - began
    total = sum(counts)
    print(
        json.dumps(
            {
                "orders": total,
                "seconds": round(elapsed, 3),
                "orders_per_s": round(total / elapsed, 2),
                "errors": errors[:3],
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
    )


if __name__ == "__main__":
    run()
