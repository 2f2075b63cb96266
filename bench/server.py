"""HTTP plumbing shared by the order benchmarks: data, gunicorn, clients, an SMTP server.

- `reset_and_seed()` empties the bench database's data tables and creates the
  store (the default distributor), N products with stock (each unit in the
  ledger, as `stock_assign` would record it) and M customers with JWTs minted
  for them (no login round trips, so the auth throttle and axes stay out of it).
- `Gunicorn` starts the app the way docker-compose does (`gunicorn
  auromart.wsgi:application --config gunicorn.conf.py`: gthread workers,
  here 2 processes of GUNICORN_THREADS threads, 4 by default) on loopback, with
  production settings: DEBUG off, CONN_MAX_AGE=60 as docker-compose sets it,
  no Celery broker, so NOTIFICATIONS_DELIVERY is "thread" (what production
  does without a worker: outbox rows written in the transaction, handed to an
  in-process pool after commit).
- `Client` is one keep-alive `http.client` connection per client thread
  (reopened when the server has closed an idle one).
- `run_clients()` runs N client threads against a callable until a deadline
  or a shared budget of attempts, and collects latencies and statuses.
- `SMTPServer` is an aiosmtpd server on loopback whose DATA answer can be
  delayed (like notifications/tests/conftest.py's).

Only the bench database is touched (common.database_url() refuses others).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, database_url, percentile, truncate_data

PASSWORD = "bench-password-123"


def free_port() -> int:
    """A free loopback port: the first free one of BENCH_PORTS ("18400-18499") when set
    (a shared machine gives each user a range), else any."""
    first, _, last = os.environ.get("BENCH_PORTS", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


# --- Data ---------------------------------------------------------------------


@dataclass
class Seed:
    distributor_id: int
    products: dict[int, tuple[str, str, str]]  # id -> (sku, name, price)
    stock_items: dict[int, int]  # product id -> stock item id
    tokens: list[str]
    customer_ids: list[int]


def reset_and_seed(*, products: int, stock: int, customers: int, reorder_level: int = 10) -> Seed:
    """Empty the data tables and create the store, products with stock, customers."""
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import Organization, User
    from accounts.services import organization_create
    from catalog.models import Category, Product
    from inventory.models import StockItem, StockMovement

    try:  # warehouses (#23); bench/compare.py also runs this on the code before them
        from inventory.models import WarehouseStock
        from inventory.warehouses import warehouse_default
    except ImportError:
        WarehouseStock = warehouse_default = None

    truncate_data()
    with transaction.atomic():
        store = organization_create(
            name="Bench Store", kind=Organization.Kind.DISTRIBUTOR, is_default_store=True
        )
        maker = organization_create(name="Bench Maker", kind=Organization.Kind.MANUFACTURER)
        category = Category.objects.create(name="Bench", slug="bench")
        rng = random.Random(11)
        Product.objects.bulk_create(
            [
                Product(
                    sku=f"BENCH-{i:05d}",
                    name=f"Bench product {i}",
                    slug=f"bench-product-{i}",
                    category=category,
                    price=Decimal(rng.randint(100, 99999)) / 100,
                    manufacturer=maker,
                    supplier=maker,
                    reorder_level=reorder_level,
                )
                for i in range(products)
            ],
            batch_size=1000,
        )
        rows = list(Product.objects.order_by("pk").values_list("pk", "sku", "name", "price"))
        StockItem.objects.bulk_create(
            [StockItem(product_id=pk, distributor=store, on_hand=stock) for pk, *_ in rows],
            batch_size=1000,
        )
        items = dict(StockItem.objects.values_list("product_id", "pk"))
        # The store's one warehouse holds it all (Σ warehouse rows = the items, #23).
        at = {}
        if warehouse_default is not None:
            at["warehouse"] = warehouse = warehouse_default(store)
            WarehouseStock.objects.bulk_create(
                [
                    WarehouseStock(warehouse=warehouse, stock_item_id=item_pk, on_hand=stock)
                    for item_pk in items.values()
                ],
                batch_size=1000,
            )
        now = timezone.now()
        StockMovement.objects.bulk_create(
            [
                StockMovement(
                    stock_item_id=item_pk,
                    **at,
                    kind=StockMovement.Kind.ASSIGNMENT,
                    quantity=stock,
                    balance_after=stock,
                    reference="bench",
                    created_at=now,
                )
                for item_pk in items.values()
            ],
            batch_size=1000,
        )
        hashed = make_password(PASSWORD)
        User.objects.bulk_create(
            [
                User(email=f"customer{i}@bench.local", name=f"Customer {i}", password=hashed)
                for i in range(customers)
            ]
        )
        users = list(User.objects.filter(email__endswith="@bench.local").order_by("pk"))
    return Seed(
        distributor_id=store.pk,
        products={pk: (sku, name, str(price)) for pk, sku, name, price in rows},
        stock_items=items,
        tokens=[str(AccessToken.for_user(user)) for user in users],
        customer_ids=[user.pk for user in users],
    )


def ledger_check() -> dict:
    """on_hand against the ledger for every stock item: mismatches, and negatives or
    oversold items (more allocated and held than on the shelf)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), SUM(s.on_hand <> COALESCE(m.total, 0)),"
            " SUM(s.on_hand < 0 OR s.allocated + s.held > s.on_hand)"
            " FROM inventory_stockitem s LEFT JOIN (SELECT stock_item_id, SUM(quantity) total"
            " FROM inventory_stockmovement GROUP BY stock_item_id) m ON m.stock_item_id = s.id"
        )
        items, mismatched, negative = cursor.fetchone()
    return {"items": items, "mismatched": int(mismatched or 0), "negative": int(negative or 0)}


