"""A return in headless Chromium at 1280 and 390 px: the buyer asks from the delivered
order's page (with a bound error first), the distributor receives it; no sideways scroll."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory, DistributorUserFactory
from auromart.tests.browser import log_in
from invoicing.tests.factories import deliver
from orders.tests.factories import place_order, stocked_product
from returns.models import ReturnRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_a_buyer_returns_two_units_and_the_distributor_receives_them(open_page, live_server, width):
    member = DistributorUserFactory(
        email=f"depot{width}@browser.test", organization__name="Depot West"
    )
    depot = member.organization
    depot.is_default_store = True
    depot.save()
    lamp = stocked_product(distributor=depot, sku="LAMP-CEDAR", name="Cedar table lamp")
    kettle = stocked_product(distributor=depot, sku="KET-STEEL", name="Steel kettle, 1.5 l")
    buyer = CustomerFactory(email=f"buyer{width}@browser.test")
    order = deliver(place_order(customer=buyer, distributor=depot, lines=[(lamp, 5), (kettle, 2)]))
    lamp_line = order.items.get(product=lamp)
    base = live_server.url

    watched = open_page()
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(watched, base, buyer.email, DEFAULT_PASSWORD, f"/customer-portal/orders/{order.number}/")
    page.get_by_role("link", name="Request a return").click()
    page.locator(f"#id_quantity_{lamp_line.pk}").fill("2")
    page.get_by_role("button", name="Request the return").click()
    expect(page.get_by_text("Say why you return it.")).to_be_visible()
    assert len(watched.console_errors) == 1 and "400 (Bad Request)" in watched.console_errors[0]
    watched.console_errors.clear()
    page.locator(f"#id_reason_{lamp_line.pk}").select_option("defective")
    page.locator(f"#id_note_{lamp_line.pk}").fill("The switch does not click.")
    fits(page, width)
    watched.screenshot(f"return-request-{width}")
    page.get_by_role("button", name="Request the return").click()
    expect(page.locator("#return-status")).to_have_text("Requested")
    fits(page, width)
    watched.screenshot(f"return-buyer-detail-{width}")
    watched.assert_clean()

    rma = ReturnRequest.objects.get()
    seller = open_page()
    page = seller.page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(seller, base, member.email, DEFAULT_PASSWORD, "/distributor/returns/")
    page.get_by_role("link", name=rma.number).click()
    fits(page, width)
    seller.screenshot(f"return-distributor-requested-{width}")
    page.get_by_role("button", name="Approve the return").click()
    expect(page.locator("#return-status")).to_have_text("Approved")
    line = rma.lines.get()
    page.locator(f"#id_restock_{line.pk}").fill("1")
    page.locator(f"#id_damaged_{line.pk}").fill("1")
    fits(page, width)
    seller.screenshot(f"return-distributor-receive-{width}")
    page.get_by_role("button", name="Receive").click()
    expect(page.locator("#return-status")).to_have_text("Received")
    expect(page.locator("#return-lines")).to_contain_text("Back in stock")
    fits(page, width)
    seller.screenshot(f"return-distributor-received-{width}")
    seller.assert_clean()
