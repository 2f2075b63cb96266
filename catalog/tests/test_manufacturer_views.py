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
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("manufacturer:products")
NEW_PRODUCT = reverse("manufacturer:product_create")
STOCK = reverse("manufacturer:stock")
ORDERS = reverse("manufacturer:orders")
SALES = reverse("manufacturer:sales")
PAGES = [PRODUCTS, NEW_PRODUCT, STOCK, ORDERS, SALES]


def edit_url(product):
    return reverse("manufacturer:product_edit", args=[product.pk])


def active_url(product):
    return reverse("manufacturer:product_active", args=[product.pk])


@pytest.fixture
def maker():
    return ManufacturerUserFactory(organization__name="Auro Sleep")


@pytest.fixture
def site(client, maker):
    client.force_login(maker)
    return client


def own_product(maker, **fields):
    return ProductFactory(manufacturer=maker.organization, **fields)


def form_data(category, **extra):
    data = {
        "sku": "pil-01",
        "name": "Memory Pillow",
        "description": "Soft.",
        "category": category.pk,
        "price": "1200.00",
        "cost_price": "700.00",
        "is_active": "on",
        "supplier": "",
        "reorder_level": "8",
        "reorder_quantity": "30",
        "order_up_to_level": "60",
        "pack_size": "6",
        "minimum_order_quantity": "12",
        "lead_time_days": "5",
    }
    data.update(extra)
    return data


# --- Who may open the pages -------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_visitors_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("factory", [CustomerFactory, RetailerUserFactory, DistributorUserFactory])
@pytest.mark.parametrize("url", PAGES)
def test_other_roles_are_forbidden(client, factory, url):
    client.force_login(factory())
    assert client.get(url).status_code == 403


