"""The storefront's behaviour in headless Chromium: the price filter while typing, the
confirmation dialogs of destructive actions, the add-to-cart toast (customer and retailer)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory, RetailerUserFactory
from auromart.tests.browser import log_in
from catalog.demo_images import draw_product_picture
from catalog.services_media import product_image_add
from inventory.tests.factories import DistributorFactory
from orders.models import CartItem, Order, OrderStatus
from orders.tests.factories import place_order, stocked_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPING_DELAY_MS = 120  # a person typing at a normal speed


@pytest.fixture
def store():
    return DistributorFactory(name="Browser Store", is_default_store=True)


def test_the_price_filter_never_rewrites_a_field_being_typed_in(watched_page, live_server, store):
    for price in ("1000.00", "8000.00", "15000.00", "30000.00"):
        stocked_product(distributor=store, price=Decimal(price), name=f"Lamp at {price}")
    page = watched_page.page
    for _run in range(3):
        page.goto(f"{live_server.url}/customer-portal/")
        low, high = page.get_by_label("Min price"), page.get_by_label("Max price")
        low.press_sequentially("5000", delay=TYPING_DELAY_MS)
        low.press("Tab")  # the change event: the results follow while Max is typed in
        high.press_sequentially("20000", delay=TYPING_DELAY_MS)
        high.press("Tab")
        page.wait_for_url(re.compile(r"min_price=5000.*max_price=20000"))
        expect(page.locator(".product-card")).to_have_count(2)
        assert low.input_value() == "5000"
        assert high.input_value() == "20000"
    watched_page.screenshot("storefront-price-filter")
    watched_page.assert_clean()


def test_removing_a_cart_line_and_cancelling_an_order_ask_first(watched_page, live_server, store):
    customer = CustomerFactory(email="careful@browser.test")
    lamp = stocked_product(distributor=store, name="Brass Lamp", on_hand=20)
    order = place_order(customer=customer, distributor=store, lines=[(lamp, 2)])
    page = watched_page.page
    base = live_server.url
    log_in(watched_page, base, customer.email, DEFAULT_PASSWORD, "/customer-portal/")
    page.get_by_role("button", name="Add Brass Lamp to the cart").click()
    page.locator("#toast-region").get_by_text("Added 1.").wait_for()

    page.goto(f"{base}/customer-portal/cart/")
    page.get_by_role("button", name="Remove Brass Lamp").click()
    dialog = page.get_by_role("dialog", name="Remove this line?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Remove Brass Lamp (1) from your cart?")
    watched_page.screenshot("storefront-confirm-remove")
    page.keyboard.press("Escape")  # keeps the line
    expect(dialog).to_be_hidden()
    assert CartItem.objects.filter(cart__user=customer).count() == 1
    page.get_by_role("button", name="Remove Brass Lamp").click()
    dialog.get_by_role("button", name="Remove").click()
    expect(page.locator("#cart-body")).to_contain_text("Your cart is empty.")
    assert not CartItem.objects.filter(cart__user=customer).exists()

    page.goto(f"{base}/customer-portal/orders/{order.number}/")
    page.get_by_role("button", name="Cancel order").click()
    dialog = page.get_by_role("dialog", name="Cancel this order?")
    expect(dialog).to_contain_text(f"Cancel order {order.number}")
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_be_hidden()
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    page.get_by_role("button", name="Cancel order").click()
    dialog.get_by_role("button", name="Cancel the order").click()
    expect(page.get_by_text(f"Order {order.number} is cancelled")).to_be_visible()
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    watched_page.assert_clean()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("role", ["customer", "retailer"])
def test_a_buyer_sees_pictures_and_recommendations_adds_with_a_toast_and_checks_out(
    open_page, live_server, settings, tmp_path, role, width
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    depot = DistributorFactory(name="Depot West", is_default_store=role == "customer")
    mattress = stocked_product(distributor=depot, name="CloudRest Mattress", on_hand=9)
    pillow = stocked_product(distributor=depot, name="Bamboo Pillow", on_hand=9)
    for product in (mattress, pillow):
        product_image_add(
            product=product,
            upload=draw_product_picture(name=product.name, label=product.sku),
            alt_text=f"{product.name}, front",
        )
    place_order(distributor=depot, lines=[(mattress, 1), (pillow, 1)])  # bought together
    if role == "customer":
        buyer = CustomerFactory(email=f"shopper{width}@browser.test")
        shop, done = "/customer-portal/", re.compile(r"/confirmation/$")
    else:
        buyer = RetailerUserFactory(email=f"buyer{width}@browser.test")
        shop, done = f"/retailer/distributors/{depot.pk}/", re.compile(r"/retailer/orders/")
    watched = open_page()
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    log_in(watched, base, buyer.email, DEFAULT_PASSWORD, shop)

    card = page.locator(".product-card", has_text="CloudRest Mattress")
    # The card's picture link is hidden from screen readers (the name links there too).
    picture = card.locator('img[alt="CloudRest Mattress, front"]')
    expect(picture).to_be_visible()
    picture.scroll_into_view_if_needed()  # pictures load lazily
    for _ in range(50):
        if picture.evaluate("img => img.complete && img.naturalWidth"):
            break
        page.wait_for_timeout(100)
    assert picture.evaluate("img => img.naturalWidth") == 480  # the thumbnail was served
    card.get_by_role("button", name=re.compile("^Add ")).scroll_into_view_if_needed()
    box = card.bounding_box()
    card.get_by_role("button", name="Add CloudRest Mattress to the cart").click()
    toast = page.locator("#toast-region .toast")
    expect(toast).to_contain_text("Added 1.")
    expect(toast).to_contain_text("1 \u00d7 CloudRest Mattress")
    assert card.bounding_box() == box  # the toast is fixed: the grid does not move
    watched.screenshot(f"storefront-{role}-toast-{width}")

    page.goto(f"{base}{shop}products/{mattress.slug}/")
    also = page.locator("#also-bought")
    expect(also).to_contain_text("Bamboo Pillow")
    watched.screenshot(f"storefront-{role}-product-{width}")
    page.goto(f"{base}{shop}cart/")
    expect(page.locator("#also-bought")).to_contain_text("Bamboo Pillow")
    page.locator("#cart-summary").get_by_role("link", name="Check out").click()
    page.wait_for_url(f"{base}{shop}checkout/")
    page.get_by_label("Delivery address").fill("4 Lake Road, Pune")
    page.get_by_role("button", name="Place order").click()
    page.wait_for_url(done)
    order = Order.objects.get(customer=buyer)
    assert [(i.product_id, i.quantity) for i in order.items.all()] == [(mattress.pk, 1)]
    if role == "retailer":
        assert order.buyer_organization == buyer.organization
    watched.screenshot(f"storefront-{role}-placed-{width}")
    watched.assert_clean()
