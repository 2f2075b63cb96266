"""Two beats run the same standing order at the same moment: one order, by the database.

Real threads, each with its own connection, on committed data. Both read the
standing order (same next run date) before either writes; the second waits
for the first's row lock on the standing order (MariaDB) or for the first
writer (SQLite), then inserts the run row for the date it read and fails on
the unique key. The loser places nothing and answers None, no error.
"""

import threading
from unittest import mock

import pytest
from django.db import IntegrityError
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

    inserts = []
    create = StandingOrderRun.objects.create

    def counted_create(**kwargs):
        try:
            run = create(**kwargs)
        except IntegrityError:
            inserts.append("duplicate")
            raise
        inserts.append("ok")
        return run

    with (
        mock.patch.object(runs, "_backorders", after_reading),
        mock.patch.object(StandingOrderRun.objects, "create", counted_create),
    ):
        results = run_concurrently(
            [lambda: runs.standing_order_run(standing_order_id=so.pk) for _ in range(2)]
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    placed = [r for r in results if r is not None]
    assert len(placed) == 1 and placed[0].order_id is not None
    assert results.count(None) == 1
    assert Order.objects.filter(customer=so.buyer).count() == 1
    assert inserts == ["ok", "duplicate"]  # the database refused the second run
    assert StandingOrderRun.objects.filter(standing_order=so).count() == 1
