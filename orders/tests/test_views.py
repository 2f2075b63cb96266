import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory
from orders import checkout_views
from orders.cart import SESSION_KEY
from orders.exceptions import OrderPlacementBusy
from orders.models import Cart, CartItem, Order, OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PORTAL = reverse("portal:dashboard")
CART = reverse("portal:cart")
CHECKOUT = reverse("portal:checkout")
ORDERS = reverse("portal:orders")


@pytest.fixture
def store():
    return DistributorFactory(name="Portal Store", is_default_store=True)


@pytest.fixture
def customer():
    return CustomerFactory(name="Cora Customer")


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer)
    return client


def add(client, product, quantity=1, **extra):
    return client.post(
        reverse("portal:cart_add", args=[product.pk]),
        {"quantity": quantity, "next": "/customer-portal/?q=x"},
        **extra,
    )


def db_cart(user, store) -> dict[int, int]:
    return dict(
        CartItem.objects.filter(cart__user=user, cart__distributor=store).values_list(
            "product_id", "quantity"
        )
    )


def available(product, store) -> int:
    return StockItem.objects.get(product=product, distributor=store).available


def checkout_token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def fill_cart(client, *lines):
    for product, quantity in lines:
        assert add(client, product, quantity).status_code == 302


# --- Cart ---------------------------------------------------------------------


def test_visitor_adds_to_the_session_cart_without_js(client, store):
    lamp = stocked_product(distributor=store, name="Desk Lamp", price=Decimal("20.00"))
    response = add(client, lamp, 2)
    assert response.status_code == 302
    assert response["Location"] == "/customer-portal/?q=x"
    assert client.session[SESSION_KEY] == {str(store.pk): {str(lamp.pk): 2}}
    add(client, lamp, 1)

    page = client.get(CART)
    html = page.content.decode()
    assert "Added 1 \u00d7 Desk Lamp to your cart." in html  # the message from the redirect
    assert "Desk Lamp" in html and "₹60.00" in html
    assert page.context["summary"].count == 3
    assert re.search(r'class="cart-count[^"]*">3<', html)  # the navbar badge


