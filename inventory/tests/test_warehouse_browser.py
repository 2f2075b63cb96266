"""The warehouses and inventory pages at 1280 and 390 px: no sideways scroll, screenshots."""

import pytest
from django.test import Client

from accounts.gst import gstin_check_character
from accounts.tests.factories import DistributorUserFactory
from catalog.tests.factories import ProductFactory
from inventory.services import stock_receive
from inventory.tests.factories import DistributorFactory
from inventory.warehouses import warehouse_create, warehouse_default, warehouse_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_WIDTH = "() => document.documentElement.scrollWidth"


def gstin(state: str) -> str:
    first14 = f"{state}AABCD1234F1Z"
    return first14 + gstin_check_character(first14)


def test_warehouses_and_inventory_pages_fit_1280_and_390_px(watched_page, live_server, settings):
    depot = DistributorFactory(name="Deccan Distribution", state="27", gstin=gstin("27"))
    clerk = DistributorUserFactory(organization=depot)
    pune = warehouse_default(depot)
    warehouse_update(warehouse=pune, name="Pune godown", address="Plot 12, Chakan MIDC, Pune")
    blr = warehouse_create(
        distributor=depot,
        name="Bengaluru godown",
        code="BLR",
        address="KIADB Industrial Area, Hoskote, Bengaluru",
        state="29",
        gstin=gstin("29"),
        priority=2,
    )
    for name, here, there in [("Assam tea 1 kg", 40, 25), ("Sona masoori rice 25 kg", 6, 80)]:
        product = ProductFactory(name=name)
        stock_receive(product=product, distributor=depot, quantity=here, reference="po:1")
        stock_receive(
            product=product, distributor=depot, quantity=there, reference="po:2", warehouse=blr
        )

    client = Client()
    client.force_login(clerk)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = watched_page.page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for path, name in (
            ("/distributor/warehouses/", "warehouses"),
            ("/distributor/inventory/", "inventory-by-warehouse"),
            (f"/distributor/warehouses/{blr.pk}/", "warehouse-edit"),
        ):
            page.goto(f"{live_server.url}{path}")
            watched_page.screenshot(f"{name}-{width}")
            assert page.evaluate(PAGE_WIDTH) <= width, (path, width)
        assert "Bengaluru godown" in page.content()
    page.goto(f"{live_server.url}/distributor/inventory/")
    assert "Bengaluru godown" in page.inner_text("main")
    watched_page.assert_clean()
