"""The retailer's orders API: /api/retailer/orders, scoped to the caller's organization."""

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
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db

ORDERS = reverse("api-retailer-order-list")
ADDRESS = "4 Market Lane, Pune 411002"


def detail_url(order):
    return reverse("api-retailer-order-detail", args=[order.pk])


@pytest.fixture
def shop():
    return OrganizationFactory(name="Lakeside Retail", kind=Organization.Kind.RETAILER)


@pytest.fixture
def alice(shop):
    return RetailerUserFactory(organization=shop, name="Alice Buyer")


@pytest.fixture
def bob(shop):
    """A second member of the same retailer."""
    return UserFactory(organization=shop, name="Bob Colleague")


@pytest.fixture
def carol():
    """A member of another retailer."""
    return RetailerUserFactory(organization__name="Metro Corner", name="Carol Elsewhere")


@pytest.fixture
def store():
    return DistributorFactory(name="The Store", is_default_store=True)


@pytest.fixture
def wholesaler():
    return DistributorFactory(name="Western Wholesale")


@pytest.fixture
def client_for(api_client):
    def authenticate(user):
        api_client.force_authenticate(user)
        return api_client

    return authenticate


def available(product, distributor):
    return StockItem.objects.get(product=product, distributor=distributor).available


def body_for(distributor, *lines, **extra):
    body = {
        "distributor_id": distributor.pk,
        "items": [{"product_id": p.pk, "quantity": q} for p, q in lines],
        "shipping_address": ADDRESS,
    }
    body.update(extra)
    return body


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code
    return body


def org_order(member, distributor, **kwargs):
    return place_order(customer=member, distributor=distributor, **kwargs)


# --- Placing an order ------------------------------------------------------------


def test_the_201_body_is_what_reading_the_order_gives(client_for, alice, wholesaler):
    kettle = stocked_product(distributor=wholesaler, on_hand=20, price=Decimal("50.00"))
    mug = stocked_product(distributor=wholesaler, on_hand=20, price=Decimal("4.45"))
    api = client_for(alice)

    with CaptureQueriesContext(connection) as captured:
        response = api.post(ORDERS, body_for(wholesaler, (mug, 2), (kettle, 1)), format="json")

    assert response.status_code == 201, response.content
    history_reads = [q["sql"] for q in captured.captured_queries if "orderstatuschange" in q["sql"]]
    assert all(sql.startswith("INSERT") for sql in history_reads), history_reads  # not read back
    assert response.json()["placed_by"]["name"] == "Alice Buyer"
    assert response.json() == api.get(response["Location"]).json()


def test_an_order_is_placed_against_the_chosen_distributors_stock(
    client_for, alice, shop, store, wholesaler
):
    kettle = stocked_product(distributor=wholesaler, on_hand=20, price=Decimal("50.00"))
    StockItemFactory(product=kettle, distributor=store, on_hand=20)

    response = client_for(alice).post(ORDERS, body_for(wholesaler, (kettle, 3)), format="json")

    assert response.status_code == 201, response.content
    order = Order.objects.get()
    assert order.distributor == wholesaler
    assert order.buyer_organization == shop
    assert order.customer == alice
    # The chosen distributor's stock went down; the portal store's did not.
    assert available(kettle, wholesaler) == 17
    assert available(kettle, store) == 20
    assert response["Location"] == detail_url(order)
    data = response.json()
    assert data["distributor"] == {"id": wholesaler.pk, "name": "Western Wholesale"}
    assert data["placed_by"] == {"id": alice.pk, "name": "Alice Buyer", "email": alice.email}
    assert data["status"] == "placed"
    assert data["subtotal"] == "150.00"
    assert [step["to_status"] for step in data["status_history"]] == ["placed"]
    assert [(i["product_id"], i["quantity"]) for i in data["items"]] == [(kettle.pk, 3)]


