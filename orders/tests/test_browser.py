"""The customer portal end to end in headless Chromium: search, cart, checkout, history."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory
from catalog.tests.factories import CategoryFactory
from inventory.models import StockItem
from inventory.services import stock_adjust
from inventory.tests.factories import DistributorFactory
from orders import views as buying_views
from orders.models import Order
from orders.tests.factories import stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_add_to_cart_checkout_and_history(watched_page, live_server, monkeypatch):
    # The live server runs in this process: poll the stock every second, not every 20.
    monkeypatch.setattr(buying_views, "STOCK_POLL_SECONDS", 1)
    store = DistributorFactory(name="Browser Store", is_default_store=True)
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    lamp = stocked_product(
        distributor=store,
        on_hand=10,
        name="Brass Desk Lamp",
        category=lighting,
        price=Decimal("1000.00"),
    )
    stocked_product(distributor=store, name="Floor Lamp Shade", category=kitchen)
    stocked_product(distributor=store, name="Copper Kettle", category=kitchen)
    customer = CustomerFactory(email="shopper@browser.test", name="Sam Shopper")

    page = watched_page.page
    base = live_server.url
    cart_badge = page.locator("#main-nav .cart-count")

    # The catalog, as a visitor.
    page.goto(f"{base}/customer-portal/")
    assert page.get_by_role("heading", name="Shop").is_visible()
    assert page.locator(".product-card").count() == 3
    watched_page.screenshot("portal-01-catalog")

    # Search (htmx swaps the grid and keeps the URL shareable).
    page.get_by_label("Search").fill("lamp")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=lamp"))
    expect(page.locator(".product-card")).to_have_count(2)
    watched_page.screenshot("portal-02-search")

    # Filter by category.
    page.get_by_label("Category").select_option(label="Lighting")
    page.wait_for_url(re.compile(r"category=lighting"))
    expect(page.locator(".product-card")).to_have_count(1)
    card = page.locator(".product-card", has_text="Brass Desk Lamp")
    assert card.get_by_text("10 in stock").is_visible()
    watched_page.screenshot("portal-03-category")

    # Stock arrives: the badge follows without a reload.
    page.evaluate("window.noReload = true")
    stock_adjust(
        stock_item=StockItem.objects.get(product=lamp, distributor=store), delta=5, note="test"
    )
    card.get_by_text("15 in stock").wait_for()
    assert page.evaluate("window.noReload") is True

    # Add to cart without leaving the page; the navbar badge follows.
    card.get_by_role("button", name=re.compile("^Add ")).scroll_into_view_if_needed()
    box = card.bounding_box()
    card.get_by_role("button", name="Add Brass Desk Lamp to the cart").click()
    toast = page.locator("#toast-region .toast")
    toast.get_by_text("Added 1.").wait_for()
    expect(toast).to_contain_text("1 \u00d7 Brass Desk Lamp")  # the mini-cart
    assert card.bounding_box() == box  # the toast is fixed: the grid does not move
    assert cart_badge.inner_text().startswith("1")
    assert "category=lighting" in page.url
    watched_page.screenshot("portal-04-added")

    # The cart; changing the quantity updates the totals in place.
    page.locator("#main-nav").get_by_role("link", name=re.compile(r"^Cart")).click()
    page.wait_for_url(f"{base}/customer-portal/cart/")
    total = page.locator("#cart-total")
    assert total.inner_text() == "₹1,180.00"
    watched_page.screenshot("portal-05-cart")
    page.evaluate("window.noReload = 'cart'")
    quantity = page.get_by_label("Qty")
    quantity.fill("3")
    quantity.press("Tab")
    # Not wait_for_function: Playwright evaluates its string with eval, which the CSP forbids.
    expect(total).to_have_text("₹3,540.00")
    assert page.evaluate("window.noReload") == "cart"  # no navigation happened
    assert page.locator(f"#line-total-{lamp.pk}").inner_text() == "₹3,000.00"
    assert cart_badge.inner_text().startswith("3")
    watched_page.screenshot("portal-06-cart-quantity")

    # Checkout: log in first; the visitor's cart comes along.
    page.get_by_role("link", name="Check out").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next=/customer-portal/checkout/"))
    page.get_by_label("E-mail").fill(customer.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/customer-portal/checkout/")
    assert page.locator("#checkout-total").inner_text() == "₹3,540.00"
    page.get_by_label("Delivery address").fill("12 MG Road\nPune 411001")
    watched_page.screenshot("portal-07-checkout")

    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(re.compile(r"/confirmation/$"))
    order = Order.objects.get()
    assert page.locator("#order-number").inner_text() == order.number
    assert page.locator(".lead", has_text="Estimated delivery").is_visible()
    assert order.total == Decimal("3540.00") and order.customer == customer
    assert StockItem.objects.get(product=lamp, distributor=store).available == 12
    assert cart_badge.inner_text().startswith("0")
    watched_page.screenshot("portal-08-confirmation")

    # Order history shows it.
    page.get_by_role("link", name="My orders").click()
    page.wait_for_url(f"{base}/customer-portal/orders/")
    row = page.locator("tbody tr", has_text=order.number)
    assert row.get_by_text("Placed").is_visible()
    watched_page.screenshot("portal-09-history")

    row.get_by_role("link", name=order.number).click()
    page.wait_for_url(re.compile(rf"/orders/{order.number}/$"))
    assert page.get_by_role("button", name="Cancel order").is_visible()
    watched_page.screenshot("portal-10-order-detail")
    watched_page.assert_clean()
