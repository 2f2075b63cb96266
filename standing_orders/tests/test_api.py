"""The standing orders API: list (query count), create, read, change, actions, scoping."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory, ManufacturerUserFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from orders.tests.factories import stocked_product
from standing_orders.models import StandingOrder

from .factories import standing_order

pytestmark = pytest.mark.django_db

URL = "/api/standing-orders"


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def store():
    store = DistributorFactory(name="AuroMart Central Store")
    store.is_default_store = True
    store.save()
    return store


def test_the_list_makes_the_same_queries_for_one_or_many(store, django_assert_max_num_queries):
    buyer = CustomerFactory()
    standing_order(buyer=buyer, distributor=store)
    with django_assert_max_num_queries(12) as few:
        api(buyer).get(URL)
    for _ in range(5):
        standing_order(buyer=buyer, distributor=store)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api(buyer).get(URL)
    assert response.json()["count"] == 6


def test_a_retailer_creates_reads_and_changes_a_standing_order():
    retailer = RetailerUserFactory()
    depot = DistributorFactory()
    tea = stocked_product(distributor=depot, sku="TEA-500")
    stocked_product(distributor=depot, sku="RICE-5K")
    next_run = timezone.localdate() + datetime.timedelta(days=3)
    response = api(retailer).post(
        URL,
        {
            "name": "Weekly restock",
            "distributor_id": depot.pk,
            "frequency": "weekly",
            "next_run_date": next_run.isoformat(),
            "shipping_address": "Shop 4, Koramangala",
            "lines": [{"sku": "TEA-500", "quantity": 12}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["lines"] == [
        {"product_id": tea.pk, "sku": "TEA-500", "name": tea.name, "quantity": 12}
    ]
    assert body["status"] == "active" and body["runs"] == []
    detail = f"{URL}/{body['id']}"
    response = api(retailer).patch(
        detail, {"lines": [{"sku": "RICE-5K", "quantity": 4}], "interval_weeks": 2}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert [line["sku"] for line in response.json()["lines"]] == ["RICE-5K"]
    assert api(retailer).post(f"{detail}/pause").json()["status"] == "paused"
    assert api(retailer).post(f"{detail}/pause").status_code == 400
    assert api(retailer).post(f"{detail}/resume").json()["status"] == "active"
    skipped = api(retailer).post(f"{detail}/skip").json()
    assert skipped["next_run_date"] == (next_run + datetime.timedelta(days=7)).isoformat()
    assert skipped["runs"][0]["outcome"] == "skipped"
    assert api(retailer).post(f"{detail}/end").json()["status"] == "ended"


def test_bad_input_is_a_400_naming_the_fields(store):
    buyer = CustomerFactory()
    response = api(buyer).post(
        URL,
        {
            "frequency": "every_n_weeks",
            "interval_weeks": 13,
            "next_run_date": "2020-01-01",
            "shipping_address": "x",
            "lines": [{"sku": "NOPE", "quantity": 0}],
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"interval_weeks", "lines.0.quantity"}
    stocked_product(distributor=store, sku="TEA-500")
    response = api(buyer).post(
        URL,
        {
            "frequency": "weekly",
            "next_run_date": "2020-01-01",
            "shipping_address": "x",
            "lines": [{"sku": "TEA-500", "quantity": 1}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "next_run_date" in response.json()["errors"]
    assert not StandingOrder.objects.exists()


def test_another_buyers_standing_order_is_404_sellers_403_visitors_401(store):
    so = standing_order(distributor=store)
    stranger = CustomerFactory()
    assert api(stranger).get(f"{URL}/{so.pk}").status_code == 404
    assert api(stranger).post(f"{URL}/{so.pk}/end").status_code == 404
    assert api(ManufacturerUserFactory()).get(URL).status_code == 403
    assert api().get(URL).status_code == 401
    so.refresh_from_db()
    assert so.status == "active"
