"""Two beats run the same standing order at the same moment: one order, by the database.

Real threads, each with its own connection, on committed data. Both read the
standing order (same next run date) before either writes; then both insert
the run row. On MariaDB the second insert waits on the key until the first
commits and fails; on SQLite the second writer waits for the first and fails
on the same key. Either way the loser places nothing.
"""

import threading
from unittest import mock

import pytest
from django.utils import timezone

from orders.models import Order
from orders.tests.test_concurrency import run_concurrently
from standing_orders import runs
from standing_orders.models import StandingOrderRun

from .factories import standing_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_runs_at_once_place_one_order():
    so = standing_order(next_run_date=timezone.localdate())
    both_read = threading.Barrier(2)
    original = runs._backorders

    def after_reading(buyer):
        both_read.wait(timeout=30)  # each has read the same next run date
        return original(buyer)

    with mock.patch.object(runs, "_backorders", after_reading):
        results = run_concurrently(
            [lambda: runs.standing_order_run(standing_order_id=so.pk) for _ in range(2)]
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    placed = [r for r in results if r is not None]
    assert len(placed) == 1 and placed[0].order_id is not None
    assert results.count(None) == 1
    assert Order.objects.filter(customer=so.buyer).count() == 1
    assert StandingOrderRun.objects.filter(standing_order=so).count() == 1
