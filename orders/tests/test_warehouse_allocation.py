"""Orders across a distributor's warehouses (#23 §1): allocation by priority, one shipment per
warehouse, each invoiced from its warehouse's state and GSTIN, releases per warehouse.

Runs on SQLite and on MariaDB (the stock writes).
"""

import pytest
from django.core.exceptions import ValidationError

from accounts.gst import gstin_check_character
from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from catalog.tests.factories import ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, WarehouseStock
from inventory.selectors import stock_items_off_their_warehouses
from inventory.services import stock_count, stock_receive
from inventory.tests.factories import DistributorFactory
from inventory.warehouses import warehouse_create, warehouse_default, warehouse_update
from invoicing.models import Invoice
from orders.models import OrderStatus
from orders.services import order_place
from orders.shipments import shipment_create
from orders.transitions import order_cancel_by_customer, order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def gstin(state: str, letter: str) -> str:
    first14 = f"{state}AABC{letter}1234F1Z"
    return first14 + gstin_check_character(first14)


@pytest.fixture
def depots():
    """A Maharashtra distributor with its main warehouse in Pune (priority 1) and a
    second in Bengaluru (priority 2, registered there under its own GSTIN)."""
    distributor = DistributorFactory(name="Deccan Distribution", state="27", gstin=gstin("27", "D"))
    pune = warehouse_default(distributor)
    warehouse_update(warehouse=pune, name="Pune")
    bengaluru = warehouse_create(
        distributor=distributor,
        name="Bengaluru",
        code="BLR",
        state="29",
        gstin=gstin("29", "D"),
        priority=2,
    )
    product = ProductFactory(name="Assam tea", price="100.00", reorder_level=0)
    stock_receive(product=product, distributor=distributor, quantity=6, reference="po:1")
    stock_receive(
        product=product, distributor=distributor, quantity=10, reference="po:2", warehouse=bengaluru
    )
    pune.refresh_from_db()
    return distributor, pune, bengaluru, product


def rows(product) -> dict[str, tuple[int, int]]:
    """{warehouse name: (on_hand, allocated)}, after checking they add up to the item."""
    assert stock_items_off_their_warehouses() == []
    return {
        row.warehouse.name: (row.on_hand, row.allocated)
        for row in WarehouseStock.objects.filter(stock_item__product=product).select_related(
            "warehouse"
        )
    }


def place(distributor, product, quantity, **kwargs):
    kwargs.setdefault("shipping_address", "12 MG Road, Pune")
    kwargs.setdefault("shipping_state", "27")
    return order_place(
        customer=kwargs.pop("customer", None) or CustomerFactory(),
        distributor=distributor,
        items=[(product.pk, quantity)],
        **kwargs,
    )


def test_an_order_larger_than_the_first_warehouse_takes_the_rest_from_the_second(depots):
    distributor, pune, bengaluru, product = depots

    order = place(distributor, product, 10)

    line = order.items.get()
    assert line.quantity_allocated == 10
    assert line.allocated_by_warehouse == {str(pune.pk): 6, str(bengaluru.pk): 4}
    assert rows(product) == {"Pune": (6, 6), "Bengaluru": (10, 4)}
    item = StockItem.objects.get(product=product)
    assert (item.on_hand, item.allocated) == (16, 10)


