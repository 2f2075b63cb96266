"""The admin's spreadsheet import (preview, then confirm) and export for the catalog."""

from decimal import Decimal

import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from import_export.formats import base_formats

from accounts.tests.factories import UserFactory
from catalog.models import Category, Product
from catalog.resources import ProductResource
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:catalog_product_import")
CONFIRM = reverse("admin:catalog_product_process_import")
CSV, XLSX = "0", "1"  # indexes of IMPORT_EXPORT_FORMATS


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def importer(client):
    client.force_login(
        staff_with("view_product", "add_product", "change_product", "import_product")
    )
    return client


@pytest.fixture
def catalog():
    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")


def upload(rows, fmt="csv", name=None):
    dataset = tablib.Dataset(headers=["sku", "name", "category", "price", "manufacturer"])
    for row in rows:
        dataset.append(row)
    file_format = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}[fmt]()
    data = file_format.export_data(dataset)
    return SimpleUploadedFile(name or f"products.{fmt}", data.encode() if fmt == "csv" else data)


def preview(client, file, fmt_index=CSV, resource="0"):
    return client.post(IMPORT, {"resource": resource, "format": fmt_index, "import_file": file})


@pytest.mark.parametrize(("fmt", "fmt_index"), [("csv", CSV), ("xlsx", XLSX)])
def test_import_previews_then_writes_on_confirm(importer, catalog, fmt, fmt_index):
    ProductFactory(sku="OLD-1", name="Old", price=Decimal("5.00"))
    file = upload(
        [["NEW-1", "New pillow", "home", "450.00", "Auro Sleep"], ["OLD-1", "Old", "", "", ""]],
        fmt,
    )
    # OLD-1 with blank category/price/manufacturer: a blank required cell is an error.
    response = preview(importer, file, fmt_index)
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert {(e.row, e.column) for e in response.context["result"].error_report} == {
        (3, "category"),
        (3, "price"),
        (3, "manufacturer"),
    }

    old = Product.objects.get(sku="OLD-1")
    file = upload(
        [
            ["NEW-1", "New pillow", "home", "450.00", "Auro Sleep"],
            ["OLD-1", "Old", old.category.slug, "5.00", old.manufacturer.name],
        ],
        fmt,
    )
    response = preview(importer, file, fmt_index)

    assert response.status_code == 200
    result = response.context["result"]
    assert (result.totals["new"], result.totals["skip"]) == (1, 1)
    body = response.content.decode()
    assert "1 new, 0 to update, 1 unchanged (skipped)" in body
    assert not Product.objects.filter(sku="NEW-1").exists()  # the preview rolled back

    response = importer.post(CONFIRM, response.context["confirm_form"].initial, follow=True)

    assert response.status_code == 200
    assert "Import finished: 1 new, 0 updated, 0 deleted and 1 skipped products." in (
        response.content.decode()
    )
    product = Product.objects.get(sku="NEW-1")
    assert (product.price, product.slug) == (Decimal("450.00"), "new-pillow")
    assert LogEntry.objects.filter(object_id=str(product.pk)).exists()


def test_staff_without_the_import_permission_is_refused(client, catalog):
    client.force_login(staff_with("view_product", "add_product", "change_product"))

    changelist = client.get(reverse("admin:catalog_product_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["has_import_permission"] is False
    assert changelist.context["has_export_permission"] is True
    assert IMPORT not in changelist.content.decode()

    assert client.get(IMPORT).status_code == 403
    assert preview(client, upload([["X-1", "X", "home", "1", "Auro Sleep"]])).status_code == 403
    confirm = client.post(
        CONFIRM, {"import_file_name": "x", "original_file_name": "x.csv", "format": CSV}
    )
    assert confirm.status_code == 403
    assert not Product.objects.exists()


def test_a_confirm_that_fails_now_writes_nothing_and_lists_the_errors(importer, catalog):
    CategoryFactory(name="Garden", slug="garden")
    response = preview(importer, upload([["NEW-1", "Spade", "garden", "99", "Auro Sleep"]]))
    confirm_data = response.context["confirm_form"].initial
    Category.objects.filter(slug="garden").delete()  # the data changed since the preview

    response = importer.post(CONFIRM, confirm_data)

    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["result"].error_report] == [(2, "category")]
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "No category “garden”." in body
    assert not Product.objects.exists()


@override_settings(SPREADSHEET_IMPORT_MAX_BYTES=200)
def test_uploads_are_checked_for_size_and_type(importer, catalog):
    big = upload([[f"X-{n}", "Product", "home", "1", "Auro Sleep"] for n in range(20)])
    assert big.size > 200
    wrong_extension = SimpleUploadedFile("products.txt", b"sku,name\nX-1,Y\n")
    fake_xlsx = SimpleUploadedFile("products.xlsx", b"sku,name\nX-1,Y\n")
    binary_csv = SimpleUploadedFile("products.csv", b"PK\x03\x04\x00\x00binary")

    cases = [
        (big, CSV, "limit here is 0 MB"),
        (wrong_extension, CSV, "must be a .csv file"),
        (fake_xlsx, XLSX, "not an XLSX workbook"),
        (binary_csv, CSV, "not a text (CSV) file"),
    ]
    for file, fmt_index, message in cases:
        response = preview(importer, file, fmt_index)
        assert response.status_code == 200
        assert message in str(response.context["form"].errors["import_file"]), message
    form = importer.get(IMPORT).context["form"]
    assert [label for _, label in form.fields["format"].choices] == ["---", "csv", "xlsx"]
    assert not Product.objects.exists()


def test_products_export_from_the_admin_and_import_back_unchanged(importer, catalog):
    ProductFactory(sku="MAT-1", name="=Mattress")
    ProductFactory(sku="PIL-2")
    columns = {f"productresource_{name}": "on" for name in ProductResource().get_export_order()}

    exported = importer.post(
        reverse("admin:catalog_product_export"), {"resource": "0", "format": CSV, **columns}
    )

    assert exported.status_code == 200
    assert b"'=Mattress" in exported.content
    response = preview(importer, SimpleUploadedFile("products.csv", exported.content))
    result = response.context["result"]
    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, 2)


def test_category_import_in_the_admin(client):
    client.force_login(staff_with("view_category", "add_category", "import_category"))
    file = SimpleUploadedFile("categories.csv", b"slug,name,parent\n,Garden,\n")

    response = client.post(
        reverse("admin:catalog_category_import"),
        {"resource": "0", "format": CSV, "import_file": file},
    )
    confirm = client.post(
        reverse("admin:catalog_category_process_import"),
        response.context["confirm_form"].initial,
    )

    assert confirm.status_code == 302
    assert Category.objects.get(slug="garden").name == "Garden"