def outbox_counts() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT status, COUNT(*) FROM notifications_outboundmessage GROUP BY status")
        return dict(cursor.fetchall())


# --- gunicorn -------------------------------------------------------------------


class Gunicorn:
    """`gunicorn auromart.wsgi:application` with production settings on a loopback port."""

    def __init__(
        self,
        *,
        workers: int = 2,
        threads: int | None = None,
        port: int | None = None,
        env: dict | None = None,
    ):
        self.workers = workers
        self.threads = threads or int(os.environ.get("GUNICORN_THREADS", "4"))
        self.port = port or int(os.environ.get("BENCH_PORT", "8781"))
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict:
        from django.conf import settings

        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "auromart.settings",
            # The key the bench process mints its JWTs with.
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            "CELERY_BROKER_URL": "",
            "NOTIFICATIONS_DELIVERY": "thread",
            "EMAIL_URL": "memorymail://",
        }
        env.update(self.extra_env)
        return env

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "auromart.wsgi:application",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ]
        self.log = open(Path("/tmp") / f"bench_gunicorn_{self.port}.log", "w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.environment(), stdout=self.log, stderr=self.log
        )
        # 60 s: at load 8 on the shared 2-core machine a start (the app imported from a
        # cold disk in the master) once took over 30 s.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            self.__exit__()
            raise RuntimeError("gunicorn did not answer /healthz within 60 s")
        self.warm()
        return self

    def describe(self) -> str:
        return f"gunicorn {self.workers} workers x {self.threads} threads (gthread)"

    def warm(self) -> None:
        """A few requests so each worker has imported and connected before the clock starts."""
        for _ in range(self.workers * 4):
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()

    def __exit__(self, *exc) -> None:
        """Stop at once: SIGKILL the workers, then the master.

        A benchmark leaves the block after its clients are done and the outbox is
        drained, so no request is in flight. A graceful SIGTERM took 3-14 s (load 1-7):
        each forked worker's interpreter tears down its copy of the app (CPU-bound,
        copy-on-write page faults), and nothing of it is measured.
        """
        if self.process is not None and self.process.poll() is None:
            workers = subprocess.run(
                ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
            ).stdout.split()
            for pid in workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            self.process.kill()
            self.process.wait()
        self.process = None
        self.log.close()


