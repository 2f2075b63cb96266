from decimal import Decimal

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
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.tests.factories import stocked_product

pytestmark = pytest.mark.django_db

CATALOG = reverse("portal:dashboard")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def store():
    return DistributorFactory(name="Portal Store", is_default_store=True)


def names(response) -> list[str]:
    return [product.name for product in response.context["page"].object_list]


def test_portal_dashboard_and_catalog_are_the_same_page():
    assert reverse("portal:catalog") == reverse("portal:dashboard") == "/customer-portal/"


def test_visitor_sees_products_with_live_stock_badges(client, store):
    stocked_product(distributor=store, on_hand=12, name="Plenty Lamp", price=Decimal("1299.50"))
    stocked_product(distributor=store, on_hand=3, name="Scarce Lamp")
    ProductFactory(name="Unstocked Lamp")
    stocked_product(distributor=store, on_hand=9, name="Retired Lamp", is_active=False)
    # Stock at another distributor is not the portal's to sell.
    other = DistributorFactory()
    product = Product.objects.get(name="Unstocked Lamp")
    StockItemFactory(product=product, distributor=other, on_hand=50)

    response = client.get(CATALOG)

    assert response.status_code == 200
    html = response.content.decode()
    assert names(response) == ["Plenty Lamp", "Scarce Lamp", "Unstocked Lamp"]
    assert "12 in stock" in html
    assert "Low stock: 3 left" in html
    assert "Out of stock" in html
    assert "Retired Lamp" not in html
    assert "₹1,299.50" in html
    assert "Customer portal" in html and "Portal Store" in html
    # Each badge can be swapped by the stock poll; one poll covers the page.
    plenty = Product.objects.get(name="Plenty Lamp")
    assert f'id="stock-{plenty.pk}"' in html
    assert html.count('hx-trigger="every 20s" data-poll-when-visible') == 1
    # The add-to-cart form works without JS (plain POST) and with htmx.
    add_url = reverse("portal:cart_add", args=[plenty.pk])
    assert f'action="{add_url}"' in html and f'hx-post="{add_url}"' in html


# Committed rows: on MariaDB the search uses a FULLTEXT index, which sees nothing else.
@pytest.mark.django_db(transaction=True)
def test_search_matches_name_sku_and_description(client, store):
    stocked_product(distributor=store, name="Walnut Desk", sku="DSK-001")
    stocked_product(distributor=store, name="Oak Shelf", sku="SHF-777")
    stocked_product(distributor=store, name="Chair", description="Solid walnut frame")

    # A search is ordered by relevance on MariaDB (test_search_scale.py); by name here.
    assert names(client.get(CATALOG, {"q": "walnut", "sort": "name"})) == ["Chair", "Walnut Desk"]
    assert names(client.get(CATALOG, {"q": "shf-777"})) == ["Oak Shelf"]
    assert names(client.get(CATALOG, {"q": "walnut desk"})) == ["Walnut Desk"]
    response = client.get(CATALOG, {"q": "nothing-like-this"})
    assert names(response) == []
    assert "Nothing matches these filters" in response.content.decode()


def test_category_filter_includes_subcategories(client, store):
    furniture = CategoryFactory(name="Furniture")
    chairs = CategoryFactory(name="Chairs", parent=furniture)
    kitchen = CategoryFactory(name="Kitchen")
    stocked_product(distributor=store, name="Desk", category=furniture)
    stocked_product(distributor=store, name="Stool", category=chairs)
    stocked_product(distributor=store, name="Pan", category=kitchen)

    response = client.get(CATALOG, {"category": furniture.slug})
    assert names(response) == ["Desk", "Stool"]
    assert names(client.get(CATALOG, {"category": chairs.slug})) == ["Stool"]
    # The select shows the tree.
    assert "Furniture \u203a Chairs" in response.content.decode()


