"""The cart services and stores (orders.services_cart, orders.cart)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory
from orders.cart import DatabaseCart, SessionCart, pop_session_cart
from orders.models import CartItem
from orders.services_cart import (
    MAX_CART_QUANTITY,
    cart_add_item,
    cart_merge,
    cart_set_item_quantity,
)
from orders.tests.factories import stocked_product

pytestmark = pytest.mark.django_db


def test_adding_twice_adds_up_and_setting_zero_removes():
    user, distributor, product = CustomerFactory(), DistributorFactory(), ProductFactory()

    cart_add_item(user=user, distributor=distributor, product=product, quantity=2)
    item = cart_add_item(user=user, distributor=distributor, product=product, quantity=3)
    assert item.quantity == 5

    cart_set_item_quantity(user=user, distributor=distributor, product=product, quantity=0)
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, 1.5, "2", True, MAX_CART_QUANTITY + 1])
def test_bad_quantities_are_refused(quantity):
    with pytest.raises(ValidationError) as exc:
        cart_add_item(
            user=CustomerFactory(),
            distributor=DistributorFactory(),
            product=ProductFactory(),
            quantity=quantity,
        )
    assert "quantity" in exc.value.message_dict


def test_inactive_products_cannot_be_added():
    with pytest.raises(ValidationError) as exc:
        cart_add_item(
            user=CustomerFactory(),
            distributor=DistributorFactory(),
            product=ProductFactory(is_active=False),
            quantity=1,
        )
    assert "product" in exc.value.message_dict


def test_summary_has_live_stock_shortages_and_totals():
    distributor = DistributorFactory()
    plenty = stocked_product(distributor=distributor, on_hand=50, price="10.00")
    short = stocked_product(distributor=distributor, on_hand=2, price="2.50")
    cart = DatabaseCart(CustomerFactory(), distributor)
    cart.add(plenty, 3)
    cart.add(short, 4)

    summary = cart.summary()

    assert [(line.product, line.quantity, line.available) for line in summary.lines] == [
        (plenty, 3, 50),
        (short, 4, 2),
    ]
    assert [line.short for line in summary.lines] == [False, True]
    assert summary.has_shortage
    assert str(summary.subtotal) == "40.00"
    assert summary.count == cart.count() == 7


def test_session_cart_then_merge_at_login_adds_quantities():
    distributor = DistributorFactory()
    a, b = ProductFactory(), ProductFactory()
    user = CustomerFactory()
    cart_add_item(user=user, distributor=distributor, product=a, quantity=1)
    session = SessionStore()
    visitor = SessionCart(session, distributor)
    visitor.add(a, 2)
    visitor.add(b, 1)
    visitor.set(b, 4)
    assert visitor.quantities() == {a.pk: 2, b.pk: 4}

    merged = cart_merge(user=user, carts=pop_session_cart(session))

    assert merged == 2
    assert "cart" not in session
    assert DatabaseCart(user, distributor).quantities() == {a.pk: 3, b.pk: 4}


def test_merge_drops_withdrawn_products_and_non_distributors():
    distributor = DistributorFactory()
    withdrawn = ProductFactory(is_active=False)
    fine = ProductFactory()
    user = CustomerFactory()

    merged = cart_merge(
        user=user,
        carts={
            distributor.pk: {withdrawn.pk: 1, fine.pk: 2},
            fine.manufacturer_id: {fine.pk: 1},
        },
    )

    assert merged == 1
    assert list(CartItem.objects.values_list("product_id", "quantity")) == [(fine.pk, 2)]


def test_logging_in_merges_the_visitors_cart(client):
    distributor = DistributorFactory()
    product = ProductFactory()
    user = CustomerFactory()
    session = client.session
    session["cart"] = {str(distributor.pk): {str(product.pk): 3}}
    session.save()

    client.force_login(user)  # sends user_logged_in with the request's session

    assert DatabaseCart(user, distributor).quantities() == {product.pk: 3}


def test_withdrawn_products_leave_the_count_and_can_be_removed_from_a_session_cart():
    distributor = DistributorFactory()
    kept, withdrawn = ProductFactory(), ProductFactory()
    user = CustomerFactory()
    cart = DatabaseCart(user, distributor)
    cart.add(kept, 1)
    cart.add(withdrawn, 2)
    visitor = SessionCart(SessionStore(), distributor)
    visitor.add(withdrawn, 1)
    withdrawn.is_active = False
    withdrawn.save()

    assert cart.count() == 1
    visitor.remove(withdrawn)
    assert visitor.quantities() == {}
