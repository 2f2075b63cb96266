"""Two distributors move stock through the transfer pages in headless Chromium, at 1280 and
390 px: written, confirmed, shipped, received short with a reason."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, DistributorUserFactory
from auromart.tests.browser import log_in
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_transfer_between_two_distributors_through_the_pages(open_page, live_server, width):
    east = DistributorFactory(name="Eastern Distribution Co.")
    west = DistributorFactory(name="Western Depot")
    stocked_product(distributor=east, sku="GEN-0036", name="Basmati rice, 5 kg", on_hand=51)
    sender = DistributorUserFactory(organization=east, email=f"east{width}@browser.test")
    receiver = DistributorUserFactory(organization=west, email=f"west{width}@browser.test")
    base = live_server.url

    watched = open_page()
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(watched, base, sender.email, DEFAULT_PASSWORD, "/distributor/transfers/")
    page.get_by_role("link", name="New transfer").click()
    page.get_by_label("Other distributor").select_option(label="Western Depot")
    page.get_by_label("Lines").fill("GEN-0036, 20")
    watched.screenshot(f"transfer-form-{width}")
    page.get_by_role("button", name="Write the transfer").click()
    expect(page.get_by_text("written.")).to_be_visible()
    page.get_by_role("button", name="Confirm and allocate").click()
    expect(page.get_by_text("confirmed: the units are allocated")).to_be_visible()
    page.get_by_label("Tracking reference").fill("LR-2231")
    page.get_by_role("button", name="Ship: the units leave our shelf").click()
    expect(page.get_by_text("shipped: the units are in transit")).to_be_visible()
    assert no_sideways_scroll(page)
    watched.screenshot(f"transfer-detail-shipped-{width}")
    watched.assert_clean()

    other = open_page()
    page = other.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(other, base, receiver.email, DEFAULT_PASSWORD, "/distributor/transfers/")
    assert no_sideways_scroll(page)
    other.screenshot(f"transfer-list-{width}")
    page.get_by_role("link", name="TR-").first.click()
    page.get_by_label("GEN-0036 received").fill("17")
    page.get_by_label("GEN-0036: why short").fill("3 cartons crushed")
    page.get_by_role("button", name="Book what arrived").click()
    expect(page.get_by_text("Short: 3 cartons crushed")).to_be_visible()
    assert no_sideways_scroll(page)
    other.screenshot(f"transfer-detail-short-{width}")
    other.assert_clean()
