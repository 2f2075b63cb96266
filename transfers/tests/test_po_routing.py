"""A purchase order whose supplier is a distributor (#23 §3): fulfilled as a transfer.

It lowers the supplier's stock when it ships, raises the buyer's on receipt, and
counts once in the buyer's `incoming` all along; the supplier's tax invoice follows
the #15 rules (intra-state CGST + SGST, inter-state IGST).
"""

from decimal import Decimal

import pytest

from accounts.tests.factories import OrganizationFactory, supplies
from catalog.tests.factories import ProductFactory
from inventory.models import StockMovement
from orders.tests.factories import place_order
from procurement import selectors as procurement_selectors
from procurement import services as procurement_services
from procurement.exceptions import PurchaseOrderStateError
from procurement.models import POStatus, ProcurementRequest, RequestStatus
from procurement.tests.factories import procurement_staff
from transfers import services
from transfers.models import TransferOrder, TransferStatus

from .factories import distributor_with_member, figures, network_total, stock

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def po_to_distributor():
    maker = OrganizationFactory(kind="manufacturer", name="Gen Mills")
    eastern, eastern_clerk = distributor_with_member(
        name="Eastern Distribution Co.", state="WB", gstin=""
    )
    central, central_clerk = distributor_with_member(name="Central Store", state="MP")
    supplies(maker, eastern, central)
    product = ProductFactory(
        sku="GEN-0036",
        manufacturer=maker,
        supplier=eastern,
        reorder_level=10,
        reorder_quantity=10,
        cost_price=Decimal("100.00"),
        price=Decimal("150.00"),
    )
    stock(product, eastern, 51)
    stock(product, central, 14)
    staff = procurement_staff()
    place_order(distributor=central, lines=[(product, 5)])  # 9 left: a request for 10
    request = ProcurementRequest.objects.get()
    assert request.supplier == eastern
    po = procurement_services.procurement_request_approve(request=request, by=staff)
    return product, eastern, eastern_clerk, central, central_clerk, staff, po


def _incoming(product, central):
    return procurement_selectors.incoming_quantity(product_id=product.pk, distributor_id=central.pk)


def test_po_to_a_distributor_ships_from_its_stock_and_counts_once_in_incoming(
    po_to_distributor,
):
    product, eastern, eastern_clerk, central, central_clerk, _staff, po = po_to_distributor
    total = network_total(product)
    # The supplier distributor got it as an incoming transfer request, line for line.
    transfer = TransferOrder.objects.get(purchase_order=po)
    assert (transfer.source, transfer.destination) == (eastern, central)
    assert transfer.status == TransferStatus.REQUESTED
    [line] = transfer.lines.all()
    assert line.po_line == po.lines.get() and line.quantity == 10
    assert _incoming(product, central) == 10

    services.transfer_confirm(transfer=transfer, by=eastern_clerk)
    po.refresh_from_db()
    assert po.status == POStatus.CONFIRMED  # confirming the transfer answers the PO
    assert figures(product, eastern) == (51, 10)  # allocated at the supplier
    assert _incoming(product, central) == 10

    services.transfer_ship(transfer=transfer, by=eastern_clerk)
    assert figures(product, eastern) == (41, 0)  # the supplier's stock drops when it ships
    assert figures(product, central)[0] == 14  # (5 of them allocated to the order)
    assert _incoming(product, central) == 10  # in transit: still the PO line, counted once
    assert network_total(product) == total

    transfer = services.transfer_receive(
        transfer=transfer, by=central_clerk, received={line.pk: 10}
    )
    assert figures(product, central)[0] == 24  # raised on receipt
    assert _incoming(product, central) == 0
    assert network_total(product) == total
    po.refresh_from_db()
    assert po.status == POStatus.RECEIVED
    receipt = po.receipts.get()
    assert [(rl.po_line_id, rl.quantity) for rl in receipt.lines.all()] == [(line.po_line_id, 10)]
    assert ProcurementRequest.objects.get(pk=line.po_line.request_id).status == (
        RequestStatus.FULFILLED
    )
    kinds = set(
        StockMovement.objects.filter(reference=f"transfer:{transfer.pk}").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"transfer_out", "transfer_in"}
    assert not StockMovement.objects.filter(kind="receipt").exists()  # nothing from nothing


