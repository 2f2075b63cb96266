"""20 orders shipped at the same moment get 20 consecutive invoice numbers, no gap.

Real threads, each with its own connection, through the distributor's API.
On MariaDB (CI) the counter row's lock hands the numbers out one after the
other (the first users of a new year's counter do not deadlock: the row is
upserted, which takes the exclusive lock at once); on SQLite the IMMEDIATE
transactions queue the writers. The same assertions hold on both.
"""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import DistributorUserFactory
from inventory.tests.factories import DistributorFactory
from invoicing.models import Invoice
from orders.models import OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.tests.test_concurrency import run_concurrently
from orders.transitions import order_transition

from .factories import TO_DELIVERED

pytestmark = pytest.mark.django_db(transaction=True)


def ship_by_api(member, order):
    def job():
        client = APIClient()
        client.force_authenticate(member)
        response = client.put(
            f"/api/distributor/orders/{order.pk}/status",
            {"status": "shipped", "tracking_reference": f"AWB-{order.pk}"},
            format="json",
        )
        return response.status_code, response.json()

    return job


def test_twenty_orders_shipped_concurrently_get_twenty_consecutive_numbers():
    distributor = DistributorFactory()
    member = DistributorUserFactory(organization=distributor)
    product = stocked_product(distributor=distributor, on_hand=100)
    orders = []
    for _ in range(20):
        order = place_order(distributor=distributor, lines=[(product, 1)])
        for status in TO_DELIVERED[:2]:
            order = order_transition(order=order, to_status=status, by=member)
        orders.append(order)
    assert Invoice.objects.count() == 0

    results = run_concurrently([ship_by_api(member, order) for order in orders])

    assert [status for status, _ in results] == [200] * 20, results
    year = timezone.localdate().year
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{year}-{n:06d}" for n in range(1, 21)]
    assert sorted(Invoice.objects.values_list("order_id", flat=True)) == sorted(
        o.pk for o in orders
    )
    assert all(o.status == OrderStatus.SHIPPED for o in type(orders[0]).objects.all())
