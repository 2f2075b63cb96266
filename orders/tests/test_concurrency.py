"""Many buyers at once: no oversell, no deadlock reaching anyone, no 500.

Real threads, each with its own database connection, against committed data
(transaction=True). On MariaDB (CI) the row locks do the work; on SQLite the
IMMEDIATE transactions queue the writers. The same assertions hold on both.
"""

import threading
from collections import Counter
from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.db.models import Sum
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory
from orders import services, transitions
from orders.models import DemandLine, Order, OrderItem
from orders.tests.factories import stocked_product

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS_URL = "/api/customer/orders"


def run_concurrently(jobs):
    """Run each job in its own thread, all released at once; returns their results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a buyer never finished"
    return results


def buy(customer, distributor, lines):
    def job():
        client = APIClient()
        client.force_authenticate(customer)
        response = client.post(
            ORDERS_URL,
            {
                "distributor_id": distributor.pk,
                "items": [{"product_id": p.pk, "quantity": q} for p, q in lines],
                "shipping_address": "1 Test Street",
            },
            format="json",
        )
        return response.status_code, response.json()

    return job


def assert_ledger_matches(distributor):
    for item in StockItem.objects.filter(distributor=distributor):
        total = item.movements.aggregate(total=Sum("quantity"))["total"]
        assert item.on_hand == total, f"{item}: on_hand {item.on_hand}, ledger {total}"


@pytest.mark.parametrize("policy", ["ship_complete", "backorder"])
def test_fifty_buyers_of_ten_units_get_exactly_ten_allocated(policy):
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=10)
    customers = [CustomerFactory(backorder_policy=policy) for _ in range(50)]

    results = run_concurrently([buy(c, distributor, [(product, 1)]) for c in customers])

    statuses = Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    item = StockItem.objects.get(product=product, distributor=distributor)
    # Exactly 10 units promised; the shelf is untouched until dispatch.
    assert (item.on_hand, item.allocated, item.available) == (10, 10, 0)
    lines = OrderItem.objects.filter(product=product)
    assert lines.aggregate(n=Sum("quantity_allocated"))["n"] == 10
    assert DemandLine.objects.aggregate(n=Sum("requested"))["n"] == 50
    if policy == "ship_complete":
        assert statuses == {201: 10, 409: 40}, statuses
        refused = [body for status, body in results if status == 409]
        assert {body["code"] for body in refused} == {"insufficient_stock"}
        assert product.name in refused[0]["detail"]
        assert Order.objects.count() == 10
        assert DemandLine.objects.aggregate(n=Sum("refused"))["n"] == 40
    else:
        assert statuses == {201: 50}, statuses  # the other 40 are backordered, not refused
        assert lines.aggregate(n=Sum("quantity_backordered"))["n"] == 40
        assert DemandLine.objects.aggregate(n=Sum("backordered"))["n"] == 40
    assert StockMovement.objects.count() == 1  # the assignment only

    # Dispatch: on_hand drops by exactly the 10 allocated units, each a shipment.
    for order in Order.objects.filter(items__quantity_allocated__gt=0):
        for step in ("accepted", "processing", "shipped"):
            transitions.order_transition(
                order=order, to_status=step, by=None, tracking_reference="T"
            )
    item.refresh_from_db()
    assert (item.on_hand, item.allocated) == (0, 0)
    assert StockMovement.objects.filter(kind="shipment").aggregate(n=Sum("quantity"))["n"] == -10
    assert_ledger_matches(distributor)


def test_orders_locking_the_same_products_in_opposite_orders_neither_deadlock_nor_oversell(caplog):
    distributor = DistributorFactory()
    a = stocked_product(distributor=distributor, on_hand=30)
    b = stocked_product(distributor=distributor, on_hand=30)
    c = stocked_product(distributor=distributor, on_hand=30)
    jobs = []
    for i in range(24):
        lines = [(a, 2), (b, 2), (c, 2)]
        jobs.append(buy(CustomerFactory(), distributor, lines if i % 2 else lines[::-1]))

    results = run_concurrently(jobs)

    statuses = Counter(r[0] if isinstance(r, tuple) else repr(r) for r in results)
    # 30 units / 2 per order = 15 orders; the other 9 find too little.
    assert statuses == {201: 15, 409: 9}, statuses
    # Not even a deadlock absorbed by a retry: the pk-ordered locks prevent them.
    retries = [r.getMessage() for r in caplog.records if "order_place attempt" in r.getMessage()]
    assert retries == []
    for product in (a, b, c):
        assert StockItem.objects.get(product=product).available == 0
        sold = OrderItem.objects.filter(product=product).aggregate(n=Sum("quantity"))["n"]
        assert sold == 30
    assert_ledger_matches(distributor)


def test_a_deadlock_is_retried_and_the_order_placed_once():
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=5)
    customer = CustomerFactory()
    real_place = services._place
    calls = []
    error = OperationalError(1213, "Deadlock found when trying to get lock; try restarting")
    if connection.vendor == "sqlite":
        error = OperationalError("database is locked")

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real_place(**kwargs)

    with mock.patch.object(services, "_place", side_effect=flaky):
        status, body = buy(customer, distributor, [(product, 2)])()

    assert status == 201, body
    assert len(calls) == 2
    assert Order.objects.count() == 1
    assert StockItem.objects.get(product=product).available == 3


def test_a_deadlock_that_persists_is_a_503_with_nothing_written():
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=5)
    error = OperationalError(1205, "Lock wait timeout exceeded; try restarting transaction")
    if connection.vendor == "sqlite":
        error = OperationalError("database is locked")

    with (
        mock.patch.object(services, "_place", side_effect=error),
        mock.patch.object(services.time, "sleep"),
    ):
        status, body = buy(CustomerFactory(), distributor, [(product, 2)])()

    assert status == 503
    assert "try again" in body["detail"]
    assert not Order.objects.exists()
    assert StockItem.objects.get(product=product).on_hand == 5


def test_the_same_idempotency_key_sent_ten_times_at_once_makes_one_order():
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=100)
    customer = CustomerFactory()

    def job():
        client = APIClient()
        client.force_authenticate(customer)
        response = client.post(
            ORDERS_URL,
            {
                "distributor_id": distributor.pk,
                "items": [{"product_id": product.pk, "quantity": 3}],
                "shipping_address": "1 Test Street",
            },
            format="json",
            HTTP_IDEMPOTENCY_KEY="retry-storm-1",
        )
        return response.status_code, response.json()

    results = run_concurrently([job] * 10)

    assert all(isinstance(r, tuple) and r[0] == 201 for r in results), results
    assert len({body["id"] for _, body in results}) == 1
    assert Order.objects.count() == 1
    assert StockItem.objects.get(product=product).available == 97
    assert_ledger_matches(distributor)
