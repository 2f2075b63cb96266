"""Price list lines as spreadsheets: the admin's preview and row errors, export and back."""

from decimal import Decimal

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats import base_formats

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory
from pricing.models import PriceListItem
from pricing.resources import PriceListItemResource

from .factories import price_list

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:pricing_pricelistitem_import")
CONFIRM = reverse("admin:pricing_pricelistitem_process_import")
HEADERS = ["price_list", "sku", "min_quantity", "price", "discount_percent"]


@pytest.fixture
def importer(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_pricelistitem",
                "add_pricelistitem",
                "change_pricelistitem",
                "import_pricelistitem",
            ]
        )
    )
    client.force_login(user)
    return client


def upload(rows):
    dataset = tablib.Dataset(headers=HEADERS)
    for row in rows:
        dataset.append(row)
    return SimpleUploadedFile("lines.csv", base_formats.CSV().export_data(dataset).encode())


def test_import_previews_lists_row_errors_then_writes_on_confirm(importer):
    kettle = ProductFactory(sku="KET-1")
    ProductFactory(sku="MUG-1")
    plist = price_list(name="Lakeside", lines=[(kettle, 1, "900")])

    bad = upload(
        [
            ["Lakeside", "KET-1", "", "850", ""],  # updates the line's price
            ["Nowhere", "KET-1", "", "1", ""],  # no such list
            ["Lakeside", "MUG-1", "10", "5", "10"],  # both a price and a percentage
            ["Lakeside", "MUG-1", "20", "", "120"],  # more than 100 %
            ["Lakeside", "NOPE", "1", "5", ""],  # no such product
        ]
    )
    response = importer.post(IMPORT, {"resource": "0", "format": "0", "import_file": bad})
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert {(e.row, e.column) for e in response.context["result"].error_report} == {
        (3, "price_list"),
        (4, "price"),
        (5, "discount_percent"),
        (6, "sku"),
    }

    good = upload(
        [
            ["Lakeside", "KET-1", "", "850", ""],
            ["Lakeside", "KET-1", "10", "", "12.5"],
            ["Lakeside", "MUG-1", "1", "99.50", ""],
        ]
    )
    response = importer.post(IMPORT, {"resource": "0", "format": "0", "import_file": good})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.totals["new"], result.totals["update"]) == (2, 1)
    assert plist.items.count() == 1  # the preview rolled back

    response = importer.post(CONFIRM, response.context["confirm_form"].initial, follow=True)
    assert response.status_code == 200
    rows = set(plist.items.values_list("product__sku", "min_quantity", "price", "discount_percent"))
    assert rows == {
        ("KET-1", 1, Decimal("850.00"), None),
        ("KET-1", 10, None, Decimal("12.50")),
        ("MUG-1", 1, Decimal("99.50"), None),
    }


def test_export_and_import_back_unchanged():
    kettle = ProductFactory(sku="KET-1", name="Kettle")
    price_list(name="Lakeside", lines=[(kettle, 1, "900"), (kettle, 10, "5%")])

    dataset = PriceListItemResource().export()
    assert dataset.headers == [
        "price_list",
        "sku",
        "product_name",
        "min_quantity",
        "price",
        "discount_percent",
    ]
    assert [list(row) for row in dataset] == [
        ["Lakeside", "KET-1", "Kettle", "1", "900.00", ""],
        ["Lakeside", "KET-1", "Kettle", "10", "", "5.00"],
    ]
    result = PriceListItemResource().import_data(tablib.Dataset().load(dataset.csv, "csv"))
    assert not result.error_report
    assert result.totals["skip"] == 2


def test_a_distributor_resource_sees_and_writes_only_its_own_lists():
    north, south = DistributorFactory(), DistributorFactory()
    kettle = ProductFactory(sku="KET-1")
    price_list(name="North list", distributor=north, lines=[(kettle, 1, "900")])
    price_list(name="South list", distributor=south, lines=[(kettle, 1, "800")])

    exported = PriceListItemResource(distributor=north).export()
    assert [row[0] for row in exported] == ["North list"]

    dataset = tablib.Dataset(headers=HEADERS)
    dataset.append(["South list", "KET-1", "1", "1.00", ""])
    result = PriceListItemResource(distributor=north).import_data(dataset)
    assert [(e.row, e.column) for e in result.error_report] == [(2, "price_list")]
    assert PriceListItem.objects.get(price_list__name="South list").price == Decimal("800.00")
