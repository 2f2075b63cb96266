"""A retailer sets up a standing order in headless Chromium, at 1280 and 390 px."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, RetailerUserFactory
from auromart.tests.browser import log_in
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import stocked_product
from standing_orders.models import StandingOrder
from standing_orders.runs import standing_order_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_retailer_sets_up_edits_and_pauses_a_standing_order(open_page, live_server, width):
    depot = DistributorFactory(name="Depot West")
    DistributorFactory(name="Depot East")
    stocked_product(distributor=depot, sku="TEA-500", name="Assam tea, 500 g")
    stocked_product(distributor=depot, sku="RICE-5K", name="Sona masoori rice, 5 kg", on_hand=2)
    retailer = RetailerUserFactory(email=f"buyer{width}@browser.test")
    watched = open_page()
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(watched, base, retailer.email, DEFAULT_PASSWORD, "/standing-orders/")
    expect(page.get_by_text("You have no standing orders yet.")).to_be_visible()

    page.get_by_role("link", name="New standing order").click()
    page.get_by_label("Name").fill("Weekly restock")
    page.get_by_label("Order from").select_option(label="Depot West")
    page.get_by_label("Next run").fill(timezone.localdate().isoformat())
    page.get_by_label("Deliver to").fill("Shop 4, 80 Feet Road, Koramangala, Bengaluru")
    page.get_by_label("Lines").fill("TEA-500, 12\nRICE-5K, 0\nNOPE, 1")
    page.get_by_role("button", name="Set up standing order").click()
    expect(page.get_by_text("Row 2: the quantity must be a whole number")).to_be_visible()
    expect(page.get_by_text("Row 3: no product has the SKU NOPE.")).to_be_visible()
    watched.screenshot(f"standing-order-form-errors-{width}")
    # The form with errors answers 400 (as the other forms do); Chromium logs that status.
    assert len(watched.console_errors) == 1 and "400 (Bad Request)" in watched.console_errors[0]
    watched.console_errors.clear()
    page.get_by_label("Lines").fill("TEA-500, 12\nRICE-5K, 4")
    page.get_by_role("button", name="Set up standing order").click()
    expect(page.get_by_text("Weekly restock is set up.")).to_be_visible()

    so = StandingOrder.objects.get()
    standing_order_run(standing_order_id=so.pk)  # the beat's run of today
    page.reload()
    expect(page.locator("#runs")).to_contain_text("Order placed")
    expect(page.locator("#runs")).to_contain_text("RICE-5K left out: only 2 available")
    watched.screenshot(f"standing-order-detail-{width}")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("nothing runs until you resume it")).to_be_visible()
    page.goto(f"{base}/standing-orders/")
    expect(page.get_by_role("link", name="Weekly restock")).to_be_visible()
    watched.screenshot(f"standing-order-list-{width}")
    next_week = (timezone.localdate() + datetime.timedelta(days=7)).strftime("%a %-d %b %Y")
    expect(page.get_by_text(next_week)).to_be_visible()
    watched.assert_clean()