# --- Clients ---------------------------------------------------------------------


class Client:
    """One client: a keep-alive connection and a JWT."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def post(self, path: str, payload: dict) -> tuple[int, bytes]:
        body = json.dumps(payload)
        for attempt in (1, 2):
            try:
                self.conn.request("POST", path, body=body, headers=self.headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed the idle connection; reopen once.
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


@dataclass
class Run:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return len(self.latencies)

    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def ms(self, p: float) -> float:
        return percentile(self.latencies, p) * 1000 if self.latencies else float("nan")


def run_clients(make_worker, *, clients: int, seconds: float | None = None) -> Run:
    """Run `clients` threads; each calls `step = make_worker(index)` then `step()` in a loop.

    `step()` returns (status, latency_seconds, ok) or None to stop that client.
    The clock runs from the moment all clients are ready (a barrier) until the
    last one stops or `seconds` pass.
    """
    run = Run()
    lock = threading.Lock()
    deadline = [0.0]

    def start_clock() -> None:
        # Runs once, when the last party arrives and before any is released, so
        # no client can read the deadline before it is set.
        deadline[0] = time.perf_counter() + (seconds or 0)

    barrier = threading.Barrier(clients + 1, action=start_clock)

    def body(index: int) -> None:
        step = make_worker(index)
        barrier.wait()
        while seconds is None or time.perf_counter() < deadline[0]:
            try:
                outcome = step()
            except Exception as exc:  # a broken connection is a result, not a crash
                with lock:
                    run.errors.append(repr(exc))
                    run.statuses["error"] += 1
                break
            if outcome is None:
                break
            status, latency, ok = outcome
            with lock:
                run.statuses[status] += 1
                if ok:
                    run.latencies.append(latency)

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = deadline[0] - (seconds or 0)
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


def order_lines(
    rng: random.Random, product_ids: list[int], lines: int = 3
) -> list[tuple[int, int]]:
    return [(pid, rng.randint(1, 3)) for pid in rng.sample(product_ids, lines)]


def api_order_step(port: int, token: str, lines_for):
    """A step for run_clients: POST /api/customer/orders with lines_for() as the lines."""
    client = Client(port, token)

    def step():
        payload = {
            "items": [{"product_id": pid, "quantity": qty} for pid, qty in lines_for()],
            "fulfillment_type": "delivery",
            "shipping_address": "1 Bench Street, Loopback",
        }
        start = time.perf_counter()
        status, _ = client.post("/api/customer/orders", payload)
        return status, time.perf_counter() - start, status == 201

    return step


def fivexx(run: Run) -> int:
    return sum(n for status, n in run.statuses.items() if isinstance(status, int) and status >= 500)


def describe(label: str, run: Run) -> str:
    return (
        f"  {label:<26} {run.ok:>6} ok in {run.seconds:5.1f} s = {run.rate():7.1f}/s"
        f"  p50 {run.ms(50):6.1f} ms  p95 {run.ms(95):6.1f} ms  p99 {run.ms(99):6.1f} ms"
        f"  statuses {dict(run.statuses)}"
    )


def wait_outbox_drained(timeout: float = 60.0) -> dict:
    """Wait until no outbox row is pending (the deliverer threads caught up)."""
    deadline = time.monotonic() + timeout
    counts = outbox_counts()
    while counts.get("pending", 0) + counts.get("sending", 0) and time.monotonic() < deadline:
        time.sleep(0.25)
        counts = outbox_counts()
    return counts


# --- SMTP ----------------------------------------------------------------------------


class _Handler:
    def __init__(self):
        self.delay = 0.0
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received += 1
        return "250 Message accepted for delivery"


class SMTPServer:
    """aiosmtpd on loopback; set `.handler.delay` to make it answer DATA late."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = _Handler()
        self.controller = None

    def __enter__(self) -> SMTPServer:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