def test_it_ships_as_one_shipment_per_warehouse_each_invoiced_from_there(depots):
    """Pune → Pune is intra-state (CGST + SGST under the distributor's GSTIN); Bengaluru →
    Pune is inter-state (IGST under the Karnataka GSTIN, its own invoice series)."""
    distributor, pune, bengaluru, product = depots
    clerk = DistributorUserFactory(organization=distributor)
    order = place(distributor, product, 10)
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        order = order_transition(order=order, to_status=status, by=clerk)

    first = shipment_create(order=order, by=clerk, tracking_reference="AWB-1")

    shipments = list(order.shipments.order_by("sequence"))
    assert first == shipments[0]
    assert [(s.warehouse, s.lines.get().quantity) for s in shipments] == [
        (pune, 6),
        (bengaluru, 4),
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert rows(product) == {"Pune": (0, 0), "Bengaluru": (6, 0)}
    from_pune, from_bengaluru = (Invoice.objects.get(shipment=s) for s in shipments)
    assert (from_pune.seller_state, from_pune.place_of_supply) == ("27", "27")
    assert from_pune.seller_gstin == distributor.gstin
    assert from_pune.igst == 0 and from_pune.cgst == from_pune.sgst == 54  # 18 % of 600
    assert (from_bengaluru.seller_state, from_bengaluru.place_of_supply) == ("29", "27")
    assert from_bengaluru.seller_gstin == bengaluru.gstin
    assert from_bengaluru.cgst == from_bengaluru.sgst == 0 and from_bengaluru.igst == 72
    assert from_bengaluru.seller_key == bengaluru.gstin  # Karnataka's own series
    assert from_pune.subtotal + from_bengaluru.subtotal == order.subtotal


def test_priority_not_age_decides_where_an_order_takes_from(depots):
    distributor, pune, bengaluru, product = depots
    warehouse_update(warehouse=bengaluru, priority=0)

    order = place(distributor, product, 12)

    assert order.items.get().allocated_by_warehouse == {str(bengaluru.pk): 10, str(pune.pk): 2}
    assert rows(product) == {"Pune": (6, 2), "Bengaluru": (10, 10)}


def test_an_inactive_warehouse_is_not_allocated_from(depots):
    distributor, _pune, bengaluru, product = depots
    warehouse_update(warehouse=bengaluru, is_active=False)

    with pytest.raises(InsufficientStock) as refused:
        place(distributor, product, 7)

    assert "6 available" in str(refused.value)
    assert rows(product) == {"Pune": (6, 0), "Bengaluru": (10, 0)}


def test_a_cancellation_gives_each_warehouse_back_its_units(depots):
    distributor, _pune, _bengaluru, product = depots
    customer = CustomerFactory()
    order = place(distributor, product, 10, customer=customer)

    order_cancel_by_customer(order=order, by=customer)

    assert rows(product) == {"Pune": (6, 0), "Bengaluru": (10, 0)}
    assert order.items.get().allocated_by_warehouse == {}


def test_shipping_from_a_chosen_warehouse_takes_only_what_waits_there(depots):
    distributor, _pune, bengaluru, product = depots
    clerk = DistributorUserFactory(organization=distributor)
    order = place(distributor, product, 10)
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        order = order_transition(order=order, to_status=status, by=clerk)

    with pytest.raises(ValidationError):
        shipment_create(
            order=order,
            by=clerk,
            lines={product.pk: 5},
            tracking_reference="AWB-2",
            warehouse_id=bengaluru.pk,
        )
    shipment = shipment_create(
        order=order,
        by=clerk,
        lines={product.pk: 4},
        tracking_reference="AWB-2",
        warehouse_id=bengaluru.pk,
    )

    assert shipment.warehouse == bengaluru
    assert rows(product) == {"Pune": (6, 6), "Bengaluru": (6, 0)}
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED


def test_a_count_short_in_one_warehouse_backorders_only_allocations_there(depots):
    distributor, pune, bengaluru, product = depots
    order = place(distributor, product, 10, backorder=True)
    item = StockItem.objects.get(product=product)

    stock_count(stock_item=item, counted=1, warehouse=bengaluru)

    line = order.items.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (7, 3)
    assert line.allocated_by_warehouse == {str(pune.pk): 6, str(bengaluru.pk): 1}
    assert rows(product) == {"Pune": (6, 6), "Bengaluru": (1, 1)}


def test_a_backorder_is_served_from_the_warehouse_the_stock_arrives_in(depots):
    distributor, pune, bengaluru, product = depots
    order = place(distributor, product, 20, backorder=True)
    assert order.items.get().quantity_backordered == 4

    stock_receive(
        product=product, distributor=distributor, quantity=5, reference="po:3", warehouse=bengaluru
    )

    line = order.items.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (20, 0)
    assert line.allocated_by_warehouse == {str(pune.pk): 6, str(bengaluru.pk): 14}
    assert rows(product) == {"Pune": (6, 6), "Bengaluru": (15, 14)}
