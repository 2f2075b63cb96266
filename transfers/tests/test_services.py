"""The transfer state machine and its stock (#23 §2): out of one shelf, in transit, onto
another; the network total (on hand + in transit) conserved at every step."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.tests.factories import ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.models import StockMovement
from transfers import services
from transfers.exceptions import TransferStateError
from transfers.models import TransferStatus
from transfers.selectors import in_transit

from .factories import distributor_with_member, figures, network_total, on_hand, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    east, east_clerk = distributor_with_member(name="Eastern Distribution Co.")
    west, west_clerk = distributor_with_member(name="Western Depot")
    product = ProductFactory(sku="GEN-0036")
    stock(product, east, 51)
    stock(product, west, 4)
    return product, east, east_clerk, west, west_clerk


def _transit(product, distributor):
    return in_transit(product_ids=[product.pk]).get((product.pk, distributor.pk), 0)


def test_transfer_between_distributors_leaves_one_shows_in_transit_arrives_at_the_other(pair):
    product, east, east_clerk, west, west_clerk = pair
    total = network_total(product)
    assert total == 55

    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 20)], by=east_clerk
    )
    assert transfer.status == TransferStatus.DRAFT and transfer.number.startswith("TR-")
    transfer = services.transfer_confirm(transfer=transfer, by=east_clerk)
    assert transfer.status == TransferStatus.CONFIRMED
    assert figures(product, east) == (51, 20)  # allocated at the source, still on the shelf
    assert network_total(product) == total

    transfer = services.transfer_ship(transfer=transfer, by=east_clerk, tracking_reference="LR-1")
    assert transfer.status == TransferStatus.SHIPPED
    assert figures(product, east) == (31, 0)
    assert _transit(product, west) == 20
    assert on_hand(product, west) == 4
    assert network_total(product) == total
    out = StockMovement.objects.get(kind="transfer_out")
    assert (out.quantity, out.balance_after, out.reference) == (-20, 31, f"transfer:{transfer.pk}")

    transfer = services.transfer_receive(
        transfer=transfer, by=west_clerk, received={transfer.lines.get().pk: 20}
    )
    assert transfer.status == TransferStatus.RECEIVED
    assert on_hand(product, west) == 24 and _transit(product, west) == 0
    arrived = StockMovement.objects.get(kind="transfer_in")
    assert (arrived.quantity, arrived.balance_after) == (20, 24)
    assert network_total(product) == total == 55


def test_a_short_receipt_keeps_the_network_total_the_shortfall_in_transit_until_written_off(
    pair,
):
    product, east, east_clerk, west, west_clerk = pair
    total = network_total(product)
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 20)], by=west_clerk
    )
    assert transfer.status == TransferStatus.REQUESTED  # the destination asked
    services.transfer_confirm(transfer=transfer, by=east_clerk)
    services.transfer_ship(transfer=transfer, by=east_clerk)
    line = transfer.lines.get()

    with pytest.raises(ValidationError) as missing_reason:
        services.transfer_receive(transfer=transfer, by=west_clerk, received={line.pk: 17})
    assert f"reason_{line.pk}" in missing_reason.value.message_dict
    assert on_hand(product, west) == 4  # nothing written

    transfer = services.transfer_receive(
        transfer=transfer,
        by=west_clerk,
        received={line.pk: 17},
        reasons={line.pk: "3 cartons crushed in the truck"},
    )
    assert transfer.status == TransferStatus.RECEIVED_SHORT
    assert on_hand(product, west) == 21
    assert _transit(product, west) == 3  # the discrepancy, still in transit
    assert network_total(product) == total  # a short receipt conserves the total
    line.refresh_from_db()
    assert line.short_reason == "3 cartons crushed in the truck"

    transfer = services.transfer_write_off(
        transfer=transfer, by=west_clerk, reason="Carrier accepted the claim"
    )
    assert transfer.status == TransferStatus.CLOSED
    line.refresh_from_db()
    assert (line.shipped, line.received, line.written_off, line.in_transit) == (20, 17, 3, 0)
    # The write-off is the one, explicit, step that lowers the total: by what it names.
    assert network_total(product) == total - line.written_off


def test_the_rest_of_a_short_receipt_can_still_arrive(pair):
    product, east, east_clerk, west, west_clerk = pair
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 10)], by=east_clerk
    )
    services.transfer_confirm(transfer=transfer, by=east_clerk)
    services.transfer_ship(transfer=transfer, by=east_clerk)
    line = transfer.lines.get()
    services.transfer_receive(
        transfer=transfer, by=west_clerk, received={line.pk: 6}, reasons={line.pk: "Split load"}
    )
    transfer = services.transfer_receive(transfer=transfer, by=west_clerk, received={line.pk: 4})
    assert transfer.status == TransferStatus.RECEIVED
    assert on_hand(product, west) == 14 and _transit(product, west) == 0
    with pytest.raises(TransferStateError):
        services.transfer_write_off(transfer=transfer, by=west_clerk, reason="late")


def test_over_receipt_and_wrong_side_are_refused(pair):
    product, east, east_clerk, west, west_clerk = pair
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 10)], by=east_clerk
    )
    with pytest.raises(PermissionDenied):
        services.transfer_confirm(transfer=transfer, by=west_clerk)  # the source confirms
    services.transfer_confirm(transfer=transfer, by=east_clerk)
    services.transfer_ship(transfer=transfer, by=east_clerk)
    line = transfer.lines.get()
    with pytest.raises(ValidationError):
        services.transfer_receive(transfer=transfer, by=west_clerk, received={line.pk: 11})
    with pytest.raises(PermissionDenied):
        services.transfer_receive(transfer=transfer, by=east_clerk, received={line.pk: 10})
    assert on_hand(product, west) == 4


def test_confirm_is_all_or_nothing_and_cancel_releases_the_allocation(pair):
    product, east, east_clerk, west, west_clerk = pair
    other = ProductFactory()
    stock(other, east, 2)
    transfer = services.transfer_create(
        source=east, destination=west, lines=[(product, 10), (other, 5)], by=east_clerk
    )
    with pytest.raises(InsufficientStock):
        services.transfer_confirm(transfer=transfer, by=east_clerk)
    assert figures(product, east) == (51, 0)
    transfer.lines.filter(product=other).delete()
    services.transfer_confirm(transfer=transfer, by=east_clerk)
    assert figures(product, east) == (51, 10)
    transfer = services.transfer_cancel(transfer=transfer, by=west_clerk, reason="Not needed")
    assert transfer.status == TransferStatus.CANCELLED
    assert figures(product, east) == (51, 0)
    assert not StockMovement.objects.filter(kind__startswith="transfer").exists()
    with pytest.raises(TransferStateError):
        services.transfer_ship(transfer=transfer, by=east_clerk)


def test_quantities_are_bounded(pair):
    product, east, east_clerk, west, _ = pair
    for bad in (0, -1, 100_001):
        with pytest.raises(ValidationError):
            services.transfer_create(
                source=east, destination=west, lines=[(product, bad)], by=east_clerk
            )
    with pytest.raises(ValidationError):
        services.transfer_create(source=east, destination=west, lines=[], by=east_clerk)


def test_a_move_between_two_warehouses_of_one_distributor(pair):
    from inventory.models import WarehouseStock
    from inventory.selectors import stock_items_off_their_warehouses
    from inventory.warehouses import warehouse_create, warehouse_default

    product, east, east_clerk, _west, _ = pair
    main = warehouse_default(east)
    annex = warehouse_create(distributor=east, name="Annex", code="ANX", priority=50)
    with pytest.raises(ValidationError):
        services.transfer_create(
            source=east, destination=east, lines=[(product, 5)], by=east_clerk
        )  # default to default: the same warehouse
    transfer = services.transfer_create(
        source=east,
        destination=east,
        lines=[(product, 15)],
        by=east_clerk,
        source_warehouse=main,
        destination_warehouse=annex,
    )
    total = network_total(product)
    services.transfer_confirm(transfer=transfer, by=east_clerk)
    services.transfer_ship(transfer=transfer, by=east_clerk)
    assert on_hand(product, east) == 36 and network_total(product) == total
    services.transfer_receive(
        transfer=transfer, by=east_clerk, received={transfer.lines.get().pk: 15}
    )
    shelves = dict(
        WarehouseStock.objects.filter(
            stock_item__product=product, stock_item__distributor=east
        ).values_list("warehouse_id", "on_hand")
    )
    assert shelves == {main.pk: 36, annex.pk: 15}
    assert on_hand(product, east) == 51 and network_total(product) == total
    assert stock_items_off_their_warehouses(east.pk) == []
    moves = StockMovement.objects.filter(reference=f"transfer:{transfer.pk}")
    assert sorted(moves.values_list("kind", "warehouse_id", "quantity")) == [
        ("transfer_in", annex.pk, 15),
        ("transfer_out", main.pk, -15),
    ]
