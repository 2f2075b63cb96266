import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory
from orders.models import Order
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _changelist_queries(admin_client, n):
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=500)
    for _ in range(n):
        place_order(distributor=distributor, lines=[(product, 1)])
    with CaptureQueriesContext(connection) as ctx:
        response = admin_client.get("/admin/orders/order/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_order_changelist_queries_do_not_grow_with_orders(admin_client):
    assert _changelist_queries(admin_client, 3) == _changelist_queries(admin_client, 30)


def test_order_detail_is_read_only_and_shows_lines_and_history(admin_client):
    order = place_order()

    response = admin_client.get(f"/admin/orders/order/{order.pk}/change/")

    assert response.status_code == 200
    body = response.content.decode()
    assert order.number in body
    assert order.items.get().product_name in body
    assert f"q=order:{order.pk}" in body
    assert 'name="status"' not in body  # no editable status field


def test_staff_cancel_action_returns_stock_and_reports_refusals(admin_client):
    distributor = DistributorFactory()
    product = stocked_product(distributor=distributor, on_hand=10)
    open_order = place_order(distributor=distributor, lines=[(product, 3)])
    done = place_order(distributor=distributor, lines=[(product, 2)])
    Order.objects.filter(pk=done.pk).update(status="delivered")

    response = admin_client.post(
        "/admin/orders/order/",
        {"action": "cancel_orders", "_selected_action": [open_order.pk, done.pk]},
        follow=True,
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Cancelled 1 order(s)" in body
    assert "cannot become cancelled" in body
    assert Order.objects.get(pk=open_order.pk).status == "cancelled"
    assert StockItem.objects.get(product=product).available == 8
