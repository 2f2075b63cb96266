"""Checkout with a PO number, a delivery date and points, the order page and the points page,
in headless Chromium at 1280 and 390 px (#18 §3, §5); screenshots under artifacts/."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import CustomerFactory
from inventory.tests.factories import DistributorFactory
from loyalty.models import EntryKind, LoyaltyAccount
from loyalty.services import _write
from loyalty.tests.factories import loyalty_on
from orders.delivery_dates import earliest_delivery_date
from orders.models import Order
from orders.tests.factories import stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)


def test_checkout_order_and_points_pages_at_both_widths(watched_page, live_server, settings):
    loyalty_on(point_value=Decimal("0.50"), max_redeem_percent=Decimal("20"))
    store = DistributorFactory(name="AuroMart Central Store", is_default_store=True, state="27")
    lamp = stocked_product(
        distributor=store, on_hand=20, name="Brass Desk Lamp", price=Decimal("1250.00")
    )
    customer = CustomerFactory(name="Priya Shah")
    account, _ = LoyaltyAccount.objects.get_or_create(user=customer)
    _write(account=account, kind=EntryKind.EARN, points=640, dedup_key=None, note="Welcome")
    client = Client()
    client.force_login(customer)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = watched_page.page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    base = live_server.url
    wanted = earliest_delivery_date(store) + datetime.timedelta(days=3)
    while wanted.weekday() == 6:
        wanted += datetime.timedelta(days=1)

    client.post(f"/customer-portal/cart/add/{lamp.pk}/", {"quantity": 2})
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/customer-portal/checkout/")
        page.get_by_label("Delivery address").fill("14 Hill Road, Bandra\nMumbai 400050")
        page.get_by_label("State").select_option("27")
        page.get_by_label("Your PO number (optional)").fill("PO-ACME-2026-118")
        page.get_by_label("Requested delivery date (optional)").fill(wanted.isoformat())
        page.get_by_label("Points to use").fill("300")
        watched_page.screenshot(f"buyer-terms-checkout-{width}")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(f"{base}/customer-portal/orders/*/confirmation/")
    order = Order.objects.get()
    assert order.buyer_reference == "PO-ACME-2026-118"
    assert order.requested_delivery_date == wanted
    assert order.loyalty_discount == Decimal("150.00")

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/customer-portal/orders/{order.number}/")
        assert page.locator("#order-po-number").inner_text() == "PO-ACME-2026-118"
        assert page.locator("#order-loyalty-discount").is_visible()
        watched_page.screenshot(f"buyer-terms-order-{width}")
        page.goto(f"{base}/loyalty/")
        assert page.get_by_test_id("points-balance").inner_text() == "340 points"
        watched_page.screenshot(f"buyer-terms-points-{width}")
    watched_page.assert_clean()
