"""Mixed load (issue #22 §3): seeded users through gunicorn, MariaDB, Redis and a Celery worker.

`make bench-load` (`bench/run load`; `make bench-load-quick` is CI's 30 s
version). Not part of `make bench`: it needs Redis and starts a Celery
worker. What runs, all on loopback:

- gunicorn as docker-compose's `web` runs it (`gunicorn.conf.py`: gthread,
  WEB_CONCURRENCY=3 processes of 4 threads, bench/server.py's `Gunicorn`),
  production settings (DEBUG off, CONN_MAX_AGE=60) on the bench MariaDB
  database, Celery on Redis as the broker (BENCH_BROKER_URL, default
  redis://127.0.0.1:6379/0) and the cache (BENCH_CACHE_URL, default /1), so
  the outbox's messages and the invoice PDFs go through the worker. The one
  change from compose: static files come from the finders (bench/load_settings.py)
  because collectstatic's compressed manifest takes minutes to build and no
  request here fetches a static file.
- a real Celery worker (`celery -A auromart worker -l info --concurrency 2`,
  compose's command).
- the load generator, bench/load_users.py, in a child process per step: Locust
  users with the request mix of bench/load_plan.py (70 % browse and search,
  10 % cart, 5 % orders with some on hot products, 5 % distributor moves,
  5 % report pages, 5 % invoice PDFs), each user thinking 0.5-1.5 s between
  requests.

The data (emptied and seeded each run, through the services): bench/server.py's
store, products and customers; 3 hot products that a fifth of the orders hit;
a retailer with two members; two members of the store; procurement staff
(every organization's reports); a shipped (so invoiced) order for each of 10
customers and a backlog of placed orders for the store to move; a database
session (pages) and a JWT (API) for each party.

Steps of a fixed number of users (5, 10, 20, 40, 80; 5 and 20 with --quick).
Reported per step: p50/p95/p99 per endpoint group, errors, and the CPU of each
process in cores (load generator, gunicorn master and workers, mariadbd,
the Celery worker and its children, and the whole machine); then the step
where p95 passes 500 ms. The run FAILs on any error (a non-expected status,
a 5xx, a page that does not say what it should), on an oversold stock item,
and on an outbox message the worker did not deliver.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench BENCH_PORT=8140 \\
        BENCH_BROKER_URL=redis://127.0.0.1:6379/8 BENCH_CACHE_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/load.py [--quick]
"""

from __future__ import annotations

import json
import math
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, Result, cli, setup_django
from load_plan import (
    GENERATOR_LIMIT_CORES,
    MIX,
    P95_LIMIT_MS,
    THINK_SECONDS,
    capacity,
    format_step,
    generator_limited,
    knee,
    steps,
    summarize_step,
)
from server import Gunicorn, free_port, ledger_check, reset_and_seed, wait_outbox_drained

NAME = "load"
PRODUCTS = 2_000
STOCK = 100_000  # per product: orders allocate; nothing sells out, so every order is a 201
HOT = 3
INVOICED = 10  # customers with an invoice; each downloads only their own
BACKLOG = 60  # placed orders the store can move from the first step on (20 with --quick)
WEB_WORKERS = int(os.environ.get("WEB_CONCURRENCY", "3"))  # gunicorn.conf.py's default
TERMS = ["product", "bench", "12", "345", "1500", "BENCH-00042", "product 7", "zzqxv"]


def broker_urls() -> tuple[str, str]:
    return (
        os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/0"),
        os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/1"),
    )


# --- Data ---------------------------------------------------------------------------


