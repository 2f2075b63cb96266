"""The distributor's order API: incoming orders, filters, detail, and the moves."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory
from notifications.models import OutboundMessage
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order, stocked_product

pytestmark = pytest.mark.django_db

LIST = reverse("api-distributor-order-list")


def detail(order):
    return reverse("api-distributor-order-detail", args=[order.pk])


def accept(order):
    return reverse("api-distributor-order-accept", args=[order.pk])


def reject(order):
    return reverse("api-distributor-order-reject", args=[order.pk])


def status_url(order):
    return reverse("api-distributor-order-status", args=[order.pk])


@pytest.fixture
def distributor():
    return DistributorFactory(name="Deccan Distribution")


@pytest.fixture
def staff(distributor):
    return DistributorUserFactory(organization=distributor, name="Ravi Kumar")


@pytest.fixture
def api(api_client, staff):
    api_client.force_authenticate(staff)
    return api_client


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert set(body) == {"detail", "code", "errors"}
    return body


def move(order, *statuses, by):
    from orders.transitions import order_move_by_distributor

    for status in statuses:
        order = order_move_by_distributor(
            order=order,
            to_status=status,
            by=by,
            note="why" if status in ("rejected", "cancelled") else "",
            tracking_reference="TRK" if status == "shipped" else "",
        )
    return order


# --- Permissions and scope ---------------------------------------------------------------


def every_endpoint(order):
    return [
        ("get", LIST, None),
        ("get", detail(order), None),
        ("post", accept(order), {}),
        ("post", reject(order), {"reason": "no"}),
        ("put", status_url(order), {"status": "accepted"}),
    ]


@pytest.mark.parametrize("factory", [CustomerFactory, RetailerUserFactory, ManufacturerUserFactory])
def test_other_roles_get_403_everywhere(api_client, distributor, factory):
    order = place_order(distributor=distributor)
    api_client.force_authenticate(factory())
    for method, url, body in every_endpoint(order):
        response = getattr(api_client, method)(url, body, format="json")
        assert_error(response, 403, "permission_denied")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_anonymous_callers_get_401(api_client, distributor):
    order = place_order(distributor=distributor)
    for method, url, body in every_endpoint(order):
        response = getattr(api_client, method)(url, body, format="json")
        assert response.status_code == 401


def test_another_distributors_order_is_404_and_untouched(api, distributor):
    theirs = place_order(distributor=DistributorFactory())
    for method, url, body in every_endpoint(theirs)[1:]:
        response = getattr(api, method)(url, body, format="json")
        assert_error(response, 404, "not_found")
    assert Order.objects.get(pk=theirs.pk).status == OrderStatus.PLACED
    assert api.get(LIST).json()["count"] == 0


def test_an_id_beyond_any_row_is_404(api):
    assert api.get(f"{LIST}/{2**64}").status_code == 404


# --- List and filters ----------------------------------------------------------------------


def test_list_shows_own_incoming_orders_newest_first_with_the_buyer(api, distributor):
    retailer = RetailerUserFactory(name="Meera Shah", organization__name="Fresh Mart")
    first = place_order(distributor=distributor)
    second = place_order(customer=retailer, distributor=distributor)
    place_order(distributor=DistributorFactory())  # someone else's

    body = api.get(LIST).json()

    assert body["count"] == 2
    assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
    row = body["results"][0]
    assert row["number"] == second.number
    assert row["status"] == "placed"
    assert row["customer"] == {
        "id": retailer.pk,
        "name": "Meera Shah",
        "email": retailer.email,
        "phone": "",
    }
    assert row["buyer_organization"]["name"] == "Fresh Mart"
    assert body["results"][1]["buyer_organization"] is None
    assert row["item_count"] == 1
    assert row["total"] == str(second.total)


def test_list_filters_by_status(api, distributor, staff):
    placed = place_order(distributor=distributor)
    accepted = move(place_order(distributor=distributor), "accepted", by=staff)

    ids = [row["id"] for row in api.get(LIST, {"status": "accepted"}).json()["results"]]
    assert ids == [accepted.pk]
    ids = [row["id"] for row in api.get(LIST, {"status": "placed"}).json()["results"]]
    assert ids == [placed.pk]


def _placed_on(order, day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
    Order.objects.filter(pk=order.pk).update(created_at=moment)


def test_list_filters_by_day_and_by_range(api, distributor):
    days = [datetime.date(2026, 3, d) for d in (1, 2, 3)]
    orders = [place_order(distributor=distributor) for _ in days]
    for order, day in zip(orders, days, strict=True):
        _placed_on(order, day)

    def ids(**params):
        return [row["id"] for row in api.get(LIST, params).json()["results"]]

    assert ids(date="2026-03-02") == [orders[1].pk]
    assert ids(placed_after="2026-03-02") == [orders[2].pk, orders[1].pk]
    assert ids(placed_before="2026-03-02") == [orders[1].pk, orders[0].pk]
    assert ids(placed_after="2026-03-01", placed_before="2026-03-01") == [orders[0].pk]


def test_list_searches_and_sorts_by_the_requested_delivery_date(api, distributor):
    retailer = RetailerUserFactory(organization__name="Fresh Mart")
    late = place_order(customer=retailer, distributor=distributor)
    soon = place_order(customer=retailer, distributor=distributor)
    undated = place_order(customer=retailer, distributor=distributor)
    other = place_order(distributor=distributor)
    Order.objects.filter(pk=late.pk).update(requested_delivery_date=datetime.date(2026, 3, 20))
    Order.objects.filter(pk=soon.pk).update(requested_delivery_date=datetime.date(2026, 3, 9))

    def ids(**params):
        return [row["id"] for row in api.get(LIST, params).json()["results"]]

    # Soonest first, orders without a date last (the newest of those first).
    assert ids(search="fresh mart", sort="requested") == [soon.pk, late.pk, undated.pk]
    assert ids(search=other.number.lower()) == [other.pk]
    assert ids(sort="placed") == [late.pk, soon.pk, undated.pk, other.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"date": "yesterday"}, "date"),
        ({"placed_after": "2026-03-05", "placed_before": "2026-03-01"}, "placed_before"),
        ({"date": "2026-03-01", "placed_after": "2026-03-01"}, "date"),
        ({"sort": "colour"}, "sort"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_filters_are_400_naming_the_field(api, params, field):
    body = assert_error(api.get(LIST, params), 400, "invalid")
    assert field in body["errors"]


def test_list_is_paginated(api, distributor):
    for _ in range(3):
        place_order(distributor=distributor)
    body = api.get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_list_query_count_does_not_grow_with_the_orders(api, distributor):
    product = stocked_product(distributor=distributor, on_hand=1000)
    other = stocked_product(distributor=distributor, on_hand=1000)

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(LIST, {"page_size": 100})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    for _ in range(3):
        place_order(distributor=distributor, lines=[(product, 1), (other, 2)])
    few = measure()
    for _ in range(27):
        place_order(customer=RetailerUserFactory(), distributor=distributor, lines=[(product, 1)])
    many = measure()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0] <= 4  # count, orders with buyers, their lines (+ savepoint)


# --- Detail -----------------------------------------------------------------------------------


def test_detail_has_lines_buyer_history_and_the_allowed_moves(api, distributor, staff):
    tea = stocked_product(distributor=distributor, name="Assam tea", sku="TEA-1")
    customer = CustomerFactory(name="Asha Rao", phone="+919800000000")
    order = place_order(customer=customer, distributor=distributor, lines=[(tea, 3)])
    order = move(order, "accepted", by=staff)

    body = api.get(detail(order)).json()

    assert body["number"] == order.number
    assert body["status"] == "accepted"
    assert body["allowed_next"] == ["processing", "cancelled"]
    assert body["customer"]["name"] == "Asha Rao"
    assert body["customer"]["phone"] == "+919800000000"
    assert body["items"] == [
        {
            "product_id": tea.pk,
            "sku": "TEA-1",
            "name": "Assam tea",
            "quantity": 3,
            "allocated": 3,
            "shipped": 0,
            "backordered": 0,
            "cancelled": 0,
            "unit_price": str(tea.price),
            "line_total": str(order.subtotal),
            "discount": "0.00",  # the line's share of a loyalty discount (#18)
            # GST (#15), the line's snapshot
            "prices_include_tax": False,
            "hsn_code": "",
            "tax_rate": "0.1800",
            "cgst": str(order.cgst),
            "sgst": str(order.sgst),
            "igst": str(order.igst),
        }
    ]
    assert [(h["from_status"], h["to_status"]) for h in body["status_history"]] == [
        ("", "placed"),
        ("placed", "accepted"),
    ]
    assert body["status_history"][0]["changed_by"] == {"id": customer.pk, "name": "Asha Rao"}
    assert body["status_history"][1]["changed_by"] == {"id": staff.pk, "name": "Ravi Kumar"}
    assert body["shipping_address"] and body["tracking_reference"] == ""


# --- Moves ---------------------------------------------------------------------------------------


def test_accept_moves_the_order_records_the_note_and_notifies_the_buyer(api, distributor, staff):
    order = place_order(distributor=distributor)

    response = api.post(accept(order), {"note": "Packing tomorrow"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "accepted"
    assert body["status_history"][-1]["note"] == "Packing tomorrow"
    assert body["status_history"][-1]["changed_by"]["id"] == staff.pk
    assert body["allowed_next"] == ["processing", "cancelled"]
    message = OutboundMessage.objects.get(template="order_status", recipient=order.customer.email)
    assert message.subject == f"Order {order.number} confirmed"


def test_accept_takes_an_empty_body(api, distributor):
    order = place_order(distributor=distributor)
    assert api.post(accept(order), format="json").status_code == 200


def test_accepting_twice_is_409_naming_the_allowed_moves(api, distributor):
    order = place_order(distributor=distributor)
    api.post(accept(order), {}, format="json")

    body = assert_error(api.post(accept(order), {}, format="json"), 409, "illegal_transition")

    assert "is accepted and cannot become accepted" in body["detail"]
    assert "Allowed next: processing, cancelled." in body["detail"]


def test_reject_needs_a_reason(api, distributor):
    order = place_order(distributor=distributor)
    for payload in ({}, {"reason": ""}, {"reason": "   "}):
        body = assert_error(api.post(reject(order), payload, format="json"), 400, "invalid")
        assert "reason" in body["errors"] or "note" in body["errors"], body
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_reject_returns_the_stock_and_tells_the_buyer_why(api, distributor):
    tea = stocked_product(distributor=distributor, on_hand=10)
    order = place_order(distributor=distributor, lines=[(tea, 4)])

    response = api.post(reject(order), {"reason": "Out of stock until May"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert response.json()["allowed_next"] == []
    item = StockItem.objects.get(product=tea)
    assert (item.on_hand, item.allocated, item.available) == (10, 0, 10)
    message = OutboundMessage.objects.get(template="order_status", channel="email")
    assert "Out of stock until May" in message.body_text
    # A retry answers 409 and releases nothing twice.
    assert_error(
        api.post(reject(order), {"reason": "again"}, format="json"), 409, "illegal_transition"
    )
    item.refresh_from_db()
    assert (item.allocated, item.available) == (0, 10)
    assert StockMovement.objects.filter(stock_item=item).count() == 1  # the assignment


def test_the_whole_way_to_delivered_with_tracking_for_the_buyer(api, distributor):
    order = place_order(distributor=distributor)
    api.post(accept(order), {}, format="json")
    response = api.put(status_url(order), {"status": "processing"}, format="json")
    assert response.json()["status"] == "processing"

    response = api.put(
        status_url(order),
        {"status": "shipped", "tracking_reference": "BLUEDART 7788123456", "note": "2 boxes"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["tracking_reference"] == "BLUEDART 7788123456"
    shipped = OutboundMessage.objects.get(template="invoice", channel="email")
    assert "shipped" in shipped.subject
    for body in (shipped.body_text, shipped.body_html):
        assert "BLUEDART 7788123456" in body and "2 boxes" in body

    response = api.put(status_url(order), {"status": "delivered"}, format="json")
    assert response.json()["status"] == "delivered"
    assert [h["to_status"] for h in response.json()["status_history"]] == [
        "placed",
        "accepted",
        "processing",
        "shipped",
        "delivered",
    ]
    # accepted, processing, delivered; the shipment told its own (with its invoice).
    assert OutboundMessage.objects.filter(template="order_status").count() == 3


def test_shipping_without_a_tracking_reference_is_400(api, distributor, staff):
    order = move(place_order(distributor=distributor), "accepted", "processing", by=staff)
    for payload in (
        {"status": "shipped"},
        {"status": "shipped", "tracking_reference": "  "},
    ):
        body = assert_error(api.put(status_url(order), payload, format="json"), 400, "invalid")
        assert "tracking_reference" in body["errors"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PROCESSING


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "status"),
        ({"status": "credit_hold"}, "status"),  # only placement holds an order
        ({"status": "lost"}, "status"),
        ({"status": "cancelled"}, "note"),
        ({"status": "accepted", "tracking_reference": "TRK"}, "tracking_reference"),
        ({"status": "accepted", "note": "x" * 1001}, "note"),
    ],
)
def test_status_body_errors_are_400(api, distributor, payload, field):
    order = place_order(distributor=distributor)
    body = assert_error(api.put(status_url(order), payload, format="json"), 400, "invalid")
    assert field in body["errors"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_an_illegal_status_is_409_and_changes_nothing(api, distributor):
    order = place_order(distributor=distributor)

    body = assert_error(
        api.put(status_url(order), {"status": "delivered"}, format="json"),
        409,
        "illegal_transition",
    )

    assert "Allowed next: accepted, rejected, cancelled." in body["detail"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_cancel_with_a_note_returns_the_stock(api, distributor, staff):
    tea = stocked_product(distributor=distributor, on_hand=5)
    order = move(place_order(distributor=distributor, lines=[(tea, 5)]), "accepted", by=staff)
    assert StockItem.objects.get(product=tea).available == 0

    response = api.put(
        status_url(order), {"status": "cancelled", "note": "Truck broke down"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status_history"][-1]["note"] == "Truck broke down"
    assert StockItem.objects.get(product=tea).available == 5