def test_price_range_in_stock_only_and_sorting(client, store):
    stocked_product(distributor=store, name="Cheap", price=Decimal("10.00"))
    stocked_product(distributor=store, name="Middle", price=Decimal("50.00"))
    stocked_product(distributor=store, name="Dear", price=Decimal("90.00"))
    stocked_product(distributor=store, name="Gone", price=Decimal("60.00"), on_hand=0)

    assert names(client.get(CATALOG, {"min_price": "20", "max_price": "60"})) == [
        "Gone",
        "Middle",
    ]
    assert names(client.get(CATALOG, {"in_stock": "on"})) == ["Cheap", "Dear", "Middle"]
    assert names(client.get(CATALOG, {"sort": "price"})) == ["Cheap", "Middle", "Gone", "Dear"]
    assert names(client.get(CATALOG, {"sort": "-price"})) == ["Dear", "Gone", "Middle", "Cheap"]
    newest = ProductFactory(name="Newest")
    StockItemFactory(product=newest, distributor=store, on_hand=1)
    assert names(client.get(CATALOG, {"sort": "newest"}))[0] == "Newest"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"min_price": "abc"}, "min_price"),
        ({"max_price": "1e999"}, "max_price"),
        ({"min_price": "-5"}, "min_price"),
        ({"min_price": "90", "max_price": "10"}, "max_price"),
        ({"category": "no-such-category"}, "category"),
        ({"sort": "drop table"}, "sort"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_bad_filter_values_are_form_errors_not_500(client, store, params, field):
    stocked_product(distributor=store, name="Still Listed", price=Decimal("50.00"))
    response = client.get(CATALOG, params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "is-invalid" in response.content.decode()


# Committed rows: on MariaDB the search uses a FULLTEXT index, which sees nothing else.
@pytest.mark.django_db(transaction=True)
def test_a_bad_filter_leaves_the_valid_ones_applied(client, store):
    stocked_product(distributor=store, name="Walnut Desk", price=Decimal("50.00"))
    stocked_product(distributor=store, name="Oak Desk", price=Decimal("50.00"))
    response = client.get(CATALOG, {"q": "walnut", "min_price": "abc"})
    assert names(response) == ["Walnut Desk"]


# Committed rows: on MariaDB the search uses a FULLTEXT index, which sees nothing else.
@pytest.mark.django_db(transaction=True)
def test_pagination_has_24_a_page_and_links_keep_the_filters(client, store):
    category = CategoryFactory()
    manufacturer = ManufacturerFactory()
    for n in range(30):
        stocked_product(
            distributor=store, name=f"Widget {n:02d}", category=category, manufacturer=manufacturer
        )
    stocked_product(distributor=store, name="Gadget", category=category, manufacturer=manufacturer)

    first = client.get(CATALOG, {"q": "widget", "sort": "name"})
    assert len(names(first)) == 24
    html = first.content.decode()
    assert "Showing 1\u201324 of 30 products" in html
    assert 'href="?q=widget&amp;sort=name&amp;page=2"' in html

    second = client.get(CATALOG, {"q": "widget", "sort": "name", "page": "2"})
    assert names(second) == [f"Widget {n}" for n in range(24, 30)]
    # Out of range or nonsense pages fall back instead of failing.
    assert client.get(CATALOG, {"page": "99"}).status_code == 200
    assert client.get(CATALOG, {"page": "abc"}).status_code == 200


def test_no_default_store_lists_the_catalog_as_not_sold_online_yet(client):
    product = ProductFactory(name="Orphan")
    response = client.get(CATALOG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Orphan" in html
    assert "Not sold online yet" in html
    assert "staff choose the store" in html
    assert "in stock" not in html and "Add to cart" not in html
    page = client.get(reverse("portal:product", args=[product.slug])).content.decode()
    assert "Not sold online yet" in page and "Add to cart" not in page


# Committed rows: on MariaDB the search uses a FULLTEXT index, which sees nothing else.
@pytest.mark.django_db(transaction=True)
def test_htmx_request_gets_the_catalog_partial(client, store):
    stocked_product(distributor=store, name="Walnut Desk")
    response = client.get(CATALOG, {"q": "walnut"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="catalog">')
    assert "<html" not in html and "Walnut Desk" in html
    assert "HX-Request" in response["Vary"]
    # The browser shows the tidy address (the GET form also sends its empty fields).
    response = client.get(CATALOG, {"q": "walnut", "category": "", "min_price": ""}, **HTMX)
    assert response["HX-Push-Url"] == "/customer-portal/?q=walnut"
    # A history restore needs the whole page.
    full = client.get(CATALOG, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in full.content.decode()


@pytest.mark.parametrize(
    "factory, can_add",
    [
        (CustomerFactory, True),
        (RetailerUserFactory, True),
        (DistributorUserFactory, False),
        (ManufacturerUserFactory, False),
    ],
)
def test_every_role_may_browse_only_buyers_get_add_to_cart(client, store, factory, can_add):
    product = stocked_product(distributor=store, name="Walnut Desk")
    client.force_login(factory())
    response = client.get(CATALOG)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Walnut Desk" in html
    assert (reverse("portal:cart_add", args=[product.pk]) in html) is can_add
    assert ("orders are placed by customer and retailer accounts" in html) is not can_add


def test_product_detail_page(client, store):
    parent = CategoryFactory(name="Furniture")
    category = CategoryFactory(name="Desks", parent=parent)
    product = stocked_product(
        distributor=store,
        on_hand=4,
        name="Walnut Desk",
        sku="DSK-9",
        description="Hand-finished walnut.",
        category=category,
        price=Decimal("15000.00"),
    )
    response = client.get(reverse("portal:product", args=[product.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Walnut Desk",
        "DSK-9",
        "Hand-finished walnut.",
        "₹15,000.00",
        "Low stock: 4 left",
    ):
        assert text in html
    assert "Furniture" in html and "Desks" in html
    assert reverse("portal:cart_add", args=[product.pk]) in html
    assert f"ids={product.pk}" in html  # the badge refreshes itself


def test_inactive_or_unknown_product_is_404(client, store):
    product = stocked_product(distributor=store, is_active=False)
    assert client.get(reverse("portal:product", args=[product.slug])).status_code == 404
    assert client.get(reverse("portal:product", args=["no-such-thing"])).status_code == 404


def test_stock_endpoint_answers_oob_badges(client, store):
    plenty = stocked_product(distributor=store, on_hand=40)
    low = stocked_product(distributor=store, on_hand=2)
    retired = stocked_product(distributor=store, on_hand=5, is_active=False)
    response = client.get(
        reverse("portal:stock"), {"ids": f"{plenty.pk},{low.pk},{retired.pk},abc,,-1"}
    )
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert f'id="stock-{plenty.pk}"' in html and "40 in stock" in html
    assert f'id="stock-{low.pk}"' in html and "Low stock: 2 left" in html
    assert f'id="stock-{retired.pk}"' in html and "Unavailable" in html
    assert html.count('hx-swap-oob="true"') == 3
    assert client.get(reverse("portal:stock")).content.strip() == b""


def test_stock_endpoint_costs_the_same_queries_for_3_and_60_products(client, store):
    products = [stocked_product(distributor=store) for _ in range(60)]

    def queries(ids):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("portal:stock"), {"ids": ",".join(map(str, ids))})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = queries([p.pk for p in products[:3]])
    many = queries([p.pk for p in products])
    assert few == many == 2  # the store, then every badge at once


def _catalog_queries(client, count, store) -> tuple[int, int]:
    category = CategoryFactory()
    manufacturer = ManufacturerFactory()
    existing = Product.objects.count()
    for _ in range(count - existing):
        stocked_product(distributor=store, category=category, manufacturer=manufacturer)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(CATALOG, {"sort": "price", "in_stock": "on"})
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.context["page"].object_list)


@pytest.mark.parametrize("signed_in", [False, True])
def test_catalog_query_count_does_not_grow_with_the_catalog(client, store, signed_in):
    if signed_in:
        client.force_login(CustomerFactory())
    ten, shown_ten = _catalog_queries(client, 10, store)
    hundred, shown_hundred = _catalog_queries(client, 100, store)
    assert (shown_ten, shown_hundred) == (10, 24)
    assert ten == hundred, (ten, hundred)


def test_every_order_status_has_its_badge_colour():
    from catalog.templatetags.catalog_tags import STATUS_TONES
    from orders.models import OrderStatus
    from returns.models import ReturnStatus
    from transfers.models import TransferStatus

    assert set(STATUS_TONES) == (
        set(OrderStatus.values) | set(ReturnStatus.values) | set(TransferStatus.values)
    )
