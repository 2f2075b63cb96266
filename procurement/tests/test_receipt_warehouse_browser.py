"""The admin's receive page in headless Chromium, at 1280 and 390 px: staff pick the buyer's
second warehouse and book the delivery there."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from catalog.tests.factories import ProductFactory
from inventory.models import WarehouseStock
from inventory.tests.factories import DistributorFactory, StockItemFactory
from inventory.warehouses import warehouse_create, warehouse_default
from orders.tests.factories import place_order
from procurement import services
from procurement.models import ProcurementRequest

from .factories import procurement_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_receive_a_delivery_into_the_chosen_warehouse(open_page, live_server, width):
    buyer = DistributorFactory(name="Deccan Distribution")
    main = warehouse_default(buyer)
    annex = warehouse_create(distributor=buyer, name="Nashik annex", code="NSK", priority=5)
    product = ProductFactory(sku="GEN-0301", reorder_level=10, reorder_quantity=30)
    StockItemFactory(product=product, distributor=buyer, on_hand=11)
    place_order(distributor=buyer, lines=[(product, 2)])
    staff = procurement_staff(email=f"receiver{width}@browser.test")
    po = services.procurement_request_approve(request=ProcurementRequest.objects.get(), by=staff)

    watched = open_page()
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    receive = f"/admin/procurement/purchaseorder/{po.pk}/receive/"
    page.goto(f"{live_server.url}/admin/login/?next={receive}")
    page.locator("#id_username").fill(staff.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**{receive}")
    assert page.locator("#id_warehouse").input_value() == str(main.pk)  # the default
    page.locator("#id_warehouse").select_option(label="Nashik annex")
    page.locator(f"#id_line_{po.lines.get().pk}").fill("12")
    watched.screenshot(f"admin-po-receive-warehouse-{width}")
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**/admin/procurement/purchaseorder/{po.pk}/change/")
    assert "Receipt booked" in page.content()
    watched.assert_clean()
    row = WarehouseStock.objects.get(stock_item__product=product, warehouse=annex)
    assert row.on_hand == 12
