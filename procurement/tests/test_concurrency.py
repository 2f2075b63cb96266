"""20 buyers at once push one item below its reorder level: exactly one open request.

Real threads with their own connections against committed data. On MariaDB
(CI) the stock row lock and the UNIQUE open slot do the work; on SQLite the
IMMEDIATE transactions queue the writers. The same assertions hold on both.
"""

import pytest
from django.db.models import Sum

from accounts.tests.factories import CustomerFactory
from catalog.models import SupplierLine
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from notifications.models import OutboundMessage
from orders.models import Order
from orders.tests.test_concurrency import buy, run_concurrently
from procurement.models import ItemReplenishment, ProcurementRequest, RequestStatus

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_concurrent_orders_crossing_the_level_open_exactly_one_request(settings):
    settings.PROCUREMENT_TEAM_EMAILS = ["team@auromart.test"]
    distributor = DistributorFactory()
    product = ProductFactory(reorder_level=30, reorder_quantity=60)
    StockItemFactory(product=product, distributor=distributor, on_hand=40)
    customers = [CustomerFactory() for _ in range(20)]

    results = run_concurrently([buy(c, distributor, [(product, 1)]) for c in customers])

    assert [status for status, _ in results] == [201] * 20, results
    assert Order.objects.count() == 20
    item = StockItem.objects.get(product=product, distributor=distributor)
    assert (item.on_hand, item.allocated, item.available) == (40, 20, 20)
    assert item.on_hand == item.movements.aggregate(total=Sum("quantity"))["total"]
    # The tenth order left 30 available; the ten after it found the request open.
    request = ProcurementRequest.objects.get()
    assert request.status == RequestStatus.OPEN and request.available == 30
    assert OutboundMessage.objects.filter(template="procurement_request").count() == 1
    assert OutboundMessage.objects.filter(template="low_stock_alert").count() == 1
    # The product had no supplier line: the first evaluation made exactly one from its
    # supplier and cost price, and the request goes to it, at its cost.
    line = SupplierLine.objects.get(product=product)
    assert (request.supplier_line, request.unit_cost) == (line, product.cost_price)
    # Nothing was left with a reason by a transaction that lost a race.
    assert not ItemReplenishment.objects.exclude(reason="").exists()
