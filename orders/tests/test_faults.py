"""A real lock wait during order placement: a clear 503, never a 500, nothing half-written.

test_concurrency simulates the database's 1205/1213 errors; here another
connection really holds the stock row (SELECT ... FOR UPDATE) for longer than
the order's session waits for it (innodb_lock_wait_timeout), so MariaDB itself
raises 1205 on every attempt.
"""

import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory
from notifications.models import OutboundMessage
from orders.models import Order, OrderItem, OrderStatusChange
from orders.services import PLACE_ATTEMPTS
from orders.tests.factories import stocked_product

pytestmark = pytest.mark.django_db(transaction=True)

ORDERS_URL = "/api/customer/orders"
LOCK_WAIT_SECONDS = 1  # the order's session waits this long for a row lock


def hold_row_lock(stock_item_pk: int, *, release: threading.Event, held: threading.Event):
    """In its own thread and connection: lock the stock row until `release` is set."""
    from django.db import transaction

    try:
        with transaction.atomic():
            StockItem.objects.select_for_update().get(pk=stock_item_pk)
            held.set()
            release.wait(timeout=60)
    finally:
        connections.close_all()


@pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="a row lock held by another connection needs MariaDB/MySQL: SQLite locks the "
    "whole database and has no lock-wait timeout per session (CI's MariaDB run executes it)",
)
def test_a_real_lock_wait_timeout_answers_503_with_retry_after_and_writes_nothing():
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=10)
    item = StockItem.objects.get(product=product, distributor=distributor)
    customer = CustomerFactory()
    movements_before = StockMovement.objects.count()
    # Stocking the item may already have queued procurement's messages (#13 monitoring).
    messages_before = OutboundMessage.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION innodb_lock_wait_timeout = %s", [LOCK_WAIT_SECONDS])

    release, held = threading.Event(), threading.Event()
    holder = threading.Thread(
        target=hold_row_lock, args=(item.pk,), kwargs={"release": release, "held": held}
    )
    holder.start()
    try:
        assert held.wait(timeout=30), "the other connection never got the lock"
        client = APIClient()
        client.force_authenticate(customer)
        started = time.monotonic()
        response = client.post(
            ORDERS_URL,
            {
                "distributor_id": distributor.pk,
                "items": [{"product_id": product.pk, "quantity": 2}],
                "shipping_address": "1 Test Street",
            },
            format="json",
        )
        elapsed = time.monotonic() - started
    finally:
        release.set()
        holder.join(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")

    assert response.status_code == 503, response.content
    assert response["Retry-After"].isdigit()
    body = response.json()
    assert body["code"] == "order_placement_busy"
    assert "try again" in body["detail"]
    # Every attempt waited for the lock and timed out: retried, then reported.
    assert elapsed >= PLACE_ATTEMPTS * LOCK_WAIT_SECONDS
    # Nothing half-written: no order, line, history, ledger row or message.
    assert not Order.objects.exists()
    assert not OrderItem.objects.exists()
    assert not OrderStatusChange.objects.exists()
    assert OutboundMessage.objects.count() == messages_before
    assert StockMovement.objects.count() == movements_before
    item.refresh_from_db()
    assert item.on_hand == 10

    # The lock gone, the same request succeeds.
    client = APIClient()
    client.force_authenticate(customer)
    placed = client.post(
        ORDERS_URL,
        {
            "distributor_id": distributor.pk,
            "items": [{"product_id": product.pk, "quantity": 2}],
            "shipping_address": "1 Test Street",
        },
        format="json",
    )
    assert placed.status_code == 201, placed.content
    item.refresh_from_db()
    assert (item.on_hand, item.allocated) == (10, 2)  # allocated; the shelf moves at dispatch
