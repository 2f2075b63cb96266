"""Warehouses (#23 §1): their rules, the distributor's pages and API, the per-warehouse figures."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.gst import gstin_check_character
from accounts.models import Organization
from accounts.services import organization_create
from accounts.tests.factories import DistributorUserFactory
from catalog.tests.factories import ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement, Warehouse, WarehouseStock
from inventory.selectors import stock_items_off_their_warehouses
from inventory.services import stock_adjust, stock_count, stock_receive
from inventory.tests.factories import DistributorFactory, StockItemFactory
from inventory.warehouses import warehouse_create, warehouse_default, warehouse_update

pytestmark = pytest.mark.django_db


def gstin(state: str, letter: str = "D") -> str:
    first14 = f"{state}AABC{letter}1234F1Z"
    return first14 + gstin_check_character(first14)


@pytest.fixture
def depot():
    distributor = DistributorFactory(name="Deccan Distribution", state="27", gstin=gstin("27"))
    warehouse_default(distributor)  # its "Main warehouse", as organization_create gives it
    return distributor


# --- Rules ---------------------------------------------------------------------------


def test_a_new_distributor_gets_its_main_warehouse_in_its_state():
    distributor = organization_create(
        name="Konkan Traders", kind=Organization.Kind.DISTRIBUTOR, address="Pune, Maharashtra"
    )

    main = Warehouse.objects.get(distributor=distributor)
    assert (main.name, main.code, main.priority, main.is_active) == (
        "Main warehouse",
        "MAIN",
        1,
        True,
    )
    assert main.state == "27"
    maker = organization_create(name="Maker", kind=Organization.Kind.MANUFACTURER)
    assert not Warehouse.objects.filter(distributor=maker).exists()


def test_a_warehouse_in_another_state_needs_that_states_gstin(depot):
    with pytest.raises(ValidationError) as no_gstin:
        warehouse_create(distributor=depot, name="Bengaluru", code="blr", state="29")
    assert "gstin" in no_gstin.value.message_dict

    with pytest.raises(ValidationError) as wrong_state:
        warehouse_create(
            distributor=depot, name="Bengaluru", code="blr", state="29", gstin=gstin("33")
        )
    assert "registered in 33" in wrong_state.value.message_dict["gstin"][0]

    with pytest.raises(ValidationError) as bad:
        warehouse_create(
            distributor=depot, name="Bengaluru", code="blr", state="29", gstin="29AABCD1234F1Z0"
        )
    assert "check character" in bad.value.message_dict["gstin"][0]

    blr = warehouse_create(
        distributor=depot, name="Bengaluru", code="blr", state="29", gstin=gstin("29")
    )
    assert (blr.code, blr.seller_gstin, blr.gst_state) == ("BLR", gstin("29"), "29")
    same_state = warehouse_create(distributor=depot, name="Nashik", code="NSK", state="27")
    assert same_state.seller_gstin == depot.gstin


def test_names_and_codes_are_unique_per_distributor_and_priority_bounded(depot):
    warehouse_create(distributor=depot, name="Nashik", code="NSK")
    with pytest.raises(ValidationError) as twice:
        warehouse_create(distributor=depot, name="nashik", code="nsk")
    assert set(twice.value.message_dict) == {"name", "code"}
    with pytest.raises(ValidationError) as too_far:
        warehouse_create(distributor=depot, name="Far", code="FAR", priority=1000)
    assert "priority" in too_far.value.message_dict
    # Another distributor may use the same code.
    warehouse_create(distributor=DistributorFactory(), name="Nashik", code="NSK")


def test_a_distributor_keeps_one_active_warehouse(depot):
    main = warehouse_default(depot)
    with pytest.raises(ValidationError) as refused:
        warehouse_update(warehouse=main, is_active=False)
    assert "is_active" in refused.value.message_dict
    other = warehouse_create(distributor=depot, name="Nashik", code="NSK", priority=5)
    warehouse_update(warehouse=main, is_active=False)
    assert warehouse_default(depot) == other


# --- Figures per warehouse ----------------------------------------------------------------


def test_writes_name_their_warehouse_and_the_rows_add_up_to_the_item(depot):
    product = ProductFactory()
    nashik = warehouse_create(distributor=depot, name="Nashik", code="NSK", priority=5)
    stock_receive(product=product, distributor=depot, quantity=30, reference="po:1")
    stock_receive(
        product=product, distributor=depot, quantity=12, reference="po:2", warehouse=nashik
    )
    item = StockItem.objects.get(product=product)

    stock_adjust(stock_item=item, delta=-2, note="damaged", warehouse=nashik)
    with pytest.raises(InsufficientStock):
        # 28 available in all, only 10 in Nashik: a removal takes from one shelf.
        stock_adjust(stock_item=item, delta=-11, note="damaged", warehouse=nashik)
    stock_count(stock_item=item, counted=25)  # the main warehouse's shelf

    item.refresh_from_db()
    assert item.on_hand == 35
    assert stock_items_off_their_warehouses() == []
    shelves = {
        m.warehouse.code: m.quantity
        for m in StockMovement.objects.filter(stock_item=item, kind="count")
    }
    assert shelves == {"MAIN": -5}
    assert {
        r.warehouse.code: r.on_hand for r in WarehouseStock.objects.filter(stock_item=item)
    } == {
        "MAIN": 25,
        "NSK": 10,
    }


def test_a_spreadsheet_count_of_the_total_books_the_difference_in_the_default(depot):
    product = ProductFactory()
    nashik = warehouse_create(distributor=depot, name="Nashik", code="NSK", priority=5)
    stock_receive(product=product, distributor=depot, quantity=30, reference="po:1")
    stock_receive(
        product=product, distributor=depot, quantity=12, reference="po:2", warehouse=nashik
    )
    item = StockItem.objects.get(product=product)

    stock_count(stock_item=item, counted=40, of_total=True)

    assert {
        r.warehouse.code: r.on_hand for r in WarehouseStock.objects.filter(stock_item=item)
    } == {
        "MAIN": 28,
        "NSK": 12,
    }
    with pytest.raises(ValidationError):
        stock_count(stock_item=item, counted=11, of_total=True)


def test_another_distributors_warehouse_is_refused(depot):
    stranger = warehouse_create(distributor=DistributorFactory(), name="Elsewhere", code="X")
    with pytest.raises(ValidationError) as refused:
        stock_receive(
            product=ProductFactory(),
            distributor=depot,
            quantity=1,
            reference="po:1",
            warehouse=stranger,
        )
    assert "warehouse" in refused.value.message_dict


# --- Pages --------------------------------------------------------------------------------


@pytest.fixture
def clerk(depot):
    return DistributorUserFactory(organization=depot)


def test_the_warehouses_page_lists_adds_and_shows_form_errors(client, clerk, depot):
    client.force_login(clerk)
    url = reverse("distributor:warehouses")
    warehouse_default(depot)

    page = client.get(url)
    assert page.status_code == 200
    assert "Main warehouse" in page.content.decode()

    refused = client.post(url, {"name": "Bengaluru", "code": "BLR", "state": "29", "priority": 2})
    assert refused.status_code == 400
    assert "GSTIN registered in its state" in refused.content.decode()
    too_big = client.post(url, {"name": "Far", "code": "FAR", "priority": 5000})
    assert too_big.status_code == 400
    assert "less than or equal to 999" in too_big.content.decode()

    added = client.post(
        url,
        {
            "name": "Bengaluru",
            "code": "blr",
            "state": "29",
            "gstin": gstin("29"),
            "priority": 2,
            "is_active": "on",
        },
    )
    assert added.status_code == 302
    assert Warehouse.objects.get(distributor=depot, code="BLR").gstin == gstin("29")


def test_editing_a_warehouse_and_another_organizations_is_404(client, clerk, depot):
    client.force_login(clerk)
    main = warehouse_default(depot)
    edit = reverse("distributor:warehouse_edit", args=[main.pk])

    assert client.get(edit).status_code == 200
    saved = client.post(edit, {"name": "Pune", "code": "PUN", "state": "27", "priority": 3})
    assert saved.status_code == 400  # the last active warehouse stays active
    assert "at least one active" in saved.content.decode()
    saved = client.post(
        edit, {"name": "Pune", "code": "PUN", "state": "27", "priority": 3, "is_active": "on"}
    )
    assert saved.status_code == 302
    main.refresh_from_db()
    assert (main.name, main.code, main.priority) == ("Pune", "PUN", 3)

    stranger = warehouse_default(DistributorFactory())
    other = reverse("distributor:warehouse_edit", args=[stranger.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {"name": "Mine"}).status_code == 404


def test_the_warehouses_page_costs_the_same_queries_for_2_and_12_warehouses(
    client, clerk, depot, django_assert_max_num_queries
):
    client.force_login(clerk)
    product = ProductFactory()
    warehouse_default(depot)

    def add(numbers):
        for i in numbers:
            w = warehouse_create(distributor=depot, name=f"W{i}", code=f"W{i}", priority=i + 2)
            stock_receive(
                product=product, distributor=depot, quantity=3, reference="po:1", warehouse=w
            )

    add(range(1))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("distributor:warehouses")).status_code == 200
    add(range(1, 11))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("distributor:warehouses"))
    assert page.content.decode().count('id="warehouse-') == 12


def test_the_inventory_page_shows_each_items_warehouses_in_constant_queries(
    client, clerk, depot, django_assert_max_num_queries
):
    client.force_login(clerk)
    nashik = warehouse_create(distributor=depot, name="Nashik", code="NSK", priority=5)

    def stock(n):
        for _ in range(n):
            product = ProductFactory()
            stock_receive(product=product, distributor=depot, quantity=4, reference="po:1")
            stock_receive(
                product=product, distributor=depot, quantity=6, reference="po:1", warehouse=nashik
            )

    stock(3)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("distributor:inventory"))
    assert page.content.decode().count('class="list-unstyled small text-body-secondary') == 3
    assert "Nashik</span>: 6 on hand" in page.content.decode()
    stock(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("distributor:inventory"))
    assert page.content.decode().count("Nashik</span>: 6 on hand") == 23


def test_the_count_page_counts_the_chosen_warehouse(client, clerk, depot):
    client.force_login(clerk)
    item = StockItemFactory(distributor=depot, on_hand=20)
    nashik = warehouse_create(distributor=depot, name="Nashik", code="NSK", priority=5)
    stock_receive(
        product=item.product, distributor=depot, quantity=7, reference="po:1", warehouse=nashik
    )
    url = reverse("distributor:stock_count", args=[item.pk])

    form = client.get(url).content.decode()
    assert f'<option value="{warehouse_default(depot).pk}" selected>' in form
    preview = client.post(url, {"warehouse": nashik.pk, "counted": 5})
    assert "On hand in Nashik goes from 7 to 5" in preview.content.decode()
    done = client.post(url, {"warehouse": nashik.pk, "counted": 5, "confirm": "True"})
    assert done.status_code == 302
    assert WarehouseStock.objects.get(stock_item=item, warehouse=nashik).on_hand == 5
    item.refresh_from_db()
    assert item.on_hand == 25


# --- API ----------------------------------------------------------------------------------


def test_the_api_lists_warehouses_and_what_each_holds(clerk, depot, django_assert_max_num_queries):
    api = APIClient()
    api.force_authenticate(clerk)
    nashik = warehouse_create(distributor=depot, name="Nashik", code="NSK", priority=5)
    for _ in range(3):
        product = ProductFactory()
        stock_receive(product=product, distributor=depot, quantity=4, reference="po:1")
        stock_receive(
            product=product, distributor=depot, quantity=6, reference="po:1", warehouse=nashik
        )

    listed = api.get("/api/distributor/warehouses")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [(r["code"], r["on_hand"], r["products"]) for r in rows] == [
        ("MAIN", 12, 3),
        ("NSK", 18, 3),
    ]
    detail = api.get(f"/api/distributor/warehouses/{nashik.pk}")
    assert detail.json()["priority"] == 5
    with django_assert_max_num_queries(4):
        stock = api.get(f"/api/distributor/warehouses/{nashik.pk}/stock")
    assert [r["on_hand"] for r in stock.json()["results"]] == [6, 6, 6]
    assert set(stock.json()["results"][0]) >= {"sku", "available", "allocated", "held"}

    stranger = warehouse_default(DistributorFactory())
    assert api.get(f"/api/distributor/warehouses/{stranger.pk}").status_code == 404
    assert api.get(f"/api/distributor/warehouses/{stranger.pk}/stock").status_code == 404
    assert api.get("/api/distributor/warehouses/99999999999999/stock").status_code == 404
    assert APIClient().get("/api/distributor/warehouses").status_code == 401
