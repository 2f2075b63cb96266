"""The credit terms page and a held order's page at 1280 and 390 px: nothing scrolls sideways."""

from decimal import Decimal

import pytest
from django.test import Client

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from invoicing.models import CreditTerms
from orders.models import OrderStatus
from orders.tests.factories import place_order, stocked_product

from .factories import invoice_owing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = "() => document.documentElement.scrollWidth"


@pytest.mark.parametrize("width", [1280, 390])
def test_credit_pages_fit_the_screen(watched_page, live_server, settings, width):
    staff = DistributorUserFactory(organization__name="Deccan Distribution")
    seller = staff.organization
    product = stocked_product(distributor=seller, price=Decimal("45999.00"))
    held = None
    for n, limit in enumerate(["250000.00", "50000.00", None]):
        user = RetailerUserFactory(organization__name=f"Sri Venkateswara Kirana Stores {n}")
        invoice_owing("123456.78", customer=user, distributor=seller, lines=[(product, 1)])
        CreditTerms.objects.create(
            seller=seller,
            buyer=user.organization,
            payment_terms_days=(30, 45, 7)[n],
            credit_limit=None if limit is None else Decimal(limit),
        )
        order = place_order(customer=user, distributor=seller, lines=[(product, 2)])
        if order.status == OrderStatus.CREDIT_HOLD:
            held = order
    assert held is not None

    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = watched_page.page
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/distributor/credit-terms/")
    assert page.locator("#credit-terms tbody tr").count() == 3
    watched_page.screenshot(f"credit-terms-{width}")
    assert page.evaluate(WIDTH) <= width
    page.goto(f"{live_server.url}/distributor/orders/{held.number}/")
    assert page.get_by_role("button", name="Release (approve credit)").is_visible()
    watched_page.screenshot(f"credit-held-order-{width}")
    assert page.evaluate(WIDTH) <= width
    watched_page.assert_clean()
