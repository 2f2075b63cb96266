"""Backorders and counts as buyers and distributors use them: the API, the pages (#12 §5, §6)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory, DistributorUserFactory, RetailerUserFactory
from inventory.models import StockItem, StockMovement
from inventory.services import stock_count, stock_receive
from inventory.tests.factories import DistributorFactory
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return DistributorFactory(name="The Store", is_default_store=True)


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(product, quantity, **extra):
    return {
        "items": [{"product_id": product.pk, "quantity": quantity}],
        "shipping_address": "1 Test Street",
        **extra,
    }


def test_an_order_asks_to_backorder_the_rest_through_the_api(store):
    product = stocked_product(distributor=store, on_hand=67)
    customer = CustomerFactory()  # ships complete by default
    api = api_for(customer)

    refused = api.post("/api/customer/orders", body(product, 72), format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "insufficient_stock")

    placed = api.post("/api/customer/orders", body(product, 72, backorder=True), format="json")

    assert placed.status_code == 201, placed.content
    order = placed.json()
    assert order["backorder"] is True
    [line] = order["items"]
    assert (line["quantity"], line["allocated"], line["backordered"], line["shipped"]) == (
        72,
        67,
        5,
        0,
    )
    # The detail reads the same figures back.
    again = api.get(f"/api/customer/orders/{order['id']}").json()
    assert again["items"][0]["backordered"] == 5


def test_the_buyers_setting_applies_when_the_order_does_not_say(store):
    product = stocked_product(distributor=store, on_hand=3)
    retailer = RetailerUserFactory(organization__backorder_policy="backorder")
    response = api_for(retailer).post(
        "/api/retailer/orders", body(product, 5, distributor_id=store.pk), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["items"][0]["backordered"] == 2


@pytest.mark.parametrize("channel", ["customer", "retailer"])
def test_the_buyer_cancels_the_backordered_rest_through_the_api(store, channel):
    product = stocked_product(distributor=store, on_hand=3)
    buyer = CustomerFactory() if channel == "customer" else RetailerUserFactory()
    order = place_order(customer=buyer, distributor=store, lines=[(product, 5)], backorder=True)
    url = f"/api/{channel}/orders/{order.pk}/cancel-backorder"

    response = api_for(buyer).post(url, format="json")

    assert response.status_code == 200, response.content
    [line] = response.json()["items"]
    assert (line["allocated"], line["backordered"], line["cancelled"]) == (3, 0, 2)
    again = api_for(buyer).post(url, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "nothing_backordered")
    stranger = CustomerFactory() if channel == "customer" else RetailerUserFactory()
    assert api_for(stranger).post(url, format="json").status_code == 404


def test_checkout_can_backorder_and_the_order_page_cancels_the_rest(client, store):
    product = stocked_product(distributor=store, on_hand=2, name="Desk Lamp")
    customer = CustomerFactory()
    client.force_login(customer)
    client.post(reverse("portal:cart_add", args=[product.pk]), {"quantity": "5"})
    page = client.get(reverse("portal:checkout"))
    token = page.context["form"].initial["token"]
    assert "backorder the rest" in page.content.decode()

    response = client.post(
        reverse("portal:checkout"),
        {
            "fulfillment_type": "delivery",
            "shipping_address": "1 Test Street",
            "backorder": "1",
            "token": token,
        },
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert order.backorder is True
    detail = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "2 set aside" in detail and "3 backordered" in detail
    assert "Cancel the backordered rest" in detail
    response = client.post(
        reverse("portal:order_backorder_cancel", args=[order.number]), follow=True
    )
    assert "The backordered rest of order" in response.content.decode()
    line = order.items.get()
    assert (line.quantity_allocated, line.quantity_backordered, line.quantity_cancelled) == (
        2,
        0,
        3,
    )
    assert "Cancel the backordered rest" not in response.content.decode()


def test_a_count_of_the_shelf_books_no_phantom_stock():
    """#12's acceptance: 10 ordered against a physical 67; a count of 67 writes nothing."""
    depot = DistributorFactory()
    product = stocked_product(distributor=depot, on_hand=67)
    place_order(distributor=depot, lines=[(product, 10)])
    item = StockItem.objects.get(product=product)
    movements = StockMovement.objects.count()

    item = stock_count(stock_item=item, counted=67, note="Shelf count")

    assert StockMovement.objects.count() == movements
    assert (item.on_hand, item.allocated, item.available) == (67, 10, 57)


