"""Two orders of one buyer at once cannot both slip under its credit limit.

Run on MariaDB (CI and by hand: DATABASE_URL=mysql://... AUROMART_EXPECT_DB=mysql):
the placing transaction locks the buyer's terms row (SELECT ... FOR UPDATE)
before it reads the exposure, so the second order waits for the first to
commit and then counts it. Each allocation is slowed down to hold the first
transaction open while the second arrives: without the lock both would read
the same exposure and both be placed.
"""

import time
from decimal import Decimal

import pytest

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from invoicing.models import CreditTerms
from orders import services as order_services
from orders.models import Order, OrderStatus
from orders.services import order_place
from orders.tests.factories import place_order, stocked_product
from orders.tests.test_concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_orders_at_once_cannot_both_slip_under_the_limit(monkeypatch):
    seller = DistributorUserFactory().organization
    buyer_user = RetailerUserFactory()
    other_member = RetailerUserFactory(organization=buyer_user.organization)
    product = stocked_product(distributor=seller, on_hand=100)
    # What one unit costs, measured on an order of another buyer (no terms).
    unit_total = place_order(distributor=seller, lines=[(product, 1)]).total
    CreditTerms.objects.create(
        seller=seller,
        buyer=buyer_user.organization,
        payment_terms_days=30,
        credit_limit=unit_total * Decimal("1.5"),  # one order fits, two do not
    )
    real_allocate = order_services.stock_allocate_for_order

    def slow_allocate(**kwargs):
        time.sleep(0.5)  # the exposure is read; the order is not committed yet
        return real_allocate(**kwargs)

    monkeypatch.setattr(order_services, "stock_allocate_for_order", slow_allocate)

    def buyer_orders(user):
        def job():
            return order_place(
                customer=user,
                distributor=seller,
                items=[(product.pk, 1)],
                shipping_address="1 Test Street",
            ).status

        return job

    results = run_concurrently([buyer_orders(buyer_user), buyer_orders(other_member)])
    assert sorted(results) == sorted([OrderStatus.PLACED, OrderStatus.CREDIT_HOLD]), results
    statuses = Order.objects.filter(buyer_organization=buyer_user.organization).values_list(
        "status", flat=True
    )
    assert sorted(statuses) == sorted([OrderStatus.PLACED, OrderStatus.CREDIT_HOLD])
