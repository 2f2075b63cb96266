"""The one price everywhere: API, pages, cart and order lines agree; the order keeps its price."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization
from accounts.tests.factories import CustomerFactory, OrganizationFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from orders.models import CartItem, Order
from orders.tests.factories import place_order, stocked_product
from pricing.models import PriceListItem

from .factories import price_list

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def shop():
    return OrganizationFactory(name="Lakeside Retail", kind=Organization.Kind.RETAILER)


@pytest.fixture
def alice(shop):
    return RetailerUserFactory(organization=shop, name="Alice Buyer")


@pytest.fixture
def wholesaler():
    return DistributorFactory(name="Western Wholesale")


@pytest.fixture
def store():
    return DistributorFactory(name="The Store", is_default_store=True)


@pytest.fixture
def kettle(wholesaler, store):
    product = stocked_product(distributor=wholesaler, on_hand=500, name="Kettle", price=D("1000"))
    from inventory.tests.factories import StockItemFactory

    StockItemFactory(product=product, distributor=store, on_hand=500)
    return product


@pytest.fixture
def lakeside_list(shop, kettle):
    return price_list(
        name="Lakeside 2026",
        assign=shop,
        lines=[(kettle, 1, "900.00"), (kettle, 10, "850.00"), (kettle, 50, "12%")],
    )


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def retailer_checkout(client, distributor):
    url = reverse("retailer:checkout", args=[distributor.pk])
    page = client.get(url)
    return client.post(
        url,
        {
            "fulfillment_type": "delivery",
            "shipping_address": "4 Market Lane\nPune",
            "token": token_of(page),
        },
    )


def test_api_page_cart_and_order_line_give_the_same_price(
    client, api_client, alice, wholesaler, kettle, lakeside_list
):
    api_client.force_authenticate(alice)
    body = api_client.get(reverse("api-retailer-catalog"), {"distributor": wholesaler.pk}).json()
    (item,) = body["results"]
    assert item["price"] == "1000.00"
    assert item["unit_price"] == "900.00"
    assert item["price_list"] == "Lakeside 2026"
    assert item["price_breaks"] == [
        {"min_quantity": 10, "unit_price": "850.00"},
        {"min_quantity": 50, "unit_price": "880.00"},
    ]

    client.force_login(alice)
    page = client.get(reverse("retailer:catalog", args=[wholesaler.pk])).content.decode()
    assert re.search(r"<del[^>]*>.*₹1,000\.00</del>", page)
    assert 'data-unit-price="900.00"' in page
    assert "from 10 units: ₹850.00" in page

    client.post(reverse("retailer:cart_add", args=[wholesaler.pk, kettle.pk]), {"quantity": 10})
    cart = client.get(reverse("retailer:cart", args=[wholesaler.pk])).content.decode()
    assert 'data-unit-price="850.00"' in cart
    assert "₹8,500.00" in cart  # the line total

    response = retailer_checkout(client, wholesaler)
    assert response.status_code == 302, response.content
    line = Order.objects.get(customer=alice).items.get()
    assert (line.unit_price, line.line_total) == (D("850.00"), D("8500.00"))
    assert (line.price_list_id, line.price_list_name) == (lakeside_list.pk, "Lakeside 2026")
    assert (line.price_break_quantity, line.list_price) == (10, D("1000.00"))
    order_page = client.get(reverse("retailer:order", args=[line.order.number])).content.decode()
    assert re.search(r"<del[^>]*>.*₹1,000\.00</del> ₹850\.00", order_page)
    assert "Lakeside 2026 · from 10 units" in order_page

    # The API places the same order at the same price.
    api_order = api_client.post(
        reverse("api-retailer-order-list"),
        {
            "distributor_id": wholesaler.pk,
            "items": [{"product_id": kettle.pk, "quantity": 10}],
            "shipping_address": "4 Market Lane, Pune",
        },
        format="json",
    ).json()
    assert api_order["items"][0]["unit_price"] == "850.00"


def test_an_order_keeps_its_price_after_the_list_changes(alice, wholesaler, kettle, lakeside_list):
    order = place_order(customer=alice, distributor=wholesaler, lines=[(kettle, 3)])
    line = order.items.get()
    assert (line.unit_price, line.line_total, line.price_break_quantity) == (
        D("900.00"),
        D("2700.00"),
        None,
    )
    assert order.subtotal == D("2700.00")

    PriceListItem.objects.filter(price_list=lakeside_list, price__isnull=False).update(
        price=D("1.00")
    )
    line.refresh_from_db()
    assert line.unit_price == D("900.00")

    lakeside_list.items.all().delete()
    lakeside_list.assignments.all().delete()
    lakeside_list.delete()
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.unit_price, line.price_list_id, line.price_list_name) == (
        D("900.00"),
        None,
        "Lakeside 2026",
    )
    assert order.subtotal == D("2700.00")

    # A new order pays the new price: the list price, the list is gone.
    later = place_order(customer=alice, distributor=wholesaler, lines=[(kettle, 3)])
    assert later.items.get().unit_price == D("1000.00")


def test_a_customer_pays_the_customers_list_not_a_retailers(store, kettle, lakeside_list):
    price_list(name="Customers", assign="customers", lines=[(kettle, 1, "990.00")])
    order = place_order(customer=CustomerFactory(), distributor=store, lines=[(kettle, 1)])
    assert order.items.get().unit_price == D("990.00")


def test_the_portal_pages_and_public_api_show_the_customers_price(
    client, api_client, store, kettle
):
    price_list(name="Customers", assign="customers", lines=[(kettle, 1, "990.00")])
    item = api_client.get(reverse("api-product-list")).json()["results"][0]
    assert (item["price"], item["unit_price"]) == ("1000.00", "990.00")
    page = client.get(reverse("portal:product", args=[kettle.slug])).content.decode()
    assert 'data-unit-price="990.00"' in page


# --- Query counts: constant with 5 and with 50 price lists ---------------------------


def lists(count, shop, products):
    for n in range(count):
        price_list(
            name=f"Noise {count}-{n}",
            assign=shop if n % 2 else "everyone",
            lines=[(p, q, "95") for p in products for q in (1, 10)],
        )


def queries(callable_):
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_number_of_price_lists(client, alice, shop, wholesaler):
    products = [stocked_product(distributor=wholesaler, on_hand=100) for _ in range(4)]
    client.force_login(alice)
    catalog = reverse("retailer:catalog", args=[wholesaler.pk])
    cart = reverse("retailer:cart", args=[wholesaler.pk])
    for product in products:
        client.post(
            reverse("retailer:cart_add", args=[wholesaler.pk, product.pk]), {"quantity": 10}
        )
    client.get(catalog)  # warm the session and the settings

    def place():
        place_order(customer=alice, distributor=wholesaler, lines=[(p, 2) for p in products])

    def measure():
        return (
            queries(lambda: client.get(catalog)),
            queries(lambda: client.get(cart)),
            queries(place),
        )

    lists(5, shop, products)
    measure()  # a first order makes "customers also bought" appear: count from the second
    counts = {5: measure()}
    lists(45, shop, products)
    counts[50] = measure()
    assert counts[5] == counts[50], counts
    assert CartItem.objects.filter(cart__user=alice).count() == 4