def test_counting_less_than_is_allocated_turns_the_newest_allocations_into_backorders():
    """#12's acceptance: counting 5 after allocations of 10 backorders 5 allocated units."""
    depot = DistributorFactory()
    product = stocked_product(distributor=depot, on_hand=10)
    older = place_order(distributor=depot, lines=[(product, 4)])
    newer = place_order(distributor=depot, lines=[(product, 6)])
    item = StockItem.objects.get(product=product)

    item = stock_count(stock_item=item, counted=5, note="Shelf count")

    assert (item.on_hand, item.allocated, item.available) == (5, 5, 0)
    figures = {
        o.number: o.items.values_list("quantity_allocated", "quantity_backordered").get()
        for o in (older, newer)
    }
    # The newest order gives up its 6... only 5 are short, so it keeps 1.
    assert figures == {older.number: (4, 0), newer.number: (1, 5)}
    count = StockMovement.objects.filter(kind="count").get()
    assert (count.quantity, count.balance_after) == (-5, 5)
    # Stock coming in goes to that backorder first.
    stock_receive(product=product, distributor=depot, quantity=8, reference="po:1")
    assert newer.items.values_list("quantity_allocated", "quantity_backordered").get() == (6, 0)
    assert StockItem.objects.get(pk=item.pk).available == 3


def test_the_count_page_names_the_orders_affected_before_it_is_confirmed(client):
    user = DistributorUserFactory()
    depot = user.organization
    product = stocked_product(distributor=depot, on_hand=10, name="Tea")
    older = place_order(distributor=depot, lines=[(product, 4)])
    newer = place_order(distributor=depot, lines=[(product, 6)])
    item = StockItem.objects.get(product=product)
    client.force_login(user)
    url = reverse("distributor:stock_count", args=[item.pk])
    assert client.get(url).context["form"].initial["counted"] == 10
    assert f'href="{url}"' in client.get(reverse("distributor:inventory")).content.decode()

    preview = client.post(url, {"counted": "5", "note": "aisle 3"})

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "one count movement of -5" in page
    assert newer.number in page and older.number not in page
    assert StockItem.objects.get(pk=item.pk).on_hand == 10  # nothing written yet

    done = client.post(url, {"counted": "5", "note": "aisle 3", "confirm": "True"})

    assert done.status_code == 302
    item.refresh_from_db()
    assert (item.on_hand, item.allocated) == (5, 5)
    movement = StockMovement.objects.get(kind="count")
    assert (movement.created_by, movement.note) == (user, "aisle 3")
    assert Order.objects.get(pk=newer.pk).status == OrderStatus.PLACED


@pytest.mark.parametrize("counted", ["-1", "1000000001", "lots", ""])
def test_a_bad_count_is_a_form_error_and_writes_nothing(client, counted):
    user = DistributorUserFactory()
    product = stocked_product(distributor=user.organization, on_hand=10)
    item = StockItem.objects.get(product=product)
    client.force_login(user)
    response = client.post(
        reverse("distributor:stock_count", args=[item.pk]), {"counted": counted, "confirm": "1"}
    )
    assert response.status_code == 400
    assert "counted" in response.context["form"].errors
    assert StockMovement.objects.filter(kind="count").count() == 0


def test_another_distributors_item_cannot_be_counted(client):
    user = DistributorUserFactory()
    theirs = StockItem.objects.get(product=stocked_product(distributor=DistributorFactory()))
    client.force_login(user)
    url = reverse("distributor:stock_count", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"counted": "0", "confirm": "1"}).status_code == 404


def test_the_buyer_is_told_each_time_stock_comes_in_for_a_backorder():
    from notifications.models import Notification, OutboundMessage

    depot = DistributorFactory(name="North Depot")
    product = stocked_product(distributor=depot, on_hand=1, name="Desk Lamp")
    order = place_order(distributor=depot, lines=[(product, 5)], backorder=True)

    stock_receive(product=product, distributor=depot, quantity=2, reference="po:1")
    stock_receive(product=product, distributor=depot, quantity=10, reference="po:2")

    mails = OutboundMessage.objects.filter(
        template="backorder_allocated", channel="email"
    ).order_by("pk")
    assert [m.recipient for m in mails] == [order.customer.email] * 2
    first, second = mails
    assert first.subject == f"Order {order.number}: 2 more of Desk Lamp set aside"
    assert "2 more units are now set aside" in first.body_text
    assert "2 units are still backordered" in first.body_text
    assert second.subject == f"Order {order.number}: Desk Lamp is now complete"
    assert "Nothing of this line is backordered any more" in second.body_text
    assert f"/customer-portal/orders/{order.number}/" in second.body_text
    assert Notification.objects.filter(user=order.customer, event="order_status").count() >= 2
    # Nothing more is owed: more stock tells nobody.
    stock_receive(product=product, distributor=depot, quantity=3, reference="po:3")
    assert mails.count() == 2
