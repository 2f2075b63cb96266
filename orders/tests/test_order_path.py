"""The lean order path (issue #22): the stock taken last, the held order, the fallback."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import CustomerFactory, UserFactory
from inventory import stock_sql
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory
from notifications.models import Notification, OutboundMessage
from orders import services
from orders.held import held_order, orders_held
from orders.models import DemandLine, Order
from orders.selectors import order_for_message
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub():
    return DistributorFactory()


def stock_statements(queries):
    """Statements on the stock: the items (the totals) or their warehouse rows."""
    return [
        i
        for i, q in enumerate(queries)
        if "inventory_stockitem" in q["sql"].replace("`", '"')
        or "inventory_warehousestock" in q["sql"].replace("`", '"')
    ]


def test_the_stock_is_taken_last_in_the_transaction(hub):
    products = [stocked_product(distributor=hub, on_hand=500, reorder_level=5) for _ in range(3)]
    UserFactory(organization=hub)  # a member: the "new order" messages are written too

    with CaptureQueriesContext(connection) as captured:
        order = place_order(distributor=hub, lines=[(p, 2) for p in products])

    queries = captured.captured_queries
    writes = [i for i, q in enumerate(queries) if q["sql"].startswith(("INSERT", "UPDATE"))]
    # One statement touches the stock after the product read (the items and their rows in
    # the first warehouse; two on SQLite, which updates one table per statement), and it
    # is the last write: the outbox and in-app rows are written before the rows are locked.
    takes = 2 if stock_sql.supports_returning() else 1
    assert stock_statements(queries)[1:] == writes[-takes:]
    assert all(queries[i]["sql"].startswith("UPDATE") for i in writes[-takes:])
    assert OutboundMessage.objects.filter(dedup_key__startswith=f"order_placed:{order.pk}").exists()
    assert Notification.objects.filter(event="order_received").count() == 1
    assert StockItem.objects.aggregate(n=Sum("allocated"))["n"] == 6


def test_a_wrong_forecast_rolls_back_and_the_locked_path_names_the_short_product(hub):
    plenty = stocked_product(distributor=hub, on_hand=50)
    short = stocked_product(distributor=hub, on_hand=2)
    customer = CustomerFactory()

    # The forecast says yes; the one-statement take finds the short line.
    with (
        mock.patch.object(services, "stock_take_expected", return_value=True),
        mock.patch.object(
            services, "stock_allocate_for_order", wraps=services.stock_allocate_for_order
        ) as locked_path,
        pytest.raises(InsufficientStock) as refused,
    ):
        place_order(customer=customer, distributor=hub, lines=[(plenty, 3), (short, 5)])

    assert locked_path.call_count == 1
    assert refused.value.product == short
    assert not Order.objects.exists()
    assert not OutboundMessage.objects.filter(dedup_key__startswith="order_").exists()
    assert StockItem.objects.aggregate(n=Sum("allocated"))["n"] == 0
    assert DemandLine.objects.aggregate(n=Sum("refused"))["n"] == 8


def test_a_wrong_forecast_the_other_way_only_costs_the_lock_first(hub):
    product = stocked_product(distributor=hub, on_hand=50)

    with mock.patch.object(services, "stock_take_expected", return_value=False):
        order = place_order(distributor=hub, lines=[(product, 4)])

    item = order.items.get()
    assert (item.quantity_allocated, item.quantity_backordered) == (4, 0)
    assert StockItem.objects.get(product=product).allocated == 4


def test_the_receivers_get_the_held_order_and_read_it_without_the_context(hub):
    order = place_order(distributor=hub, lines=[(stocked_product(distributor=hub), 1)])

    assert held_order(order.pk) is None  # the context ended with the transaction
    with orders_held(order), CaptureQueriesContext(connection) as captured:
        assert order_for_message(order_id=order.pk) is order
    assert captured.captured_queries == []
    fresh = order_for_message(order_id=order.pk)
    assert fresh is not order and fresh.pk == order.pk
