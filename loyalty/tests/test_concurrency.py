"""One customer's points spent by several orders at once: never below zero.

Real threads with their own connections against committed data; on MariaDB
the account's row lock serialises the redemptions, on SQLite the IMMEDIATE
transactions do.
"""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory
from inventory.tests.factories import DistributorFactory
from loyalty.models import EntryKind, LoyaltyAccount, PointsEntry
from loyalty.services import _write, points_balance
from loyalty.tests.factories import loyalty_on
from orders.models import Order
from orders.tests.factories import stocked_product
from orders.tests.test_concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_six_orders_redeeming_thirty_of_a_hundred_points_at_once():
    loyalty_on(max_redeem_percent=Decimal("100"), max_redeem_amount=Decimal("1000"))
    store = DistributorFactory(is_default_store=True)
    product = stocked_product(distributor=store, on_hand=100, price=Decimal("200.00"))
    customer = CustomerFactory()
    account = LoyaltyAccount.objects.create(user=customer)
    _write(account=account, kind=EntryKind.EARN, points=100, dedup_key=None)

    def order():
        client = APIClient()
        client.force_authenticate(customer)
        response = client.post(
            "/api/customer/orders",
            {
                "items": [{"product_id": product.pk, "quantity": 1}],
                "shipping_address": "1 Test Street",
                "loyalty_points": 30,
            },
            format="json",
        )
        return response.status_code, response.json()

    results = run_concurrently([order for _ in range(6)])
    codes = sorted(code for code, _ in results)
    assert codes == [201, 201, 201, 400, 400, 400], results
    for code, body in results:
        if code == 400:
            assert "loyalty_points" in body["errors"]
    assert points_balance(user_id=customer.pk) == 10
    assert PointsEntry.objects.filter(kind="redeem").count() == Order.objects.count() == 3
