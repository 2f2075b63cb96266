"""The retailer's pages under /retailer/: distributors, catalog, cart, checkout, orders."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
    UserFactory,
)
from catalog.tests.factories import CategoryFactory, ManufacturerFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import CartItem, Order, OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
DISTRIBUTORS = reverse("retailer:distributors")
ORDERS = reverse("retailer:orders")
ADDRESS = "4 Market Lane\nPune"


def catalog_url(distributor):
    return reverse("retailer:catalog", args=[distributor.pk])


def cart_url(distributor):
    return reverse("retailer:cart", args=[distributor.pk])


def checkout_url(distributor):
    return reverse("retailer:checkout", args=[distributor.pk])


def order_url(order):
    return reverse("retailer:order", args=[order.number])


@pytest.fixture
def shop():
    return OrganizationFactory(name="Lakeside Retail", kind=Organization.Kind.RETAILER)


@pytest.fixture
def alice(shop):
    return RetailerUserFactory(organization=shop, name="Alice Buyer")


@pytest.fixture
def bob(shop):
    return UserFactory(organization=shop, name="Bob Colleague")


@pytest.fixture
def carol():
    return RetailerUserFactory(organization__name="Metro Corner", name="Carol Elsewhere")


@pytest.fixture
def store():
    return DistributorFactory(name="Portal Store", is_default_store=True)


@pytest.fixture
def wholesaler():
    return DistributorFactory(name="Western Wholesale", city="Nagpur", region="Central")


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def add(client, distributor, product, quantity=1, **extra):
    return client.post(
        reverse("retailer:cart_add", args=[distributor.pk, product.pk]),
        {"quantity": quantity},
        **extra,
    )


def cart_lines(user, distributor) -> dict[int, int]:
    return dict(
        CartItem.objects.filter(cart__user=user, cart__distributor=distributor).values_list(
            "product_id", "quantity"
        )
    )


def available(product, distributor):
    return StockItem.objects.get(product=product, distributor=distributor).available


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def checkout(client, distributor, **data):
    page = client.get(checkout_url(distributor))
    data = {
        "fulfillment_type": "delivery",
        "shipping_address": ADDRESS,
        "token": token_of(page),
        **data,
    }
    return client.post(checkout_url(distributor), data)


# --- Roles and the dashboard ------------------------------------------------------


def test_the_dashboard_still_answers_at_retailer(as_alice):
    response = as_alice.get(reverse("retailer:dashboard"))
    assert response.status_code == 200
    assert reverse("retailer:dashboard") == "/retailer/"


@pytest.mark.parametrize(
    "factory", [CustomerFactory, DistributorUserFactory, ManufacturerUserFactory]
)
def test_other_roles_get_403_on_every_retailer_page(client, wholesaler, alice, factory):
    product = stocked_product(distributor=wholesaler)
    order = place_order(customer=alice, distributor=wholesaler)
    client.force_login(factory())
    gets = [
        DISTRIBUTORS,
        catalog_url(wholesaler),
        cart_url(wholesaler),
        checkout_url(wholesaler),
        ORDERS,
        order_url(order),
    ]
    for url in gets:
        assert client.get(url).status_code == 403, url
    posts = [
        reverse("retailer:cart_add", args=[wholesaler.pk, product.pk]),
        reverse("retailer:cart_update", args=[wholesaler.pk, product.pk]),
        reverse("retailer:cart_remove", args=[wholesaler.pk, product.pk]),
        checkout_url(wholesaler),
        reverse("retailer:order_cancel", args=[order.number]),
    ]
    for url in posts:
        assert client.post(url, {"quantity": 1}).status_code == 403, url
    assert not CartItem.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


def test_a_superuser_without_a_retailer_organization_gets_403(client, wholesaler):
    from accounts.models import User

    client.force_login(User.objects.create_superuser("root@example.test", "pw-12345678"))
    assert client.get(ORDERS).status_code == 403
    assert client.get(catalog_url(wholesaler)).status_code == 403


def test_visitors_are_sent_to_the_login_page(client, wholesaler):
    response = client.get(catalog_url(wholesaler))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_catalog_of_something_that_is_not_a_distributor_is_404(as_alice, shop):
    assert as_alice.get(catalog_url(shop)).status_code == 404
    assert as_alice.get("/retailer/distributors/987654/").status_code == 404


# --- Navigation -------------------------------------------------------------------


def test_retailers_get_shop_orders_invoices_reports_in_the_navigation(as_alice, store):
    html = as_alice.get(reverse("accounts:profile")).content.decode()
    nav = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    assert re.findall(r'class="nav-link[^"]*"[^>]*>([^<]+)</a>', nav) == [
        "Shop",
        "Orders",
        "Standing orders",
        "Returns",
        "Invoices",
        "Reports",
    ]
    assert f'href="{DISTRIBUTORS}">Shop</a>' in html
    assert f'href="{ORDERS}">Orders</a>' in html
    # The API documentation is in the account menu, not the main navigation.
    assert reverse("api-docs") not in nav and reverse("api-docs") in html
    assert f'href="{reverse("portal:dashboard")}">Shop</a>' not in html
    assert "My orders" not in html
    assert f'href="{reverse("portal:cart")}"' not in html


# --- Choosing a distributor -------------------------------------------------------


def test_the_distributor_list_shows_stock_and_the_users_cart(as_alice, alice, store, wholesaler):
    for _ in range(2):
        stocked_product(distributor=wholesaler)
    stocked_product(distributor=wholesaler, on_hand=0)  # sold out: not counted
    stocked_product(distributor=store)
    add(as_alice, wholesaler, stocked_product(distributor=wholesaler), 4)

    response = as_alice.get(DISTRIBUTORS)

    assert response.status_code == 200
    rows = {d.name: d for d in response.context["page"].object_list}
    assert set(rows) == {"Portal Store", "Western Wholesale"}
    assert rows["Western Wholesale"].products_available == 3
    assert rows["Western Wholesale"].cart_units == 4
    assert rows["Portal Store"].products_available == 1
    assert rows["Portal Store"].cart_units == 0
    html = response.content.decode()
    assert catalog_url(wholesaler) in html and "Nagpur" in html
    assert f'href="{cart_url(wholesaler)}">4 items' in html


# --- A distributor's catalog ------------------------------------------------------


def test_the_catalog_shows_the_chosen_distributors_stock(as_alice, store, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=7, name="Brass Lamp")
    StockItemFactory(product=lamp, distributor=store, on_hand=90)
    stocked_product(distributor=wholesaler, on_hand=0, name="Sold Out Stool")
    stocked_product(distributor=store, name="Store Only Sofa")

    response = as_alice.get(catalog_url(wholesaler))

    assert response.status_code == 200
    products = {p.name: p.stock_quantity for p in response.context["page"].object_list}
    assert products == {"Brass Lamp": 7, "Sold Out Stool": 0}
    html = response.content.decode()
    assert "Low stock: 7 left" in html or "7 in stock" in html
    assert "90 in stock" not in html
    assert "Out of stock" in html
    assert "Store Only Sofa" not in html
    assert reverse("retailer:cart_add", args=[wholesaler.pk, lamp.pk]) in html


# Committed rows: on MariaDB the search uses a FULLTEXT index, which sees nothing else.
@pytest.mark.django_db(transaction=True)
def test_the_catalog_searches_filters_by_category_and_paginates(as_alice, wholesaler):
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    stocked_product(distributor=wholesaler, name="Brass Lamp", category=lighting)
    stocked_product(distributor=wholesaler, name="Lamp Oil", category=kitchen)
    stocked_product(distributor=wholesaler, name="Copper Kettle", category=kitchen)

    def names(**params):
        response = as_alice.get(catalog_url(wholesaler), params)
        return {p.name for p in response.context["page"].object_list}

    assert names(q="lamp") == {"Brass Lamp", "Lamp Oil"}
    assert names(category="kitchen") == {"Lamp Oil", "Copper Kettle"}
    assert names(q="lamp", category="kitchen") == {"Lamp Oil"}
    # A bad filter value is a form error; the others still filter.
    response = as_alice.get(catalog_url(wholesaler), {"category": "nope", "q": "kettle"})
    assert response.context["form"].errors
    assert {p.name for p in response.context["page"].object_list} == {"Copper Kettle"}

    category = CategoryFactory()
    for _ in range(30):
        stocked_product(distributor=wholesaler, category=category)
    first = as_alice.get(catalog_url(wholesaler))
    # The portal's grid of 24 (3 x 8), one catalog page for both buyers.
    assert len(first.context["page"].object_list) == 24
    second = as_alice.get(catalog_url(wholesaler), {"page": 2})
    assert len(second.context["page"].object_list) == 9
    assert "Showing 25\u201333 of 33 products" in second.content.decode()


def test_htmx_gets_only_the_catalog_and_a_tidy_address(as_alice, wholesaler):
    stocked_product(distributor=wholesaler, name="Brass Lamp")
    response = as_alice.get(catalog_url(wholesaler), {"q": "brass", "category": ""}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html and 'id="catalog"' in html
    assert response["HX-Push-Url"] == f"{catalog_url(wholesaler)}?q=brass"


# --- The cart at one distributor ----------------------------------------------------


def test_carts_are_kept_per_distributor(as_alice, alice, store, wholesaler):
    lamp = stocked_product(distributor=wholesaler)
    StockItemFactory(product=lamp, distributor=store)

    add(as_alice, wholesaler, lamp, 2)
    add(as_alice, store, lamp, 1)
    add(as_alice, wholesaler, lamp, 1)

    assert cart_lines(alice, wholesaler) == {lamp.pk: 3}
    assert cart_lines(alice, store) == {lamp.pk: 1}
    html = as_alice.get(cart_url(wholesaler)).content.decode()
    assert "Western Wholesale" in html and lamp.name in html
    assert re.search(r'class="cart-count[^"]*">3<', html)


def test_add_with_htmx_answers_a_line_and_the_new_count(as_alice, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=2)
    response = add(as_alice, wholesaler, lamp, 3, **HTMX)
    html = response.content.decode()
    assert "Added 3." in html and "only 2 available" in html
    assert 'hx-swap-oob="innerHTML:.cart-count">3<' in html
    assert cart_url(wholesaler) in html


def test_add_refuses_a_bad_quantity(as_alice, alice, wholesaler):
    lamp = stocked_product(distributor=wholesaler)
    response = add(as_alice, wholesaler, lamp, 0, follow=True)
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert cart_lines(alice, wholesaler) == {}


def test_update_and_remove_cart_lines(as_alice, alice, wholesaler):
    lamp = stocked_product(distributor=wholesaler, name="Brass Lamp")
    add(as_alice, wholesaler, lamp, 2)

    response = as_alice.post(
        reverse("retailer:cart_update", args=[wholesaler.pk, lamp.pk]), {"quantity": 5}, **HTMX
    )
    assert 'id="cart-body"' in response.content.decode()
    assert cart_lines(alice, wholesaler) == {lamp.pk: 5}

    as_alice.post(reverse("retailer:cart_remove", args=[wholesaler.pk, lamp.pk]))
    assert cart_lines(alice, wholesaler) == {}
    assert "is empty" in as_alice.get(cart_url(wholesaler)).content.decode()


def test_the_cart_warns_when_the_distributor_has_too_little(as_alice, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=1)
    add(as_alice, wholesaler, lamp, 3)
    html = as_alice.get(cart_url(wholesaler)).content.decode()
    assert "Western Wholesale has only 1 available." in html
    assert checkout_url(wholesaler) not in html


# --- Checkout ----------------------------------------------------------------------


def test_checkout_places_the_order_with_the_chosen_distributor_for_the_organization(
    as_alice, alice, shop, store, wholesaler
):
    lamp = stocked_product(distributor=wholesaler, on_hand=10, price=Decimal("100.00"))
    StockItemFactory(product=lamp, distributor=store, on_hand=10)
    add(as_alice, wholesaler, lamp, 4)
    add(as_alice, store, lamp, 1)  # another cart: untouched by this order

    response = checkout(as_alice, wholesaler)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order_url(order)
    assert order.distributor == wholesaler
    assert order.buyer_organization == shop
    assert order.customer == alice
    assert order.shipping_address == ADDRESS
    assert available(lamp, wholesaler) == 6
    assert available(lamp, store) == 10
    assert cart_lines(alice, wholesaler) == {}
    assert cart_lines(alice, store) == {lamp.pk: 1}
    page = as_alice.get(response["Location"])
    assert f"Order {order.number} is placed with Western Wholesale" in page.content.decode()


def test_checkout_prefills_the_organization_address(client, wholesaler):
    member = RetailerUserFactory(organization__address="7 Market Road", organization__city="Pune")
    client.force_login(member)
    add(client, wholesaler, stocked_product(distributor=wholesaler))
    html = client.get(checkout_url(wholesaler)).content.decode()
    assert "7 Market Road\nPune, West\nIndia</textarea>" in html


def test_checkout_refuses_more_than_the_distributor_has(as_alice, alice, store, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=5, name="Brass Lamp")
    StockItemFactory(product=lamp, distributor=store, on_hand=50)
    add(as_alice, wholesaler, lamp, 3)
    page = as_alice.get(checkout_url(wholesaler))
    # Someone else buys meanwhile.
    place_order(distributor=wholesaler, lines=[(lamp, 4)])

    response = as_alice.post(
        checkout_url(wholesaler),
        {"fulfillment_type": "delivery", "shipping_address": ADDRESS, "token": token_of(page)},
    )

    assert response.status_code == 200
    assert "Western Wholesale has only 1 of Brass Lamp" in response.content.decode()
    assert not Order.objects.filter(customer=alice).exists()
    assert cart_lines(alice, wholesaler) == {lamp.pk: 3}


def test_checkout_needs_an_address_for_delivery(as_alice, wholesaler):
    add(as_alice, wholesaler, stocked_product(distributor=wholesaler))
    response = checkout(as_alice, wholesaler, shipping_address="")
    assert response.status_code == 200
    assert "Enter the address to deliver to." in response.content.decode()
    assert not Order.objects.exists()


def test_a_second_submit_of_the_checkout_form_shows_the_same_order(as_alice, wholesaler):
    add(as_alice, wholesaler, stocked_product(distributor=wholesaler))
    page = as_alice.get(checkout_url(wholesaler))
    data = {"fulfillment_type": "pickup", "shipping_address": "", "token": token_of(page)}
    first = as_alice.post(checkout_url(wholesaler), data)
    second = as_alice.post(checkout_url(wholesaler), data)
    assert first["Location"] == second["Location"] == order_url(Order.objects.get())


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(as_alice, wholesaler):
    # Like the portal's: the cart page says it is empty and links to the catalog.
    response = as_alice.get(checkout_url(wholesaler))
    assert response["Location"] == cart_url(wholesaler)


# --- The organization's orders ------------------------------------------------------


def test_members_see_the_organizations_orders_not_other_organizations(
    client, alice, bob, carol, wholesaler
):
    by_alice = place_order(customer=alice, distributor=wholesaler)
    by_bob = place_order(customer=bob, distributor=wholesaler)
    by_carol = place_order(customer=carol, distributor=wholesaler)
    private = place_order(distributor=wholesaler)

    client.force_login(bob)
    response = client.get(ORDERS)
    assert [o.pk for o in response.context["page"].object_list] == [by_bob.pk, by_alice.pk]
    html = response.content.decode()
    assert by_alice.number in html and "Alice Buyer" in html
    assert by_carol.number not in html and private.number not in html

    assert client.get(order_url(by_alice)).status_code == 200
    assert client.get(order_url(by_carol)).status_code == 404
    assert client.get(order_url(private)).status_code == 404


def test_order_list_filters_by_status_and_distributor(as_alice, alice, store, wholesaler):
    placed = place_order(customer=alice, distributor=wholesaler)
    shipped = place_order(customer=alice, distributor=wholesaler)
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING, OrderStatus.SHIPPED):
        order_transition(order=shipped, to_status=status, by=None, tracking_reference="TRK-9")
    at_store = place_order(customer=alice, distributor=store)

    def numbers(**params):
        response = as_alice.get(ORDERS, params)
        return {o.number for o in response.context["page"].object_list}

    assert numbers(status="shipped") == {shipped.number}
    assert numbers(distributor=store.pk) == {at_store.number}
    assert numbers(status="placed", distributor=wholesaler.pk) == {placed.number}
    assert numbers(status="bogus") == {placed.number, shipped.number, at_store.number}
    assert "TRK-9" in as_alice.get(ORDERS).content.decode()
    empty = as_alice.get(ORDERS, {"status": "delivered"}).content.decode()
    assert "No orders match these filters." in empty


def test_order_detail_shows_status_history_and_tracking(client, alice, bob, wholesaler):
    order = place_order(customer=alice, distributor=wholesaler)
    clerk = DistributorUserFactory(organization=wholesaler, name="Dev Dispatcher")
    order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=clerk, note="Packing today")
    order_transition(order=order, to_status=OrderStatus.PROCESSING, by=clerk)
    order_transition(
        order=order, to_status=OrderStatus.SHIPPED, by=clerk, tracking_reference="BLUEDART-77"
    )

    client.force_login(bob)
    html = client.get(order_url(order)).content.decode()

    assert "BLUEDART-77" in html
    assert "Packing today" in html and "by Dev Dispatcher" in html
    history = re.search(r'id="order-history">(.*?)</ol>', html, re.S).group(1)
    assert [s.lower() for s in re.findall(r'">(\w+)</span>', history)] == [
        "placed",
        "accepted",
        "processing",
        "shipped",
    ]
    assert "Alice Buyer" in html
    assert reverse("retailer:order_cancel", args=[order.number]) not in html


def test_a_colleague_cancels_a_placed_order_and_the_stock_goes_back(client, alice, bob, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=10)
    order = place_order(customer=alice, distributor=wholesaler, lines=[(lamp, 3)])
    client.force_login(bob)
    assert reverse("retailer:order_cancel", args=[order.number]) in (
        client.get(order_url(order)).content.decode()
    )

    response = client.post(
        reverse("retailer:order_cancel", args=[order.number]), {"reason": "Wrong size"}, follow=True
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert available(lamp, wholesaler) == 10
    assert "is cancelled" in response.content.decode()
    change = order.status_changes.get(to_status=OrderStatus.CANCELLED)
    assert change.changed_by == bob and change.note == "Wrong size"


def test_an_accepted_order_cannot_be_cancelled(as_alice, alice, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=10)
    order = place_order(customer=alice, distributor=wholesaler, lines=[(lamp, 2)])
    order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=None)

    response = as_alice.post(reverse("retailer:order_cancel", args=[order.number]), follow=True)

    assert "already accepted" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert available(lamp, wholesaler) == 8
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.RETURN).exists()


def test_another_organization_cannot_cancel(client, alice, carol, wholesaler):
    order = place_order(customer=alice, distributor=wholesaler)
    client.force_login(carol)
    response = client.post(reverse("retailer:order_cancel", args=[order.number]))
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


# --- Query counts --------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_order_list_queries_do_not_grow_with_orders(as_alice, alice, bob, wholesaler):
    products = [stocked_product(distributor=wholesaler, on_hand=500) for _ in range(3)]

    def count_with(n):
        while Order.objects.filter(buyer_organization=alice.organization).count() < n:
            member = bob if Order.objects.count() % 2 else alice
            place_order(customer=member, distributor=wholesaler, lines=[(p, 1) for p in products])
        return _queries(as_alice, ORDERS)

    assert count_with(3) == count_with(30)  # a full page of 20 and more


def test_catalog_queries_do_not_grow_with_products(as_alice, wholesaler):
    category, manufacturer = CategoryFactory(), ManufacturerFactory()

    def count_with(n):
        while StockItem.objects.filter(distributor=wholesaler).count() < n:
            stocked_product(distributor=wholesaler, category=category, manufacturer=manufacturer)
        return _queries(as_alice, catalog_url(wholesaler))

    assert count_with(3) == count_with(30)


def test_distributor_list_queries_do_not_grow_with_distributors(as_alice, alice):
    def count_with(n):
        while Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR).count() < n:
            distributor = DistributorFactory()
            add(as_alice, distributor, stocked_product(distributor=distributor))
        return _queries(as_alice, DISTRIBUTORS)

    assert count_with(3) == count_with(30)


def test_cart_page_queries_do_not_grow_with_lines(as_alice, wholesaler):
    category, manufacturer = CategoryFactory(), ManufacturerFactory()

    def count_with(n):
        while len(as_alice.get(cart_url(wholesaler)).context["summary"].lines) < n:
            add(
                as_alice,
                wholesaler,
                stocked_product(
                    distributor=wholesaler, category=category, manufacturer=manufacturer
                ),
            )
        return _queries(as_alice, cart_url(wholesaler))

    assert count_with(3) == count_with(30)
