import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import PROCUREMENT_GROUP
from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem, StockMovement
from inventory.services import stock_adjust
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:catalog_category_changelist",
    "admin:catalog_product_changelist",
    "admin:inventory_stockitem_changelist",
    "admin:inventory_stockmovement_changelist",
]


@pytest.fixture
def admin_user():
    return UserFactory(email="root@example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def make_stock(count):
    distributors = [DistributorFactory(), DistributorFactory()]
    for n in range(count):
        item = StockItemFactory(distributor=distributors[n % 2], on_hand=5 + n)
        if n % 3 == 0:
            stock_adjust(stock_item=item, delta=-1, note="Stock-take")


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_loads(admin_client, name):
    make_stock(3)

    response = admin_client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("admin:catalog_product_changelist", "?q=SKU&is_active__exact=1"),
        ("admin:inventory_stockitem_changelist", "?level=low"),
        ("admin:inventory_stockitem_changelist", "?level=out&q=SKU"),
        ("admin:inventory_stockmovement_changelist", "?kind__exact=adjustment"),
        ("admin:inventory_stockmovement_changelist", "?created_at__year={year}"),
    ],
)
def test_filters_search_and_date_hierarchy_load(admin_client, name, query):
    make_stock(3)
    StockItemFactory(on_hand=0)

    url = reverse(name) + query.format(year=timezone.now().year)
    response = admin_client.get(url)

    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, name):
    make_stock(5)
    url = reverse(name)
    admin_client.get(url)  # warm caches (content types, session)
    few = queries_for(admin_client, url)

    make_stock(45)
    many = queries_for(admin_client, url)

    assert StockItem.objects.count() == 50
    assert many == few


def test_low_filter_lists_items_at_or_below_their_reorder_level(admin_client):
    low = StockItemFactory(on_hand=3, product__name="Low item", product__reorder_level=10)
    StockItemFactory(on_hand=80, product__name="Plenty item", product__reorder_level=10)

    response = admin_client.get(reverse("admin:inventory_stockitem_changelist") + "?level=low")

    assert list(response.context["cl"].result_list) == [low]


def test_stock_item_page_shows_the_ledger_and_saves_only_the_overrides(admin_client):
    item = StockItemFactory(on_hand=30)
    stock_adjust(stock_item=item, delta=-4, note="Damaged in transit")
    url = reverse("admin:inventory_stockitem_change", args=[item.pk])

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Damaged in transit" in page.content.decode()

    form = page.context["adminform"].form
    data = {
        "reorder_level_override": "12",
        "reorder_quantity_override": "",
        "movements-TOTAL_FORMS": "2",
        "movements-INITIAL_FORMS": "2",
        "movements-MIN_NUM_FORMS": "0",
        "movements-MAX_NUM_FORMS": "1000",
    }
    for n, movement in enumerate(item.movements.order_by("-created_at", "-id")):
        data[f"movements-{n}-id"] = str(movement.pk)
        data[f"movements-{n}-stock_item"] = str(item.pk)
    assert "on_hand" not in form.fields
    # Stock moves while the page is open: saving must not write the old on_hand back.
    stock_adjust(stock_item=item, delta=-6, note="Counter sale")

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    item.refresh_from_db()
    assert (item.on_hand, item.reorder_level_override) == (20, 12)
    assert item.movements.count() == 3


def test_stock_changes_cannot_be_made_in_the_admin(admin_client):
    item = StockItemFactory()
    movement = item.movements.get()

    assert admin_client.get(reverse("admin:inventory_stockitem_add")).status_code == 403
    assert admin_client.get(reverse("admin:inventory_stockmovement_add")).status_code == 403
    delete = reverse("admin:inventory_stockmovement_delete", args=[movement.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    view = admin_client.get(reverse("admin:inventory_stockmovement_change", args=[movement.pk]))
    assert view.status_code == 200
    assert StockMovement.objects.filter(pk=movement.pk).exists()


def test_procurement_staff_can_view_but_not_change(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=PROCUREMENT_GROUP))
    item = StockItemFactory()
    product = ProductFactory()
    client.force_login(user)

    for name in CHANGELISTS:
        assert client.get(reverse(name)).status_code == 200
    change = reverse("admin:inventory_stockitem_change", args=[item.pk])
    response = client.post(change, {"reorder_level_override": "1"})
    assert response.status_code == 403
    product_url = reverse("admin:catalog_product_change", args=[product.pk])
    assert client.post(product_url, {"price": "1"}).status_code == 403
    item.refresh_from_db()
    assert item.reorder_level_override is None


def test_product_admin_add_fills_the_supplier_with_the_manufacturer(admin_client):
    template = ProductFactory()
    data = {
        "sku": "NEW-1",
        "name": "New product",
        "slug": "new-product",
        "category": template.category.pk,
        "description": "",
        "is_active": "on",
        "price": "12.50",
        "manufacturer": template.manufacturer.pk,
        "supplier": "",
        "reorder_level": "10",
        "reorder_quantity": "50",
        "order_up_to_level": "",
        "pack_size": "1",
        "minimum_order_quantity": "1",
        "lead_time_days": "7",
    }

    response = admin_client.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    product = template.__class__.objects.get(sku="NEW-1")
    assert product.supplier == template.manufacturer


def test_product_admin_refuses_a_distributor_as_manufacturer(admin_client):
    template = ProductFactory()
    data = {
        "sku": "NEW-2",
        "name": "Bad product",
        "slug": "bad-product",
        "category": template.category.pk,
        "price": "12.50",
        "manufacturer": DistributorFactory().pk,
        "reorder_level": "10",
        "reorder_quantity": "50",
        "pack_size": "1",
        "minimum_order_quantity": "1",
        "lead_time_days": "7",
    }

    response = admin_client.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 200
    assert "not a manufacturer" in str(response.context["adminform"].form.errors["manufacturer"])


def test_stock_item_page_lists_only_the_latest_movements(admin_client):
    item = StockItemFactory(on_hand=100)
    for n in range(55):
        stock_adjust(stock_item=item, delta=-1, note=f"Count {n}")
    url = reverse("admin:inventory_stockitem_change", args=[item.pk])

    response = admin_client.get(url)

    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.forms) == 50
    assert "Count 54" in response.content.decode()
    assert "Count 0<" not in response.content.decode()
    assert f"?stock_item__id__exact={item.pk}" in response.content.decode()
    history = admin_client.get(
        reverse("admin:inventory_stockmovement_changelist") + f"?stock_item__id__exact={item.pk}"
    )
    assert history.context["cl"].result_count == 56
