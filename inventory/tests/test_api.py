"""The distributor's stock API: its items, filters, and the reorder overrides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api-distributor-stock-list")


def item_url(item):
    return reverse("api-distributor-stock-detail", args=[item.pk])


@pytest.fixture
def distributor():
    return DistributorFactory()


@pytest.fixture
def staff(distributor):
    return DistributorUserFactory(organization=distributor)


@pytest.fixture
def api(api_client, staff):
    api_client.force_authenticate(staff)
    return api_client


def stock(distributor, *, on_hand=50, held=0, level=10, quantity=100, **product):
    product = ProductFactory(reorder_level=level, reorder_quantity=quantity, **product)
    return StockItemFactory(product=product, distributor=distributor, on_hand=on_hand, held=held)


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    return body


@pytest.mark.parametrize("factory", [CustomerFactory, RetailerUserFactory, ManufacturerUserFactory])
def test_other_roles_get_403(api_client, distributor, factory):
    item = stock(distributor)
    api_client.force_authenticate(factory())
    assert_error(api_client.get(LIST), 403, "permission_denied")
    assert_error(api_client.get(item_url(item)), 403, "permission_denied")
    response = api_client.patch(item_url(item), {"reorder_level_override": 3}, format="json")
    assert_error(response, 403, "permission_denied")
    assert StockItem.objects.get(pk=item.pk).reorder_level_override is None


def test_anonymous_gets_401(api_client, distributor):
    assert api_client.get(LIST).status_code == 401


def test_another_distributors_item_is_404_and_untouched(api):
    theirs = stock(DistributorFactory())
    assert_error(api.get(item_url(theirs)), 404, "not_found")
    response = api.patch(item_url(theirs), {"reorder_level_override": 3}, format="json")
    assert_error(response, 404, "not_found")
    assert StockItem.objects.get(pk=theirs.pk).reorder_level_override is None
    assert api.get(LIST).json()["count"] == 0
    assert api.get(f"{LIST}/{2**64}").status_code == 404


def test_list_shows_own_stock_by_name_with_effective_levels(api, distributor):
    tea = stock(distributor, on_hand=30, held=5, level=10, quantity=100, name="Tea", sku="T1")
    rice = stock(distributor, on_hand=8, level=10, quantity=40, name="Rice", sku="R1")
    StockItem.objects.filter(pk=rice.pk).update(
        reorder_level_override=5, reorder_quantity_override=60
    )
    stock(DistributorFactory(), name="Apples")  # someone else's

    body = api.get(LIST).json()

    assert body["count"] == 2
    rows = {row["product"]["name"]: row for row in body["results"]}
    assert [row["product"]["name"] for row in body["results"]] == ["Rice", "Tea"]
    assert rows["Tea"] == {
        "id": tea.pk,
        "product": {"id": tea.product.pk, "sku": "T1", "name": "Tea"},
        "on_hand": 30,
        "allocated": 0,
        "held": 5,
        "reserved": 5,  # the deprecated alias of held
        "available": 25,
        "reorder_level": 10,
        "reorder_quantity": 100,
        "reorder_level_override": None,
        "reorder_quantity_override": None,
        "is_low": False,
        "updated_at": rows["Tea"]["updated_at"],
    }
    assert (rows["Rice"]["reorder_level"], rows["Rice"]["reorder_quantity"]) == (5, 60)
    assert rows["Rice"]["is_low"] is False  # 8 > its own level 5, though below the product's 10


def test_low_and_search_filters(api, distributor):
    low = stock(distributor, on_hand=10, level=10, name="Basmati rice", sku="RICE-B")
    held = stock(distributor, on_hand=15, held=6, level=10, name="Sona rice", sku="RICE-S")
    fine = stock(distributor, on_hand=50, level=10, name="Assam tea", sku="TEA-A")

    def ids(**params):
        return {row["id"] for row in api.get(LIST, params).json()["results"]}

    assert ids(low="true") == {low.pk, held.pk}  # held units are not available
    assert ids(low="false") == {fine.pk}
    assert ids(search="rice") == {low.pk, held.pk}
    assert ids(search="tea-a") == {fine.pk}
    assert ids(search="rice", low="true") == {low.pk, held.pk}
    assert ids() == {low.pk, held.pk, fine.pk}
    body = assert_error(api.get(LIST, {"low": "maybe"}), 400, "invalid")
    assert "low" in body["errors"]


def test_list_query_count_does_not_grow_with_the_items(api, distributor):
    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(LIST, {"page_size": 100})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    for _ in range(3):
        stock(distributor)
    few = measure()
    for _ in range(27):
        stock(distributor)
    many = measure()
    assert (few[1], many[1]) == (3, 30)
    assert few[0] == many[0] <= 2  # count, the page of items with their products


def test_patch_sets_both_overrides_and_leaves_stock_alone(api, distributor):
    item = stock(distributor, on_hand=30, level=10, quantity=100)
    movements = StockMovement.objects.count()

    response = api.patch(
        item_url(item),
        {"reorder_level_override": 40, "reorder_quantity_override": 250},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["reorder_level"], body["reorder_quantity"], body["is_low"]) == (40, 250, True)
    item.refresh_from_db()
    assert (item.reorder_level_override, item.reorder_quantity_override) == (40, 250)
    assert item.on_hand == 30 and StockMovement.objects.count() == movements


def test_patch_changes_only_the_fields_sent_and_null_restores_the_default(api, distributor):
    item = stock(distributor, level=10, quantity=100)
    api.patch(
        item_url(item), {"reorder_level_override": 4, "reorder_quantity_override": 9}, format="json"
    )

    body = api.patch(item_url(item), {"reorder_level_override": None}, format="json").json()

    assert (body["reorder_level_override"], body["reorder_quantity_override"]) == (None, 9)
    assert (body["reorder_level"], body["reorder_quantity"]) == (10, 9)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reorder_level_override": -1}, "reorder_level_override"),
        ({"reorder_quantity_override": "lots"}, "reorder_quantity_override"),
        ({"reorder_level_override": 10**9}, "reorder_level_override"),
        ({}, "non_field_errors"),
    ],
)
def test_bad_patches_are_400_and_change_nothing(api, distributor, payload, field):
    item = stock(distributor)
    body = assert_error(api.patch(item_url(item), payload, format="json"), 400, "invalid")
    assert field in body["errors"]
    item.refresh_from_db()
    assert (item.reorder_level_override, item.reorder_quantity_override) == (None, None)


def test_get_one_item(api, distributor):
    item = stock(distributor, on_hand=7)
    body = api.get(item_url(item)).json()
    assert (body["id"], body["on_hand"], body["available"]) == (item.pk, 7, 7)
