"""Runs place real orders through order_place, once per run date, and move the schedule on."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.models import BackorderPolicy
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory
from orders.models import DemandLine, Order
from orders.tests.factories import stocked_product
from standing_orders.models import RunOutcome, StandingOrderRun
from standing_orders.runs import standing_order_run, standing_orders_run_due
from standing_orders.selectors import is_standing_order
from standing_orders.services import date_after, standing_order_pause, standing_order_skip_next
from standing_orders.tasks import run_due

from .factories import standing_order

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 12, 7, 3, 0, tzinfo=datetime.UTC)  # 08:30 in Kolkata


def test_a_weekly_standing_order_places_one_order_per_week_over_four_weeks(
    django_capture_on_commit_callbacks,
):
    distributor = DistributorFactory()
    tea = stocked_product(distributor=distributor, on_hand=100)
    with time_machine.travel(MONDAY, tick=False) as clock:
        so = standing_order(
            distributor=distributor, lines=[(tea, 3)], next_run_date=datetime.date(2026, 12, 7)
        )
        for _day in range(28):  # every day for four weeks, the beat twice a day
            with django_capture_on_commit_callbacks(execute=True):
                run_due()
                run_due()
            clock.shift(datetime.timedelta(days=1))
    runs = list(so.runs.order_by("run_date"))
    assert [run.run_date for run in runs] == [
        datetime.date(2026, 12, 7),
        datetime.date(2026, 12, 14),
        datetime.date(2026, 12, 21),
        datetime.date(2026, 12, 28),
    ]
    assert all(run.outcome == RunOutcome.PLACED for run in runs)
    orders = Order.objects.filter(customer=so.buyer)
    assert orders.count() == 4
    assert sorted(o.items.get().quantity for o in orders) == [3, 3, 3, 3]
    assert StockItem.objects.get(product=tea, distributor=distributor).allocated == 12
    so.refresh_from_db()
    assert so.next_run_date == datetime.date(2027, 1, 4)
    assert all(is_standing_order(o) for o in orders)


def test_running_twice_on_a_day_places_one_order():
    so = standing_order(next_run_date=timezone.localdate())
    first = standing_order_run(standing_order_id=so.pk)
    second = standing_order_run(standing_order_id=so.pk)
    assert first is not None and first.order is not None
    assert second is None
    assert Order.objects.filter(customer=so.buyer).count() == 1


def test_the_run_row_is_unique_per_date_in_the_database():
    """Even a caller that skips the date check cannot record (or place) a second run."""
    from django.db import IntegrityError, transaction

    so = standing_order(next_run_date=timezone.localdate())
    standing_order_run(standing_order_id=so.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        StandingOrderRun.objects.create(
            standing_order=so, run_date=timezone.localdate(), outcome=RunOutcome.PLACED
        )


def test_a_stale_reader_places_nothing_when_the_date_already_ran():
    """Two beats read the same next date; the second one's insert is refused, no order."""
    so = standing_order(next_run_date=timezone.localdate())
    standing_order_run(standing_order_id=so.pk)
    # Put the date back as a second beat that read it earlier would see it.
    type(so).objects.filter(pk=so.pk).update(next_run_date=timezone.localdate())
    assert standing_order_run(standing_order_id=so.pk) is None
    assert Order.objects.filter(customer=so.buyer).count() == 1
    so.refresh_from_db()  # and the date does not stick on the one that ran
    assert so.next_run_date == timezone.localdate() + datetime.timedelta(days=7)


def test_an_edit_cannot_set_the_next_run_onto_a_date_that_ran():
    from django.core.exceptions import ValidationError

    from standing_orders.services import standing_order_update

    today = timezone.localdate()
    so = standing_order(next_run_date=today)
    standing_order_run(standing_order_id=so.pk)
    with pytest.raises(ValidationError, match="already run"):
        standing_order_update(
            standing_order=so,
            frequency="weekly",
            next_run_date=today,
            shipping_address="x",
            lines=[(line.product, line.quantity) for line in so.lines.all()],
        )


