"""Shipping several orders at once (orders.bulk_shipping): the service and the list's action."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import DistributorUserFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory
from invoicing.models import Invoice
from orders.bulk_shipping import BULK_SHIP_MAX, orders_ship_in_bulk
from orders.models import FulfillmentType, Order, OrderStatus, Shipment
from orders.signals import shipment_dispatched
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_cancel_by_customer, order_transition

pytestmark = pytest.mark.django_db

ORDERS = reverse("distributor:orders")
BULK = reverse("distributor:orders_bulk")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def store():
    return DistributorFactory(name="Deccan Distribution")


@pytest.fixture
def clerk(store):
    return DistributorUserFactory(organization=store)


def processing_orders(store, count, *, lines=2, **kwargs):
    products = [stocked_product(distributor=store, on_hand=1_000) for _ in range(lines)]
    orders = []
    for i in range(count):
        order = place_order(distributor=store, lines=[(p, i + 1) for p in products], **kwargs)
        for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
            order = order_transition(order=order, to_status=status, by=None)
        orders.append(order)
    return orders, products


@pytest.fixture
def no_dispatch_receivers():
    """shipment_dispatched's receivers (the invoice, its message) muted, to count the
    batch's own statements."""
    saved = shipment_dispatched.receivers
    shipment_dispatched.receivers = []
    shipment_dispatched.sender_receivers_cache.clear()
    yield
    shipment_dispatched.receivers = saved
    shipment_dispatched.sender_receivers_cache.clear()


def _statements(numbers, clerk) -> int:
    with CaptureQueriesContext(connection) as captured:
        results = orders_ship_in_bulk(numbers=numbers, by=clerk, tracking_reference="MANIFEST-1")
    assert all(result.shipped for result in results)
    return len(captured)


def test_one_or_five_orders_ship_in_the_same_statements_besides_the_receivers(
    store, clerk, no_dispatch_receivers
):
    one, _ = processing_orders(store, 1)
    five, _ = processing_orders(store, 5)
    single = _statements([o.number for o in one], clerk)
    batch = _statements([o.number for o in five], clerk)
    assert batch == single
    # lock, lines, buyers and sellers (2), warehouses, stock (6), writes (6), savepoints
    assert single <= 21


def test_five_orders_ship_with_their_invoices_and_stock_leaving(store, clerk):
    orders, products = processing_orders(store, 5)
    before = {p.pk: StockItem.objects.get(product=p).on_hand for p in products}

    with CaptureQueriesContext(connection) as captured:
        results = orders_ship_in_bulk(
            numbers=[o.number for o in orders],
            by=clerk,
            tracking_references={o.number: f"TRK-{o.pk}" for o in orders},
        )

    # The orders are read once, under their locks: each invoice takes its order, buyer and
    # seller from the dispatch instead of reading them again.
    pattern = re.compile(r'^SELECT [`"]orders_order[`"]\.')
    order_reads = [q["sql"] for q in captured if pattern.match(q["sql"])]
    assert len(order_reads) == 1

    assert [r.number for r in results] == [o.number for o in orders]
    assert all(r.shipped and r.shipments == (f"{r.number}-S1",) for r in results)
    for order in orders:
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
        assert order.tracking_reference == f"TRK-{order.pk}"
        assert order.status_changes.filter(to_status=OrderStatus.SHIPPED).count() == 1
        assert [i.quantity_allocated for i in order.items.all()] == [0, 0]
    # Each product: 1 + 2 + 3 + 4 + 5 units left, one movement per order, ledger = shelf.
    for product in products:
        item = StockItem.objects.get(product=product)
        assert item.on_hand == before[product.pk] - 15 and item.allocated == 0
        moves = item.movements.filter(kind=StockMovement.Kind.SHIPMENT)
        assert sorted(moves.values_list("quantity", flat=True)) == [-5, -4, -3, -2, -1]
        assert item.movements.aggregate(t=Sum("quantity"))["t"] == item.on_hand
    # One invoice per shipment, numbered consecutively, each for its order's total.
    invoices = list(Invoice.objects.filter(order__in=orders).order_by("pk"))
    assert [inv.order_id for inv in invoices] == [o.pk for o in orders]
    serials = [int(inv.number.rsplit("-", 1)[1]) for inv in invoices]
    assert serials == list(range(serials[0], serials[0] + 5))
    assert all(inv.total == inv.order.total for inv in invoices)


