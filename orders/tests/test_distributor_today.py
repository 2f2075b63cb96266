"""The distributor's "today" panel: orders to accept, pick and ship, low stock, overdue invoices."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from invoicing.models import Invoice
from orders.shipments import shipment_create
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_move_by_distributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def depot():
    return DistributorUserFactory(organization=DistributorFactory(name="Deccan Distribution"))


def sections(response) -> dict:
    return {section.key: section for section in response.context["today"]}


def _move(order, by, *statuses):
    for status in statuses:
        order = order_move_by_distributor(order=order, to_status=status, by=by)
    return order


def test_the_panel_lists_what_waits_oldest_first(client, depot):
    org = depot.organization
    tea = stocked_product(distributor=org, on_hand=1000, sku="TEA-1")
    low = ProductFactory(sku="LOW-1", name="Sona rice", reorder_level=10)
    StockItemFactory(product=low, distributor=org, on_hand=4)
    StockItemFactory(on_hand=1)  # another distributor's low item
    buyer = RetailerUserFactory(organization__name="Fresh Mart")
    first, second = (place_order(customer=buyer, distributor=org, lines=[(tea, 1)]) for _ in "12")
    to_pick = _move(place_order(distributor=org, lines=[(tea, 1)]), depot, "accepted")
    to_ship = _move(place_order(distributor=org, lines=[(tea, 2)]), depot, "accepted", "processing")
    partly = _move(place_order(distributor=org, lines=[(tea, 3)]), depot, "accepted", "processing")
    shipment_create(order=partly, by=depot, lines={tea.pk: 1}, tracking_reference="T-1")
    done = _move(place_order(distributor=org, lines=[(tea, 1)]), depot, "accepted", "processing")
    shipment_create(order=done, by=depot, lines={tea.pk: 1}, tracking_reference="T-2")
    invoice = Invoice.objects.get(order=done)
    long_ago = timezone.localdate() - datetime.timedelta(days=60)
    Invoice.objects.filter(pk=invoice.pk).update(
        issue_date=long_ago, due_date=long_ago + datetime.timedelta(days=30)
    )  # issued 60 days ago, due 30 days ago, unpaid
    place_order()  # another distributor's order

    client.force_login(depot)
    response = client.get("/distributor/")

    shown = sections(response)
    assert [o.pk for o in shown["accept"].rows] == [first.pk, second.pk]
    assert [o.pk for o in shown["pick"].rows] == [to_pick.pk]
    assert {o.pk for o in shown["ship"].rows} == {to_ship.pk, partly.pk}  # partly: 2 units left
    assert [item.product.sku for item in shown["low"].rows] == ["LOW-1"]
    assert [i.number for i in shown["overdue"].rows] == [invoice.number]
    assert shown["overdue"].total == invoice.total
    html = response.content.decode()
    assert "Today" in html and first.number in html and "Fresh Mart" in html
    assert "LOW-1" in html and "4 left, reorder at 10" in html
    assert invoice.number in html and "owed" in html
    for section in shown.values():
        assert client.get(section.url).status_code == 200


def test_the_panel_shows_five_rows_and_counts_the_rest_in_constant_queries(client, depot):
    org = depot.organization
    client.force_login(depot)

    def add(n):
        for _ in range(n):
            product = ProductFactory(reorder_level=10)
            StockItemFactory(product=product, distributor=org, on_hand=11)
            place_order(distributor=org, lines=[(product, 2)])  # placed, and the item now low

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/distributor/")
        return len(captured), sections(response)

    add(2)
    few, _ = measure()
    add(18)
    many, shown = measure()
    assert many == few
    assert (shown["accept"].count, len(shown["accept"].rows), shown["accept"].more) == (20, 5, 15)
    assert (shown["low"].count, len(shown["low"].rows)) == (20, 5)
    assert "and 15 more" in client.get("/distributor/").content.decode()


def test_nothing_waiting_says_so(client, depot):
    client.force_login(depot)
    response = client.get("/distributor/")
    assert {s.count for s in sections(response).values()} == {0}
    assert response.content.decode().count("Nothing waiting.") == 5
