"""A buyer's order page on a phone: the totals' amounts stay on one line beside their labels."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import place_order, stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each amount cell of the totals: on how many lines its text is laid out.
AMOUNT_LINES = """() => [...document.querySelectorAll('main table tfoot td')].map(td => {
  const range = document.createRange();
  range.selectNodeContents(td);
  const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  return {text: td.innerText.trim(), lines: tops.size};
})"""


def test_the_totals_of_a_big_order_stay_on_one_line_at_390_px(watched_page, live_server, settings):
    seller = DistributorFactory(state="27", gstin="")
    buyer = RetailerUserFactory()
    buyer.organization.state = "27"
    buyer.organization.save(update_fields=["state"])
    products = [
        stocked_product(distributor=seller, on_hand=100, price=Decimal("41999.00"))
        for _ in range(3)
    ]
    order = place_order(
        customer=buyer,
        distributor=seller,
        lines=[(p, 9) for p in products],
        shipping_state="27",
    )
    assert order.place_of_supply and order.subtotal > Decimal("100000")

    client = Client()
    client.force_login(buyer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = watched_page.page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/retailer/orders/{order.number}/")
    amounts = page.evaluate(AMOUNT_LINES)
    watched_page.screenshot("retailer-order-totals-390")
    assert len(amounts) >= 3, amounts  # subtotal, tax, total
    assert [a for a in amounts if a["lines"] != 1] == [], amounts
    watched_page.assert_clean()
