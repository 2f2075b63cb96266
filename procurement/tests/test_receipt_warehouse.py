"""Goods receipt into a chosen warehouse of the buyer distributor (#23 §1): the service, the
admin's receive page and the API; the default is the buyer's default warehouse, and a
warehouse of another distributor (or a closed one) is refused with nothing written."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from catalog.tests.factories import ProductFactory
from inventory.models import StockItem, StockMovement, WarehouseStock
from inventory.tests.factories import DistributorFactory, StockItemFactory
from inventory.warehouses import warehouse_create, warehouse_default, warehouse_update
from orders.tests.factories import place_order
from procurement import services
from procurement.models import GoodsReceipt, ProcurementRequest, PurchaseOrder

from .factories import procurement_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_with_two_warehouses():
    """A sent PO for 30 units to a distributor with a main and a second warehouse."""
    buyer = DistributorFactory(name="Deccan Distribution")
    main = warehouse_default(buyer)
    annex = warehouse_create(distributor=buyer, name="Annex", code="ANX", priority=5)
    product = ProductFactory(reorder_level=10, reorder_quantity=30)
    StockItemFactory(product=product, distributor=buyer, on_hand=11)
    place_order(distributor=buyer, lines=[(product, 2)])
    staff = procurement_staff()
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)
    return po, product, buyer, main, annex, staff


def _shelf(product, warehouse) -> int:
    row = WarehouseStock.objects.filter(stock_item__product=product, warehouse=warehouse).first()
    return row.on_hand if row else 0


def test_the_receipt_books_into_the_chosen_warehouse_or_the_default(po_with_two_warehouses):
    po, product, buyer, main, annex, staff = po_with_two_warehouses
    services.purchase_order_receive(
        purchase_order=po, lines=[(product.pk, 10)], by=staff, warehouse=annex
    )
    assert (_shelf(product, main), _shelf(product, annex)) == (11, 10)
    assert StockMovement.objects.get(kind="receipt").warehouse == annex

    services.purchase_order_receive(purchase_order=po, lines=[(product.pk, 5)], by=staff)
    assert (_shelf(product, main), _shelf(product, annex)) == (16, 10)
    assert StockItem.objects.get(product=product, distributor=buyer).on_hand == 26


def test_another_distributors_or_a_closed_warehouse_is_refused(po_with_two_warehouses):
    po, product, _buyer, _main, annex, staff = po_with_two_warehouses
    elsewhere = warehouse_default(DistributorFactory(name="Other Depot"))
    with pytest.raises(ValidationError) as foreign:
        services.purchase_order_receive(
            purchase_order=po, lines=[(product.pk, 10)], by=staff, warehouse=elsewhere
        )
    assert "warehouse" in foreign.value.message_dict
    warehouse_update(warehouse=annex, is_active=False)
    with pytest.raises(ValidationError) as closed:
        services.purchase_order_receive(
            purchase_order=po, lines=[(product.pk, 10)], by=staff, warehouse=annex.pk
        )
    assert "closed" in closed.value.message_dict["warehouse"][0]
    assert not GoodsReceipt.objects.exists()
    assert not StockMovement.objects.filter(kind="receipt").exists()


def test_the_admin_receive_page_offers_the_buyers_warehouses(po_with_two_warehouses):
    po, product, _buyer, main, annex, staff = po_with_two_warehouses
    elsewhere = warehouse_default(DistributorFactory(name="Other Depot"))
    client = Client()
    client.force_login(staff)
    url = f"/admin/procurement/purchaseorder/{po.pk}/receive/"
    line = po.lines.get()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{main.pk}" selected>' in html  # the default, preselected
    assert f'<option value="{annex.pk}">' in html
    assert f'value="{elsewhere.pk}"' not in html

    refused = client.post(url, {f"line_{line.pk}": "10", "warehouse": str(elsewhere.pk)})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not GoodsReceipt.objects.exists()

    booked = client.post(url, {f"line_{line.pk}": "10", "warehouse": str(annex.pk)})
    assert booked.status_code == 302
    assert (_shelf(product, main), _shelf(product, annex)) == (11, 10)


def test_the_api_receives_into_the_chosen_warehouse_and_400s_on_anothers(
    po_with_two_warehouses,
):
    po, product, _buyer, main, annex, staff = po_with_two_warehouses
    elsewhere = warehouse_default(DistributorFactory(name="Other Depot"))
    client = APIClient()
    client.force_authenticate(staff)
    url = f"/api/admin/procurement/purchase-orders/{po.pk}/receive"
    lines = [{"product_id": product.pk, "quantity": 10}]

    for bad in (elsewhere.pk, 2_147_483_648, 0, "main"):
        refused = client.post(url, {"lines": lines, "warehouse": bad}, "json")
        assert refused.status_code == 400, bad
        assert "warehouse" in refused.json()["errors"]
    assert not GoodsReceipt.objects.exists()

    booked = client.post(url, {"lines": lines, "warehouse": annex.pk}, "json")
    assert booked.status_code == 201
    assert (_shelf(product, main), _shelf(product, annex)) == (11, 10)
    default = client.post(url, {"lines": [{"product_id": product.pk, "quantity": 5}]}, "json")
    assert default.status_code == 201
    assert (_shelf(product, main), _shelf(product, annex)) == (16, 10)
    assert PurchaseOrder.objects.get(pk=po.pk).receipts.count() == 2
