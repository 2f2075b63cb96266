"""The buyer's pages: list, create and edit with form errors, detail, and the actions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import CustomerFactory, DistributorUserFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import stocked_product
from standing_orders.models import MAX_LINE_QUANTITY, StandingOrder, StandingOrderStatus

from .factories import standing_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    store = DistributorFactory(name="AuroMart Central Store")
    store.is_default_store = True
    store.save()
    return store


def logged_in(client, user):
    client.force_login(user)
    return client


def test_the_list_page_makes_the_same_queries_for_one_or_many(
    client, store, django_assert_max_num_queries
):
    buyer = CustomerFactory()
    logged_in(client, buyer)
    standing_order(buyer=buyer, distributor=store)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("standing_orders:list"))
    for _ in range(6):
        standing_order(buyer=buyer, distributor=store)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("standing_orders:list"))
    assert response.content.decode().count("Every week") == 7


def test_a_customer_sets_up_a_standing_order_by_sku(client, store):
    buyer = logged_in(client, CustomerFactory())
    tea = stocked_product(distributor=store, sku="TEA-500")
    rice = stocked_product(distributor=store, sku="RICE-5K")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("standing_orders:create"),
        {
            "name": "Weekly restock",
            "distributor": store.pk,
            "frequency": "every_n_weeks",
            "interval_weeks": "2",
            "next_run_date": tomorrow.isoformat(),
            "shipping_address": "12 MG Road",
            "lines": "TEA-500, 12\nrice-5k 3\n",
        },
    )
    so = StandingOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/standing-orders/{so.pk}/"
    assert so.interval_weeks == 2 and so.next_run_date == tomorrow
    assert {(line.product_id, line.quantity) for line in so.lines.all()} == {
        (tea.pk, 12),
        (rice.pk, 3),
    }
    page = buyer.get(response["Location"]).content.decode()
    assert "Every 2 weeks" in page and "TEA-500" in page


def test_bad_lines_and_dates_are_form_errors(client, store):
    logged_in(client, CustomerFactory())
    stocked_product(distributor=store, sku="TEA-500")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("standing_orders:create"),
        {
            "distributor": store.pk,
            "frequency": "monthly",
            "day_of_month": "31",
            "next_run_date": yesterday.isoformat(),
            "shipping_address": "12 MG Road",
            "lines": f"TEA-500, {MAX_LINE_QUANTITY + 1}\nNOPE-1, 2\nTEA-500",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"Row 1: the quantity must be a whole number from 1 to {MAX_LINE_QUANTITY}." in page
    assert "Row 2: no product has the SKU NOPE-1." in page
    assert "Row 3: write a SKU and a quantity" in page
    assert "Ensure this value is less than or equal to 28." in page
    assert not StandingOrder.objects.exists()


def test_the_service_refuses_a_past_date_as_a_form_error(client, store):
    logged_in(client, CustomerFactory())
    stocked_product(distributor=store, sku="TEA-500")
    response = client.post(
        reverse("standing_orders:create"),
        {
            "distributor": store.pk,
            "frequency": "weekly",
            "next_run_date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "shipping_address": "12 MG Road",
            "lines": "TEA-500, 2",
        },
    )
    assert response.status_code == 400
    assert "Choose today or a later date." in response.content.decode()


def test_edit_changes_the_lines(client, store):
    buyer = CustomerFactory()
    so = standing_order(buyer=buyer, distributor=store)
    coffee = stocked_product(distributor=store, sku="COFFEE-1")
    logged_in(client, buyer)
    page = client.get(reverse("standing_orders:edit", args=[so.pk])).content.decode()
    assert f"{so.lines.get().product.sku}, 2" in page
    response = client.post(
        reverse("standing_orders:edit", args=[so.pk]),
        {
            "distributor": store.pk,
            "frequency": "monthly",
            "day_of_month": so.next_run_date.day if so.next_run_date.day <= 28 else 1,
            "next_run_date": so.next_run_date.isoformat()
            if so.next_run_date.day <= 28
            else (so.next_run_date + datetime.timedelta(days=5)).isoformat(),
            "shipping_address": "New address",
            "lines": "COFFEE-1, 7",
        },
    )
    assert response.status_code == 302
    so.refresh_from_db()
    assert so.frequency == "monthly" and so.shipping_address == "New address"
    assert [(line.product_id, line.quantity) for line in so.lines.all()] == [(coffee.pk, 7)]


def test_pause_resume_skip_and_end(client, store):
    buyer = CustomerFactory()
    so = standing_order(buyer=buyer, distributor=store)
    first = so.next_run_date
    logged_in(client, buyer)
    client.post(reverse("standing_orders:pause", args=[so.pk]))
    so.refresh_from_db()
    assert so.status == StandingOrderStatus.PAUSED
    client.post(reverse("standing_orders:resume", args=[so.pk]))
    assert client.get(reverse("standing_orders:skip", args=[so.pk])).status_code == 200
    client.post(reverse("standing_orders:skip", args=[so.pk]))
    so.refresh_from_db()
    assert so.status == StandingOrderStatus.ACTIVE
    assert so.next_run_date == first + datetime.timedelta(days=7)
    page = client.get(reverse("standing_orders:detail", args=[so.pk])).content.decode()
    assert "Skipped" in page
    client.post(reverse("standing_orders:end", args=[so.pk]))
    so.refresh_from_db()
    assert so.status == StandingOrderStatus.ENDED
    response = client.post(reverse("standing_orders:pause", args=[so.pk]), follow=True)
    assert "Only an active standing order can be paused." in response.content.decode()


def test_the_detail_links_each_run_to_its_order(client, store):
    from standing_orders.runs import standing_order_run

    buyer = CustomerFactory()
    so = standing_order(buyer=buyer, distributor=store, next_run_date=timezone.localdate())
    run = standing_order_run(standing_order_id=so.pk)
    page = logged_in(client, buyer).get(reverse("standing_orders:detail", args=[so.pk]))
    assert f'href="/customer-portal/orders/{run.order.number}/"' in page.content.decode()


def test_another_buyers_standing_order_is_404_and_sellers_are_403(client, store):
    so = standing_order(distributor=store)
    logged_in(client, CustomerFactory())
    assert client.get(reverse("standing_orders:detail", args=[so.pk])).status_code == 404
    assert client.post(reverse("standing_orders:end", args=[so.pk])).status_code == 404
    logged_in(client, DistributorUserFactory())
    assert client.get(reverse("standing_orders:list")).status_code == 403


def test_a_retailers_colleague_sees_the_organizations_standing_orders(client, store):
    retailer = RetailerUserFactory()
    colleague = RetailerUserFactory(organization=retailer.organization)
    so = standing_order(buyer=retailer, distributor=store)
    assert so.buyer_organization == retailer.organization
    logged_in(client, colleague)
    assert client.get(reverse("standing_orders:detail", args=[so.pk])).status_code == 200