def test_the_supplier_distributors_tax_invoice_is_inter_state_igst(po_to_distributor):
    _product, _eastern, eastern_clerk, _central, _c, _s, po = po_to_distributor
    transfer = TransferOrder.objects.get(purchase_order=po)
    services.transfer_confirm(transfer=transfer, by=eastern_clerk)
    transfer = services.transfer_ship(transfer=transfer, by=eastern_clerk)
    line = transfer.lines.get()
    rate = po.lines.get().tax_rate
    assert transfer.invoice_number.startswith("INV-")
    assert (transfer.seller_state, transfer.place_of_supply) == ("WB", "MP")
    assert transfer.taxable_total == Decimal("1000.00") == line.taxable
    assert transfer.igst == (Decimal("1000.00") * rate).quantize(Decimal("0.01"))
    assert transfer.cgst == transfer.sgst == 0


def test_staff_cannot_book_a_distributor_pos_goods_from_nothing(po_to_distributor):
    product, _e, _ec, central, _cc, staff, po = po_to_distributor
    with pytest.raises(PurchaseOrderStateError):
        procurement_services.purchase_order_receive(
            purchase_order=po, lines=[(product.pk, 10)], by=staff
        )
    assert figures(product, central)[0] == 14  # (5 of them allocated to the order)


def test_cancelling_the_po_cancels_its_transfer_and_releases_the_allocation(
    po_to_distributor,
):
    product, eastern, eastern_clerk, _c, _cc, staff, po = po_to_distributor
    transfer = TransferOrder.objects.get(purchase_order=po)
    services.transfer_confirm(transfer=transfer, by=eastern_clerk)
    procurement_services.purchase_order_cancel(purchase_order=po, by=staff, reason="Not needed")
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.CANCELLED
    assert figures(product, eastern) == (51, 0)


def test_a_short_transfer_written_off_closes_the_po_short(po_to_distributor):
    product, _eastern, eastern_clerk, central, central_clerk, _s, po = po_to_distributor
    transfer = TransferOrder.objects.get(purchase_order=po)
    services.transfer_confirm(transfer=transfer, by=eastern_clerk)
    services.transfer_ship(transfer=transfer, by=eastern_clerk)
    line = transfer.lines.get()
    services.transfer_receive(
        transfer=transfer, by=central_clerk, received={line.pk: 7}, reasons={line.pk: "Damaged"}
    )
    assert _incoming(product, central) == 3  # the PO line's outstanding, still incoming
    services.transfer_write_off(transfer=transfer, by=central_clerk, reason="Carrier claim")
    po.refresh_from_db()
    assert po.status == POStatus.CLOSED_SHORT
    assert po.lines.get().quantity_short == 3
    assert _incoming(product, central) == 0


def test_the_invoice_follows_the_warehouses_states_not_the_organizations(po_to_distributor):
    from inventory.warehouses import warehouse_default

    _product, _eastern, eastern_clerk, central, _cc, _s, po = po_to_distributor
    # Central's receiving warehouse is in West Bengal too: intra-state, CGST + SGST.
    receiving = warehouse_default(central)
    receiving.state = "WB"
    receiving.save(update_fields=["state"])
    transfer = TransferOrder.objects.get(purchase_order=po)
    services.transfer_confirm(transfer=transfer, by=eastern_clerk)
    transfer = services.transfer_ship(transfer=transfer, by=eastern_clerk)
    assert (transfer.seller_state, transfer.place_of_supply) == ("WB", "WB")
    assert transfer.igst == 0 and transfer.cgst == transfer.sgst > 0