def _session(user) -> dict:
    """A signed-in session in the database (what a login stores), and a CSRF secret."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    csrf = "".join(secrets.choice(alphabet) for _ in range(32))  # the cookie's secret
    return {"session": store.session_key, "csrf": csrf}


def _token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.tokens import VERSION_CLAIM

    token = AccessToken.for_user(user)
    token[VERSION_CLAIM] = user.token_version
    return str(token)


def seed(*, customers: int, backlog: int = BACKLOG) -> dict:
    """Empty the bench tables and seed every party of the mix; returns the load plan's data."""
    from django.contrib.auth.models import Group, Permission
    from django.urls import reverse

    from accounts.models import PROCUREMENT_GROUP, Organization, User
    from accounts.services import organization_create, user_create
    from invoicing.models import Invoice
    from notifications.dispatch import wait_for_background_deliveries
    from orders.services import order_place
    from orders.transitions import order_transition

    clock = time.monotonic()
    base = reset_and_seed(products=PRODUCTS, stock=STOCK, customers=customers)
    print(f"  products and customers: {time.monotonic() - clock:.1f} s", flush=True)
    store = Organization.objects.get(pk=base.distributor_id)
    rng = random.Random(22)
    product_ids = list(base.products)
    members = [
        user_create(
            email=f"store{i}@bench.local", password=None, name=f"Store {i}", organization=store
        )
        for i in range(2)
    ]
    shop = organization_create(name="Bench Retail", kind=Organization.Kind.RETAILER)
    retailers = [
        user_create(
            email=f"retailer{i}@bench.local", password=None, name=f"Retailer {i}", organization=shop
        )
        for i in range(2)
    ]
    staff = user_create(email="staff@bench.local", password=None, name="Staff", is_staff=True)
    # A benchmark that ran before this one in the same database may have flushed
    # it, and the group a data migration made (with its permissions) went with it.
    group, _ = Group.objects.get_or_create(name=PROCUREMENT_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="reporting", codename="view_reports")
    )
    staff.groups.add(group)
    buyers = list(User.objects.filter(pk__in=base.customer_ids).order_by("pk"))

    def place(buyer):
        items = [(pid, rng.randint(1, 3)) for pid in rng.sample(product_ids, 3)]
        return order_place(
            customer=buyer, items=items, distributor=store, shipping_address="1 Bench Street"
        )

    # A shipped (so invoiced) order for the first INVOICED customers, then the backlog.
    for buyer in buyers[:INVOICED]:
        order = place(buyer)
        for status in ("accepted", "processing", "shipped"):
            order = order_transition(
                order=order,
                to_status=status,
                by=members[0],
                tracking_reference="BENCH-1" if status == "shipped" else "",
            )
    print(f"  + parties and {INVOICED} invoiced orders: {time.monotonic() - clock:.1f} s")
    placed = [place(rng.choice(buyers)).pk for _ in range(backlog)]
    wait_for_background_deliveries()
    print(f"  + {backlog} placed orders: {time.monotonic() - clock:.1f} s", flush=True)
    invoices = [
        {**_session(invoice.customer), "token": _token(invoice.customer)}
        | {
            "id": invoice.pk,
            "pdf": reverse("invoicing:pdf", args=[invoice.seller_slug, invoice.number]),
        }
        for invoice in Invoice.objects.select_related("customer").order_by("pk")
    ]
    products = [
        {"id": pk, "slug": f"bench-product-{int(sku.rsplit('-', 1)[1])}"}
        for pk, (sku, _name, _price) in base.products.items()
    ]
    return {
        "store_id": store.pk,
        "products": products,
        "hot": product_ids[:HOT],
        "terms": TERMS,
        "catalog_pages": min(20, math.ceil(PRODUCTS / 24)),
        "customers": [{**_session(buyer), "token": _token(buyer)} for buyer in buyers],
        "invoices": invoices,
        "retailers": [{"token": _token(user)} for user in retailers],
        "distributors": [{"token": _token(user)} for user in members],
        "staff": _session(staff),
        "placed": placed,
        "accepted": [],
    }


# --- Processes -----------------------------------------------------------------------


def server_environment() -> dict:
    broker, cache = broker_urls()
    return {
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": cache,
        "NOTIFICATIONS_DELIVERY": "celery",
        "JOBS_DELIVERY": "celery",
    }


def check_redis() -> None:
    import redis

    for url in broker_urls():
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            raise SystemExit(
                f"Redis at {url} does not answer ({exc}); bench/load.py needs it."
            ) from exc


@contextmanager
def celery_worker(env: dict, port: int):
    """compose's worker command, on the bench database and broker, until the block ends."""
    log_path = Path(tempfile.gettempdir()) / f"bench_celery_{port}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "auromart", "worker", "-l", "info"),
                *("--concurrency", "2", "-n", f"bench-load-{port}@%h"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while " ready." not in log_path.read_text():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Celery worker did not start; see {log_path}")
                time.sleep(0.3)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def mariadb_pid() -> int | None:
    import psutil

    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("mariadbd", "mysqld"):
            return process.pid
    return None


def run_step(plan: dict, step, workdir: Path) -> dict:
    """One step in a fresh load-generator process; its raw figures."""
    plan_path, out_path = workdir / f"plan_{step.users}.json", workdir / f"out_{step.users}.json"
    plan = {**plan, "step": {"users": step.users, "warmup": step.warmup, "seconds": step.seconds}}
    plan_path.write_text(json.dumps(plan))
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_users.py"), str(plan_path), str(out_path)],
        cwd=ROOT,
        check=True,
        timeout=step.warmup + step.seconds + 120,
    )
    return json.loads(out_path.read_text())


