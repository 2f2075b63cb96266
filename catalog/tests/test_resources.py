from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from import_export.formats import base_formats

from accounts.models import Organization
from accounts.tests.factories import OrganizationFactory, supplies
from auromart.spreadsheets import RowError, read_dataset
from catalog.models import Category, Product
from catalog.resources import (
    CategoryResource,
    ProductPriceResource,
    ProductReorderResource,
    ProductResource,
)
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory

pytestmark = pytest.mark.django_db

FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


def export_file(resource_class, fmt):
    """What a person downloads: the resource's export in that format, as bytes."""
    file_format = FORMATS[fmt]()
    dataset = resource_class().export(force_native_type=fmt == "xlsx")
    data = file_format.export_data(dataset)
    return data.encode() if isinstance(data, str) else data


def import_file(resource_class, data, fmt="csv", **kwargs):
    file_format = FORMATS[fmt](encoding="utf-8-sig")
    dataset = read_dataset(data if isinstance(data, bytes) else data.encode(), file_format)
    return resource_class().import_data(dataset, **kwargs)


def csv_rows(*lines):
    return "\n".join(lines) + "\n"


@pytest.fixture
def catalog():
    """Two categories (one a child), a manufacturer, a distributor, a retailer."""
    home = CategoryFactory(name="Home", slug="home")
    beds = CategoryFactory(name="Beds", slug="home-beds", parent=home)
    maker = ManufacturerFactory(name="Auro Sleep")
    distributor = OrganizationFactory(name="Central Store", kind=Organization.Kind.DISTRIBUTOR)
    supplies(maker, distributor)
    retailer = OrganizationFactory(name="Corner Shop", kind=Organization.Kind.RETAILER)
    return {
        "home": home,
        "beds": beds,
        "maker": maker,
        "distributor": distributor,
        "retailer": retailer,
    }


HEADER = "sku,name,category,price,manufacturer"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_products_import_back_with_no_change(catalog, fmt):
    ProductFactory(
        sku="MAT-1",
        name="=Memory Foam Mattress",  # looks like a formula: escaped, then restored
        category=catalog["beds"],
        manufacturer=catalog["maker"],
        supplier=catalog["distributor"],
        price=Decimal("6299.50"),
        order_up_to_level=80,
        description="-10% launch offer\nTwo lines",
    )
    ProductFactory(
        sku="PIL-2",
        category=catalog["home"],
        manufacturer=catalog["maker"],
        is_active=False,
        price=Decimal("0.00"),
    )
    before = list(Product.objects.order_by("sku").values())

    result = import_file(ProductResource, export_file(ProductResource, fmt), fmt)

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, 2)
    assert list(Product.objects.order_by("sku").values()) == before


def test_import_creates_and_updates_products_by_sku(catalog):
    existing = ProductFactory(sku="MAT-1", category=catalog["home"], manufacturer=catalog["maker"])
    data = csv_rows(
        HEADER + ",supplier,reorder_level,is_active",
        "mat-1,Renamed mattress,home-beds,99.90,Auro Sleep,Central Store,4,no",
        " pil-9 ,Cloud pillow,beds,450,auro sleep,,,",
    )

    result = import_file(ProductResource, data)

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    existing.refresh_from_db()
    assert (existing.name, existing.price, existing.category) == (
        "Renamed mattress",
        Decimal("99.90"),
        catalog["beds"],
    )
    assert (existing.supplier, existing.reorder_level, existing.is_active) == (
        catalog["distributor"],
        4,
        False,
    )
    new = Product.objects.get(sku="PIL-9")
    # product_create's defaults: supplier = manufacturer, slug from the name.
    assert new.supplier == catalog["maker"]
    assert new.slug == "cloud-pillow"
    assert (new.reorder_level, new.reorder_quantity, new.is_active) == (10, 50, True)


def test_new_products_get_unique_slugs(catalog):
    ProductFactory(name="Pillow", slug="pillow")
    data = csv_rows(HEADER, "P-1,Pillow,home,1,Auro Sleep", "P-2,Pillow,home,1,Auro Sleep")

    result = import_file(ProductResource, data)

    assert result.error_report == []
    assert sorted(Product.objects.filter(sku__startswith="P-").values_list("slug", flat=True)) == [
        "pillow-2",
        "pillow-3",
    ]


