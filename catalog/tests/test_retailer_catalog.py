"""The retailer's catalog: the distributor_catalog selector and its two API endpoints."""

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
)
from catalog.models import Product
from catalog.selectors import distributor_catalog
from catalog.tests.factories import CategoryFactory, ManufacturerFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import stocked_product

pytestmark = pytest.mark.django_db

CATALOG = reverse("api-retailer-catalog")
DISTRIBUTORS = reverse("api-retailer-distributor-list")


@pytest.fixture
def store():
    return DistributorFactory(name="The Store", is_default_store=True)


@pytest.fixture
def wholesaler():
    return DistributorFactory(name="Western Wholesale", city="Nagpur", region="Central")


@pytest.fixture
def retailer_client(api_client):
    api_client.force_authenticate(RetailerUserFactory())
    return api_client


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["results"]]


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    return body


# --- The selector ---------------------------------------------------------------


def test_distributor_catalog_lists_what_the_distributor_carries_with_its_stock(store, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=7, name="Lamp")
    StockItemFactory(product=lamp, distributor=store, on_hand=90)
    stocked_product(distributor=wholesaler, on_hand=0, name="Sold Out")
    StockItemFactory(
        product=stocked_product(distributor=store, name="Held"),
        distributor=wholesaler,
        on_hand=3,
        held=3,
    )
    stocked_product(distributor=store, name="Store Only")
    inactive = stocked_product(distributor=wholesaler, name="Withdrawn")
    Product.objects.filter(pk=inactive.pk).update(is_active=False)

    rows = {p.name: p.stock_quantity for p in distributor_catalog(distributor=wholesaler)}

    assert rows == {"Lamp": 7, "Sold Out": 0, "Held": 0}
    in_stock = distributor_catalog(distributor=wholesaler, in_stock=True)
    assert [p.name for p in in_stock] == ["Lamp"]


# --- GET /api/retailer/catalog ---------------------------------------------------


def test_the_catalog_shows_the_chosen_distributors_stock(retailer_client, store, wholesaler):
    lamp = stocked_product(distributor=wholesaler, on_hand=7, name="Lamp", price=Decimal("9.50"))
    StockItemFactory(product=lamp, distributor=store, on_hand=90)
    stocked_product(distributor=store, name="Store Only")

    response = retailer_client.get(CATALOG, {"distributor": wholesaler.pk})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1
    (item,) = data["results"]
    # The same item shape as the customer product list.
    customer_item = retailer_client.get(
        reverse("api-product-list"), {"distributor": wholesaler.pk}
    ).json()["results"][0]
    assert set(item) == set(customer_item)
    assert item["id"] == lamp.pk
    assert item["stock_quantity"] == 7
    assert item["in_stock"] is True
    assert item["price"] == "9.50"


# Committed rows: on MariaDB the search uses a FULLTEXT index, which sees nothing else.
@pytest.mark.django_db(transaction=True)
def test_the_catalog_searches_filters_orders_and_paginates(retailer_client, wholesaler):
    lighting = CategoryFactory(name="Lighting", slug="lighting")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    stocked_product(
        distributor=wholesaler, name="Brass Lamp", category=lighting, price=Decimal("30")
    )
    stocked_product(distributor=wholesaler, name="Lamp Oil", category=kitchen, price=Decimal("5"))
    stocked_product(
        distributor=wholesaler,
        name="Copper Kettle",
        category=kitchen,
        price=Decimal("20"),
        on_hand=0,
    )

    def query(**params):
        return names(retailer_client.get(CATALOG, {"distributor": wholesaler.pk, **params}))

    assert query(search="lamp") == ["Brass Lamp", "Lamp Oil"]
    assert query(category="kitchen") == ["Copper Kettle", "Lamp Oil"]
    assert query(category=str(lighting.pk)) == ["Brass Lamp"]
    assert query(in_stock="true") == ["Brass Lamp", "Lamp Oil"]
    assert query(ordering="-price") == ["Brass Lamp", "Copper Kettle", "Lamp Oil"]
    assert query(min_price="10", max_price="25") == ["Copper Kettle"]
    page = retailer_client.get(CATALOG, {"distributor": wholesaler.pk, "page_size": 2, "page": 2})
    assert page.json()["count"] == 3
    assert names(page) == ["Lamp Oil"]


@pytest.mark.parametrize("value", [None, "", "abc", "0", "987654", "retailer", "manufacturer"])
def test_a_missing_or_invalid_distributor_is_400_naming_it(retailer_client, store, value):
    stocked_product(distributor=store)
    params = {}
    if value == "retailer":
        params["distributor"] = OrganizationFactory(kind=Organization.Kind.RETAILER).pk
    elif value == "manufacturer":
        params["distributor"] = ManufacturerFactory().pk
    elif value is not None:
        params["distributor"] = value

    response = retailer_client.get(CATALOG, params)

    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == ["distributor"]


def test_other_filters_are_validated_too(retailer_client, wholesaler):
    response = retailer_client.get(CATALOG, {"distributor": wholesaler.pk, "category": "nope"})
    assert "category" in assert_error(response, 400, "invalid")["errors"]


@pytest.mark.parametrize(
    "factory", [CustomerFactory, DistributorUserFactory, ManufacturerUserFactory]
)
def test_only_retailers_may_use_the_catalog_and_distributor_list(api_client, wholesaler, factory):
    api_client.force_authenticate(factory())
    assert_error(api_client.get(CATALOG, {"distributor": wholesaler.pk}), 403, "permission_denied")
    # The role is checked before the query string.
    assert_error(api_client.get(CATALOG), 403, "permission_denied")
    assert_error(api_client.get(DISTRIBUTORS), 403, "permission_denied")


def test_visitors_get_401(api_client, wholesaler):
    assert api_client.get(CATALOG, {"distributor": wholesaler.pk}).status_code == 401
    assert api_client.get(DISTRIBUTORS).status_code == 401


# --- GET /api/retailer/distributors ------------------------------------------------


def test_the_distributor_list_names_each_distributor_and_what_it_has(
    retailer_client, store, wholesaler
):
    stocked_product(distributor=wholesaler)
    stocked_product(distributor=wholesaler, on_hand=0)
    OrganizationFactory(kind=Organization.Kind.RETAILER)
    ManufacturerFactory()

    data = retailer_client.get(DISTRIBUTORS).json()

    assert data["count"] == 2
    assert data["results"] == [
        {
            "id": store.pk,
            "name": "The Store",
            "city": store.city,
            "region": store.region,
            "products_available": 0,
        },
        {
            "id": wholesaler.pk,
            "name": "Western Wholesale",
            "city": "Nagpur",
            "region": "Central",
            "products_available": 1,
        },
    ]


# --- Query counts -------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_catalog_queries_do_not_grow_with_products(retailer_client, wholesaler):
    category, manufacturer = CategoryFactory(), ManufacturerFactory()

    def count_with(n):
        while distributor_catalog(distributor=wholesaler).count() < n:
            stocked_product(distributor=wholesaler, category=category, manufacturer=manufacturer)
        return _queries(retailer_client, CATALOG, {"distributor": wholesaler.pk, "page_size": 100})

    assert count_with(3) == count_with(30)


def test_distributor_list_queries_do_not_grow_with_distributors(retailer_client):
    def count_with(n):
        while Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR).count() < n:
            stocked_product(distributor=DistributorFactory())
        return _queries(retailer_client, DISTRIBUTORS, {"page_size": 100})

    assert count_with(3) == count_with(30)
