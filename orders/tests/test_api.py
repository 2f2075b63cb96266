from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders import services, transitions
from orders.exceptions import OrderPlacementBusy
from orders.models import Order, OrderItem, OrderStatus, OrderStatusChange
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db

ORDERS = reverse("api-order-list")
ADDRESS = "12 MG Road, Pune 411001"


def detail_url(order):
    return reverse("api-order-detail", args=[order.pk])


@pytest.fixture
def store():
    return DistributorFactory(name="The Store", is_default_store=True)


@pytest.fixture
def customer():
    return CustomerFactory()


@pytest.fixture
def client_for(api_client):
    def authenticate(user):
        api_client.force_authenticate(user)
        return api_client

    return authenticate


@pytest.fixture
def buyer(client_for, customer):
    return client_for(customer)


def available(product, distributor):
    return StockItem.objects.get(product=product, distributor=distributor).available


def row_counts():
    return (
        Order.objects.count(),
        OrderItem.objects.count(),
        OrderStatusChange.objects.count(),
        StockMovement.objects.count(),
    )


def body_for(*lines, **extra):
    body = {"items": [{"product_id": p.pk, "quantity": q} for p, q in lines]}
    body.setdefault("shipping_address", ADDRESS)
    body.update(extra)
    return body


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code
    assert body["detail"]
    return body


# --- Placing an order ----------------------------------------------------------


