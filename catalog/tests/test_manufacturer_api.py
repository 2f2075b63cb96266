import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
    SupplyAgreementFactory,
    supplies,
)
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import StockItem, StockMovement
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("api-manufacturer-products")
ASSIGN = reverse("api-manufacturer-stock-assign")
ORDERS = reverse("api-manufacturer-orders")
SALES = reverse("api-manufacturer-sales")


def product_url(product):
    return reverse("api-manufacturer-product", args=[product.pk])


@pytest.fixture
def maker():
    return ManufacturerUserFactory(organization__name="Auro Sleep")


@pytest.fixture
def api(api_client, maker):
    api_client.force_authenticate(maker)
    return api_client


@pytest.fixture
def category():
    return CategoryFactory(name="Mattresses")


def own_product(maker, **fields):
    return ProductFactory(manufacturer=maker.organization, **fields)


def new_product_body(category_, **extra):
    body = {
        "sku": "mat-q-01",
        "name": "Queen Mattress",
        "description": "  Firm.  ",
        "category": category_.pk,
        "price": "15000.00",
        "cost_price": "9000.00",
        "reorder_level": 5,
        "reorder_quantity": 20,
        "order_up_to_level": 40,
        "pack_size": 2,
        "minimum_order_quantity": 2,
        "lead_time_days": 10,
    }
    body.update(extra)
    return body


def assert_error(response, status, code, *fields):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    for field in fields:
        assert field in body["errors"], body
    return body


# --- Roles -------------------------------------------------------------------


ENDPOINTS = [
    ("get", PRODUCTS),
    ("post", PRODUCTS),
    ("post", ASSIGN),
    ("get", ORDERS),
    ("get", SALES),
]


@pytest.mark.parametrize("method,url", ENDPOINTS)
def test_anonymous_callers_are_unauthorized(api_client, method, url):
    assert getattr(api_client, method)(url, {}, format="json").status_code == 401


@pytest.mark.parametrize("factory", [CustomerFactory, RetailerUserFactory, DistributorUserFactory])
@pytest.mark.parametrize("method,url", ENDPOINTS)
def test_other_roles_are_forbidden(api_client, factory, method, url):
    api_client.force_authenticate(factory())
    response = getattr(api_client, method)(url, {}, format="json")
    assert_error(response, 403, "permission_denied")


def test_other_roles_cannot_touch_a_product_either(api_client, maker):
    product = own_product(maker)
    api_client.force_authenticate(DistributorUserFactory())
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api_client, method)(product_url(product), {}, format="json")
        assert response.status_code == 403
    assert Product.objects.filter(pk=product.pk, is_active=True).exists()


# --- Listing -----------------------------------------------------------------


def test_list_shows_only_own_products_with_their_stock(api, maker):
    mine = own_product(maker, name="Alpha")
    own_product(maker, name="Beta", is_active=False)
    ProductFactory(name="Someone else's")
    StockItemFactory(product=mine, on_hand=30)
    StockItemFactory(product=mine, on_hand=12)

    body = api.get(PRODUCTS).json()
    assert body["count"] == 2
    assert [p["name"] for p in body["results"]] == ["Alpha", "Beta"]
    alpha = body["results"][0]
    assert alpha["units_at_distributors"] == 42
    assert alpha["distributor_count"] == 2
    assert alpha["supplier"] == maker.organization_id
    assert body["results"][1]["units_at_distributors"] == 0


def test_list_filters_by_search_and_active(api, maker):
    own_product(maker, name="Queen Mattress", sku="MAT-Q")
    own_product(maker, name="King Mattress", sku="MAT-K", is_active=False)
    own_product(maker, name="Pillow", sku="PIL-1")

    def names(**params):
        return [p["name"] for p in api.get(PRODUCTS, params).json()["results"]]

    assert names(search="mattress") == ["King Mattress", "Queen Mattress"]
    assert names(search="mat-q") == ["Queen Mattress"]
    assert names(is_active="true") == ["Pillow", "Queen Mattress"]
    assert names(is_active="false") == ["King Mattress"]
    assert_error(api.get(PRODUCTS, {"is_active": "maybe"}), 400, "invalid", "is_active")