def test_a_ship_complete_buyer_gets_the_short_line_refused_and_the_rest_placed():
    distributor = DistributorFactory()
    tea = stocked_product(distributor=distributor, on_hand=100, name="Assam tea")
    rice = stocked_product(distributor=distributor, on_hand=1, name="Sona rice")
    so = standing_order(
        distributor=distributor, lines=[(tea, 5), (rice, 4)], next_run_date=timezone.localdate()
    )
    assert so.buyer.buyer_backorder_policy == BackorderPolicy.SHIP_COMPLETE
    run = standing_order_run(standing_order_id=so.pk)
    assert run.outcome == RunOutcome.PLACED and run.lines_placed == 1
    assert [line["sku"] for line in run.refused] == [rice.sku]
    assert "only 1 available" in run.refused[0]["reason"]
    assert [(i.product_id, i.quantity) for i in run.order.items.all()] == [(tea.pk, 5)]
    # The refused line is demand all the same: asked for, turned away (reports, forecasting).
    demand = {
        d.product_id: (d.requested, d.allocated, d.refused)
        for d in DemandLine.objects.filter(customer=so.buyer)
    }
    assert demand == {tea.pk: (5, 5, 0), rice.pk: (4, 0, 4)}


def test_a_backordering_buyer_gets_the_short_line_backordered():
    distributor = DistributorFactory()
    rice = stocked_product(distributor=distributor, on_hand=1)
    so = standing_order(
        distributor=distributor, lines=[(rice, 4)], next_run_date=timezone.localdate()
    )
    so.buyer.backorder_policy = BackorderPolicy.BACKORDER
    so.buyer.save()
    run = standing_order_run(standing_order_id=so.pk)
    assert run.outcome == RunOutcome.PLACED and run.units_backordered == 3 and not run.refused
    item = run.order.items.get()
    assert (item.quantity_allocated, item.quantity_backordered) == (1, 3)


def test_nothing_in_stock_records_a_failed_run_and_moves_on(django_capture_on_commit_callbacks):
    distributor = DistributorFactory()
    rice = stocked_product(distributor=distributor, on_hand=0)
    today = timezone.localdate()
    so = standing_order(distributor=distributor, lines=[(rice, 4)], next_run_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        run = standing_order_run(standing_order_id=so.pk)
    assert run.outcome == RunOutcome.FAILED and run.order is None
    assert "every line was left out" in run.message
    so.refresh_from_db()
    assert so.next_run_date == today + datetime.timedelta(days=7)
    [message] = mail.outbox
    assert "nothing ordered" in message.subject


def test_paused_and_skipped_runs_place_nothing():
    today = timezone.localdate()
    paused = standing_order(next_run_date=today)
    standing_order_pause(standing_order=paused)
    skipped = standing_order(next_run_date=today)
    run = standing_order_skip_next(standing_order=skipped)
    assert run.outcome == RunOutcome.SKIPPED
    assert standing_orders_run_due() == 0
    assert not Order.objects.exists()
    skipped.refresh_from_db()
    assert skipped.next_run_date == today + datetime.timedelta(days=7)


def test_a_missed_week_is_not_placed_twice():
    """A beat down for three weeks places one run, dated when it was due, and moves past today."""
    today = timezone.localdate()
    so = standing_order(next_run_date=today)
    type(so).objects.filter(pk=so.pk).update(next_run_date=today - datetime.timedelta(days=21))
    assert standing_orders_run_due() == 1
    so.refresh_from_db()
    assert so.next_run_date == today + datetime.timedelta(days=7)
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("frequency", "extra", "day", "expected"),
    [
        ("weekly", {}, datetime.date(2026, 12, 7), datetime.date(2026, 12, 14)),
        (
            "every_n_weeks",
            {"interval_weeks": 3},
            datetime.date(2026, 12, 7),
            datetime.date(2026, 12, 28),
        ),
        ("monthly", {"day_of_month": 28}, datetime.date(2026, 12, 28), datetime.date(2027, 1, 28)),
        ("monthly", {"day_of_month": 5}, datetime.date(2027, 1, 5), datetime.date(2027, 2, 5)),
    ],
)
def test_the_next_date_follows_the_frequency(frequency, extra, day, expected):
    from standing_orders.models import StandingOrder

    so = StandingOrder(frequency=frequency, next_run_date=day, **{"interval_weeks": 1, **extra})
    assert date_after(so, day) == expected


def test_the_command_runs_what_is_due():
    from io import StringIO

    from django.core.management import call_command

    so = standing_order(next_run_date=timezone.localdate())
    out = StringIO()
    call_command("run_standing_orders", stdout=out)
    assert "1 run(s) recorded" in out.getvalue()
    assert so.runs.get().outcome == RunOutcome.PLACED
