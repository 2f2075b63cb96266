"""Search at scale (#22 §2): a capped count, relevance order from the FULLTEXT index.

The count stops at catalog.pagination.COUNT_CAP (settings.CATALOG_COUNT_CAP
makes it small here): past it `count` is the cap, `count_exact` is false, the
page says "5+ products", and every page can still be read through `next`.
On MariaDB a search's default order (`relevance`) is InnoDB's FULLTEXT rank
with no ORDER BY; elsewhere it is the name order. Committed rows: the FULLTEXT
index sees nothing else.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from auromart.tests.openapi import call_and_validate
from catalog.pagination import CappedPaginator
from catalog.selectors import product_search
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory

PRODUCTS = reverse("api-product-list")
CATALOG = reverse("portal:catalog")
committed = pytest.mark.django_db(transaction=True)
on_mariadb = connection.vendor == "mysql"


@pytest.fixture
def lamps(settings):
    """8 lamps and 1 rug at the store; counts stop at 5."""
    settings.CATALOG_COUNT_CAP = 5
    store = DistributorFactory(name="Scale Store", is_default_store=True)
    categories = [CategoryFactory(), CategoryFactory()]
    maker = ManufacturerFactory()
    for n in range(8):
        product = ProductFactory(
            sku=f"LMP-{n}",
            name=f"Lamp {n}",
            description="Warm light.",
            category=categories[n % 2],
            manufacturer=maker,
            price=Decimal(10 + n),
        )
        StockItemFactory(product=product, distributor=store, on_hand=n)
    rug = ProductFactory(sku="RUG-1", name="Harbor Rug", category=categories[0], manufacturer=maker)
    StockItemFactory(product=rug, distributor=store, on_hand=3)
    return store


@committed
def test_count_stops_at_the_cap_and_every_page_is_still_reachable(api_client, lamps):
    first = api_client.get(PRODUCTS, {"search": "lamp", "page_size": 3}).json()
    assert (first["count"], first["count_exact"]) == (5, False)
    seen = [row["sku"] for row in first["results"]]
    second = api_client.get(first["next"]).json()
    # Past the cap the count is what this page shows there is at least: rows 4-6 and a next.
    assert (second["count"], second["count_exact"]) == (7, False)
    seen += [row["sku"] for row in second["results"]]
    last = api_client.get(second["next"]).json()
    # The last page knows the total.
    assert (last["count"], last["count_exact"], last["next"]) == (8, True, None)
    seen += [row["sku"] for row in last["results"]]
    assert sorted(seen) == [f"LMP-{n}" for n in range(8)]  # each once, past the cap too
    past = api_client.get(PRODUCTS, {"search": "lamp", "page_size": 3, "page": 4})
    assert past.status_code == 404

    exact = api_client.get(PRODUCTS, {"search": "lamp", "max_price": "14"}).json()
    assert (exact["count"], exact["count_exact"], exact["next"]) == (5, True, None)
    rug = api_client.get(PRODUCTS, {"search": "rug"}).json()
    assert (rug["count"], rug["count_exact"]) == (1, True)


@committed
def test_capped_responses_match_the_schema(lamps):
    response = call_and_validate(
        "GET", "/api/customer/products", query={"search": "lamp", "page_size": 3}
    )
    assert response.json()["count_exact"] is False


def test_schema_documents_count_exact_as_a_required_boolean():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    page = schema["components"]["schemas"]["PaginatedProductList"]
    assert page["properties"]["count"]["type"] == "integer"  # typed clients keep an int
    assert page["properties"]["count_exact"]["type"] == "boolean"
    assert {"count", "count_exact", "results"} <= set(page["required"])
    ordering = next(
        p
        for p in schema["paths"]["/api/customer/products"]["get"]["parameters"]
        if p["name"] == "ordering"
    )
    assert ordering["schema"]["default"] == "relevance"


def add_lamps(store, count: int) -> None:
    maker = ManufacturerFactory()
    for n in range(count):
        item = ProductFactory(sku=f"LMX-{n}", name=f"Lamp x{n:02d}", manufacturer=maker)
        StockItemFactory(product=item, distributor=store, on_hand=1)


@committed
def test_the_page_says_how_many_honestly(client, lamps):
    add_lamps(lamps, 22)  # 30 lamps: 24 to a page, a count capped at 5
    capped = client.get(CATALOG, {"q": "lamp"}).content.decode()
    # The page read one row past its 24: at least 25 match.
    assert "Showing 1\N{EN DASH}24 of 25+ products" in capped
    assert "At least 25 products match: add a word or a filter" in capped
    exact = client.get(CATALOG, {"q": "lamp", "max_price": "12"}).content.decode()
    assert "Showing 1\N{EN DASH}3 of 3 products" in exact
    assert "At least" not in exact


@committed
def test_the_page_reads_pages_past_the_cap(client, settings, lamps):
    settings.CATALOG_COUNT_CAP = 2
    add_lamps(lamps, 22)
    first = client.get(CATALOG, {"q": "lamp"}).content.decode()
    assert "Showing 1\N{EN DASH}24 of 25+ products" in first
    assert "page=2" in first
    second = client.get(CATALOG, {"q": "lamp", "page": "2"}).content.decode()
    assert "Showing 25\N{EN DASH}30 of 30 products" in second  # the last page knows the total
    far = client.get(CATALOG, {"q": "lamp", "page": "99999999"})
    assert far.status_code == 200  # a page past the end shows a page that exists


def test_paginator_bounds_on_a_list():
    paginator = CappedPaginator(list(range(10)), 3, cap=4)
    assert (paginator.count, paginator.count_exact) == (4, False)
    page = paginator.page(4)
    assert (list(page.object_list), page.has_next(), page.end_index()) == ([9], False, 10)
    assert (paginator.count, paginator.count_exact, paginator.num_pages) == (10, True, 4)
    assert list(paginator.get_page("x").object_list) == [0, 1, 2]
    exact = CappedPaginator(list(range(4)), 3, cap=4)
    assert (exact.count, exact.count_exact, exact.num_pages) == (4, True, 2)


@committed
def test_relevance_is_the_default_order_of_a_search(api_client, settings):
    store = DistributorFactory(name="Rank Store", is_default_store=True)
    maker = ManufacturerFactory()
    # "Zulu" says lamp four times, "Alpha" once: the rank puts Zulu first, the name Alpha.
    for sku, name, description, category in [
        ("A", "Alpha Lamp", "Plain.", CategoryFactory()),
        ("Z", "Zulu Lamp", "A lamp, lamp and lamp.", CategoryFactory()),
        ("M", "Mid Lamp", "One more lamp.", CategoryFactory()),
    ]:
        item = ProductFactory(
            sku=sku, name=name, description=description, category=category, manufacturer=maker
        )
        StockItemFactory(product=item, distributor=store, on_hand=2)

    def skus(**params):
        body = api_client.get(PRODUCTS, {"search": "lamp", **params}).json()
        return [row["sku"] for row in body["results"]]

    assert skus(ordering="name") == ["A", "M", "Z"]
    expected = ["Z", "M", "A"] if on_mariadb else ["A", "M", "Z"]  # SQLite: no rank, by name
    assert skus() == expected
    assert skus(ordering="relevance") == expected
    assert skus(ordering="relevance", in_stock="true", page_size=2) == expected[:2]
    assert skus(ordering="relevance", page_size=2, page=2) == expected[2:]
    # Without a search, relevance is the name order.
    body = api_client.get(PRODUCTS, {"ordering": "relevance"}).json()
    assert [row["sku"] for row in body["results"]] == ["A", "M", "Z"]


@committed
def test_relevance_search_has_no_order_by_on_mariadb(lamps):
    products = product_search(distributor=lamps, search="lamp")
    with CaptureQueriesContext(connection) as captured:
        list(products[:3])
    sql = captured[-1]["sql"]
    if on_mariadb:
        assert "ORDER BY" not in sql and "MATCH" in sql
    else:
        assert "ORDER BY" in sql


@committed
def test_page_query_count_stays_constant_past_the_cap(client, settings, lamps):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CATALOG, {"q": "lamp"}).status_code == 200
        return len(captured)

    queries()
    settings.CATALOG_COUNT_CAP = 100  # exact
    exact = queries()
    settings.CATALOG_COUNT_CAP = 2  # capped
    assert queries() == exact


@committed
def test_a_relevance_search_runs_its_match_once_per_request(api_client, lamps):
    # The count and the page come from one read of the ranked ids (#22 §2): the page's
    # rows are read by primary key, so InnoDB initialises the full-text search once.
    def matches(**params) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            body = api_client.get(PRODUCTS, {"search": "lamp", **params}).json()
        return sum("MATCH" in query["sql"] for query in captured), body

    runs, body = matches(max_price="14")  # 5 lamps: exact
    assert (body["count"], body["count_exact"]) == (5, True)
    assert sorted(row["sku"] for row in body["results"]) == [f"LMP-{n}" for n in range(5)]
    if on_mariadb:
        assert runs == 1
    runs, body = matches(page_size=3)  # 8 lamps past a cap of 5: a page within the ids
    assert (body["count"], body["count_exact"], len(body["results"])) == (5, False, 3)
    if on_mariadb:
        assert runs == 1


@pytest.mark.django_db
def test_an_unordered_queryset_is_paged_from_its_ids_without_its_filters():
    from catalog.models import Product

    maker = ManufacturerFactory()
    for n in range(5):
        ProductFactory(sku=f"ID-{n}", name=f"Kettle {n}", manufacturer=maker)
    ProductFactory(sku="OTHER", name="Rug", manufacturer=maker)
    rows = Product.objects.filter(name__startswith="Kettle").select_related("category").order_by()
    paginator = CappedPaginator(rows, 2, cap=10)
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.count_exact, paginator.num_pages) == (5, True, 3)
        page = paginator.page(2)
    # The page is the ids' rows 3-4, in the ids' order.
    assert [p.pk for p in page.object_list] == paginator._ranked_ids[2:4]
    # One query for the ids (the count), one by primary key for the page without the filter.
    assert len(captured) == 2
    assert "LIKE" in captured[0]["sql"] and "LIKE" not in captured[1]["sql"]
    assert page.has_next() and page.object_list[0].category.name  # joins kept