def test_list_queries_do_not_grow_with_products(api, maker):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(PRODUCTS, {"page_size": 100})
        return response.json()["count"], len(ctx.captured_queries)

    def add(n):
        for _ in range(n):
            product = own_product(maker)
            StockItemFactory(product=product, on_hand=5)
            StockItemFactory(product=product, on_hand=7)

    add(3)
    count, few = queries()
    assert count == 3
    add(27)
    count, many = queries()
    assert count == 30
    assert few == many <= 3


# --- Creating ----------------------------------------------------------------


def test_create_a_product(api, maker, category):
    response = api.post(PRODUCTS, new_product_body(category), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert response["Location"] == product_url(product)
    assert product.sku == "MAT-Q-01"
    assert product.slug == "queen-mattress"
    assert product.description == "Firm."
    assert product.manufacturer == maker.organization
    assert product.supplier == maker.organization  # the default
    assert product.cost_price == Decimal("9000.00")
    assert (product.pack_size, product.order_up_to_level) == (2, 40)
    assert body["units_at_distributors"] == 0
    assert body["category_detail"]["name"] == "Mattresses"


def test_a_second_product_of_the_same_name_gets_its_own_slug(api, category):
    api.post(PRODUCTS, new_product_body(category), format="json")
    response = api.post(PRODUCTS, new_product_body(category, sku="MAT-Q-02"), format="json")
    assert response.json()["slug"] == "queen-mattress-2"


def test_a_distributor_with_an_accepted_agreement_may_be_the_supplier(api, maker, category):
    supplier = DistributorFactory()
    supplies(maker.organization, supplier)
    response = api.post(PRODUCTS, new_product_body(category, supplier=supplier.pk), format="json")
    assert response.json()["supplier"] == supplier.pk


@pytest.mark.parametrize("status", [None, "requested", "ended"])
def test_a_supplier_without_an_accepted_agreement_is_400_naming_nobody(
    api, maker, category, status
):
    unrelated = DistributorFactory(name="Unrelated Depot")
    if status:
        SupplyAgreementFactory(
            manufacturer=maker.organization, distributor=unrelated, status=status
        )
    other_maker = OrganizationFactory(kind="manufacturer", name="Rival Works")
    product = own_product(maker)
    for supplier in (unrelated, other_maker):
        body = new_product_body(category, sku=f"NEW-{supplier.pk}", supplier=supplier.pk)
        created = api.post(PRODUCTS, body, format="json")
        patched = api.patch(product_url(product), {"supplier": supplier.pk}, format="json")
        for response in (created, patched):
            assert_error(response, 400, "invalid", "supplier")
            # The same answer as for an id nobody has: no organization is named.
            assert supplier.name not in response.content.decode()
    missing = api.patch(product_url(product), {"supplier": 10**9}, format="json")
    assert missing.json()["errors"] == patched.json()["errors"]
    product.refresh_from_db()
    assert product.supplier == maker.organization
    assert not Product.objects.filter(sku__startswith="NEW-").exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"order_up_to_level": 5}, "order_up_to_level"),  # not above reorder_level 5
        ({"pack_size": 0}, "pack_size"),
        ({"minimum_order_quantity": 0}, "minimum_order_quantity"),
        ({"price": "-1"}, "price"),
        ({"category": 999999}, "category"),
        ({"name": ""}, "name"),
        ({"sku": ""}, "sku"),
    ],
)
def test_invalid_products_are_refused_with_field_errors(api, category, change, field):
    response = api.post(PRODUCTS, new_product_body(category, **change), format="json")
    assert_error(response, 400, "invalid", field)
    assert not Product.objects.exists()


def test_a_retailer_cannot_be_the_supplier(api, category):
    retailer = OrganizationFactory(kind=Organization.Kind.RETAILER)
    response = api.post(PRODUCTS, new_product_body(category, supplier=retailer.pk), format="json")
    assert_error(response, 400, "invalid", "supplier")


