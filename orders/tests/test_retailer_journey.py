"""A retailer's B2B morning in headless Chromium, at 1280 and 390 px (#18's journey).

Quick order from a CSV file (one bad row left out), checkout with its own PO
number and a requested delivery date, "order again" from the order it placed,
then a standing order for the same lines. The screenshots go to
artifacts/screenshots (CI keeps them).
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, RetailerUserFactory
from auromart.tests.browser import log_in
from inventory.tests.factories import DistributorFactory
from orders.delivery_dates import earliest_delivery_date
from orders.models import Order
from orders.tests.factories import stocked_product
from standing_orders.models import StandingOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = b"sku,quantity\nJRN-TEA,6\nJRN-RICE,4\nJRN-NONE,1\n"


def _bad_request_logged(watched) -> None:
    """A form with errors answers 400 (as every form does); Chromium logs that status."""
    watched.console_errors[:] = [e for e in watched.console_errors if "400 (Bad Request)" not in e]


@pytest.mark.parametrize("width", [1280, 390])
def test_quick_order_po_number_delivery_date_order_again_and_standing_order(
    open_page, live_server, width
):
    depot = DistributorFactory(name="Depot Journey")
    DistributorFactory(name="Depot Elsewhere")  # so the standing order asks which
    stocked_product(distributor=depot, sku="JRN-TEA", name="Assam tea, 250 g")
    stocked_product(distributor=depot, sku="JRN-RICE", name="Basmati rice, 5 kg")
    retailer = RetailerUserFactory(email=f"journey{width}@browser.test")
    watched = open_page()
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    shop = f"/retailer/distributors/{depot.pk}/"
    log_in(watched, base, retailer.email, DEFAULT_PASSWORD, f"{shop}quick-order/")

    # 1. Quick order from a CSV file: the unknown SKU is named, the rest goes in.
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "restock.csv", "mimeType": "text/csv", "buffer": CSV}],
    )
    page.get_by_role("button", name="Check the rows").click()
    expect(page.locator("#quick-errors")).to_contain_text("JRN-NONE")
    expect(page.locator("#quick-lines")).to_contain_text("JRN-RICE")
    _bad_request_logged(watched)
    watched.screenshot(f"journey-quick-order-{width}")
    page.locator("#quick-add").click()
    page.wait_for_load_state()

    # 2. Checkout with the buyer's PO number and a requested delivery date.
    page.goto(f"{base}{shop}checkout/")
    page.get_by_label("Your PO number (optional)").fill("PO-JRN-4711")
    day = earliest_delivery_date(depot)
    page.get_by_label("Requested delivery date (optional)").fill(day.isoformat())
    watched.screenshot(f"journey-checkout-{width}")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_load_state()
    order = Order.objects.get(customer=retailer)
    assert order.buyer_reference == "PO-JRN-4711"
    assert order.requested_delivery_date == day
    assert {item.product.sku: item.quantity for item in order.items.all()} == {
        "JRN-TEA": 6,
        "JRN-RICE": 4,
    }

    # 3. Order again from the order's page: the lines go back into the cart.
    page.goto(f"{base}/retailer/orders/{order.number}/")
    expect(page.get_by_text("PO-JRN-4711").first).to_be_visible()
    watched.screenshot(f"journey-order-{width}")
    page.get_by_role("button", name="Order again from Depot Journey").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Assam tea, 250 g").first).to_be_visible()
    expect(page.get_by_text("Basmati rice, 5 kg").first).to_be_visible()
    watched.screenshot(f"journey-order-again-{width}")

    # 4. The same lines as a weekly standing order.
    page.goto(f"{base}/standing-orders/")
    page.get_by_role("link", name="New standing order").click()
    page.get_by_label("Name").fill("Weekly tea and rice")
    page.get_by_label("Order from").select_option(label="Depot Journey")
    page.get_by_label("Next run").fill(timezone.localdate().isoformat())
    page.get_by_label("Deliver to").fill("Shop 4, 80 Feet Road, Koramangala, Bengaluru")
    page.get_by_label("Lines").fill("JRN-TEA, 6\nJRN-RICE, 4")
    page.get_by_role("button", name="Set up standing order").click()
    expect(page.get_by_text("Weekly tea and rice is set up.")).to_be_visible()
    watched.screenshot(f"journey-standing-order-{width}")
    standing = StandingOrder.objects.get(buyer=retailer)
    assert {line.product.sku: line.quantity for line in standing.lines.all()} == {
        "JRN-TEA": 6,
        "JRN-RICE": 4,
    }
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    watched.assert_clean()
