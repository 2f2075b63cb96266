"""Migrations inventory 0009 and orders 0012 on data written before warehouses (#23 §1).

Stock, an open order and a shipment are written, the two migrations are taken
back (the warehouse tables and columns go), then applied again: every
distributor gets one "Main warehouse" holding exactly its stock, every
movement and shipment names it, and open lines' allocations wait there.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from accounts.tests.factories import DistributorUserFactory
from inventory.models import StockItem, StockMovement, Warehouse, WarehouseStock
from inventory.selectors import stock_items_off_their_warehouses
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import OrderItem, OrderStatus, Shipment
from orders.shipments import shipment_create
from orders.tests.factories import place_order
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("inventory", "0007_stockitem_levels_cover"),
    ("orders", "0010_order_status_credit_hold_and_awaiting_payment"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_each_distributor_gets_a_main_warehouse_holding_all_its_stock():
    depot = DistributorFactory(name="Old Depot", state="27")
    other = DistributorFactory(name="Other Depot", state="29")
    tea = StockItemFactory(distributor=depot, on_hand=40, held=2)
    StockItemFactory(distributor=other, on_hand=7)
    order = place_order(distributor=depot, lines=[(tea.product, 5)])
    shipped = place_order(distributor=depot, lines=[(tea.product, 3)])
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        shipped = order_transition(order=shipped, to_status=status, by=None)
    shipment_create(
        order=shipped, by=DistributorUserFactory(organization=depot), tracking_reference="AWB"
    )
    leaves = MigrationLoader(connection).graph.leaf_nodes()

    _migrate(BEFORE)
    _migrate(leaves)

    mains = {w.distributor_id: w for w in Warehouse.objects.all()}
    assert set(mains) == {depot.pk, other.pk}
    assert {(w.code, w.priority, w.state) for w in mains.values()} == {
        ("MAIN", 1, "27"),
        ("MAIN", 1, "29"),
    }
    assert stock_items_off_their_warehouses() == []
    row = WarehouseStock.objects.get(stock_item=tea)
    assert (row.warehouse_id, row.on_hand, row.allocated, row.held) == (
        mains[depot.pk].pk,
        37,
        5,
        2,
    )
    item = StockItem.objects.get(pk=tea.pk)
    assert (item.on_hand, item.allocated, item.held) == (37, 5, 2)
    assert not StockMovement.objects.filter(warehouse__isnull=True).exists()
    assert set(Shipment.objects.values_list("warehouse_id", flat=True)) == {mains[depot.pk].pk}
    assert OrderItem.objects.get(order=order).allocated_by_warehouse == {str(mains[depot.pk].pk): 5}