def test_a_taken_sku_is_refused_whatever_its_case(api, category):
    ProductFactory(sku="MAT-Q-01")
    response = api.post(PRODUCTS, new_product_body(category, sku="mat-q-01"), format="json")
    assert_error(response, 400, "invalid", "sku")


# --- One product: read, change, withdraw ---------------------------------------


def test_another_manufacturers_product_is_not_found(api):
    theirs = ProductFactory(name="Theirs", price=Decimal("10.00"))
    for method in ("get", "put", "patch", "delete"):
        response = getattr(api, method)(product_url(theirs), {"name": "Mine now"}, format="json")
        assert_error(response, 404, "not_found")
    theirs.refresh_from_db()
    assert (theirs.name, theirs.is_active) == ("Theirs", True)


def test_read_one_product(api, maker):
    product = own_product(maker, cost_price=Decimal("70.00"))
    body = api.get(product_url(product)).json()
    assert body["id"] == product.pk
    assert body["cost_price"] == "70.00"


def test_put_replaces_the_details_and_keeps_the_slug(api, maker, category):
    product = own_product(maker, name="Old", slug="old")
    body = new_product_body(category, name="New name", sku="new-1", is_active=False)
    response = api.put(product_url(product), body, format="json")
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert (product.name, product.sku, product.slug, product.is_active) == (
        "New name",
        "NEW-1",
        "old",
        False,
    )
    assert product.category == category and product.order_up_to_level == 40


def test_put_needs_every_required_field(api, maker):
    product = own_product(maker)
    assert_error(api.put(product_url(product), {"name": "x"}, format="json"), 400, "invalid", "sku")


def test_patch_changes_only_what_is_sent(api, maker):
    supplier = DistributorFactory()
    supplies(maker.organization, supplier)
    product = own_product(maker, price=Decimal("10.00"), supplier=supplier)
    response = api.patch(product_url(product), {"price": "12.50"}, format="json")
    assert response.json()["price"] == "12.50"
    product.refresh_from_db()
    assert product.supplier == supplier
    api.patch(product_url(product), {"supplier": None}, format="json")
    product.refresh_from_db()
    assert product.supplier == maker.organization


def test_patch_follows_the_model_rules(api, maker):
    product = own_product(maker, reorder_level=10)
    response = api.patch(product_url(product), {"order_up_to_level": 10}, format="json")
    assert_error(response, 400, "invalid", "order_up_to_level")
    product.refresh_from_db()
    assert product.order_up_to_level is None


def test_patch_cannot_take_another_products_sku(api, maker):
    ProductFactory(sku="TAKEN")
    product = own_product(maker)
    assert_error(
        api.patch(product_url(product), {"sku": "taken"}, format="json"), 400, "invalid", "sku"
    )


def test_manufacturer_and_slug_are_read_only(api, maker):
    other = OrganizationFactory(kind=Organization.Kind.MANUFACTURER)
    product = own_product(maker, slug="kept")
    api.patch(product_url(product), {"slug": "changed", "manufacturer": other.pk}, format="json")
    product.refresh_from_db()
    assert (product.slug, product.manufacturer) == ("kept", maker.organization)


def test_delete_a_product_nothing_refers_to(api, maker):
    product = own_product(maker)
    response = api.delete(product_url(product))
    assert response.status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_delete_a_stocked_product_deactivates_it(api, maker):
    product = own_product(maker)
    StockItemFactory(product=product, on_hand=3)
    response = api.delete(product_url(product))
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert Product.objects.get(pk=product.pk).is_active is False
    assert StockMovement.objects.filter(stock_item__product=product).count() == 1


def test_delete_an_ordered_product_keeps_the_order(api, maker):
    distributor = DistributorFactory()
    product = own_product(maker)
    StockItemFactory(product=product, distributor=distributor, on_hand=50)
    order = place_order(distributor=distributor, lines=[(product, 1)])
    assert api.delete(product_url(product)).status_code == 200
    assert order.items.get().product_id == product.pk
    # A deactivated product comes back on sale with a PATCH.
    assert api.patch(product_url(product), {"is_active": True}, format="json").json()["is_active"]


# --- Stock assignment ----------------------------------------------------------


