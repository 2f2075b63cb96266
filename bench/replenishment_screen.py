"""The replenishment screen on 100,000 stock items (issue #13 §5): the page and its API.

`/procurement/replenishment/` and `GET /api/admin/procurement/replenishment` through
Django's test client (in process, production settings, DEBUG off: middleware,
template and serializer included, no network) as procurement staff, on 20,000
products at 5 distributors = 100,000 stock items (5,000 with --quick), of which
about 11 % are at or below their reorder point. Of the low items a quarter have
an approved request on a sent PO (incoming), a quarter an open request, a tenth a
"needs a supplier cost" reason. Each product has a costed supplier line.

Views measured: the first page, a distributor, a search, a reason, a page deep in
the list, and the API at 100 rows a page. p95 over every page request; the target
is < 300 ms. The row count of each view is checked against the seed, so a screen
that got faster by listing less fails the run.

The rows are seeded once (kept between runs while they are this benchmark's):

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_replenishment \\
        .venv/bin/python bench/replenishment_screen.py [--quick]
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Result, cli, percentile, setup_django

TARGET_MS = 300.0
DISTRIBUTORS = 5
PREFIX = "RS-"
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"
REORDER_LEVEL = 10


def _low(n: int, d: int) -> bool:
    return (n * 7 + d * 13) % 100 <= REORDER_LEVEL


def _on_hand(n: int, d: int) -> int:
    return (n * 7 + d * 13) % 100


def seed(products: int) -> float:
    """Exactly `products` bench products at DISTRIBUTORS distributors; 0 when already there."""
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organization, User
    from catalog.models import Category, Product, SupplierLine
    from inventory.models import StockItem, StockMovement
    from procurement.models import (
        ItemReplenishment,
        POStatus,
        ProcurementRequest,
        PurchaseOrder,
        PurchaseOrderLine,
        RequestStatus,
    )

    total = products * DISTRIBUTORS
    if (
        Product.objects.filter(sku__startswith=PREFIX).count()
        == products
        == Product.objects.count()
        and StockItem.objects.count() == total
    ):
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS=0")
        for model in (
            PurchaseOrderLine,
            PurchaseOrder,
            ProcurementRequest,
            ItemReplenishment,
            SupplierLine,
            StockMovement,
            StockItem,
            Product,
        ):
            cursor.execute(f"TRUNCATE TABLE {model._meta.db_table}")
        cursor.execute("SET FOREIGN_KEY_CHECKS=1")
    maker, _ = Organization.objects.get_or_create(
        name="Bench Replenishment Maker", kind=Organization.Kind.MANUFACTURER
    )
    distributors = [
        Organization.objects.get_or_create(
            name=f"Bench Replenishment Distributor {d}", kind=Organization.Kind.DISTRIBUTOR
        )[0]
        for d in range(DISTRIBUTORS)
    ]
    category, _ = Category.objects.get_or_create(
        slug="bench-replenishment", defaults={"name": "Bench replenishment"}
    )
    staff = User.objects.filter(email="bench-procurement@auromart.local").first()
    if staff is None:
        staff = User.objects.create_user(
            email="bench-procurement@auromart.local",
            password=None,
            is_staff=True,
            is_superuser=True,
        )
    now = timezone.now()
    with transaction.atomic():
        made = Product.objects.bulk_create(
            [
                Product(
                    sku=f"{PREFIX}{n:06d}",
                    name=f"Bench item {n:06d}",
                    slug=f"bench-item-{n:06d}",
                    category=category,
                    price=Decimal("100.00"),
                    cost_price=Decimal("70.00"),
                    manufacturer=maker,
                    supplier=maker,
                    reorder_level=REORDER_LEVEL,
                    reorder_quantity=30,
                    order_up_to_level=60,
                )
                for n in range(products)
            ],
            batch_size=2000,
        )
        SupplierLine.objects.bulk_create(
            [
                SupplierLine(product=p, supplier=maker, unit_cost=Decimal("70.00"), pack_size=6)
                for p in made
            ],
            batch_size=2000,
        )
        StockItem.objects.bulk_create(
            [
                StockItem(product=p, distributor=dist, on_hand=_on_hand(n, d))
                for n, p in enumerate(made)
                for d, dist in enumerate(distributors)
            ],
            batch_size=5000,
        )
        low = [
            (n, p, d, dist)
            for n, p in enumerate(made)
            for d, dist in enumerate(distributors)
            if _low(n, d)
        ]
        requests, reasons = [], []
        for i, (n, p, d, dist) in enumerate(low):
            if i % 4 in (0, 1):
                requests.append(
                    ProcurementRequest(
                        number=f"PR-B-{i:07d}",
                        product=p,
                        distributor=dist,
                        supplier=maker,
                        unit_cost=Decimal("70.00"),
                        quantity=30,
                        status=RequestStatus.OPEN if i % 4 == 0 else RequestStatus.APPROVED,
                        open_slot=True if i % 4 == 0 else None,
                        on_hand=_on_hand(n, d),
                        held=0,
                        incoming=0,
                        available=_on_hand(n, d),
                        reorder_level=REORDER_LEVEL,
                        reorder_quantity=30,
                        pack_size=6,
                        minimum_order_quantity=1,
                        rule="bench",
                    )
                )
            elif i % 10 == 3:
                reasons.append(
                    ItemReplenishment(
                        product=p, distributor=dist, reason="needs_supplier_cost", detail="bench"
                    )
                )
        ProcurementRequest.objects.bulk_create(requests, batch_size=2000)
        ItemReplenishment.objects.bulk_create(reasons, batch_size=2000)
        approved = [r for r in requests if r.status == RequestStatus.APPROVED]
        ids = dict(
            ProcurementRequest.objects.filter(status=RequestStatus.APPROVED).values_list(
                "number", "pk"
            )
        )
        pos = PurchaseOrder.objects.bulk_create(
            [
                PurchaseOrder(
                    number=f"PO-B-{i:07d}",
                    supplier=maker,
                    distributor_id=r.distributor_id,
                    status=POStatus.SENT,
                    delivery_address="Bench",
                    expected_date=now.date(),
                    original_expected_date=now.date(),
                    approved_by=staff,
                    approved_at=now,
                    sent_at=now,
                    confirm_nonce="x",
                )
                for i, r in enumerate(approved)
            ],
            batch_size=2000,
        )
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(
                    purchase_order=po,
                    request_id=ids[r.number],
                    product_id=r.product_id,
                    sku="x",
                    product_name="x",
                    quantity=30,
                    unit_cost=Decimal("70.00"),
                    line_total=Decimal("2100.00"),
                )
                for po, r in zip(pos, approved, strict=True)
            ],
            batch_size=2000,
        )
    return time.perf_counter() - started


def analyze() -> None:
    """Fresh index statistics for every table the screen reads, on every run.

    Bulk-loaded tables keep the statistics of the empty table until InnoDB's
    background recount: with them MariaDB read the supplier lines through the
    supplier index (all 20,000 of one supplier, 37 ms) instead of by product.
    """
    from django.db import connection

    from accounts.models import Organization, SupplyAgreement
    from catalog.models import Product, SupplierLine
    from inventory.models import StockItem
    from orders.models import DemandLine, Order, OrderItem
    from procurement.models import (
        ItemReplenishment,
        ProcurementRequest,
        PurchaseOrder,
        PurchaseOrderLine,
        ReplenishmentPolicy,
    )

    models = (
        Organization,
        SupplyAgreement,
        Product,
        SupplierLine,
        StockItem,
        Order,
        OrderItem,
        DemandLine,
        ItemReplenishment,
        ProcurementRequest,
        PurchaseOrder,
        PurchaseOrderLine,
        ReplenishmentPolicy,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE TABLE " + ", ".join(m._meta.db_table for m in models))
        cursor.fetchall()


class _DatabaseTime:
    """Sums the wall time of the queries run while it is installed (execute_wrapper)."""

    def __init__(self):
        self.ms = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def _timings(
    client, url: str, params: dict, repeat: int, cpu: list[float], db: list[float] | None = None
) -> tuple[list[float], int]:
    from django.db import connection

    client.get(url, params)  # warm
    times = []
    for _ in range(repeat):
        spent = _DatabaseTime()
        started, began = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(spent):
            response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - began) * 1000)
        if db is not None:
            db.append(spent.ms)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params}: HTTP {response.status_code}")
    if "/api/" in url:
        count = response.json()["count"]
    else:
        found = re.search(r"([\d,]+) items? at or below", response.content.decode())
        count = int(found.group(1).replace(",", "")) if found else 0
    return times, count


def main(quick: bool) -> list[Result]:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings

    from accounts.models import Organization, User
    from inventory.models import StockItem
    from procurement.models import ItemReplenishment

    products = 1_000 if quick else 20_000
    repeat = int(os.environ.get("BENCH_REPEAT", 5 if quick else 30))
    seeded = seed(products)
    if seeded:
        print(f"seeded {products * DISTRIBUTORS:,} stock items in {seeded:.1f} s")
    analyze()
    low_total = sum(_low(n, d) for n in range(products) for d in range(DISTRIBUTORS))
    one = Organization.objects.get(name="Bench Replenishment Distributor 2")
    low_one = sum(_low(n, 2) for n in range(products))
    with_reason = ItemReplenishment.objects.exclude(reason="").count()
    print(
        f"{StockItem.objects.count():,} stock items, {low_total:,} low, database "
        f"{connection.settings_dict['NAME']} (MariaDB "
        f"{'.'.join(map(str, connection.mysql_version))}); Django test client, {repeat} "
        "requests per view after one warm-up"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email="bench-procurement@auromart.local"))
    views = {
        "first page": ("/procurement/replenishment/", {}, low_total),
        "one distributor": ("/procurement/replenishment/", {"distributor": one.pk}, low_one),
        "search": ("/procurement/replenishment/", {"q": "item 0001"}, None),
        "reason": ("/procurement/replenishment/", {"reason": "any"}, with_reason),
        "deep page": ("/procurement/replenishment/", {"page": low_total // 50 // 2}, low_total),
        "API, 100 a page": ("/api/admin/procurement/replenishment", {"page_size": 100}, low_total),
    }
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    all_page, all_api, details, cpu, db = [], [], {}, [], []
    load_before = os.getloadavg()[0]
    with override_settings(STORAGES=storages):
        for kind, (url, params, expected) in views.items():
            times, count = _timings(client, url, params, repeat, cpu, db)
            # Other benchmarks sharing the database (bench-quick runs them all in one)
            # leave low items of their own: every view must list at least the seed's rows.
            if expected is not None and count < expected:
                raise SystemExit(f"{kind}: {count} rows, the seed made {expected}")
            if expected is not None and count > expected:
                print(f"   {kind}: {count - expected} more rows than the seed's (other data)")
            (all_api if "/api/" in url else all_page).extend(times)
            details[kind] = {
                "rows": count,
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
            }
            print(
                f"  {kind:16s} {count:6,} rows  p50 {percentile(times, 50):6.1f} ms  "
                f"p95 {percentile(times, 95):6.1f} ms"
            )
        # The baseline, in the same run: an ordinary list page of the project (the
        # distributor's inventory, 25 rows of its 20,000 items), as its distributor.
        member = User.objects.filter(email="bench-distributor@auromart.local").first()
        if member is None:
            member = User.objects.create_user(
                email="bench-distributor@auromart.local", password=None, organization=one
            )
        other = Client(HTTP_HOST="localhost")
        other.force_login(member)
        base, _ = _timings(other, "/distributor/inventory/", {}, repeat, [])
        details["baseline: inventory page"] = {
            "p50_ms": round(percentile(base, 50), 1),
            "p95_ms": round(percentile(base, 95), 1),
        }
        print(
            f"  baseline: the distributor's inventory page (25 of {products:,} items) "
            f"p50 {percentile(base, 50):6.1f} ms  p95 {percentile(base, 95):6.1f} ms"
        )
    page95, api95 = percentile(all_page, 95), percentile(all_api, 95)
    load = (load_before, os.getloadavg()[0])
    print(
        f"page p95 {page95:.1f} ms, API p95 {api95:.1f} ms; this process's CPU per request p95 "
        f"{percentile(cpu, 95):.1f} ms, in queries p95 {percentile(db, 95):.1f} ms (the rest is "
        "waiting for a core); "
        f"load average {load[0]:.1f} -> {load[1]:.1f} on {os.cpu_count()} CPUs"
    )
    items = products * DISTRIBUTORS
    return [
        Result(
            name="replenishment_screen_page",
            figure=round(page95, 1),
            unit="ms p95",
            target=f"< {TARGET_MS:g} ms on {items:,} stock items",
            passed=page95 < TARGET_MS,
            details={
                "stock_items": items,
                "low": low_total,
                "views": details,
                "cpu_p95_ms": round(percentile(cpu, 95), 1),
                "db_p95_ms": round(percentile(db, 95), 1),
                "load_average": [round(x, 1) for x in load],
            },
        ),
        Result(
            name="replenishment_screen_api",
            figure=round(api95, 1),
            unit="ms p95",
            target=f"< {TARGET_MS:g} ms on {items:,} stock items",
            passed=api95 < TARGET_MS,
            details={"stock_items": items},
        ),
    ]


if __name__ == "__main__":
    cli(main)