def test_add_refuses_an_unsafe_next(client, store):
    lamp = stocked_product(distributor=store)
    response = client.post(
        reverse("portal:cart_add", args=[lamp.pk]), {"quantity": 1, "next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("portal:product", args=[lamp.slug])


def test_htmx_add_returns_a_confirmation_and_the_new_cart_count(shopper, customer, store):
    lamp = stocked_product(distributor=store, on_hand=3, name="Desk Lamp")
    response = add(shopper, lamp, 2, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Added 2." in html and "2 in your cart" in html
    assert 'hx-swap-oob="innerHTML:.cart-count">2<' in html
    assert db_cart(customer, store) == {lamp.pk: 2}

    response = add(shopper, lamp, 2, **HTMX)
    assert "only 3 available" in response.content.decode()
    assert db_cart(customer, store) == {lamp.pk: 4}


@pytest.mark.parametrize("quantity", ["abc", "0", "-2", "1000", ""])
def test_add_with_a_bad_quantity_changes_nothing(client, store, quantity):
    lamp = stocked_product(distributor=store)
    response = add(client, lamp, quantity, **HTMX)
    assert response.status_code == 200
    assert 'class="text-danger"' in response.content.decode()
    assert SESSION_KEY not in client.session
    response = add(client, lamp, quantity)
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_add_of_an_inactive_product_is_404(client, store):
    lamp = stocked_product(distributor=store, is_active=False)
    assert add(client, lamp).status_code == 404


def test_signed_in_user_updates_and_removes_lines_without_js(shopper, customer, store):
    lamp = stocked_product(distributor=store, name="Desk Lamp")
    mug = stocked_product(distributor=store, name="Mug")
    fill_cart(shopper, (lamp, 1), (mug, 1))
    assert db_cart(customer, store) == {lamp.pk: 1, mug.pk: 1}

    response = shopper.post(reverse("portal:cart_update", args=[lamp.pk]), {"quantity": 5})
    assert response["Location"] == CART
    assert db_cart(customer, store) == {lamp.pk: 5, mug.pk: 1}

    shopper.post(reverse("portal:cart_remove", args=[mug.pk]))
    assert db_cart(customer, store) == {lamp.pk: 5}

    shopper.post(reverse("portal:cart_update", args=[lamp.pk]), {"quantity": 0})
    assert db_cart(customer, store) == {}
    assert "Your cart is empty." in shopper.get(CART).content.decode()


def test_htmx_quantity_change_updates_totals_warning_and_badge(shopper, customer, store):
    lamp = stocked_product(distributor=store, on_hand=3, name="Desk Lamp", price=Decimal("10.00"))
    mug = stocked_product(distributor=store, name="Mug", price=Decimal("5.00"))
    fill_cart(shopper, (lamp, 1), (mug, 1))

    response = shopper.post(reverse("portal:cart_update", args=[lamp.pk]), {"quantity": 2}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="cart-body">') and "<html" not in html
    assert re.search(rf'id="line-total-{lamp.pk}">₹20.00<', html)
    assert re.search(r'id="cart-subtotal">₹25.00<', html)
    assert re.search(r'id="cart-total">₹29.50<', html)  # 18 % tax estimate
    assert 'hx-swap-oob="innerHTML:.cart-count">3<' in html
    assert "Only" not in html and reverse("portal:checkout") in html

    # More than the store has: the line warns and checkout is blocked.
    html = shopper.post(
        reverse("portal:cart_update", args=[lamp.pk]), {"quantity": 7}, **HTMX
    ).content.decode()
    assert "Only 3 available." in html
    assert "Some lines ask for more than is in stock" in html
    assert f'href="{CHECKOUT}"' not in html
    assert db_cart(customer, store)[lamp.pk] == 7

    html = shopper.post(reverse("portal:cart_remove", args=[lamp.pk]), **HTMX).content.decode()
    assert f'id="line-{lamp.pk}"' not in html and "Removed Desk Lamp from your cart." in html
    assert re.search(r'id="cart-subtotal">₹5.00<', html)
    assert 'hx-swap-oob="innerHTML:.cart-count">1<' in html


def test_cart_update_with_a_bad_quantity_shows_the_error_on_the_line(shopper, customer, store):
    lamp = stocked_product(distributor=store, name="Desk Lamp")
    fill_cart(shopper, (lamp, 2))
    for bad in ("abc", "-1", "1000"):
        html = shopper.post(
            reverse("portal:cart_update", args=[lamp.pk]), {"quantity": bad}, **HTMX
        ).content.decode()
        assert 'role="alert"' in html
    response = shopper.post(reverse("portal:cart_update", args=[lamp.pk]), {"quantity": "abc"})
    assert response["Location"] == CART
    assert "Desk Lamp: Enter a whole number." in shopper.get(CART).content.decode()
    assert db_cart(customer, store) == {lamp.pk: 2}


def test_visitor_changes_quantities_in_the_session_cart(client, store):
    lamp = stocked_product(distributor=store, on_hand=2, name="Desk Lamp")
    fill_cart(client, (lamp, 1))
    html = client.post(
        reverse("portal:cart_update", args=[lamp.pk]), {"quantity": 4}, **HTMX
    ).content.decode()
    assert "Only 2 available." in html
    assert client.session[SESSION_KEY] == {str(store.pk): {str(lamp.pk): 4}}
    client.post(reverse("portal:cart_remove", args=[lamp.pk]))
    assert client.session[SESSION_KEY] == {str(store.pk): {}}


def test_cart_page_tells_a_visitor_they_log_in_at_checkout(client, store):
    fill_cart(client, (stocked_product(distributor=store), 1))
    html = client.get(CART).content.decode()
    assert f'href="{CHECKOUT}"' in html
    assert "You will log in or sign up first" in html


def test_session_cart_is_merged_at_login(client, store):
    customer = CustomerFactory()
    lamp = stocked_product(distributor=store, name="Desk Lamp")
    mug = stocked_product(distributor=store, name="Mug")
    Cart.objects.create(user=customer, distributor=store).items.create(product=mug, quantity=1)
    fill_cart(client, (lamp, 2), (mug, 1))

    response = client.post(
        reverse("accounts:login") + f"?next={CHECKOUT}",
        {"username": customer.email, "password": DEFAULT_PASSWORD, "next": CHECKOUT},
    )
    assert response["Location"] == CHECKOUT
    assert db_cart(customer, store) == {lamp.pk: 2, mug.pk: 2}
    page = client.get(CHECKOUT)
    assert page.status_code == 200
    assert page.context["summary"].count == 4


@pytest.mark.parametrize("factory", [DistributorUserFactory, ManufacturerUserFactory])
def test_roles_that_cannot_buy_are_told_so(client, store, factory):
    client.force_login(factory())
    lamp = stocked_product(distributor=store)
    response = add(client, lamp, 1, **HTMX)
    assert "cannot place orders" in response.content.decode()
    assert not CartItem.objects.exists()
    assert "cannot place orders" in client.get(CART).content.decode()

    response = client.get(CHECKOUT)
    assert response.status_code == 403
    assert "cannot place orders" in response.content.decode()
    assert 'name="token"' not in response.content.decode()
    response = client.post(CHECKOUT, {"fulfillment_type": "pickup", "token": "t"})
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_no_default_store_is_a_clear_message_everywhere(shopper):
    lamp = stocked_product(distributor=DistributorFactory())
    assert "The shop is not open yet" in shopper.get(CART).content.decode()
    assert "The shop is not open yet" in add(shopper, lamp, 1, **HTMX).content.decode()
    response = shopper.get(CHECKOUT)
    assert response.status_code == 503
    assert "The shop is not open yet" in response.content.decode()


# --- Checkout -----------------------------------------------------------------


def test_checkout_sends_a_visitor_to_login_with_next(client, store):
    response = client.get(CHECKOUT)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={CHECKOUT}"


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(shopper, store):
    response = shopper.get(CHECKOUT)
    assert response["Location"] == CART


def test_checkout_prefills_the_organization_address(client, store):
    retailer = RetailerUserFactory(
        organization__address="7 Market Road",
        organization__city="Pune",
        organization__region="West",
    )
    client.force_login(retailer)
    fill_cart(client, (stocked_product(distributor=store), 1))
    html = client.get(CHECKOUT).content.decode()
    assert "7 Market Road\nPune, West\nIndia</textarea>" in html


def test_checkout_places_the_order_and_shows_the_confirmation(shopper, customer, store):
    lamp = stocked_product(distributor=store, on_hand=10, name="Desk Lamp", price=Decimal("100.00"))
    mug = stocked_product(distributor=store, on_hand=10, name="Mug", price=Decimal("5.00"))
    fill_cart(shopper, (lamp, 2), (mug, 1))

    page = shopper.get(CHECKOUT)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Desk Lamp" in html and "₹205.00" in html and "₹241.90" in html  # 18 % tax
    token = checkout_token(page)

    response = shopper.post(
        CHECKOUT,
        {"fulfillment_type": "delivery", "shipping_address": "1 Main St\nPune", "token": token},
    )
    order = Order.objects.get()
    assert response["Location"] == reverse("portal:order_confirmation", args=[order.number])
    assert order.customer == customer and order.distributor == store
    assert order.total == Decimal("241.90") and order.idempotency_key == token
    assert order.shipping_address == "1 Main St\nPune"
    assert available(lamp, store) == 8 and available(mug, store) == 9
    assert db_cart(customer, store) == {}

    html = shopper.get(response["Location"]).content.decode()
    assert order.number in html
    assert "Estimated delivery" in html and f"{order.estimated_delivery:%Y}" in html
    assert "Desk Lamp" in html and "₹241.90" in html
    assert reverse("portal:order", args=[order.number]) in html
    assert re.search(r'class="cart-count[^"]*">0<', html)


def test_pickup_needs_no_address(shopper, store):
    fill_cart(shopper, (stocked_product(distributor=store), 1))
    token = checkout_token(shopper.get(CHECKOUT))
    shopper.post(CHECKOUT, {"fulfillment_type": "pickup", "shipping_address": "", "token": token})
    order = Order.objects.get()
    assert order.fulfillment_type == "pickup" and order.shipping_address == ""


@pytest.mark.parametrize(
    "data, field",
    [
        ({"fulfillment_type": "delivery", "shipping_address": "  "}, "shipping_address"),
        ({"fulfillment_type": "drone", "shipping_address": "x"}, "fulfillment_type"),
        ({"fulfillment_type": "pickup", "token": ""}, "token"),
    ],
)
def test_checkout_form_errors_place_nothing(shopper, store, data, field):
    fill_cart(shopper, (stocked_product(distributor=store), 1))
    data = {"token": "tok-1", **data}
    response = shopper.post(CHECKOUT, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Order.objects.exists()


def test_insufficient_stock_names_the_product_and_writes_nothing(shopper, customer, store):
    lamp = stocked_product(distributor=store, on_hand=10, name="Desk Lamp")
    chair = stocked_product(distributor=store, on_hand=3, name="Office Chair", sku="CHR-1")
    fill_cart(shopper, (lamp, 1), (chair, 1))
    token = checkout_token(shopper.get(CHECKOUT))
    # Someone else buys the chairs while this customer fills in the form.
    CartItem.objects.filter(product=chair).update(quantity=5)
    movements = StockMovement.objects.count()

    response = shopper.post(CHECKOUT, {"fulfillment_type": "pickup", "token": token})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Only 3 of Office Chair (CHR-1) are available; you asked for 5." in html
    assert "or choose to backorder the rest" in html and "Nothing was" in html
    assert not Order.objects.exists()
    assert StockMovement.objects.count() == movements
    assert available(lamp, store) == 10 and available(chair, store) == 3
    assert db_cart(customer, store) == {lamp.pk: 1, chair.pk: 5}
    # The review marks the short line and offers the fix: the cart, or backordering the rest.
    assert "Only 3 available" in html and "choose above to backorder the rest" in html


def test_double_submit_with_the_same_token_creates_one_order(shopper, store):
    lamp = stocked_product(distributor=store, on_hand=10)
    fill_cart(shopper, (lamp, 2))
    token = checkout_token(shopper.get(CHECKOUT))
    data = {"fulfillment_type": "delivery", "shipping_address": "1 Main St", "token": token}

    first = shopper.post(CHECKOUT, data)
    second = shopper.post(CHECKOUT, data)

    order = Order.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("portal:order_confirmation", args=[order.number])
    )
    assert available(lamp, store) == 8


def test_a_retry_racing_the_first_submit_gets_the_same_order(shopper, customer, store):
    """The second request read the cart before the first emptied it: order_place replays."""
    lamp = stocked_product(distributor=store, on_hand=10)
    fill_cart(shopper, (lamp, 2))
    token = checkout_token(shopper.get(CHECKOUT))
    data = {"fulfillment_type": "pickup", "token": token}
    shopper.post(CHECKOUT, data)
    fill_cart(shopper, (lamp, 2))  # the cart as the racing request saw it

    response = shopper.post(CHECKOUT, data, follow=True)

    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "portal:order_confirmation", args=[order.number]
    )
    assert f"Order {order.number} was already placed" in response.content.decode()
    assert available(lamp, store) == 8


def test_reusing_a_spent_token_for_a_changed_cart_asks_to_review(shopper, store):
    lamp = stocked_product(distributor=store, on_hand=10)
    fill_cart(shopper, (lamp, 1))
    token = checkout_token(shopper.get(CHECKOUT))
    shopper.post(CHECKOUT, {"fulfillment_type": "pickup", "token": token})
    first = Order.objects.get()
    fill_cart(shopper, (lamp, 3))

    response = shopper.post(CHECKOUT, {"fulfillment_type": "pickup", "token": token})

    assert response.status_code == 200
    assert f"already placed order {first.number}" in response.content.decode()
    assert checkout_token(response) != token
    assert Order.objects.count() == 1


def test_a_busy_database_asks_to_retry(shopper, store, monkeypatch):
    def busy(**kwargs):
        raise OrderPlacementBusy()

    monkeypatch.setattr(checkout_views, "order_place", busy)
    fill_cart(shopper, (stocked_product(distributor=store), 1))
    response = shopper.post(CHECKOUT, {"fulfillment_type": "pickup", "token": "t-1"})
    assert response.status_code == 503
    assert "try again in a moment" in response.content.decode()


def test_checkout_as_a_retailer_records_the_buyer_organization(client, store):
    retailer = RetailerUserFactory()
    client.force_login(retailer)
    fill_cart(client, (stocked_product(distributor=store), 1))
    token = checkout_token(client.get(CHECKOUT))
    client.post(CHECKOUT, {"fulfillment_type": "pickup", "token": token})
    assert Order.objects.get().buyer_organization == retailer.organization


# --- Orders -------------------------------------------------------------------


def test_order_history_lists_only_own_orders_newest_first_with_status_filter(
    shopper, customer, store
):
    mine = [place_order(customer=customer, distributor=store) for _ in range(3)]
    order_transition(order=mine[0], to_status=OrderStatus.ACCEPTED, by=None)
    theirs = place_order(distributor=store)

    response = shopper.get(ORDERS)
    assert response.status_code == 200
    listed = [order.number for order in response.context["page"].object_list]
    assert listed == [order.number for order in reversed(mine)]
    assert theirs.number not in response.content.decode()

    response = shopper.get(ORDERS, {"status": "accepted"})
    assert [o.number for o in response.context["page"].object_list] == [mine[0].number]

    response = shopper.get(ORDERS, {"status": "bogus"})
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert len(response.context["page"].object_list) == 3


def test_order_history_pages_20_at_a_time_and_htmx_gets_the_list(shopper, customer, store):
    product = stocked_product(distributor=store, on_hand=100)
    for _ in range(23):
        place_order(customer=customer, distributor=store, lines=[(product, 1)])
    first = shopper.get(ORDERS)
    assert len(first.context["page"].object_list) == 20
    assert 'href="?page=2"' in first.content.decode()
    second = shopper.get(ORDERS, {"page": 2}, **HTMX)
    html = second.content.decode()
    assert html.lstrip().startswith('<div id="order-list">') and "<html" not in html
    assert len(second.context["page"].object_list) == 3


def test_order_pages_need_login(client):
    for url in (ORDERS, reverse("portal:order", args=["AM-1"])):
        assert client.get(url)["Location"].startswith("/accounts/login/?next=")


def test_order_detail_shows_lines_totals_delivery_and_timeline(shopper, customer, store):
    lamp = stocked_product(distributor=store, name="Desk Lamp", price=Decimal("10.00"))
    order = place_order(customer=customer, distributor=store, lines=[(lamp, 3)])
    order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=None, note="Packed soon")
    order_transition(order=order, to_status=OrderStatus.PROCESSING, by=None)
    order_transition(
        order=order, to_status=OrderStatus.SHIPPED, by=None, tracking_reference="TRK-42"
    )

    response = shopper.get(reverse("portal:order", args=[order.number]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Desk Lamp", "₹30.00", "₹35.40", "TRK-42", "Packed soon", "1 Test Street"):
        assert text in html
    timeline = [c.to_status for c in response.context["order"].status_changes.all()]
    assert timeline == ["placed", "accepted", "processing", "shipped"]
    assert "Cancel order" not in html  # only while placed


def test_someone_elses_order_is_404(shopper, store):
    other = place_order(distributor=store)
    for name in ("portal:order", "portal:order_confirmation"):
        assert shopper.get(reverse(name, args=[other.number])).status_code == 404
    response = shopper.post(reverse("portal:order_cancel", args=[other.number]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == OrderStatus.PLACED


def test_cancel_releases_the_allocation(shopper, customer, store):
    lamp = stocked_product(distributor=store, on_hand=10)
    order = place_order(customer=customer, distributor=store, lines=[(lamp, 4)])
    assert available(lamp, store) == 6
    page = shopper.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "Cancel order" in page

    response = shopper.post(
        reverse("portal:order_cancel", args=[order.number]), {"reason": "Changed my mind"}
    )

    assert response["Location"] == reverse("portal:order", args=[order.number])
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert available(lamp, store) == 10
    # The units never left the shelf: nothing for the ledger.
    assert not StockMovement.objects.filter(reference=order.stock_reference).exists()
    html = shopper.get(response["Location"]).content.decode()
    assert f"Order {order.number} is cancelled" in html
    assert "Changed my mind" in html and "Cancel order" not in html


def test_cancel_after_acceptance_is_refused_with_a_message(shopper, customer, store):
    lamp = stocked_product(distributor=store, on_hand=10)
    order = place_order(customer=customer, distributor=store, lines=[(lamp, 2)])
    order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=None)

    response = shopper.post(reverse("portal:order_cancel", args=[order.number]), follow=True)

    assert "already accepted" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert available(lamp, store) == 8
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.RETURN).exists()


# --- Navigation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "factory, shows_portal",
    [
        (CustomerFactory, True),
        # Retailers order from a chosen distributor under /retailer/ (its own nav entries).
        (RetailerUserFactory, False),
        (DistributorUserFactory, False),
        (ManufacturerUserFactory, False),
    ],
)
def test_navigation_shows_shop_orders_and_cart_to_customers(client, store, factory, shows_portal):
    client.force_login(factory())
    html = client.get(reverse("accounts:profile")).content.decode()
    assert (f'href="{PORTAL}">Shop</a>' in html) is shows_portal
    assert (f'href="{ORDERS}">My orders' in html) is shows_portal
    assert (f'href="{CART}"' in html) is shows_portal


def test_visitors_see_shop_and_cart(client, store):
    html = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{PORTAL}">Shop</a>' in html and f'href="{CART}"' in html
    assert "My orders" not in html


def test_navbar_cart_count_is_one_query(shopper, customer, store):
    products = [stocked_product(distributor=store) for _ in range(3)]
    for product in products:
        add(shopper, product, 2)
    # A page that knows nothing of the cart: the badge costs one query.
    with CaptureQueriesContext(connection) as ctx:
        html = shopper.get(reverse("accounts:profile")).content.decode()
    cart_queries = [q for q in ctx.captured_queries if "orders_cartitem" in q["sql"]]
    assert len(cart_queries) == 1
    assert re.search(r'class="cart-count[^"]*">6<', html)
    # Lines of products withdrawn since are not counted (the cart drops them too).
    Product.objects.filter(pk=products[0].pk).update(is_active=False)
    html = shopper.get(reverse("accounts:profile")).content.decode()
    assert re.search(r'class="cart-count[^"]*">4<', html)


# --- Query counts -------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_order_history_query_count_is_the_same_for_10_and_100_orders(shopper, customer, store):
    products = [stocked_product(distributor=store, on_hand=500) for _ in range(3)]

    def orders(n):
        while Order.objects.filter(customer=customer).count() < n:
            place_order(customer=customer, distributor=store, lines=[(p, 1) for p in products])
        return _count_queries(shopper, ORDERS)

    assert orders(10) == orders(100)


@pytest.mark.parametrize("signed_in", [True, False])
def test_cart_page_query_count_is_the_same_for_10_and_100_lines(client, store, signed_in):
    if signed_in:
        client.force_login(CustomerFactory())
    category, manufacturer = CategoryFactory(), ManufacturerFactory()

    def lines(n):
        while len(client.get(CART).context["summary"].lines) < n:
            add(
                client,
                stocked_product(distributor=store, category=category, manufacturer=manufacturer),
            )
        return _count_queries(client, CART)

    assert lines(10) == lines(100)


def test_checkout_page_query_count_is_the_same_for_10_and_100_lines(shopper, store):
    category, manufacturer = CategoryFactory(), ManufacturerFactory()

    def lines(n):
        while len(shopper.get(CART).context["summary"].lines) < n:
            add(
                shopper,
                stocked_product(distributor=store, category=category, manufacturer=manufacturer),
            )
        return _count_queries(shopper, CHECKOUT)

    assert lines(10) == lines(100)


def test_order_history_summarizes_each_orders_lines(shopper, customer, store):
    products = [stocked_product(distributor=store, name=f"Lamp {i}") for i in range(4)]
    place_order(
        customer=customer,
        distributor=store,
        lines=[(products[0], 2), (products[1], 1), (products[2], 3), (products[3], 1)],
    )

    html = " ".join(shopper.get(ORDERS).content.decode().split())

    assert "7 items" in html
    assert "Lamp 0, Lamp 1 and 2 more" in html