def test_assign_stock_to_a_distributor(api, maker):
    product = own_product(maker)
    distributor = DistributorFactory(name="North Depot")
    supplies(maker.organization, distributor)
    body = {"product_id": product.pk, "distributor_id": distributor.pk, "quantity": 25}
    response = api.post(ASSIGN, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    item = StockItem.objects.get(product=product, distributor=distributor)
    assert data["id"] == item.pk
    assert data["product"] == {"id": product.pk, "sku": product.sku, "name": product.name}
    assert data["distributor"] == {"id": distributor.pk, "name": "North Depot"}
    assert (data["on_hand"], data["available"]) == (25, 25)
    movement = item.movements.get()
    assert (movement.kind, movement.quantity, movement.created_by) == ("assignment", 25, maker)

    body["quantity"] = 5
    assert api.post(ASSIGN, body, format="json").json()["on_hand"] == 30
    assert item.movements.count() == 2


@pytest.mark.parametrize("status", [None, "requested", "ended"])
def test_assigning_without_an_accepted_agreement_is_403_and_writes_nothing(api, maker, status):
    product = own_product(maker)
    store = DistributorFactory(name="The Store")
    if status:
        SupplyAgreementFactory(manufacturer=maker.organization, distributor=store, status=status)
    SupplyAgreementFactory(distributor=store)  # another manufacturer's agreement counts not
    body = {"product_id": product.pk, "distributor_id": store.pk, "quantity": 5}
    response = api.post(ASSIGN, body, format="json")
    assert_error(response, 403, "permission_denied")
    assert "supply agreement" in response.json()["detail"]
    assert not StockItem.objects.filter(distributor=store).exists()


def test_assigning_another_manufacturers_product_is_not_found(api):
    theirs = ProductFactory()
    body = {"product_id": theirs.pk, "distributor_id": DistributorFactory().pk, "quantity": 5}
    assert_error(api.post(ASSIGN, body, format="json"), 404, "not_found")
    assert not StockItem.objects.exists()


@pytest.mark.parametrize(
    "change,field",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"quantity": 2.5}, "quantity"),
        ({"distributor_id": "retailer"}, "distributor_id"),
        ({"distributor_id": 999999}, "distributor_id"),
        ({"product_id": None}, "product_id"),
    ],
)
def test_bad_assignments_are_refused(api, maker, change, field):
    product = own_product(maker)
    body = {"product_id": product.pk, "distributor_id": DistributorFactory().pk, "quantity": 5}
    if change.get("distributor_id") == "retailer":
        change = {"distributor_id": OrganizationFactory(kind=Organization.Kind.RETAILER).pk}
    body.update(change)
    assert_error(api.post(ASSIGN, body, format="json"), 400, "invalid", field)
    assert not StockMovement.objects.exists()


def test_a_deactivated_product_cannot_be_assigned(api, maker):
    product = own_product(maker, is_active=False)
    body = {"product_id": product.pk, "distributor_id": DistributorFactory().pk, "quantity": 5}
    assert_error(api.post(ASSIGN, body, format="json"), 400, "invalid", "product_id")


# --- Downstream orders and sales ----------------------------------------------


@pytest.fixture
def market(maker):
    """Two distributors selling the maker's products and someone else's."""
    north, south = DistributorFactory(name="North"), DistributorFactory(name="South")
    mine = own_product(maker, name="Mine", price=Decimal("100.00"))
    also_mine = own_product(maker, name="Also mine", price=Decimal("50.00"))
    theirs = ProductFactory(name="Theirs", price=Decimal("7.00"))
    for product in (mine, also_mine, theirs):
        for distributor in (north, south):
            StockItemFactory(product=product, distributor=distributor, on_hand=100)
    return {"north": north, "south": south, "mine": mine, "also": also_mine, "theirs": theirs}