def test_place_order_answers_201_with_the_order(buyer, customer, store):
    kettle = stocked_product(
        distributor=store, on_hand=20, sku="KTL-1", name="Kettle", price=Decimal("19.99")
    )
    mug = stocked_product(
        distributor=store, on_hand=20, sku="MUG-1", name="Mug", price=Decimal("5.55")
    )

    response = buyer.post(ORDERS, body_for((kettle, 3), (mug, 1)), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    order = Order.objects.get()
    assert response["Location"] == detail_url(order)
    assert "Idempotent-Replayed" not in response
    assert set(data) == {
        "id",
        "number",
        "status",
        "fulfillment_type",
        "backorder",
        "shipping_address",
        "shipping_state",
        "place_of_supply",
        "buyer_reference",
        "requested_delivery_date",
        "distributor",
        "items",
        "loyalty_points_redeemed",
        "loyalty_discount",
        "subtotal",
        "tax",
        "cgst",
        "sgst",
        "igst",
        "total",
        "estimated_delivery",
        "tracking_reference",
        "tracking_url",
        "created_at",
        "status_history",
        "shipments",
    }
    assert data["shipments"] == []
    assert data["id"] == order.pk
    assert data["number"] == order.number and data["number"].startswith("AM-")
    assert data["status"] == "placed"
    assert data["fulfillment_type"] == "delivery"
    assert data["shipping_address"] == ADDRESS
    assert data["distributor"] == {"id": store.pk, "name": "The Store"}
    assert data["items"] == [
        {
            "product_id": kettle.pk,
            "sku": "KTL-1",
            "name": "Kettle",
            "quantity": 3,
            "allocated": 3,
            "shipped": 0,
            "backordered": 0,
            "cancelled": 0,
            "unit_price": "19.99",
            "line_total": "59.97",
            "discount": "0.00",
            # GST (#15): the store's state is not known, so intra-state; per line.
            "prices_include_tax": False,
            "hsn_code": "",
            "tax_rate": "0.1800",
            "cgst": "5.40",
            "sgst": "5.40",
            "igst": "0.00",
        },
        {
            "product_id": mug.pk,
            "sku": "MUG-1",
            "name": "Mug",
            "quantity": 1,
            "allocated": 1,
            "shipped": 0,
            "backordered": 0,
            "cancelled": 0,
            "unit_price": "5.55",
            "line_total": "5.55",
            "discount": "0.00",
            "prices_include_tax": False,
            "hsn_code": "",
            "tax_rate": "0.1800",
            "cgst": "0.50",
            "sgst": "0.50",
            "igst": "0.00",
        },
    ]
    # The contract of #3: subtotal = the lines' totals, total = subtotal + tax.
    assert Decimal(data["subtotal"]) == sum(Decimal(i["line_total"]) for i in data["items"])
    assert Decimal(data["total"]) == Decimal(data["subtotal"]) + Decimal(data["tax"])
    assert Decimal(data["tax"]) == sum(Decimal(data[kind]) for kind in ("cgst", "sgst", "igst"))
    assert data["estimated_delivery"] == services.estimate_delivery("delivery").isoformat()
    assert data["tracking_reference"] == "" and data["tracking_url"] is None
    assert data["created_at"]
    assert [(s["from_status"], s["to_status"]) for s in data["status_history"]] == [("", "placed")]
    assert set(data["status_history"][0]) == {"from_status", "to_status", "note", "created_at"}
    assert order.customer == customer


@pytest.mark.parametrize(
    ("rate", "price", "quantity", "subtotal", "tax", "total"),
    [
        ("0.18", "19.99", 3, "59.97", "10.79", "70.76"),  # 10.7946 -> 10.79
        ("0.18", "12.25", 1, "12.25", "2.21", "14.46"),  # 2.205 rounds half up, not to even
        ("0.05", "0.50", 1, "0.50", "0.03", "0.53"),  # 0.025 -> 0.03
        ("0", "10.00", 2, "20.00", "0.00", "20.00"),
    ],
)
def test_money_is_snapshotted_and_tax_rounds_half_up(
    buyer, store, settings, rate, price, quantity, subtotal, tax, total
):
    settings.INVOICE_TAX_RATE = Decimal(rate)
    item = stocked_product(distributor=store, on_hand=10, price=Decimal(price))
    store.state = "27"
    store.save()

    # Inter-state (IGST at the full rate), so one rounding of the whole line's tax.
    body = {**body_for((item, quantity)), "shipping_state": "29"}
    data = buyer.post(ORDERS, body, format="json").json()
    assert data["place_of_supply"] == "29" and data["igst"] == data["tax"]

    assert (data["subtotal"], data["tax"], data["total"]) == (subtotal, tax, total)
    expected_tax = (Decimal(subtotal) * Decimal(rate)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert Decimal(data["tax"]) == expected_tax
    assert Decimal(data["total"]) == Decimal(data["subtotal"]) + Decimal(data["tax"])


def test_placing_allocates_and_the_catalog_stock_goes_down_by_what_was_ordered(
    buyer, customer, store
):
    """The contract of #3: 201, and `stock_quantity` in the customer API drops by the order.
    Since #12 the units are allocated, not taken off the shelf: on_hand moves at dispatch."""
    kettle = stocked_product(distributor=store, on_hand=20)
    mug = stocked_product(distributor=store, on_hand=8)

    def catalog_stock():
        rows = APIClient().get("/api/customer/products", {"page_size": 100}).json()["results"]
        return {row["id"]: row["stock_quantity"] for row in rows}

    assert catalog_stock() == {kettle.pk: 20, mug.pk: 8}
    movements = StockMovement.objects.count()

    response = buyer.post(ORDERS, body_for((kettle, 3), (mug, 8)), format="json")

    assert response.status_code == 201, response.content
    assert catalog_stock() == {kettle.pk: 17, mug.pk: 0}
    assert (available(kettle, store), available(mug, store)) == (17, 0)
    items = StockItem.objects.filter(distributor=store).order_by("pk")
    assert list(items.values_list("on_hand", "allocated")) == [(20, 3), (8, 8)]
    assert StockMovement.objects.count() == movements


def test_pickup_needs_no_address_and_stores_none(buyer, store):
    item = stocked_product(distributor=store, on_hand=5)

    response = buyer.post(
        ORDERS,
        body_for((item, 1), fulfillment_type="pickup", shipping_address="ignored"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["fulfillment_type"] == "pickup"
    assert response.json()["shipping_address"] == ""
    assert response.json()["estimated_delivery"] == services.estimate_delivery("pickup").isoformat()

    no_address = {"items": [{"product_id": item.pk, "quantity": 1}], "fulfillment_type": "pickup"}
    assert buyer.post(ORDERS, no_address, format="json").status_code == 201


def test_a_chosen_distributor_sells_from_its_own_stock(buyer, store):
    other = DistributorFactory(name="Other")
    item = stocked_product(distributor=other, on_hand=5)

    response = buyer.post(ORDERS, body_for((item, 2), distributor_id=other.pk), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["distributor"] == {"id": other.pk, "name": "Other"}
    assert available(item, other) == 3


def test_a_retailer_orders_for_its_organization(client_for, store):
    retailer = RetailerUserFactory()
    item = stocked_product(distributor=store, on_hand=5)

    response = client_for(retailer).post(ORDERS, body_for((item, 1)), format="json")

    assert response.status_code == 201, response.content
    assert Order.objects.get().buyer_organization == retailer.organization


# --- Idempotency ---------------------------------------------------------------


def test_idempotent_replay_returns_the_same_order_and_writes_nothing(buyer, store):
    item = stocked_product(distributor=store, on_hand=10)
    body = body_for((item, 2))

    first = buyer.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="key-123")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    counts = row_counts()

    replay = buyer.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="key-123")

    assert replay.status_code == 201, replay.content
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == first.json()["id"]
    assert replay.json()["number"] == first.json()["number"]
    assert replay.json() == first.json()
    assert row_counts() == counts
    assert available(item, store) == 8

    # Another key is another order.
    other = buyer.post(ORDERS, body, format="json", HTTP_IDEMPOTENCY_KEY="key-456")
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert available(item, store) == 6


def test_the_same_key_with_another_body_is_refused_with_422(buyer, store):
    item = stocked_product(distributor=store, on_hand=10)
    first = buyer.post(ORDERS, body_for((item, 2)), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201
    counts = row_counts()

    for changed in (
        body_for((item, 3)),
        body_for((item, 2), shipping_address="Somewhere else"),
        body_for((item, 2), fulfillment_type="pickup"),
    ):
        response = buyer.post(ORDERS, changed, format="json", HTTP_IDEMPOTENCY_KEY="k1")
        body = assert_error(response, 422, "idempotency_key_reused")
        assert first.json()["number"] in body["detail"]

    assert row_counts() == counts
    assert available(item, store) == 8


def test_idempotency_keys_belong_to_each_customer(client_for, store):
    item = stocked_product(distributor=store, on_hand=10)
    first = client_for(CustomerFactory()).post(
        ORDERS, body_for((item, 1)), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    second = client_for(CustomerFactory()).post(
        ORDERS, body_for((item, 1)), format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second


def test_an_overlong_idempotency_key_is_a_400(buyer, store):
    item = stocked_product(distributor=store, on_hand=10)
    response = buyer.post(
        ORDERS, body_for((item, 1)), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert assert_error(response, 400, "invalid")["errors"]
    assert Order.objects.count() == 0


# --- Refusals ----------------------------------------------------------------


def test_not_enough_stock_is_a_409_naming_the_product_and_writes_nothing(buyer, store):
    plenty = stocked_product(distributor=store, on_hand=50, name="Plenty")
    scarce = stocked_product(distributor=store, on_hand=3, name="Scarce Lamp", sku="LMP-3")
    counts = row_counts()

    response = buyer.post(ORDERS, body_for((plenty, 5), (scarce, 4)), format="json")

    body = assert_error(response, 409, "insufficient_stock")
    assert "Scarce Lamp" in body["detail"]
    assert "3 available" in body["detail"]
    assert body["errors"] == {"items.1.quantity": ["Only 3 available of Scarce Lamp (LMP-3)."]}
    assert row_counts() == counts
    assert available(plenty, store) == 50
    assert available(scarce, store) == 3


def test_a_product_the_distributor_never_stocked_is_a_409_with_zero_available(buyer, store):
    item = ProductFactory(name="Ghost")
    counts = row_counts()

    body = assert_error(
        buyer.post(ORDERS, body_for((item, 1)), format="json"), 409, "insufficient_stock"
    )

    assert body["errors"] == {"items.0.quantity": [f"Only 0 available of {item}."]}
    assert row_counts() == counts


def test_reserved_units_are_not_for_sale(buyer, store):
    item = ProductFactory()
    StockItemFactory(product=item, distributor=store, on_hand=5, held=4)

    body = assert_error(
        buyer.post(ORDERS, body_for((item, 2)), format="json"), 409, "insufficient_stock"
    )
    assert "1 available" in body["detail"]


def product_ids(store):
    return {
        "ok": stocked_product(distributor=store, on_hand=5).pk,
        "ok2": stocked_product(distributor=store, on_hand=5).pk,
        "inactive": stocked_product(distributor=store, on_hand=5, is_active=False).pk,
    }


@pytest.mark.parametrize(
    ("make_body", "fields"),
    [
        (lambda ids: {"items": [], "shipping_address": ADDRESS}, ["items"]),
        (lambda ids: {"shipping_address": ADDRESS}, ["items"]),
        (lambda ids: {"items": {"product_id": ids["ok"]}, "shipping_address": ADDRESS}, ["items"]),
        (lambda ids: {"items": [5], "shipping_address": ADDRESS}, ["items.0.non_field_errors"]),
        (lambda ids: {"items": [{"product_id": ids["ok"]}]}, ["items.0.quantity"]),
        *[
            (
                lambda ids, q=quantity: {
                    "items": [{"product_id": ids["ok"], "quantity": q}],
                    "shipping_address": ADDRESS,
                },
                ["items.0.quantity"],
            )
            for quantity in (0, -1, 1.5, 2.0, "2", True, None, 10_001)
        ],
        *[
            (
                lambda ids, p=product_id: {
                    "items": [{"product_id": p, "quantity": 1}],
                    "shipping_address": ADDRESS,
                },
                ["items.0.product_id"],
            )
            for product_id in ("1", 1.0, False, None, 0, 2**70)
        ],
        (
            lambda ids: {
                "items": [
                    {"product_id": ids["ok"], "quantity": 1},
                    {"product_id": ids["ok2"], "quantity": 1.5},
                    {"product_id": ids["ok"], "quantity": 2},
                ],
                "shipping_address": ADDRESS,
            },
            ["items.1.quantity", "items.2.product_id"],
        ),
        (
            lambda ids: {
                "items": [
                    {"product_id": ids["ok"], "quantity": 1},
                    {"product_id": 999_999, "quantity": 1},
                ],
                "shipping_address": ADDRESS,
            },
            ["items.1.product_id"],
        ),
        (
            lambda ids: {
                "items": [{"product_id": ids["inactive"], "quantity": 1}],
                "shipping_address": ADDRESS,
            },
            ["items.0.product_id"],
        ),
        (lambda ids: {"items": [{"product_id": ids["ok"], "quantity": 1}]}, ["shipping_address"]),
        (
            lambda ids: {
                "items": [{"product_id": ids["ok"], "quantity": 1}],
                "shipping_address": "   ",
            },
            ["shipping_address"],
        ),
        (
            lambda ids: {
                "items": [{"product_id": ids["ok"], "quantity": 1}],
                "fulfillment_type": "drone",
                "shipping_address": ADDRESS,
            },
            ["fulfillment_type"],
        ),
        (
            lambda ids: {
                "items": [{"product_id": ids["ok"], "quantity": 1}],
                "distributor_id": "1",
                "shipping_address": ADDRESS,
            },
            ["distributor_id"],
        ),
        (
            lambda ids: {
                "items": [{"product_id": ids["ok"], "quantity": 1}],
                "distributor_id": 987_654,
                "shipping_address": ADDRESS,
            },
            ["distributor_id"],
        ),
        (lambda ids: [{"product_id": ids["ok"], "quantity": 1}], ["non_field_errors"]),
    ],
)
def test_bad_bodies_answer_400_with_dotted_field_names(buyer, store, make_body, fields):
    body = make_body(product_ids(store))
    counts = row_counts()

    response = buyer.post(ORDERS, body, format="json")

    error = assert_error(response, 400, "invalid")
    assert sorted(error["errors"]) == sorted(fields), error
    assert row_counts() == counts


def test_a_distributor_id_that_is_not_a_distributor_is_a_field_error(buyer, store):
    item = stocked_product(distributor=store, on_hand=5)
    for org in (OrganizationFactory(), ManufacturerFactory()):
        response = buyer.post(ORDERS, body_for((item, 1), distributor_id=org.pk), format="json")
        body = assert_error(response, 400, "invalid")
        assert "not a distributor" in body["errors"]["distributor_id"][0]


def test_without_a_default_store_the_buyer_must_choose_a_distributor(buyer):
    item = stocked_product(distributor=DistributorFactory(), on_hand=5)
    body = assert_error(buyer.post(ORDERS, body_for((item, 1)), format="json"), 400, "invalid")
    assert list(body["errors"]) == ["distributor_id"]


def test_the_body_must_be_json(buyer, store):
    item = stocked_product(distributor=store, on_hand=5)
    response = buyer.post(ORDERS, {"items": item.pk}, format="multipart")
    assert_error(response, 415, "unsupported_media_type")


def test_anonymous_callers_get_401(api_client, store):
    item = stocked_product(distributor=store, on_hand=5)
    assert_error(
        api_client.post(ORDERS, body_for((item, 1)), format="json"), 401, "not_authenticated"
    )
    assert_error(api_client.get(ORDERS), 401, "not_authenticated")
    assert Order.objects.count() == 0


@pytest.mark.parametrize("user_factory", [DistributorUserFactory, ManufacturerUserFactory])
def test_sellers_cannot_buy_or_list_customer_orders(client_for, store, user_factory):
    item = stocked_product(distributor=store, on_hand=5)
    client = client_for(user_factory())

    assert_error(client.post(ORDERS, body_for((item, 1)), format="json"), 403, "permission_denied")
    assert_error(client.get(ORDERS), 403, "permission_denied")
    assert Order.objects.count() == 0
    assert available(item, store) == 5


def test_a_busy_database_is_a_503_with_retry_after(buyer, store, monkeypatch):
    item = stocked_product(distributor=store, on_hand=5)

    def busy(**kwargs):
        raise OrderPlacementBusy()

    monkeypatch.setattr(services, "order_place", busy)
    response = buyer.post(ORDERS, body_for((item, 1)), format="json")

    assert_error(response, 503, "order_placement_busy")
    assert int(response["Retry-After"]) > 0


# --- Listing and reading ---------------------------------------------------------


def test_the_list_shows_only_my_orders_newest_first(buyer, customer, store):
    mine = [place_order(customer=customer, distributor=store) for _ in range(3)]
    place_order(distributor=store)  # somebody else's

    response = buyer.get(ORDERS)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 3
    assert [row["id"] for row in data["results"]] == [o.pk for o in reversed(mine)]
    assert data["results"][0]["items"][0]["quantity"] == 1


def test_the_list_filters_by_status(buyer, customer, store):
    placed = place_order(customer=customer, distributor=store)
    cancelled = place_order(customer=customer, distributor=store)
    transitions.order_cancel_by_customer(order=cancelled, by=customer)

    def ids(status):
        response = buyer.get(ORDERS, {"status": status})
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids("placed") == [placed.pk]
    assert ids("cancelled") == [cancelled.pk]
    assert ids("delivered") == []
    body = assert_error(buyer.get(ORDERS, {"status": "lost"}), 400, "invalid")
    assert list(body["errors"]) == ["status"]

    history = buyer.get(detail_url(cancelled)).json()["status_history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("", OrderStatus.PLACED),
        (OrderStatus.PLACED, OrderStatus.CANCELLED),
    ]
    assert history[1]["note"]


def test_detail_is_mine_only(buyer, customer, store):
    mine = place_order(customer=customer, distributor=store)
    theirs = place_order(distributor=store)

    response = buyer.get(detail_url(mine))
    assert response.status_code == 200
    assert response.json()["number"] == mine.number
    assert response.json()["items"][0]["product_id"] == mine.items.get().product_id

    assert_error(buyer.get(detail_url(theirs)), 404, "not_found")
    assert_error(buyer.get(reverse("api-order-detail", args=[999_999])), 404, "not_found")


def test_jwt_login_then_order_and_list(api_client, customer, store):
    item = stocked_product(distributor=store, on_hand=5)
    login = api_client.post(
        reverse("auth-login"), {"email": customer.email, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 200, login.content
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")

    created = api_client.post(ORDERS, body_for((item, 2)), format="json")
    assert created.status_code == 201, created.content
    listed = api_client.get(ORDERS)
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]
    assert api_client.get(detail_url(Order.objects.get())).status_code == 200


def test_session_login_reads_orders(api_client, customer, store):
    order = place_order(customer=customer, distributor=store)
    api_client.force_login(customer)

    response = api_client.get(ORDERS)

    assert response.status_code == 200
    assert response.json()["results"][0]["id"] == order.pk


# --- Query counts --------------------------------------------------------------


def test_the_order_list_query_count_does_not_grow_with_the_orders(buyer, customer, store):
    category, maker = CategoryFactory(), ManufacturerFactory()
    products = [
        stocked_product(distributor=store, on_hand=1000, category=category, manufacturer=maker)
        for _ in range(3)
    ]

    def add(count):
        for index in range(count):
            lines = [(products[0], 1)] if index % 2 else [(products[1], 1), (products[2], 2)]
            place_order(customer=customer, distributor=store, lines=lines)

    def measure(expected_rows):
        with CaptureQueriesContext(connection) as captured:
            response = buyer.get(ORDERS, {"page_size": 100})
        assert response.status_code == 200
        assert len(response.json()["results"]) == expected_rows
        return len(captured)

    add(10)
    small = measure(10)
    add(90)
    large = measure(100)

    assert small == large
    assert large <= 5  # count, page, items, status history, shipments (none yet: no lines read)


def test_the_201_body_is_what_reading_the_order_gives_without_reading_it_again(buyer, store):
    """The answer is built from the order just written: equal to a fresh GET, no re-read."""
    kettle = stocked_product(distributor=store, on_hand=20, price=Decimal("19.99"))
    mug = stocked_product(distributor=store, on_hand=20, price=Decimal("5.55"))
    lamp = stocked_product(distributor=store, on_hand=20, price=Decimal("120.10"))

    with CaptureQueriesContext(connection) as captured:
        response = buyer.post(ORDERS, body_for((lamp, 1), (kettle, 3), (mug, 2)), format="json")

    assert response.status_code == 201, response.content
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    assert response.json() == buyer.get(response["Location"]).json()
    history_reads = [sql for sql in reads if "orders_orderstatuschange" in sql]
    line_reads = [sql for sql in reads if "FROM `orders_orderitem`" in sql.replace('"', "`")]
    # The confirmation e-mail takes the order and its lines from order_place
    # (orders.held), and the answer reads neither again, nor the history.
    assert history_reads == []
    assert line_reads == []


def test_placing_an_order_costs_the_same_queries_whatever_the_catalog_size(buyer, store):
    category, maker = CategoryFactory(), ManufacturerFactory()

    def grow_catalog(count):
        for _ in range(count):
            stocked_product(distributor=store, on_hand=50, category=category, manufacturer=maker)

    first, second = (
        stocked_product(distributor=store, on_hand=1000, category=category, manufacturer=maker)
        for _ in range(2)
    )

    def measure(key):
        with CaptureQueriesContext(connection) as captured:
            response = buyer.post(
                ORDERS, body_for((first, 2), (second, 1)), format="json", HTTP_IDEMPOTENCY_KEY=key
            )
        assert response.status_code == 201, response.content
        return len(captured)

    grow_catalog(8)  # 10 products
    small = measure("small-catalog")
    grow_catalog(190)  # 200 products
    large = measure("large-catalog")

    assert small == large
