"""Each role's dashboard at its prefix: the figures it acts on, each linking where it acts."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from orders.models import Order, OrderStatus
from orders.tests.factories import place_order
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db


def figures(response) -> dict:
    return {figure.label: figure for figure in response.context["figures"]}


def dashboard_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "factory,path",
    [
        (CustomerFactory, "/customer-portal/"),
        (RetailerUserFactory, "/retailer/"),
        (DistributorUserFactory, "/distributor/"),
        (ManufacturerUserFactory, "/manufacturer/"),
    ],
)
def test_home_sends_each_role_to_its_dashboard(client, factory, path):
    client.force_login(factory())
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == path
    assert client.get(path).status_code == 200


# --- Manufacturer --------------------------------------------------------------------


@pytest.fixture
def maker():
    return ManufacturerUserFactory()


def test_manufacturer_figures_and_links(client, maker):
    org = maker.organization
    distributor = DistributorFactory()
    on_sale = ProductFactory(manufacturer=org)
    ProductFactory(manufacturer=org)
    ProductFactory(manufacturer=org, is_active=False)
    StockItemFactory(product=on_sale, distributor=distributor, on_hand=60)
    StockItemFactory(product=on_sale, on_hand=15)
    StockItemFactory(on_hand=999)  # another manufacturer's
    this_month = place_order(distributor=distributor, lines=[(on_sale, 2)])
    last_year = place_order(distributor=distributor, lines=[(on_sale, 1)])
    Order.objects.filter(pk=last_year.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    place_order()  # not its products

    client.force_login(maker)
    response = client.get("/manufacturer/")
    shown = figures(response)
    assert shown["Active products"].value == 2
    assert shown["Active products"].hint == "of 3 in your catalog"
    assert shown["Units at distributors"].value == 60 + 15  # orders allocate; the shelf keeps them
    assert shown["Orders this month"].value == 1
    month_start = timezone.localdate().replace(day=1)
    assert shown["Orders this month"].url == f"/manufacturer/orders/?date_from={month_start}"
    assert shown["Active products"].url == "/manufacturer/products/?active=active"
    assert shown["Units at distributors"].url == "/manufacturer/stock/"
    assert [o.number for o in response.context["recent_orders"]] == [
        this_month.number,
        last_year.number,
    ]
    content = response.content.decode()
    for figure in shown.values():
        assert f'href="{figure.url}"' in content

    # Each link lands on a page that shows the same number.
    page = client.get(shown["Orders this month"].url)
    assert page.context["page"].paginator.count == 1
    page = client.get(shown["Active products"].url)
    assert page.context["page"].paginator.count == 2


def test_manufacturer_dashboard_queries_do_not_grow(client, maker):
    distributor = DistributorFactory()

    def add(n):
        for _ in range(n):
            product = ProductFactory(manufacturer=maker.organization)
            StockItemFactory(product=product, distributor=distributor, on_hand=100)
            place_order(distributor=distributor, lines=[(product, 1)])

    client.force_login(maker)
    add(3)
    few = dashboard_queries(client, "/manufacturer/")
    add(27)
    assert dashboard_queries(client, "/manufacturer/") == few


# --- Distributor ---------------------------------------------------------------------


@pytest.fixture
def depot():
    return DistributorUserFactory()


def _ship(order, by):
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        order_transition(order=order, to_status=status, by=by)
    order_transition(order=order, to_status=OrderStatus.SHIPPED, by=by, tracking_reference="T1")


def test_distributor_figures_and_links(client, depot):
    org = depot.organization
    low_product = ProductFactory(reorder_level=10)
    StockItemFactory(product=low_product, distributor=org, on_hand=4)
    plenty = ProductFactory()
    StockItemFactory(product=plenty, distributor=org, on_hand=500)
    StockItemFactory(on_hand=1)  # another distributor's low item
    place_order(distributor=org, lines=[(plenty, 1)])
    place_order(distributor=org, lines=[(plenty, 1)])
    shipped = place_order(distributor=org, lines=[(plenty, 1)])
    _ship(shipped, depot)
    place_order()  # another distributor's order

    client.force_login(depot)
    response = client.get("/distributor/")
    shown = figures(response)
    assert shown["Orders to accept"].value == 2
    assert shown["Orders to accept"].tone == "warning"
    assert shown["Low stock items"].value == 1
    assert shown["Shipments in transit"].value == 1
    assert shown["Orders to accept"].url == "/distributor/orders/?status=placed"
    assert shown["Shipments in transit"].url == "/distributor/orders/?status=shipped"
    assert shown["Low stock items"].url == "/distributor/inventory/?low=on"
    assert len(response.context["recent_orders"]) == 3
    for figure in shown.values():
        assert client.get(figure.url).status_code == 200


def test_distributor_with_nothing_waiting_sees_no_warning(client, depot):
    client.force_login(depot)
    shown = figures(client.get("/distributor/"))
    assert {f.value for f in shown.values()} == {0}
    assert {f.tone for f in shown.values()} == {"primary"}


def test_distributor_dashboard_queries_do_not_grow(client, depot):
    org = depot.organization

    def add(n):
        for _ in range(n):
            product = ProductFactory()
            StockItemFactory(product=product, distributor=org, on_hand=100)
            place_order(distributor=org, lines=[(product, 1)])

    client.force_login(depot)
    add(3)
    few = dashboard_queries(client, "/distributor/")
    add(27)
    assert dashboard_queries(client, "/distributor/") == few


# --- Retailer ------------------------------------------------------------------------


def test_retailer_figures_and_recent_orders(client):
    buyer = RetailerUserFactory()
    colleague = RetailerUserFactory(organization=buyer.organization)
    distributor = DistributorFactory()
    mine = place_order(customer=buyer, distributor=distributor)
    theirs = place_order(customer=colleague, distributor=distributor)
    shipped = place_order(customer=colleague, distributor=distributor)
    _ship(shipped, None)
    cancelled = place_order(customer=buyer, distributor=distributor)
    order_transition(order=cancelled, to_status=OrderStatus.CANCELLED, by=buyer)
    place_order(customer=RetailerUserFactory(), distributor=distributor)  # another retailer

    client.force_login(buyer)
    response = client.get("/retailer/")
    shown = figures(response)
    assert shown["Open orders"].value == 3
    assert shown["On the way"].value == 1
    assert shown["On the way"].url == "/retailer/orders/?status=shipped"
    assert {o.number for o in response.context["recent_orders"]} == {
        mine.number,
        theirs.number,
        shipped.number,
        cancelled.number,
    }
    for figure in shown.values():
        assert client.get(figure.url).status_code == 200


def test_retailer_dashboard_queries_do_not_grow(client):
    buyer = RetailerUserFactory()
    distributor = DistributorFactory()
    client.force_login(buyer)
    for _ in range(3):
        place_order(customer=buyer, distributor=distributor)
    few = dashboard_queries(client, "/retailer/")
    for _ in range(27):
        place_order(customer=buyer, distributor=distributor)
    assert dashboard_queries(client, "/retailer/") == few


@pytest.mark.django_db
def test_manufacturer_dashboard_counts_purchase_orders_to_answer():
    from procurement import services as procurement_services
    from procurement.tests.factories import procurement_staff
    from procurement.tests.test_api import low_item

    request = low_item()
    procurement_services.procurement_request_approve(request=request, by=procurement_staff())
    member = ManufacturerUserFactory(organization=request.supplier)
    client = Client()
    client.force_login(member)
    page = client.get("/manufacturer/").content.decode()
    assert "Purchase orders to answer" in page
    assert "/procurement/purchase-orders/?status=sent" in page