def test_another_manufacturers_product_is_not_found(site):
    theirs = ProductFactory(name="Theirs")
    assert site.get(edit_url(theirs)).status_code == 404
    assert site.post(edit_url(theirs), {"name": "Mine"}).status_code == 404
    assert site.post(active_url(theirs), {"is_active": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.is_active) == ("Theirs", True)


def test_navigation_links_the_manufacturer_pages(site):
    content = site.get(reverse("manufacturer:dashboard")).content.decode()
    for url in (PRODUCTS, STOCK, ORDERS, SALES):
        assert f'href="{url}"' in content


# --- Product list --------------------------------------------------------------------


def test_product_list_shows_own_products_with_stock(site, maker):
    product = own_product(maker, name="Queen Mattress", cost_price=Decimal("9000"))
    StockItemFactory(product=product, on_hand=40)
    ProductFactory(name="Someone else's bed")
    response = site.get(PRODUCTS)
    content = response.content.decode()
    assert "Queen Mattress" in content and "Someone else" not in content
    assert [p.units_at_distributors for p in response.context["page"].object_list] == [40]
    assert "₹9,000.00" in content


def test_product_list_search_and_status_filter(site, maker):
    own_product(maker, name="Queen Mattress", sku="MAT-Q")
    own_product(maker, name="King Mattress", sku="MAT-K", is_active=False)
    own_product(maker, name="Pillow", sku="PIL")

    def names(**params):
        return [p.name for p in site.get(PRODUCTS, params).context["page"].object_list]

    assert names(q="mattress") == ["King Mattress", "Queen Mattress"]
    assert names(active="active") == ["Pillow", "Queen Mattress"]
    assert names(active="inactive") == ["King Mattress"]
    assert names(q="mat", active="active") == ["Queen Mattress"]


def test_product_list_paginates(site, maker):
    for n in range(30):
        own_product(maker, name=f"Product {n:02d}")
    first = site.get(PRODUCTS)
    assert len(first.context["page"].object_list) == 25
    second = site.get(PRODUCTS, {"page": 2})
    assert [p.name for p in second.context["page"].object_list] == [
        f"Product {n:02d}" for n in range(25, 30)
    ]


def test_product_list_htmx_answers_the_list_only(site, maker):
    own_product(maker, name="Pillow")
    response = site.get(PRODUCTS, {"q": "pil"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="product-list">')
    assert response["HX-Push-Url"] == f"{PRODUCTS}?q=pil"


def _queries(site, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = site.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_product_list_queries_do_not_grow(site, maker):
    def add(n):
        for _ in range(n):
            StockItemFactory(product=own_product(maker), on_hand=5)

    add(3)
    few = _queries(site, PRODUCTS)
    add(22)  # 25: one full page
    many = _queries(site, PRODUCTS)
    assert few == many


# --- Create, edit, deactivate -------------------------------------------------------


def test_create_a_product_with_replenishment_settings(site, maker):
    category = CategoryFactory()
    response = site.post(NEW_PRODUCT, form_data(category))
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == PRODUCTS
    product = Product.objects.get()
    assert (product.sku, product.slug, product.manufacturer, product.supplier) == (
        "PIL-01",
        "memory-pillow",
        maker.organization,
        maker.organization,
    )
    assert (product.cost_price, product.pack_size, product.minimum_order_quantity) == (
        Decimal("700.00"),
        6,
        12,
    )
    assert product.order_up_to_level == 60


def test_the_form_shows_field_errors(site):
    category = CategoryFactory()
    response = site.post(NEW_PRODUCT, form_data(category, order_up_to_level="8", pack_size="0"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "order_up_to_level" in errors and "pack_size" in errors
    assert not Product.objects.exists()


def test_a_taken_sku_in_another_case_is_a_form_error(site):
    ProductFactory(sku="PIL-01")
    response = site.post(NEW_PRODUCT, form_data(CategoryFactory(), sku="pil-01"))
    assert response.status_code == 200
    assert "sku" in response.context["form"].errors
    assert Product.objects.count() == 1


def test_suppliers_offered_are_the_manufacturer_and_distributors_it_supplies(site, maker):
    distributor = DistributorFactory(name="Depot")
    supplies(maker.organization, distributor)
    SupplyAgreementFactory(manufacturer=maker.organization, status="requested")
    SupplyAgreementFactory(manufacturer=maker.organization, status="ended")
    SupplyAgreementFactory(distributor=DistributorFactory(name="Theirs"))
    OrganizationFactory(name="A Shop", kind=Organization.Kind.RETAILER)
    OrganizationFactory(name="Rival", kind=Organization.Kind.MANUFACTURER)
    choices = list(site.get(NEW_PRODUCT).context["form"].fields["supplier"].queryset)
    assert set(choices) == {distributor, maker.organization}
    assigns_to = site.get(STOCK).context["form"].fields["distributor"].queryset
    assert list(assigns_to) == [distributor]


def test_assigning_to_a_distributor_without_an_agreement_is_a_form_error(site, maker):
    product = own_product(maker)
    distributor = DistributorFactory(name="Stranger Depot")
    data = {"product": product.pk, "distributor": distributor.pk, "quantity": "5"}
    response = site.post(STOCK, data)
    assert response.status_code == 400
    assert "distributor" in response.context["form"].errors
    assert not StockItem.objects.filter(distributor=distributor).exists()


def test_edit_a_product(site, maker):
    supplier = DistributorFactory()
    supplies(maker.organization, supplier)
    product = own_product(maker, name="Old", slug="old")
    page = site.get(edit_url(product))
    assert page.context["form"].initial["name"] == "Old"
    data = form_data(product.category, name="New", sku=product.sku, supplier=supplier.pk)
    response = site.post(edit_url(product), data)
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.slug, product.supplier) == ("New", "old", supplier)


def test_deactivate_and_reactivate(site, maker):
    product = own_product(maker)
    StockItemFactory(product=product, on_hand=3)
    response = site.post(active_url(product), {"is_active": "0", "next": f"{PRODUCTS}?q=x"})
    assert response["Location"] == f"{PRODUCTS}?q=x"
    product.refresh_from_db()
    assert product.is_active is False
    site.post(active_url(product), {"is_active": "1", "next": "https://evil.example/"})
    product.refresh_from_db()
    assert product.is_active is True
    assert StockItem.objects.filter(product=product).exists()


def test_deactivating_never_deletes_an_ordered_product(site, maker):
    distributor = DistributorFactory()
    product = own_product(maker)
    StockItemFactory(product=product, distributor=distributor, on_hand=50)
    order = place_order(distributor=distributor, lines=[(product, 1)])
    site.post(active_url(product), {"is_active": "0"})
    assert order.items.get().product == Product.objects.get(pk=product.pk)


def test_deactivation_is_a_post(site, maker):
    product = own_product(maker)
    assert site.get(active_url(product)).status_code == 405


# --- Stock assignment -------------------------------------------------------------


def test_assign_stock(site, maker):
    product = own_product(maker, name="Pillow")
    distributor = DistributorFactory(name="North Depot")
    supplies(maker.organization, distributor)
    response = site.post(
        STOCK,
        {"product": product.pk, "distributor": distributor.pk, "quantity": "12", "note": "launch"},
        follow=True,
    )
    item = StockItem.objects.get(product=product, distributor=distributor)
    assert item.on_hand == 12
    movement = item.movements.get()
    assert (movement.kind, movement.created_by, movement.note) == ("assignment", maker, "launch")
    content = response.content.decode()
    assert "Assigned 12 \u00d7 Pillow to North Depot" in content
    assert "North Depot" in content


@pytest.mark.parametrize("bad", ["theirs", "inactive", "retailer", "zero"])
def test_bad_assignments_are_form_errors(site, maker, bad):
    product = own_product(maker)
    distributor = DistributorFactory()
    supplies(maker.organization, distributor)
    data = {"product": product.pk, "distributor": distributor.pk, "quantity": "5"}
    if bad == "theirs":
        data["product"] = ProductFactory().pk
    elif bad == "inactive":
        data["product"] = own_product(maker, is_active=False).pk
    elif bad == "retailer":
        data["distributor"] = OrganizationFactory(kind=Organization.Kind.RETAILER).pk
    else:
        data["quantity"] = "0"
    response = site.post(STOCK, data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not StockItem.objects.exists()


def test_stock_page_lists_every_distributors_stock_of_own_products(site, maker):
    mine = own_product(maker, name="Mine")
    StockItemFactory(product=mine, distributor=DistributorFactory(name="A Depot"), on_hand=5)
    StockItemFactory(product=mine, distributor=DistributorFactory(name="B Depot"), on_hand=9)
    StockItemFactory(product=ProductFactory(name="Theirs"), on_hand=7)
    rows = site.get(STOCK).context["page"].object_list
    assert [(i.distributor.name, i.on_hand) for i in rows] == [("A Depot", 5), ("B Depot", 9)]


def test_stock_page_queries_do_not_grow(site, maker):
    def add(n):
        for _ in range(n):
            StockItemFactory(product=own_product(maker), on_hand=5)

    add(3)
    few = _queries(site, STOCK)
    add(22)
    many = _queries(site, STOCK)
    assert few == many


# --- Orders and sales ----------------------------------------------------------------


@pytest.fixture
def market(maker):
    north, south = DistributorFactory(name="North"), DistributorFactory(name="South")
    mine = own_product(maker, name="Mine", price=Decimal("100.00"))
    theirs = ProductFactory(name="Theirs", price=Decimal("7.00"))
    for product in (mine, theirs):
        for distributor in (north, south):
            StockItemFactory(product=product, distributor=distributor, on_hand=500)
    return {"north": north, "south": south, "mine": mine, "theirs": theirs}


def test_orders_page_lists_orders_of_own_products(site, market):
    mixed = place_order(
        distributor=market["north"], lines=[(market["mine"], 2), (market["theirs"], 1)]
    )
    other = place_order(distributor=market["south"], lines=[(market["theirs"], 1)])
    response = site.get(ORDERS)
    content = response.content.decode()
    assert mixed.number in content and other.number not in content
    assert "2 &times; Mine" in content and "Theirs" not in content
    assert "₹200.00" in content


def test_orders_page_filters(site, market):
    old = place_order(distributor=market["north"], lines=[(market["mine"], 1)])
    new = place_order(distributor=market["south"], lines=[(market["mine"], 1)])
    order_transition(order=new, to_status=OrderStatus.ACCEPTED, by=None)
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=45))
    today = timezone.localdate()

    def numbers(**params):
        return [o.number for o in site.get(ORDERS, params).context["page"].object_list]

    assert numbers() == [new.number, old.number]
    assert numbers(status="accepted") == [new.number]
    assert numbers(date_from=str(today - datetime.timedelta(days=7))) == [new.number]
    assert numbers(date_to=str(today - datetime.timedelta(days=7))) == [old.number]
    response = site.get(ORDERS, {"date_from": str(today), "date_to": "2000-01-01"})
    assert "date_to" in response.context["form"].errors


def test_orders_page_queries_do_not_grow(site, market):
    def add(n):
        for _ in range(n):
            place_order(
                distributor=market["north"], lines=[(market["mine"], 1), (market["theirs"], 1)]
            )

    add(3)
    few = _queries(site, ORDERS)
    add(17)  # 20: one full page
    many = _queries(site, ORDERS)
    assert few == many


def test_sales_page(site, market):
    place_order(distributor=market["north"], lines=[(market["mine"], 2), (market["theirs"], 3)])
    place_order(distributor=market["south"], lines=[(market["mine"], 1)])
    cancelled = place_order(distributor=market["south"], lines=[(market["mine"], 9)])
    order_transition(order=cancelled, to_status=OrderStatus.CANCELLED, by=None)
    response = site.get(SALES)
    summary = response.context["summary"]
    assert (summary.units, summary.revenue, summary.orders) == (3, Decimal("300.00"), 2)
    assert [(d["name"], d["units"]) for d in summary.by_distributor] == [("North", 2), ("South", 1)]
    content = response.content.decode()
    assert "₹300.00" in content and "Theirs" not in content


def test_sales_page_date_range(site, market):
    old = place_order(distributor=market["north"], lines=[(market["mine"], 4)])
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=70))
    place_order(distributor=market["north"], lines=[(market["mine"], 1)])
    today = timezone.localdate()
    summary = site.get(
        SALES,
        {"date_from": str(today - datetime.timedelta(days=80)), "date_to": str(today)},
    ).context["summary"]
    assert summary.units == 5
    assert site.get(SALES).context["summary"].date_from == today.replace(day=1)


def test_sales_page_queries_do_not_grow(site, market):
    place_order(distributor=market["north"], lines=[(market["mine"], 1)])
    few = _queries(site, SALES)
    for _ in range(20):
        place_order(distributor=market["south"], lines=[(market["mine"], 1)])
    assert _queries(site, SALES) == few