def test_cancelled_meanwhile_and_already_shipped_are_reported_not_shipped(store, clerk):
    orders, _ = processing_orders(store, 4)
    gone = orders[1] = place_order(distributor=store)  # still placed: its buyer may cancel
    order_cancel_by_customer(order=gone, by=gone.customer, reason="Ordered twice.")
    numbers = [o.number for o in orders]
    first = orders_ship_in_bulk(numbers=numbers[2:], by=clerk, tracking_reference="M-1")
    assert all(r.shipped for r in first)

    results = orders_ship_in_bulk(
        numbers=[*numbers, "AM-NOT-OURS"], by=clerk, tracking_reference="M-2"
    )

    by_number = {r.number: r for r in results}
    assert by_number[numbers[0]].shipped
    assert not by_number[gone.number].shipped and "cancelled" in by_number[gone.number].message
    for number in numbers[2:]:
        assert not by_number[number].shipped
        assert by_number[number].message == f"Order {number} was already shipped."
    assert not by_number["AM-NOT-OURS"].shipped
    assert Shipment.objects.filter(order__in=orders).count() == 3  # none twice
    assert Invoice.objects.filter(order__in=orders).count() == 3
    assert StockMovement.objects.filter(kind=StockMovement.Kind.SHIPMENT).count() == 3 * 2
    assert Order.objects.get(pk=gone.pk).status == OrderStatus.CANCELLED


def test_a_delivery_needs_a_tracking_reference_a_pickup_is_handed_over(store, clerk):
    (delivery,), _ = processing_orders(store, 1)
    (pickup,), _ = processing_orders(store, 1, fulfillment_type=FulfillmentType.PICKUP)

    results = orders_ship_in_bulk(numbers=[delivery.number, pickup.number], by=clerk)

    assert [r.shipped for r in results] == [False, True]
    assert "tracking reference" in results[0].message
    assert Order.objects.get(pk=delivery.pk).status == OrderStatus.PROCESSING
    assert Order.objects.get(pk=pickup.pk).status == OrderStatus.DELIVERED


def test_the_batch_is_bounded_and_only_the_distributors_orders_ship(store, clerk):
    with pytest.raises(ValidationError, match=f"at most {BULK_SHIP_MAX}"):
        orders_ship_in_bulk(
            numbers=[f"AM-{i}" for i in range(BULK_SHIP_MAX + 1)], by=clerk, tracking_reference="M"
        )
    with pytest.raises(ValidationError):
        orders_ship_in_bulk(numbers=[" "], by=clerk)
    with pytest.raises(ValidationError, match="at most"):
        orders_ship_in_bulk(numbers=["AM-1"], by=clerk, tracking_reference="T" * 500)
    (order,), _ = processing_orders(store, 1)
    other = DistributorUserFactory(organization=DistributorFactory())
    (result,) = orders_ship_in_bulk(numbers=[order.number], by=other, tracking_reference="M")
    assert not result.shipped and "not one of yours" in result.message
    assert not Shipment.objects.filter(order=order).exists()


# --- The order list's "Ship selected" ------------------------------------------------------


def test_ship_selected_on_the_order_list_reports_each_order(client, store, clerk):
    orders, _ = processing_orders(store, 3)
    gone = orders[0] = place_order(distributor=store)
    order_cancel_by_customer(order=gone, by=gone.customer, reason="Changed my mind.")
    client.force_login(clerk)

    response = client.post(
        BULK,
        {
            "action": "ship",
            "order": [o.number for o in orders],
            "tracking_reference": "BLUEDART-778",
            "query": "?status=processing",
        },
    )

    assert response.status_code == 302 and response["Location"] == f"{ORDERS}?status=processing"
    results = client.get(response["Location"]).context["bulk_results"]
    assert (results["moved"], results["failed"]) == (2, 1)
    failed = [row for row in results["rows"] if not row["moved"]]
    assert [row["number"] for row in failed] == [gone.number]
    for order in orders[1:]:
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
        assert order.tracking_reference == "BLUEDART-778"