def test_orders_list_shows_only_orders_and_lines_of_own_products(api, market):
    retailer = RetailerUserFactory(organization__name="Corner Shop")
    mixed = place_order(
        customer=retailer,
        distributor=market["north"],
        lines=[(market["mine"], 2), (market["theirs"], 9)],
    )
    place_order(distributor=market["south"], lines=[(market["theirs"], 1)])

    body = api.get(ORDERS).json()
    assert body["count"] == 1
    order = body["results"][0]
    assert order["number"] == mixed.number
    assert order["distributor"]["name"] == "North"
    assert order["buyer_organization"]["name"] == "Corner Shop"
    assert [line["name"] for line in order["lines"]] == ["Mine"]
    assert (order["units"], order["total"]) == (2, "200.00")


def test_orders_list_filters(api, market):
    first = place_order(distributor=market["north"], lines=[(market["mine"], 1)])
    second = place_order(distributor=market["south"], lines=[(market["also"], 1)])
    order_transition(order=first, to_status=OrderStatus.CANCELLED, by=None)
    Order.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    today = timezone.localdate()

    def numbers(**params):
        return [o["number"] for o in api.get(ORDERS, params).json()["results"]]

    assert numbers(status="cancelled") == [first.number]
    assert numbers(date_from=str(today)) == [second.number]
    assert numbers(date_to=str(today - datetime.timedelta(days=30))) == [first.number]
    assert_error(api.get(ORDERS, {"status": "lost"}), 400, "invalid", "status")
    assert_error(
        api.get(ORDERS, {"date_from": str(today), "date_to": "2000-01-01"}),
        400,
        "invalid",
        "date_to",
    )


def test_orders_list_queries_do_not_grow_with_orders(api, market):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(ORDERS, {"page_size": 100})
        return response.json()["count"], len(ctx.captured_queries)

    for _ in range(3):
        place_order(distributor=market["north"], lines=[(market["mine"], 1), (market["also"], 1)])
    count, few = queries()
    assert count == 3
    for _ in range(27):
        place_order(distributor=market["south"], lines=[(market["mine"], 1), (market["also"], 1)])
    count, many = queries()
    assert count == 30
    assert few == many <= 4


def test_sales_summary(api, market):
    place_order(distributor=market["north"], lines=[(market["mine"], 2), (market["theirs"], 5)])
    place_order(distributor=market["south"], lines=[(market["mine"], 1), (market["also"], 4)])
    cancelled = place_order(distributor=market["south"], lines=[(market["mine"], 10)])
    order_transition(order=cancelled, to_status=OrderStatus.CANCELLED, by=None)

    body = api.get(SALES).json()
    today = timezone.localdate()
    assert body["date_from"] == str(today.replace(day=1))
    assert body["date_to"] == str(today)
    assert (body["units"], body["revenue"], body["orders"]) == (7, "500.00", 2)
    assert [(p["name"], p["units"], p["revenue"]) for p in body["by_product"]] == [
        ("Mine", 3, "300.00"),
        ("Also mine", 4, "200.00"),
    ]
    assert [(d["name"], d["units"], d["revenue"]) for d in body["by_distributor"]] == [
        ("South", 5, "300.00"),
        ("North", 2, "200.00"),
    ]


def test_sales_summary_date_range(api, market):
    old = place_order(distributor=market["north"], lines=[(market["mine"], 2)])
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))
    place_order(distributor=market["north"], lines=[(market["mine"], 1)])
    today = timezone.localdate()

    def units(start_days_ago, end_days_ago):
        params = {
            "date_from": str(today - datetime.timedelta(days=start_days_ago)),
            "date_to": str(today - datetime.timedelta(days=end_days_ago)),
        }
        return api.get(SALES, params).json()["units"]

    assert units(90, 0) == 3
    assert units(90, 30) == 2
    assert units(60, 60) == 2  # both ends are inclusive
    assert units(59, 1) == 0
    assert units(0, 0) == 1
    assert_error(
        api.get(SALES, {"date_from": str(today), "date_to": "2000-01-01"}),
        400,
        "invalid",
        "date_to",
    )


def test_sales_summary_queries_do_not_grow(api, market, django_assert_max_num_queries):
    for _ in range(10):
        place_order(distributor=market["north"], lines=[(market["mine"], 1), (market["also"], 1)])
    with django_assert_max_num_queries(3):
        api.get(SALES)
