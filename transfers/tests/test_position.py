"""Inbound transfers in the inventory position (#23 §4): a distributor a transfer is coming
to is not ordered for as well (the network would buy AND transfer), a shortfall written
off is demand again, a PO's transfer counts once (its PO line), and a move between one
distributor's own warehouses never makes it look low."""

from decimal import Decimal

import pytest

from accounts.tests.factories import OrganizationFactory, supplies
from catalog.models import Product, SupplierLine
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.warehouses import warehouse_create, warehouse_default
from orders.tests.factories import place_order
from procurement import monitoring
from procurement import selectors as procurement_selectors
from procurement import services as procurement_services
from procurement.models import ProcurementRequest
from procurement.replenishment import replenishment_rows
from procurement.tests.factories import procurement_staff
from transfers import services
from transfers.models import TransferOrder, TransferStatus
from transfers.suggestions import transfer_now

from .factories import distributor_with_member, figures, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    """North holds 70 above its order-up-to level; South is below its reorder point (8 of
    10) and buys from the maker (a supplier line with a cost) unless a transfer covers it."""
    maker = OrganizationFactory(kind="manufacturer", name="Gen Mills")
    north, north_clerk = distributor_with_member(name="North Hub")
    south, south_clerk = distributor_with_member(name="South Depot")
    supplies(maker, north, south)
    product = ProductFactory(
        sku="GEN-0101",
        manufacturer=maker,
        supplier=maker,
        reorder_level=5,
        reorder_quantity=20,
        order_up_to_level=50,
        cost_price=Decimal("80.00"),
    )
    stock(product, north, 120)
    stock(product, south, 8)
    SupplierLine.objects.create(
        product=product, supplier=north, unit_cost=Decimal("85.00"), priority=5
    )
    # The catalog raises the reorder level to 10: an edit nothing announces, so South is
    # below its point with nothing on order until the sweep (or a stock change) sees it.
    Product.objects.filter(pk=product.pk).update(reorder_level=10)
    product.refresh_from_db()
    assert not ProcurementRequest.objects.exists()
    return product, north, north_clerk, south, south_clerk


def _item(product, distributor) -> StockItem:
    return StockItem.objects.get(product=product, distributor=distributor)


def _position(product, distributor) -> int:
    return monitoring.inventory_position(_item(product, distributor)).value


def _transfer_now(product, distributor, clerk) -> TransferOrder:
    return transfer_now(
        stock_item_id=_item(product, distributor).pk, by=clerk, distributor=distributor
    )


def _requests(product, distributor):
    return ProcurementRequest.objects.filter(product=product, distributor=distributor)


def _screen_row(product, distributor):
    [row] = replenishment_rows([_item(product, distributor)])
    return row


def test_transfer_now_covers_the_low_distributor_so_the_sweep_and_orders_buy_nothing(network):
    product, _north, north_clerk, south, south_clerk = network
    transfer = _transfer_now(product, south, south_clerk)
    assert transfer.status == TransferStatus.REQUESTED
    assert transfer.lines.get().quantity == 42  # 50 - 8

    # Requested: the 42 units count in South's incoming and position at once.
    assert (
        procurement_selectors.incoming_quantity(product_id=product.pk, distributor_id=south.pk)
        == 42
    )
    assert _position(product, south) == 50
    monitoring.replenishment_sweep()
    assert not _requests(product, south).exists()
    # An order taking South further down (the order's own reorder check) buys nothing either.
    place_order(distributor=south, lines=[(product, 2)])
    assert _position(product, south) == 48
    assert not _requests(product, south).exists()
    # The replenishment screen and the inventory page show the transfer as incoming.
    row = _screen_row(product, south)
    assert (row.incoming, row.position) == (42, 48)
    assert procurement_selectors.on_order_for_items([(product.pk, south.pk)]) == {
        (product.pk, south.pk): (42, None)
    }
    # The source's allocation and shipment leave South's position as it was.
    services.transfer_confirm(transfer=transfer, by=north_clerk)
    assert _position(product, south) == 48
    transfer = services.transfer_ship(transfer=transfer, by=north_clerk)
    assert _position(product, south) == 48
    monitoring.replenishment_sweep()
    assert not _requests(product, south).exists()

    services.transfer_receive(
        transfer=transfer, by=south_clerk, received={transfer.lines.get().pk: 42}
    )
    item = _item(product, south)
    assert (item.on_hand, item.allocated) == (50, 2)  # the order's 2 are allocated
    position = monitoring.inventory_position(item)
    assert (position.incoming, position.value) == (0, 48)
    monitoring.replenishment_sweep()
    assert not _requests(product, south).exists()


def test_a_short_receipt_counts_until_written_off_then_the_distributor_is_ordered_for(network):
    product, _north, north_clerk, south, south_clerk = network
    transfer = _transfer_now(product, south, south_clerk)
    services.transfer_confirm(transfer=transfer, by=north_clerk)
    transfer = services.transfer_ship(transfer=transfer, by=north_clerk)
    line = transfer.lines.get()
    transfer = services.transfer_receive(
        transfer=transfer,
        by=south_clerk,
        received={line.pk: 1},
        reasons={line.pk: "Carton crushed in transit"},
    )
    assert transfer.status == TransferStatus.RECEIVED_SHORT
    # The 41 missing units are still in transit to South: incoming, not ordered again.
    assert figures(product, south) == (9, 0)
    assert _position(product, south) == 50
    monitoring.replenishment_sweep()
    assert not _requests(product, south).exists()

    services.transfer_write_off(transfer=transfer, by=south_clerk, reason="Lost by the carrier")
    # The shortfall is no longer incoming: South (9, point 10) is ordered for at once.
    position = monitoring.inventory_position(_item(product, south))
    assert (position.incoming, position.value) == (0, 9)
    request = _requests(product, south).get()
    assert (request.incoming, request.available, request.quantity) == (0, 9, 41)  # 50 - 9
    assert request.reference == f"transfer:{transfer.pk}"


