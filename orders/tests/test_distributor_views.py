"""The distributor's order pages: incoming orders, filters, detail and the move forms."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory
from notifications.models import OutboundMessage
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_move_by_distributor

pytestmark = pytest.mark.django_db

ORDERS = reverse("distributor:orders")


def page(order):
    return reverse("distributor:order", args=[order.number])


def move_url(order):
    return reverse("distributor:order_move", args=[order.number])


@pytest.fixture
def distributor():
    return DistributorFactory(name="Deccan Distribution")


@pytest.fixture
def staff(distributor):
    return DistributorUserFactory(organization=distributor, name="Ravi Kumar")


@pytest.fixture
def browser(client, staff):
    client.force_login(staff)
    return client


def advance(order, *statuses, by):
    for status in statuses:
        order = order_move_by_distributor(
            order=order,
            to_status=status,
            by=by,
            note="why" if status in ("rejected", "cancelled") else "",
            tracking_reference="TRK" if status == "shipped" else "",
        )
    return order


def status_of(order):
    return Order.objects.get(pk=order.pk).status


# --- Permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [CustomerFactory, RetailerUserFactory, ManufacturerUserFactory])
def test_other_roles_get_403(client, distributor, factory):
    order = place_order(distributor=distributor)
    client.force_login(factory())
    assert client.get(ORDERS).status_code == 403
    assert client.get(page(order)).status_code == 403
    assert client.post(move_url(order), {"status": "accepted"}).status_code == 403
    assert client.get(reverse("distributor:dashboard")).status_code == 403
    assert status_of(order) == OrderStatus.PLACED


def test_visitors_are_sent_to_login(client, distributor):
    order = place_order(distributor=distributor)
    for url in (ORDERS, page(order)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_distributors_order_is_404(browser):
    theirs = place_order(distributor=DistributorFactory())
    assert browser.get(page(theirs)).status_code == 404
    assert browser.post(move_url(theirs), {"status": "accepted"}).status_code == 404
    assert status_of(theirs) == OrderStatus.PLACED


def test_moves_need_the_csrf_token(staff, distributor):
    order = place_order(distributor=distributor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(move_url(order), {"status": "accepted"}).status_code == 403
    assert status_of(order) == OrderStatus.PLACED


def test_the_dashboard_and_navigation_are_kept(browser):
    response = browser.get(reverse("distributor:dashboard"))
    assert response.status_code == 200
    labels = [entry["label"] for entry in response.context["nav_entries"]]
    assert {"Distributor", "Inventory", "Orders"} <= set(labels)
    assert reverse("distributor:dashboard") == "/distributor/"


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_own_orders_with_buyers_newest_first(browser, distributor):
    retailer = RetailerUserFactory(organization__name="Fresh Mart")
    first = place_order(customer=CustomerFactory(name="Asha Rao"), distributor=distributor)
    second = place_order(customer=retailer, distributor=distributor)
    theirs = place_order(distributor=DistributorFactory())

    response = browser.get(ORDERS)

    html = response.content.decode()
    assert [o.pk for o in response.context["page"].object_list] == [second.pk, first.pk]
    assert first.number in html and second.number in html and theirs.number not in html
    assert "Fresh Mart" in html and "Asha Rao" in html
    assert html.index(second.number) < html.index(first.number)


def test_list_filters_by_status_and_dates(browser, distributor, staff):
    placed = place_order(distributor=distributor)
    accepted = advance(place_order(distributor=distributor), "accepted", by=staff)
    old = place_order(distributor=distributor)
    Order.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 1, 15, 10, 0))
    )

    def shown(**params):
        return [o.pk for o in browser.get(ORDERS, params).context["page"].object_list]

    assert shown(status="accepted") == [accepted.pk]
    assert set(shown(status="placed")) == {placed.pk, old.pk}
    assert shown(placed_from="2025-01-15", placed_to="2025-01-15") == [old.pk]
    assert set(shown(placed_from="2025-01-16")) == {placed.pk, accepted.pk}
    assert shown(placed_to="2025-01-14") == []
    response = browser.get(ORDERS, {"placed_from": "2025-02-01", "placed_to": "2025-01-01"})
    assert "The range ends before it starts." in response.content.decode()
    response = browser.get(ORDERS, {"status": "lost"})
    assert response.status_code == 200 and response.context["form"].errors


def test_list_pages_20_at_a_time(browser, distributor):
    product = stocked_product(distributor=distributor, on_hand=100)
    for _ in range(21):
        place_order(distributor=distributor, lines=[(product, 1)])
    first = browser.get(ORDERS)
    assert len(first.context["page"].object_list) == 20
    assert "?page=2" in first.content.decode()
    second = browser.get(ORDERS, {"page": 2, "status": "placed"})
    assert len(second.context["page"].object_list) == 1
    assert "status=placed" in second.content.decode()


def test_list_query_count_is_the_same_for_3_and_30_orders(browser, distributor):
    product = stocked_product(distributor=distributor, on_hand=1000)
    other = stocked_product(distributor=distributor, on_hand=1000)

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(ORDERS, {"status": "placed"})
        assert response.status_code == 200
        return len(captured), len(response.context["page"].object_list)

    for _ in range(3):
        place_order(distributor=distributor, lines=[(product, 1), (other, 1)])
    few = measure()
    for _ in range(27):
        place_order(customer=RetailerUserFactory(), distributor=distributor, lines=[(product, 2)])
    many = measure()
    assert (few[1], many[1]) == (3, 20)
    assert few[0] == many[0]


# --- Detail and moves ---------------------------------------------------------------------


def test_detail_shows_buyer_lines_history_and_the_allowed_moves(browser, distributor, staff):
    tea = stocked_product(distributor=distributor, name="Assam tea", sku="TEA-1")
    buyer = RetailerUserFactory(name="Meera Shah", organization__name="Fresh Mart")
    order = place_order(customer=buyer, distributor=distributor, lines=[(tea, 3)])
    order = advance(order, "accepted", by=staff)

    response = browser.get(page(order))

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Fresh Mart", "Meera Shah", buyer.email, "Assam tea", "TEA-1", "by you"):
        assert text in html
    assert [m["status"] for m in response.context["moves"]] == ["processing", "cancelled"]
    assert "Start processing" in html and "Cancel order" in html
    assert "Accept order" not in html and "Mark as shipped" not in html
    assert html.count('name="csrfmiddlewaretoken"') >= 2


def test_a_final_order_offers_no_moves(browser, distributor, staff):
    order = advance(place_order(distributor=distributor), "rejected", by=staff)
    response = browser.get(page(order))
    assert response.context["moves"] == []
    assert "nothing more to do" in response.content.decode()


def test_detail_query_count_does_not_grow_with_lines_or_history(browser, distributor, staff):
    def measure(order):
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(page(order)).status_code == 200
        return len(captured)

    small = place_order(distributor=distributor)
    products = [stocked_product(distributor=distributor) for _ in range(8)]
    big = advance(
        place_order(distributor=distributor, lines=[(p, 1) for p in products]),
        "accepted",
        "processing",
        by=staff,
    )
    assert measure(small) == measure(big)


def test_accept_redirects_with_a_message_and_notifies_the_buyer(browser, distributor, staff):
    order = place_order(distributor=distributor)

    response = browser.post(move_url(order), {"status": "accepted", "note": "Packing"}, follow=True)

    assert response.redirect_chain[-1][0] == page(order)
    assert f"Order {order.number} is now accepted." in response.content.decode()
    assert status_of(order) == OrderStatus.ACCEPTED
    change = order.status_changes.order_by("pk").last()
    assert (change.changed_by, change.note) == (staff, "Packing")
    assert OutboundMessage.objects.filter(template="order_status", user=order.customer).exists()


def test_reject_without_a_reason_is_a_form_error(browser, distributor):
    order = place_order(distributor=distributor)

    response = browser.post(move_url(order), {"status": "rejected", "note": "  "})

    assert response.status_code == 200
    failed = next(m for m in response.context["moves"] if m["status"] == "rejected")
    assert "note" in failed["form"].errors
    assert "Say why the order is rejected" in response.content.decode()
    assert status_of(order) == OrderStatus.PLACED


def test_reject_with_a_reason_returns_the_stock(browser, distributor):
    tea = stocked_product(distributor=distributor, on_hand=10)
    order = place_order(distributor=distributor, lines=[(tea, 6)])

    response = browser.post(
        move_url(order), {"status": "rejected", "note": "Out of stock"}, follow=True
    )

    assert "Its stock is back on the shelf." in response.content.decode()
    assert status_of(order) == OrderStatus.REJECTED
    assert StockItem.objects.get(product=tea).on_hand == 10


def test_shipping_needs_a_tracking_reference_and_shows_it_after(browser, distributor, staff):
    order = advance(place_order(distributor=distributor), "accepted", "processing", by=staff)

    ship_url = f"/distributor/orders/{order.number}/ship/"
    [item] = order.items.all()
    units = {f"qty_{item.product_id}": item.quantity}
    response = browser.post(ship_url, {**units, "tracking_reference": ""})
    assert response.status_code == 400
    assert "tracking_reference" in response.context["ship_form"].errors
    assert status_of(order) == OrderStatus.PROCESSING

    response = browser.post(ship_url, {**units, "tracking_reference": "BLUEDART 42"}, follow=True)
    assert "BLUEDART 42" in response.content.decode()
    assert Order.objects.get(pk=order.pk).tracking_reference == "BLUEDART 42"
    # The buyer's one shipment message carries the tracking and the invoice.
    email = OutboundMessage.objects.get(template="invoice", channel="email")
    assert "shipped" in email.subject and "BLUEDART 42" in email.body_text


def test_an_illegal_move_answers_409_naming_the_allowed_ones(browser, distributor):
    order = place_order(distributor=distributor)

    response = browser.post(move_url(order), {"status": "delivered"})

    assert response.status_code == 409
    html = response.content.decode()
    assert "cannot become delivered" in html
    assert "Allowed next: accepted, rejected, cancelled." in html
    assert status_of(order) == OrderStatus.PLACED


def test_a_stale_page_moving_an_order_someone_already_moved_gets_409(browser, distributor, staff):
    order = place_order(distributor=distributor)
    advance(order, "rejected", by=DistributorUserFactory(organization=distributor))

    response = browser.post(move_url(order), {"status": "accepted"})

    assert response.status_code == 409
    assert "is rejected and cannot become accepted" in response.content.decode()
    assert response.context["moves"] == []


def test_an_unknown_move_is_refused(browser, distributor):
    order = place_order(distributor=distributor)
    response = browser.post(move_url(order), {"status": "credit_hold"})
    assert response.status_code == 400
    assert status_of(order) == OrderStatus.PLACED


def test_cancel_needs_a_note_and_then_returns_the_stock(browser, distributor, staff):
    tea = stocked_product(distributor=distributor, on_hand=3)
    order = advance(place_order(distributor=distributor, lines=[(tea, 3)]), "accepted", by=staff)

    response = browser.post(move_url(order), {"status": "cancelled"})
    assert response.status_code == 200 and status_of(order) == OrderStatus.ACCEPTED

    browser.post(move_url(order), {"status": "cancelled", "note": "Road closed"})
    assert status_of(order) == OrderStatus.CANCELLED
    assert StockItem.objects.get(product=tea).on_hand == 3


def test_the_whole_way_to_delivered_through_the_page(browser, distributor):
    order = place_order(distributor=distributor)
    for data in (
        {"status": "accepted"},
        {"status": "processing"},
        {"status": "shipped", "tracking_reference": "DTDC-9"},
        {"status": "delivered"},
    ):
        response = browser.post(move_url(order), data)
        assert response.status_code == 302, data
    assert status_of(order) == OrderStatus.DELIVERED
    assert list(order.status_changes.values_list("to_status", flat=True)) == [
        "placed",
        "accepted",
        "processing",
        "shipped",
        "delivered",
    ]
