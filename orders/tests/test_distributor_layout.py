"""The distributor's order list fits 1280 px: every column shows without a sideways scroll."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import place_order, stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE = """() => {
  const table = document.querySelector('main table.order-table');
  const box = table.closest('.table-responsive') || table.parentElement;
  return {
    page: document.documentElement.scrollWidth,
    table: table.getBoundingClientRect().right,
    box: box.getBoundingClientRect().right,
    boxScroll: box.scrollWidth - box.clientWidth,
    rows: table.querySelectorAll('tbody tr').length,
  };
}"""


def test_the_order_list_fits_1280_px_with_long_names_and_big_totals(
    watched_page, live_server, settings
):
    store = DistributorFactory(name="Deccan Distribution")
    staff = DistributorUserFactory(organization=store)
    products = [
        stocked_product(
            distributor=store,
            on_hand=1_000,
            price=Decimal("99999.00"),
            name=f"CloudRest Orthopedic Memory Foam Mattress, King {n}-inch",
        )
        for n in range(3)
    ]
    for n in range(12):
        buyer = CustomerFactory(name=f"Srinivasaraghavan Venkataramanan {n}")
        place_order(customer=buyer, distributor=store, lines=[(p, 5) for p in products])

    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = watched_page.page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/distributor/orders/")
    sizes = page.evaluate(MEASURE)
    watched_page.screenshot("distributor-orders-1280")
    assert sizes["rows"] == 12, sizes
    assert sizes["page"] <= 1280, sizes
    # Not hidden in the scrolling wrapper either: the last column (Promised) shows.
    assert sizes["boxScroll"] == 0 and sizes["table"] <= sizes["box"] + 1, sizes
    watched_page.assert_clean()