def test_the_order_shape_is_the_customer_shape_plus_who_placed_it(client_for, alice, wholesaler):
    product = stocked_product(distributor=wholesaler)
    data = client_for(alice).post(ORDERS, body_for(wholesaler, (product, 1)), format="json").json()
    assert set(data) == {
        "id",
        "number",
        "status",
        "backorder",
        "fulfillment_type",
        "shipping_address",
        "distributor",
        "items",
        "subtotal",
        "tax",
        "total",
        "estimated_delivery",
        "tracking_reference",
        "tracking_url",
        "created_at",
        "status_history",
        "shipments",
        "placed_by",
        # GST (#15): additive
        "shipping_state",
        "place_of_supply",
        "cgst",
        "sgst",
        "igst",
        # #18: the buyer's PO number, delivery date and loyalty discount
        "buyer_reference",
        "requested_delivery_date",
        "loyalty_points_redeemed",
        "loyalty_discount",
    }


@pytest.mark.parametrize("distributor_id", [None, "missing", "retailer", 987654])
def test_the_distributor_is_required_and_must_be_a_distributor(
    client_for, alice, shop, store, distributor_id
):
    product = stocked_product(distributor=store)
    body = body_for(store, (product, 1))
    if distributor_id == "missing":
        del body["distributor_id"]
    elif distributor_id == "retailer":
        body["distributor_id"] = shop.pk
    else:
        body["distributor_id"] = distributor_id

    response = client_for(alice).post(ORDERS, body, format="json")

    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == ["distributor_id"]
    # No fallback to the portal's store: nothing was ordered.
    assert not Order.objects.exists()
    assert available(product, store) == 100


def test_too_little_stock_at_the_chosen_distributor_is_409_even_if_the_store_has_plenty(
    client_for, alice, store, wholesaler
):
    product = stocked_product(distributor=wholesaler, on_hand=2, name="Rare Lamp")
    StockItemFactory(product=product, distributor=store, on_hand=50)

    response = client_for(alice).post(ORDERS, body_for(wholesaler, (product, 3)), format="json")

    body = assert_error(response, 409, "insufficient_stock")
    assert "Rare Lamp" in body["detail"] and "2 available" in body["detail"]
    assert body["errors"] == {"items.0.quantity": [f"Only 2 available of {product}."]}
    assert not Order.objects.exists()
    assert available(product, wholesaler) == 2


def test_a_product_the_distributor_does_not_carry_is_409(client_for, alice, store, wholesaler):
    product = stocked_product(distributor=store, on_hand=50)

    response = client_for(alice).post(ORDERS, body_for(wholesaler, (product, 1)), format="json")

    assert_error(response, 409, "insufficient_stock")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"items": []}, "items"),
        ({"items": [{"product_id": 1, "quantity": 0}]}, "items.0.quantity"),
        ({"shipping_address": ""}, "shipping_address"),
        ({"fulfillment_type": "drone"}, "fulfillment_type"),
        ({"distributor_id": "7"}, "distributor_id"),
    ],
)
def test_bad_input_is_400_naming_the_field(client_for, alice, wholesaler, change, field):
    product = stocked_product(distributor=wholesaler)
    body = body_for(wholesaler, (product, 1))
    body.update(change)

    response = client_for(alice).post(ORDERS, body, format="json")

    assert field in assert_error(response, 400, "invalid")["errors"]
    assert not Order.objects.exists()


def test_an_idempotency_key_replays_the_first_order(client_for, alice, wholesaler):
    product = stocked_product(distributor=wholesaler, on_hand=10)
    client = client_for(alice)
    body = body_for(wholesaler, (product, 2))

    first = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = client.post(
        ORDERS, body_for(wholesaler, (product, 1)), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert_error(other, 422, "idempotency_key_reused")
    assert Order.objects.count() == 1
    assert available(product, wholesaler) == 8


# --- Reading the organization's orders ---------------------------------------------


def test_every_member_sees_the_organizations_orders_and_only_those(
    client_for, alice, bob, carol, wholesaler
):
    by_alice = org_order(alice, wholesaler)
    by_bob = org_order(bob, wholesaler)
    org_order(carol, wholesaler)
    place_order(distributor=wholesaler)  # a private customer's

    for member in (alice, bob):
        data = client_for(member).get(ORDERS).json()
        assert data["count"] == 2
        assert [o["id"] for o in data["results"]] == [by_bob.pk, by_alice.pk]
    by_member = {
        o["id"]: o["placed_by"]["id"] for o in client_for(bob).get(ORDERS).json()["results"]
    }
    assert by_member == {by_alice.pk: alice.pk, by_bob.pk: bob.pk}
    assert client_for(carol).get(ORDERS).json()["count"] == 1


def test_a_member_reads_a_colleagues_order_another_organization_gets_404(
    client_for, alice, bob, carol, wholesaler
):
    order = org_order(alice, wholesaler)
    order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=None, note="On it.")

    response = client_for(bob).get(detail_url(order))
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == order.number
    assert [s["to_status"] for s in data["status_history"]] == ["placed", "accepted"]
    assert data["status_history"][1]["note"] == "On it."

    assert_error(client_for(carol).get(detail_url(order)), 404, "not_found")