# --- The benchmark -------------------------------------------------------------------------


def main(quick: bool) -> list[Result]:
    os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "bench_load_media"))
    os.environ.setdefault("EMAIL_URL", "memorymail://")
    setup_django()
    check_redis()
    plan_steps = steps(quick)
    started = time.monotonic()
    data = seed(customers=max(s.users for s in plan_steps), backlog=20 if quick else BACKLOG)
    print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
    port = int(os.environ.get("BENCH_PORT", "0")) or free_port()
    server = Gunicorn(workers=WEB_WORKERS, port=port, env=server_environment())
    summaries = []
    started = time.monotonic()
    with server, celery_worker(server.environment(), port) as worker:
        print(f"gunicorn and the worker up in {time.monotonic() - started:.1f} s", flush=True)
        print(
            f"{server.describe()} on 127.0.0.1:{port}, Celery worker (2 processes) on"
            f" {broker_urls()[0]}; {PRODUCTS} products, {len(data['customers'])} customers;"
            f" think time {THINK_SECONDS[0]}-{THINK_SECONDS[1]} s; mix {MIX}",
            flush=True,
        )
        data["host"] = f"http://127.0.0.1:{port}"
        data["pids"] = {
            "gunicorn": server.process.pid,
            "worker": worker.pid,
            "mariadb": mariadb_pid(),
        }
        with tempfile.TemporaryDirectory(prefix="bench_load_") as workdir:
            for step in plan_steps:
                raw = run_step(data, step, Path(workdir))
                data["placed"], data["accepted"] = raw["left"]["placed"], raw["left"]["accepted"]
                summary = summarize_step(step.users, raw)
                summaries.append(summary)
                print("\n".join(format_step(summary)), flush=True)
        outbox = wait_outbox_drained(timeout=120)
    ledger = ledger_check()
    return results(summaries, ledger=ledger, outbox=outbox)


def results(summaries: list[dict], *, ledger: dict, outbox: dict) -> list[Result]:
    requests = sum(s["requests"] for s in summaries)
    errors = sum(s["errors"] for s in summaries)
    fivexx = sum(s["fivexx"] for s in summaries)
    undelivered = sum(outbox.get(status, 0) for status in ("pending", "sending", "failed"))
    crossed, last_ok = knee(summaries), capacity(summaries)
    limited = [s["users"] for s in summaries if generator_limited(s)]
    print(f"ledger {ledger}; outbox {outbox}")
    print(
        f"p95 passes {P95_LIMIT_MS:.0f} ms at: "
        + (f"{crossed} users" if crossed else f"no step (up to {summaries[-1]['users']} users)")
    )
    if limited:
        print(
            f"the load generator used >= {GENERATOR_LIMIT_CORES} core at {limited} users:"
            " those steps are limited by it, not only by the servers"
        )
    details = {
        "steps": summaries,
        "ledger": ledger,
        "outbox": outbox,
        "p95_passes_500ms_at_users": crossed,
        "generator_limited_steps": limited,
        "mix": MIX,
    }
    steps_text = "/".join(str(s["users"]) for s in summaries)
    return [
        Result(
            name="load_errors",
            figure=errors + ledger["negative"] + undelivered,
            unit="errors",
            target=f"0 (errors and 5xx, oversold items, undelivered outbox; {requests}"
            f" requests in steps of {steps_text} users; 5xx {fivexx})",
            passed=errors == 0 and ledger["negative"] == 0 and undelivered == 0,
            details=details,
        ),
        Result(
            name="load_capacity",
            figure=last_ok,
            unit="users",
            target=f"reported: the last step with p95 <= {P95_LIMIT_MS:.0f} ms"
            f" (p95 passes it at {crossed or 'no step'})",
            passed=True,
            details={"p95_ms": {s["users"]: s["all"]["p95"] for s in summaries}},
        ),
    ]


if __name__ == "__main__":
    cli(main)