def test_a_cancelled_transfer_request_stops_counting_and_the_distributor_is_ordered_for(
    network,
):
    product, _north, north_clerk, south, south_clerk = network
    transfer = _transfer_now(product, south, south_clerk)
    monitoring.replenishment_sweep()
    assert not _requests(product, south).exists()

    services.transfer_cancel(transfer=transfer, by=north_clerk, reason="Kept for a promotion")
    assert _position(product, south) == 8
    request = _requests(product, south).get()
    assert (request.incoming, request.available) == (0, 8)


def test_a_sources_draft_to_another_distributor_counts_only_once_confirmed(network):
    product, north, north_clerk, south, _south_clerk = network
    draft = services.transfer_create(
        source=north, destination=south, lines=[(product, 30)], by=north_clerk
    )
    assert draft.status == TransferStatus.DRAFT
    assert _position(product, south) == 8  # a draft promises nothing yet
    services.transfer_confirm(transfer=draft, by=north_clerk)
    assert _position(product, south) == 38
    monitoring.replenishment_sweep()
    assert not _requests(product, south).exists()


def test_a_po_routed_transfer_counts_once_through_its_po_line():
    maker = OrganizationFactory(kind="manufacturer", name="Gen Mills")
    eastern, eastern_clerk = distributor_with_member(name="Eastern Distribution Co.")
    central, central_clerk = distributor_with_member(name="Central Store")
    supplies(maker, eastern, central)
    product = ProductFactory(
        sku="GEN-0036",
        manufacturer=maker,
        supplier=eastern,
        reorder_level=10,
        reorder_quantity=10,
        cost_price=Decimal("100.00"),
    )
    stock(product, eastern, 51)
    stock(product, central, 14)
    place_order(distributor=central, lines=[(product, 5)])  # 9 left: a request for 10
    po = procurement_services.procurement_request_approve(
        request=ProcurementRequest.objects.get(), by=procurement_staff()
    )
    transfer = TransferOrder.objects.get(purchase_order=po)
    line = transfer.lines.get()

    def counted():
        item = _item(product, central)
        annotated = monitoring.with_position(StockItem.objects.filter(pk=item.pk)).get()
        return (
            procurement_selectors.incoming_quantity(
                product_id=product.pk, distributor_id=central.pk
            ),
            annotated.incoming_units,
            _screen_row(product, central).incoming,
            procurement_selectors.on_order_for_items([(product.pk, central.pk)])[
                (product.pk, central.pk)
            ][0],
        )

    assert counted() == (10, 10, 10, 10)  # requested
    services.transfer_confirm(transfer=transfer, by=eastern_clerk)
    assert counted() == (10, 10, 10, 10)
    transfer = services.transfer_ship(transfer=transfer, by=eastern_clerk)
    assert counted() == (10, 10, 10, 10)  # in transit: still the PO line, once
    services.transfer_receive(
        transfer=transfer, by=central_clerk, received={line.pk: 4}, reasons={line.pk: "Short"}
    )
    assert counted() == (6, 6, 6, 6)
    assert _requests(product, central).count() == 1


@pytest.fixture
def two_warehouses():
    """One distributor with 30 units in its main warehouse and a second, empty one."""
    product = ProductFactory(sku="GEN-0200", reorder_level=10, reorder_quantity=20)
    depot, clerk = distributor_with_member(name="Deccan Distribution")
    main = warehouse_default(depot)
    annex = warehouse_create(distributor=depot, name="Annex", code="ANX", priority=5)
    stock(product, depot, 30)
    return product, depot, clerk, main, annex


def test_a_move_between_ones_own_warehouses_never_makes_it_look_low(two_warehouses):
    product, depot, clerk, main, annex = two_warehouses
    transfer = services.transfer_create(
        source=depot,
        destination=depot,
        lines=[(product, 25)],
        by=clerk,
        source_warehouse=main,
        destination_warehouse=annex,
    )
    assert _position(product, depot) == 30
    # Confirming allocates 25 at the main warehouse: available 5, below the point of 10,
    # but the 25 are coming to the annex, so the position stays 30 and nothing is bought.
    services.transfer_confirm(transfer=transfer, by=clerk)
    item = _item(product, depot)
    assert (item.on_hand, item.allocated, item.available) == (30, 25, 5)
    assert _position(product, depot) == 30
    assert not _requests(product, depot).exists()

    transfer = services.transfer_ship(transfer=transfer, by=clerk)
    assert figures(product, depot) == (5, 0)  # in transit between its own warehouses
    assert _position(product, depot) == 30
    row = _screen_row(product, depot)
    assert (row.incoming, row.position) == (25, 30)
    monitoring.replenishment_sweep()
    assert not _requests(product, depot).exists()

    services.transfer_receive(transfer=transfer, by=clerk, received={transfer.lines.get().pk: 25})
    assert figures(product, depot) == (30, 0)
    assert _position(product, depot) == 30
    monitoring.replenishment_sweep()
    assert not _requests(product, depot).exists()