def test_a_private_customers_order_is_404_for_a_retailer(client_for, alice, wholesaler):
    customer = CustomerFactory()
    order = place_order(customer=customer, distributor=wholesaler)
    assert_error(client_for(alice).get(detail_url(order)), 404, "not_found")


def test_the_list_shows_the_tracking_reference(client_for, alice, wholesaler):
    order = org_order(alice, wholesaler)
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        order_transition(order=order, to_status=status, by=None)
    order_transition(
        order=order, to_status=OrderStatus.SHIPPED, by=None, tracking_reference="TRK-42"
    )
    (row,) = client_for(alice).get(ORDERS).json()["results"]
    assert row["status"] == "shipped"
    assert row["tracking_reference"] == "TRK-42"


def test_filters_by_status_and_distributor(client_for, alice, store, wholesaler):
    placed = org_order(alice, wholesaler)
    cancelled = org_order(alice, wholesaler)
    order_transition(order=cancelled, to_status=OrderStatus.CANCELLED, by=alice)
    at_store = org_order(alice, store)
    client = client_for(alice)

    def ids(**params):
        return {o["id"] for o in client.get(ORDERS, params).json()["results"]}

    assert ids(status="placed") == {placed.pk, at_store.pk}
    assert ids(status="cancelled") == {cancelled.pk}
    assert ids(distributor=wholesaler.pk) == {placed.pk, cancelled.pk}
    assert ids(distributor=store.pk, status="placed") == {at_store.pk}
    assert (
        "status" in assert_error(client.get(ORDERS, {"status": "lost"}), 400, "invalid")["errors"]
    )
    assert (
        "distributor"
        in assert_error(client.get(ORDERS, {"distributor": "x"}), 400, "invalid")["errors"]
    )


# --- Roles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory", [CustomerFactory, DistributorUserFactory, ManufacturerUserFactory]
)
def test_other_roles_get_403_on_every_retailer_endpoint(client_for, wholesaler, alice, factory):
    order = org_order(alice, wholesaler)
    product = stocked_product(distributor=wholesaler)
    client = client_for(factory())
    urls = [
        ORDERS,
        detail_url(order),
        reverse("api-retailer-catalog") + f"?distributor={wholesaler.pk}",
        reverse("api-retailer-distributor-list"),
    ]
    for url in urls:
        assert_error(client.get(url), 403, "permission_denied")
    assert_error(
        client.post(ORDERS, body_for(wholesaler, (product, 1)), format="json"),
        403,
        "permission_denied",
    )
    assert Order.objects.count() == 1


def test_anonymous_callers_get_401(api_client, wholesaler, alice):
    order = org_order(alice, wholesaler)
    for url in (ORDERS, detail_url(order), reverse("api-retailer-distributor-list")):
        assert api_client.get(url).status_code == 401
    assert api_client.post(ORDERS, {}, format="json").status_code == 401


# --- Query counts -------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_order_list_queries_do_not_grow_with_orders(client_for, alice, bob, wholesaler):
    products = [stocked_product(distributor=wholesaler, on_hand=500) for _ in range(3)]
    client = client_for(alice)

    def count_with(n):
        while Order.objects.filter(buyer_organization=alice.organization).count() < n:
            member = alice if Order.objects.count() % 2 else bob
            order = org_order(member, wholesaler, lines=[(p, 1) for p in products])
            order_transition(order=order, to_status=OrderStatus.ACCEPTED, by=None)
        return _queries(client, ORDERS + "?page_size=100")

    assert count_with(3) == count_with(30)
    assert StockMovement.objects.exists()
