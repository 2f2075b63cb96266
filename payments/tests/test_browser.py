"""The buyer's journey in headless Chromium with the offline test gateway:
checkout -> pay online -> approve -> confirmation; then, once shipped, the invoice is paid."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, CustomerFactory
from auromart.tests.browser import log_in
from inventory.tests.factories import DistributorFactory
from invoicing.tests.factories import deliver
from orders.models import Order, OrderStatus
from orders.tests.factories import stocked_product
from payments.models import Payment, PaymentStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_checkout_pay_online_confirmation_then_the_invoice_is_paid(
    watched_page, live_server, settings
):
    settings.PAYMENT_GATEWAY = "test"
    store = DistributorFactory(name="Browser Store", is_default_store=True)
    stocked_product(distributor=store, name="Brass Lamp", on_hand=20)
    customer = CustomerFactory(email="payer@browser.test")
    page = watched_page.page
    base = live_server.url
    log_in(watched_page, base, customer.email, DEFAULT_PASSWORD, "/customer-portal/")
    page.get_by_role("button", name="Add Brass Lamp to the cart").click()
    page.locator("#toast-region").get_by_text("Added 1.").wait_for()

    page.goto(f"{base}/customer-portal/checkout/")
    page.locator("input[name=fulfillment_type][value=pickup]").check()
    page.get_by_label("Pay online now (card, UPI or netbanking)").check()
    watched_page.screenshot("payments-checkout")
    page.get_by_role("button", name="Place order").click()

    order = Order.objects.get()
    page.wait_for_url(f"{base}/payments/orders/{order.number}/")
    assert order.status == OrderStatus.AWAITING_PAYMENT
    watched_page.screenshot("payments-order-pay")
    page.locator("#pay-online").click()
    page.wait_for_url(re.compile(r"/payments/\d+/test-gateway/$"))
    watched_page.screenshot("payments-test-gateway")
    page.get_by_role("button", name="Approve payment").click()
    page.wait_for_url(re.compile(r"/payments/\d+/$"))
    expect(page.locator("#payment-status")).to_contain_text("Paid")
    watched_page.screenshot("payments-confirmation")
    assert Payment.objects.get().status == PaymentStatus.PAID
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED

    # The distributor ships it; the shipment's invoice takes the payment made at checkout.
    deliver(order)
    invoice = order.invoices.get()
    page.goto(f"{base}/invoices/{invoice.seller_slug}/{invoice.number}/")
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    expect(page.locator("#invoice-paid")).to_be_visible()
    watched_page.screenshot("payments-invoice-paid")
    watched_page.assert_clean()


def test_pay_now_on_an_invoice(watched_page, live_server, settings):
    from invoicing.tests.factories import invoice_for

    settings.PAYMENT_GATEWAY = "test"
    customer = CustomerFactory(email="owes@browser.test")
    invoice = invoice_for(customer=customer)
    page = watched_page.page
    base = live_server.url
    log_in(watched_page, base, customer.email, DEFAULT_PASSWORD, "/invoices/")
    watched_page.screenshot("payments-invoice-list-pay-now")
    page.set_viewport_size({"width": 390, "height": 844})
    watched_page.screenshot("payments-invoice-list-pay-now-phone")
    page.get_by_role("button", name=re.compile(f"on {invoice.number} now")).click()
    page.get_by_role("button", name="Approve payment").click()
    expect(page.locator("#payment-status")).to_contain_text("Paid")
    watched_page.screenshot("payments-confirmation-phone")
    page.locator("#to-invoice").click()
    expect(page.locator("#invoice-status")).to_contain_text("Paid")
    watched_page.assert_clean()