def test_a_bad_file_reports_every_bad_row_and_writes_nothing(catalog):
    ProductFactory(sku="OLD-1", manufacturer=catalog["maker"], price=Decimal("5.00"))
    dataset = tablib.Dataset(headers=["sku", "name", "category", "price", "manufacturer"])
    dataset.append(["GOOD-1", "Fine product", "home", "10.00", "Auro Sleep"])  # row 2
    dataset.append(["BAD-2", "Bad price", "home", "12,5O", "Auro Sleep"])  # row 3
    dataset.append(["BAD-3", "Lost", "garden", "10", "Auro Sleep"])  # row 4
    dataset.append(["GOOD-1", "Twice", "home", "10", "Auro Sleep"])  # row 5
    dataset.append(["BAD-5", "Negative", "home", "-3", "Auro Sleep"])  # row 6
    dataset.append(["BAD-6", "Not a maker", "home", "3", "Central Store"])  # row 7
    dataset.append(["", "", "", "", ""])  # row 8: blank, ignored
    dataset.append(["OLD-1", "", "home", "7", "Auro Sleep"])  # row 9: an update without a name

    result = ProductResource().import_data(dataset)

    report = [(e.row, e.column) for e in result.error_report]
    assert report == [
        (3, "price"),
        (4, "category"),
        (5, "sku"),
        (6, "price"),
        (7, "manufacturer"),
        (9, "name"),
    ]
    messages = {e.row: e.message for e in result.error_report}
    assert "12,5O" in messages[3]
    assert messages[4] == "No category “garden”."
    assert "already in row 2" in messages[5]
    assert "negative" in messages[6]
    assert "cannot be empty" in messages[9]
    assert not Product.objects.filter(sku__in=["GOOD-1", "BAD-2"]).exists()
    assert Product.objects.get(sku="OLD-1").price == Decimal("5.00")


def test_a_manufacturer_that_is_a_distributor_is_refused_by_name(catalog):
    # The widget looks among manufacturers only: a distributor's name is unknown there.
    data = csv_rows(HEADER, "X-1,Thing,home,3,Central Store")

    result = import_file(ProductResource, data)

    assert result.error_report == [RowError(2, "manufacturer", "No manufacturer “Central Store”.")]


def test_a_supplier_that_is_a_retailer_is_refused(catalog):
    data = csv_rows(HEADER + ",supplier", "X-1,Thing,home,3,Auro Sleep,Corner Shop")

    result = import_file(ProductResource, data)

    assert [(e.row, e.column) for e in result.error_report] == [(2, "supplier")]
    assert not Product.objects.filter(sku="X-1").exists()


def test_a_name_shared_by_two_kinds_must_say_which(catalog):
    supplies(
        catalog["maker"], OrganizationFactory(name="Auro Sleep", kind=Organization.Kind.DISTRIBUTOR)
    )
    data = csv_rows(
        HEADER + ",supplier",
        "X-1,Thing,home,3,Auro Sleep,Auro Sleep",
        "X-2,Thing,home,3,Auro Sleep,Auro Sleep (distributor)",
    )

    result = import_file(ProductResource, data)

    assert [(e.row, e.column) for e in result.error_report] == [(2, "supplier")]
    assert "Auro Sleep (distributor)" in result.error_report[0].message


def test_the_order_up_to_level_rule_of_the_model_applies(catalog):
    data = csv_rows(
        HEADER + ",reorder_level,order_up_to_level", "X-1,Thing,home,3,Auro Sleep,20,15"
    )

    result = import_file(ProductResource, data)

    assert [(e.row, e.column) for e in result.error_report] == [(2, "order_up_to_level")]


def test_header_problems_are_reported_on_row_1_and_nothing_runs(catalog):
    data = csv_rows("sku,name,category,manufacturer,prce", "X-1,Thing,home,Auro Sleep,3")

    result = import_file(ProductResource, data)

    by_column = {e.column: e for e in result.error_report}
    assert {(e.row, e.column) for e in result.error_report} == {(1, "price"), (1, "prce")}
    assert "required" in by_column["price"].message
    assert "Unknown column" in by_column["prce"].message
    assert not Product.objects.exists()


def test_headers_typed_by_hand_still_match(catalog):
    data = csv_rows(
        "SKU,Name,Category,Price,Manufacturer,Reorder level", "X-1,T,home,3,auro sleep,2"
    )

    result = import_file(ProductResource, data)

    assert result.error_report == []
    assert Product.objects.get(sku="X-1").reorder_level == 2


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_like_text_is_escaped_on_export_and_restored_on_import(catalog, fmt):
    ProductFactory(sku="F-1", name="=HYPERLINK(1)", description="@SUM(A1)", price=Decimal("7.00"))

    data = export_file(ProductResource, fmt)
    dataset = read_dataset(data, FORMATS[fmt](encoding="utf-8-sig"))
    row = dict(zip(dataset.headers, dataset[0], strict=True))

    assert row["name"] == "'=HYPERLINK(1)"
    assert row["description"] == "'@SUM(A1)"
    # Numbers stay numbers (native in XLSX), unescaped.
    assert row["price"] == (7 if fmt == "xlsx" else "7.00")
    result = import_file(ProductResource, data, fmt)
    assert result.totals["skip"] == 1
    assert Product.objects.get(sku="F-1").name == "=HYPERLINK(1)"


