"""The distributor's inventory page: stock, low items, search, pages, reorder settings in place."""

import pytest
from django.db import connection
from django.test import Client
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

INVENTORY = reverse("distributor:inventory")


def reorder_url(item):
    return reverse("distributor:stock_reorder", args=[item.pk])


@pytest.fixture
def distributor():
    return DistributorFactory()


@pytest.fixture
def staff(distributor):
    return DistributorUserFactory(organization=distributor)


@pytest.fixture
def browser(client, staff):
    client.force_login(staff)
    return client


def stock(distributor, *, on_hand=50, held=0, level=10, quantity=100, **product):
    product = ProductFactory(reorder_level=level, reorder_quantity=quantity, **product)
    return StockItemFactory(product=product, distributor=distributor, on_hand=on_hand, held=held)


def overrides(item):
    item.refresh_from_db()
    return item.reorder_level_override, item.reorder_quantity_override


@pytest.mark.parametrize("factory", [CustomerFactory, RetailerUserFactory, ManufacturerUserFactory])
def test_other_roles_get_403(client, distributor, factory):
    item = stock(distributor)
    client.force_login(factory())
    assert client.get(INVENTORY).status_code == 403
    assert client.post(reorder_url(item), {"reorder_level_override": "3"}).status_code == 403
    assert overrides(item) == (None, None)


def test_visitors_are_sent_to_login(client):
    response = client.get(INVENTORY)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_distributors_item_is_404(browser):
    theirs = stock(DistributorFactory())
    assert browser.post(reorder_url(theirs), {"reorder_level_override": "3"}).status_code == 404
    assert browser.post(f"/distributor/inventory/{2**64}/reorder/", {}).status_code == 404
    assert overrides(theirs) == (None, None)


def test_the_page_lists_own_stock_and_highlights_low_items(browser, distributor):
    stock(distributor, on_hand=40, held=5, name="Assam tea", sku="TEA-1")
    stock(distributor, on_hand=12, held=3, level=10, name="Sona rice", sku="RICE-1")
    stock(DistributorFactory(), name="Someone else's apples")

    response = browser.get(INVENTORY)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Assam tea" in html and "Sona rice" in html and "apples" not in html
    rows = {item.product.name: item for item, _ in response.context["rows"]}
    assert list(rows) == ["Assam tea", "Sona rice"]
    assert rows["Sona rice"].is_low and not rows["Assam tea"].is_low
    assert html.count("stock-low") == 1
    assert 'placeholder="10"' in html and 'placeholder="100"' in html
    assert "Default 10" in html and "Default 100" in html


def test_search_and_the_low_filter(browser, distributor):
    stock(distributor, on_hand=50, name="Assam tea", sku="TEA-A")
    stock(distributor, on_hand=5, name="Basmati rice", sku="RICE-B")
    stock(distributor, on_hand=80, name="Sona rice", sku="RICE-S")

    def names(**params):
        response = browser.get(INVENTORY, params)
        return [item.product.name for item, _ in response.context["rows"]]

    assert names(q="rice") == ["Basmati rice", "Sona rice"]
    assert names(q="tea-a") == ["Assam tea"]
    assert names(low="on") == ["Basmati rice"]
    assert names(q="sona", low="on") == []
    assert "No products match" in browser.get(INVENTORY, {"q": "zzz"}).content.decode()


def test_the_page_shows_25_a_page_and_keeps_the_filters(browser, distributor):
    for i in range(27):
        stock(distributor, name=f"Rice {i:02d}")
    first = browser.get(INVENTORY, {"q": "rice"})
    assert len(first.context["rows"]) == 25
    second = browser.get(INVENTORY, {"q": "rice", "page": 2})
    assert len(second.context["rows"]) == 2
    assert "q=rice" in second.content.decode()


def test_saving_a_row_stores_the_overrides_with_a_message(browser, distributor):
    item = stock(distributor, on_hand=30, name="Assam tea")
    movements = StockMovement.objects.count()

    response = browser.post(
        reorder_url(item) + "?q=tea",
        {"reorder_level_override": "40", "reorder_quantity_override": "250"},
        follow=True,
    )

    assert response.redirect_chain[0][0] == f"{INVENTORY}?q=tea"
    assert "Assam tea: reorder at 40, reorder quantity 250." in response.content.decode()
    assert overrides(item) == (40, 250)
    item.refresh_from_db()
    assert item.on_hand == 30 and StockMovement.objects.count() == movements
    # Now at or below its own level: highlighted.
    assert "stock-low" in response.content.decode()


def test_empty_fields_go_back_to_the_products_defaults(browser, distributor):
    item = stock(distributor, level=10, quantity=100)
    StockItem.objects.filter(pk=item.pk).update(
        reorder_level_override=3, reorder_quantity_override=7
    )

    browser.post(reorder_url(item), {"reorder_level_override": "", "reorder_quantity_override": ""})

    assert overrides(item) == (None, None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reorder_level_override": "-1"}, "reorder_level_override"),
        ({"reorder_quantity_override": "lots"}, "reorder_quantity_override"),
    ],
)
def test_bad_input_is_shown_on_the_row_and_saves_nothing(browser, distributor, data, field):
    item = stock(distributor, name="Assam tea")

    response = browser.post(reorder_url(item), data)

    assert response.status_code == 200
    form = next(form for row_item, form in response.context["rows"] if row_item.pk == item.pk)
    assert field in form.errors
    assert "is-invalid" in response.content.decode()
    assert overrides(item) == (None, None)


def test_saving_needs_the_csrf_token(staff, distributor):
    item = stock(distributor)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(reorder_url(item), {"reorder_level_override": "3"}).status_code == 403
    assert overrides(item) == (None, None)


def test_query_count_is_the_same_for_3_and_30_items(browser, distributor):
    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(INVENTORY)
        assert response.status_code == 200
        return len(captured), len(response.context["rows"])

    for _ in range(3):
        stock(distributor)
    few = measure()
    for _ in range(27):
        stock(distributor)
    many = measure()
    assert (few[1], many[1]) == (3, 25)
    assert few[0] == many[0]
