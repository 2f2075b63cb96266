"""The distributor's order list: search, sorting, and bulk moves with a result per order."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import CustomerFactory, DistributorUserFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from notifications.models import OutboundMessage
from orders.bulk_moves import BULK_MAX_ORDERS, orders_move_in_bulk
from orders.models import Order, OrderStatus, OrderStatusChange
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_cancel_by_customer, order_move_by_distributor

pytestmark = pytest.mark.django_db

ORDERS = reverse("distributor:orders")
BULK = reverse("distributor:orders_bulk")


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


def _orders(distributor, count, *, lines=1):
    products = [stocked_product(distributor=distributor, on_hand=10_000) for _ in range(lines)]
    return [
        place_order(distributor=distributor, lines=[(product, 1) for product in products])
        for _ in range(count)
    ]


# --- Bulk accept -------------------------------------------------------------------------


def test_bulk_accept_of_20_with_one_cancelled_meanwhile_accepts_19_and_reports_it(
    browser, distributor
):
    orders = _orders(distributor, 20)
    page = browser.get(ORDERS)  # the distributor's page shows them all as placed...
    assert page.content.decode().count('name="order"') == 20
    gone = orders[7]
    order_cancel_by_customer(order=gone, by=gone.customer, reason="Ordered twice.")  # ...meanwhile

    response = browser.post(
        BULK, {"action": "accepted", "order": [o.number for o in orders], "query": "?sort=total"}
    )

    assert response.status_code == 302 and response["Location"] == f"{ORDERS}?sort=total"
    statuses = dict(Order.objects.values_list("number", "status"))
    assert sum(status == OrderStatus.ACCEPTED for status in statuses.values()) == 19
    assert statuses[gone.number] == OrderStatus.CANCELLED
    # Each accepted buyer was told; the cancelled one was not told "accepted".
    told = set(
        OutboundMessage.objects.filter(template="order_status", dedup_key__contains=":accepted:")
        .values_list("user_id", flat=True)
        .distinct()
    )
    assert told == {o.customer_id for o in orders if o.pk != gone.pk}

    shown = browser.get(response["Location"])
    results = shown.context["bulk_results"]
    assert (results["moved"], results["failed"]) == (19, 1)
    failed = [row for row in results["rows"] if not row["moved"]]
    assert [row["number"] for row in failed] == [gone.number]
    assert "cancelled" in failed[0]["message"]
    html = shown.content.decode()
    assert "19 orders accepted; 1 could not be." in html
    assert failed[0]["message"] in html.replace("&#x27;", "'")
    assert browser.get(ORDERS).context["bulk_results"] is None  # shown once


def test_bulk_accept_costs_the_same_queries_for_5_and_20_orders(distributor, staff):
    """A constant number of queries, whatever the batch size or the lines, one
    cancelled meanwhile in each batch; every other buyer is told."""

    def measure(count, lines):
        orders = _orders(distributor, count, lines=lines)
        gone = orders[-1]
        order_cancel_by_customer(order=gone, by=gone.customer)
        numbers = [o.number for o in orders]
        with CaptureQueriesContext(connection) as captured:
            results = orders_move_in_bulk(numbers=numbers, to_status="accepted", by=staff)
        assert [r.moved for r in results] == [True] * (count - 1) + [False]
        assert "cancelled" in results[-1].message
        moved = [o.pk for o in orders[:-1]]
        assert Order.objects.filter(pk__in=moved, status="accepted").count() == count - 1
        assert OrderStatusChange.objects.filter(
            order_id__in=moved, to_status="accepted"
        ).count() == (count - 1)
        told = OutboundMessage.objects.filter(
            template="order_status", dedup_key__contains=":accepted:", user__orders__pk__in=moved
        )
        assert told.values("user_id").distinct().count() == count - 1
        return len(captured)

    five, twenty = measure(5, 3), measure(20, 2)
    assert five == twenty, (five, twenty)
    assert twenty <= 12, twenty


def test_bulk_processing_moves_accepted_orders_and_reports_the_rest(browser, distributor, staff):
    placed, accepted = _orders(distributor, 2)
    order_move_by_distributor(order=accepted, to_status="accepted", by=staff)

    browser.post(BULK, {"action": "processing", "order": [placed.number, accepted.number]})

    placed.refresh_from_db()
    accepted.refresh_from_db()
    assert (placed.status, accepted.status) == ("placed", "processing")
    change = OrderStatusChange.objects.get(order=accepted, to_status="processing")
    assert change.changed_by == staff
    rows = browser.get(ORDERS).context["bulk_results"]["rows"]
    assert [(row["number"], row["moved"]) for row in rows] == [
        (placed.number, False),
        (accepted.number, True),
    ]
    assert "cannot become processing" in rows[0]["message"]
    browser.post(BULK, {"action": "processing", "order": [accepted.number]})
    again = browser.get(ORDERS).context["bulk_results"]["rows"]
    assert again[0]["message"] == f"Order {accepted.number} was already moved to processing."


def test_another_distributors_order_is_reported_and_left_alone(browser, distributor):
    mine = _orders(distributor, 1)[0]
    theirs = place_order(distributor=DistributorFactory())

    browser.post(BULK, {"action": "accepted", "order": [mine.number, theirs.number, "AM-NOPE"]})

    theirs.refresh_from_db()
    assert theirs.status == "placed"
    rows = browser.get(ORDERS).context["bulk_results"]["rows"]
    assert [(row["number"], row["moved"]) for row in rows] == [
        (mine.number, True),
        (theirs.number, False),
        ("AM-NOPE", False),
    ]
    assert rows[1]["message"] == f"Order {theirs.number} is not one of yours."


def test_bad_bulk_requests_move_nothing(browser, distributor, staff):
    order = _orders(distributor, 1)[0]
    for data, text in (
        ({"action": "accepted"}, "Tick the orders first."),
        ({"action": "delivered", "order": [order.number]}, "Choose what to do"),
        ({"action": "accepted", "order": ["X"] * 101}, "at most 100"),
    ):
        response = browser.post(BULK, data, follow=True)
        assert text in response.content.decode()
    order.refresh_from_db()
    assert order.status == "placed"
    with pytest.raises(Exception, match="at most"):
        orders_move_in_bulk(
            numbers=[f"N{i}" for i in range(BULK_MAX_ORDERS + 1)], to_status="accepted", by=staff
        )
    assert browser.get(BULK).status_code == 302


def test_the_pick_list_button_goes_to_the_pick_list_of_the_ticked_orders(browser, distributor):
    first, second = _orders(distributor, 2)

    response = browser.post(BULK, {"action": "pick_list", "order": [first.number, second.number]})

    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('distributor:pick_list')}?order={first.number}&order={second.number}"
    )


# --- Search and sorting ------------------------------------------------------------------


def test_search_finds_orders_by_number_buyer_and_sku(browser, distributor):
    tea = stocked_product(distributor=distributor, sku="TEA-ASSAM-500", name="Assam tea")
    rice = stocked_product(distributor=distributor, sku="RICE-SONA-5K", name="Sona rice")
    asha = place_order(
        customer=CustomerFactory(name="Asha Rao"), distributor=distributor, lines=[(tea, 1)]
    )
    mart = place_order(
        customer=RetailerUserFactory(name="Meera Shah", organization__name="Koramangala Mart"),
        distributor=distributor,
        lines=[(rice, 1), (tea, 2)],
    )
    place_order(distributor=DistributorFactory(), customer=CustomerFactory(name="Asha Rao"))

    def found(q):
        response = browser.get(ORDERS, {"q": q})
        return {o.pk for o in response.context["page"].object_list}

    assert found(asha.number.lower()) == {asha.pk}
    assert found("asha") == {asha.pk}  # another distributor's Asha stays out
    assert found("koramangala") == {mart.pk}
    assert found("meera") == {mart.pk}
    assert found("tea-assam") == {asha.pk, mart.pk}  # once each, though two lines might match
    assert found("sona-5k") == {mart.pk}
    assert found("nothing-like-this") == set()
    assert "No orders match these filters." in browser.get(ORDERS, {"q": "zzz"}).content.decode()
    too_long = browser.get(ORDERS, {"q": "x" * 101})
    assert too_long.context["form"].errors["q"]


def test_sorting_by_whitelisted_columns(browser, distributor):
    product = stocked_product(distributor=distributor, on_hand=1000, price=Decimal("100.00"))
    small = place_order(
        distributor=distributor,
        customer=RetailerUserFactory(organization__name="Zed Stores"),
        lines=[(product, 1)],
    )
    big = place_order(
        distributor=distributor,
        customer=CustomerFactory(name="Anil Bose"),
        lines=[(product, 5)],
    )
    middle = place_order(
        distributor=distributor,
        customer=RetailerUserFactory(organization__name="Mid Mart"),
        lines=[(product, 3)],
    )

    def order_of(sort):
        response = browser.get(ORDERS, {"sort": sort})
        return [o.pk for o in response.context["page"].object_list]

    assert order_of("-total") == [big.pk, middle.pk, small.pk]
    assert order_of("total") == [small.pk, middle.pk, big.pk]
    assert order_of("placed") == [small.pk, big.pk, middle.pk]
    assert order_of("buyer") == [big.pk, middle.pk, small.pk]  # Anil, Mid Mart, Zed Stores
    refused = browser.get(ORDERS, {"sort": "customer__password"})
    assert refused.context["form"].errors["sort"]  # never reaches order_by()
    html = browser.get(ORDERS, {"sort": "-total", "status": "placed"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert "?sort=total&amp;status=placed" in html  # the header toggles, keeping the filters


def test_list_with_search_and_sort_costs_the_same_for_3_and_30_orders(browser, distributor):
    product = stocked_product(distributor=distributor, on_hand=1000, sku="TEA-1")

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(ORDERS, {"q": "tea-1", "sort": "buyer"})
        assert response.status_code == 200
        return len(captured), len(response.context["page"].object_list)

    for _ in range(3):
        place_order(distributor=distributor, lines=[(product, 1)])
    few = measure()
    for _ in range(27):
        place_order(customer=RetailerUserFactory(), distributor=distributor, lines=[(product, 1)])
    many = measure()
    assert (few[1], many[1]) == (3, 20)
    assert few[0] == many[0]