def test_price_updates_change_prices_of_existing_products_only(catalog):
    product = ProductFactory(sku="MAT-1", name="Mattress", price=Decimal("10.00"))
    untouched = ProductFactory(sku="MAT-2", price=Decimal("20.00"))
    data = csv_rows("sku,price", "mat-1,12.50", "MAT-2,20")

    result = import_file(ProductPriceResource, data)

    assert result.error_report == []
    assert (result.totals["update"], result.totals["skip"]) == (1, 1)
    product.refresh_from_db()
    untouched_before = untouched.updated_at
    untouched.refresh_from_db()
    assert (product.price, product.name) == (Decimal("12.50"), "Mattress")
    assert untouched.updated_at == untouched_before

    unknown = import_file(ProductPriceResource, csv_rows("sku,price", "MAT-1,1", "NOPE-1,5"))

    assert [(e.row, e.column) for e in unknown.error_report] == [(3, "sku")]
    assert "existing rows only" in unknown.error_report[0].message
    product.refresh_from_db()
    assert product.price == Decimal("12.50")


def test_reorder_settings_update_levels_through_the_model_rules(catalog):
    product = ProductFactory(sku="MAT-1", reorder_level=10, reorder_quantity=50)
    data = csv_rows(
        "sku,reorder_level,reorder_quantity,order_up_to_level,pack_size",
        "MAT-1,5,60,40,6",
    )

    result = import_file(ProductReorderResource, data)

    assert result.error_report == []
    product.refresh_from_db()
    assert (product.reorder_level, product.reorder_quantity, product.order_up_to_level) == (
        5,
        60,
        40,
    )
    assert product.pack_size == 6

    bad = import_file(
        ProductReorderResource, csv_rows("sku,order_up_to_level,pack_size", "MAT-1,3,0")
    )

    assert [(e.row, e.column) for e in bad.error_report] == [
        (2, "order_up_to_level"),
        (2, "pack_size"),
    ]
    product.refresh_from_db()
    assert product.pack_size == 6


def test_bulk_product_import_costs_the_same_queries_for_10_rows_and_50(catalog):
    def queries_for(count, prefix):
        dataset = tablib.Dataset(headers=["sku", "name", "category", "price", "manufacturer"])
        for n in range(count):
            dataset.append([f"{prefix}-{n}", f"Product {prefix} {n}", "home", "9.99", "Auro Sleep"])
        with CaptureQueriesContext(connection) as ctx:
            result = ProductResource(keep_rows=False).import_data(dataset)
        assert result.error_report == []
        return len(ctx.captured_queries)

    # (50, not more: SQLite's bulk_create splits at 999 parameters, MariaDB at 1,000 rows.)
    assert queries_for(10, "A") == queries_for(50, "B")
    assert Product.objects.count() == 60


def test_categories_import_parents_before_children_and_round_trip(catalog):
    data = csv_rows(
        "slug,name,parent",
        ",Garden,",  # new, slug made by category_create
        "garden-tools,Tools,Garden",  # parent by name, created one row above
        "home-beds,Beds and frames,home",  # rename
    )

    result = import_file(CategoryResource, data)

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"]) == (2, 1)
    tools = Category.objects.get(slug="garden-tools")
    assert tools.parent.slug == "garden"
    assert Category.objects.get(slug="home-beds").name == "Beds and frames"

    again = import_file(CategoryResource, export_file(CategoryResource, "csv"))

    assert again.error_report == []
    assert again.totals["skip"] == Category.objects.count() == 4


def test_a_category_cannot_become_its_own_ancestor(catalog):
    result = import_file(CategoryResource, csv_rows("slug,name,parent", "home,Home,home-beds"))

    assert [(e.row, e.column) for e in result.error_report] == [(2, "parent")]
    assert Category.objects.get(slug="home").parent is None


def test_a_file_naming_a_distributor_as_supplier_reads_the_agreements_once(catalog):
    """Each row's supplier rule needs the accepted agreements; the import reads them once."""
    stranger = OrganizationFactory(name="Far Away Depot", kind=Organization.Kind.DISTRIBUTOR)
    rows = [f"X-{n},Thing {n},home,3,Auro Sleep,Central Store" for n in range(40)]
    rows.append("X-BAD,Thing,home,3,Auro Sleep,Far Away Depot")  # no agreement: refused
    data = csv_rows(HEADER + ",supplier", *rows)

    with CaptureQueriesContext(connection) as queries:
        result = import_file(ProductResource, data, dry_run=True)

    reads = [q["sql"] for q in queries if "supplyagreement" in q["sql"].lower()]
    assert len(reads) == 1, reads
    assert [(e.row, e.column) for e in result.error_report] == [(42, "supplier")]
    assert stranger.pk
    # Outside an import, the rule reads the database again (a new agreement counts at once).
    supplies(catalog["maker"], stranger)
    result = import_file(ProductResource, csv_rows(HEADER + ",supplier", rows[-1]))
    assert not result.error_report and Product.objects.filter(sku="X-BAD").exists()
