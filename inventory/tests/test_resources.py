import pytest
import tablib
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from import_export.formats import base_formats

from accounts.tests.factories import UserFactory
from auromart.spreadsheets import read_dataset
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem, StockMovement
from inventory.resources import StockLevelResource, StockReorderResource
from inventory.signals import stock_low
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db


FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}


def import_rows(resource_class, text, fmt="csv", **kwargs):
    data = text.encode() if isinstance(text, str) else text
    dataset = read_dataset(data, FORMATS[fmt](encoding="utf-8-sig"))
    return resource_class().import_data(dataset, **kwargs)


def export_rows(resource_class, fmt="csv"):
    return FORMATS[fmt]().export_data(resource_class().export(force_native_type=fmt == "xlsx"))


def ledger_sum(item):
    return item.movements.aggregate(total=Sum("quantity"))["total"] or 0


@pytest.fixture
def store():
    return DistributorFactory(name="Central Store")


@pytest.fixture
def low_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    stock_low.connect(receiver, dispatch_uid="test-resources-stock-low")
    yield received
    stock_low.disconnect(dispatch_uid="test-resources-stock-low")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_stock_imports_back_with_no_change(store, fmt):
    StockItemFactory(product__sku="MAT-1", distributor=store, on_hand=40, held=5)
    StockItemFactory(product__sku="PIL-2", distributor=DistributorFactory(), on_hand=3)
    movements = StockMovement.objects.count()

    result = import_rows(StockLevelResource, export_rows(StockLevelResource, fmt), fmt)

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 0, 2)
    assert StockMovement.objects.count() == movements


def test_a_count_becomes_ledger_movements_and_fires_stock_low(store, low_signals):
    user = UserFactory(is_staff=True)
    item = StockItemFactory(
        product__sku="MAT-1", product__reorder_level=10, distributor=store, on_hand=40
    )
    higher = StockItemFactory(product__sku="MAT-2", distributor=store, on_hand=5)
    fresh = ProductFactory(sku="NEW-3")
    text = (
        "sku,distributor,on_hand,note\n"
        "mat-1,central store,8,Stock-take aisle 4\n"  # 40 -> 8: below its level of 10
        "MAT-2,Central Store,25,\n"  # 5 -> 25
        "NEW-3,Central Store,12,\n"  # no stock item yet: assigned
    )

    result = import_rows(StockLevelResource, text, user=user, file_name="count-nov.csv")

    assert result.error_report == []
    assert (result.totals["new"], result.totals["update"]) == (1, 2)
    item.refresh_from_db()
    higher.refresh_from_db()
    created = StockItem.objects.get(product=fresh, distributor=store)
    assert (item.on_hand, higher.on_hand, created.on_hand) == (8, 25, 12)
    for stock_item in (item, higher, created):
        assert stock_item.on_hand == ledger_sum(stock_item)
    latest = item.movements.order_by("-id").first()
    assert (latest.kind, latest.quantity, latest.balance_after) == ("count", -32, 8)
    assert (latest.note, latest.reference, latest.created_by) == (
        "Stock-take aisle 4",
        "import:count-nov.csv",
        user,
    )
    assert higher.movements.order_by("-id").first().note == "Stock count from count-nov.csv"
    assert created.movements.get().kind == "assignment"
    # The reorder chain starts here: stock_count sent stock_low for the item now low.
    assert [(s["stock_item_id"], s["on_hand"], s["reorder_level"]) for s in low_signals] == [
        (item.pk, 8, 10)
    ]


def test_bad_stock_rows_are_all_reported_and_nothing_is_written(store):
    item = StockItemFactory(product__sku="MAT-1", distributor=store, on_hand=40, held=10)
    other = StockItemFactory(product__sku="MAT-2", distributor=store, on_hand=40)
    ProductFactory(sku="PIL-3")
    text = (
        "sku,distributor,on_hand\n"
        "MAT-2,Central Store,1\n"  # row 2: fine, and still not written
        "PIL-3,Central Store,-4\n"  # row 3: negative
        "MAT-1,Central Store,2000000000\n"  # row 4: more than a stock item holds
        "NOPE-9,Central Store,3\n"  # row 5: unknown SKU
        "PIL-3,Nowhere Ltd,3\n"  # row 6: unknown distributor
        "mat-2,central store,2\n"  # row 7: MAT-2 again
        "MAT-2,Central Store,lots\n"  # row 8: not a number (and a duplicate)
    )
    movements = StockMovement.objects.count()

    result = import_rows(StockLevelResource, text)

    assert [(e.row, e.column) for e in result.error_report] == [
        (3, "on_hand"),
        (4, "on_hand"),
        (5, "sku"),
        (6, "distributor"),
        (7, "sku"),
        (8, "sku"),
    ]
    messages = {e.row: e.message for e in result.error_report}
    assert "0 or more" in messages[3]
    assert "at most 1,000,000,000" in messages[4]
    assert "already in row 2" in messages[7]
    item.refresh_from_db()
    other.refresh_from_db()
    assert (item.on_hand, other.on_hand) == (40, 40)
    assert StockMovement.objects.count() == movements


def test_a_dry_run_checks_through_the_services_and_writes_nothing(store):
    item = StockItemFactory(product__sku="MAT-1", distributor=store, on_hand=40)

    result = import_rows(
        StockLevelResource, "sku,distributor,on_hand\nMAT-1,Central Store,7\n", dry_run=True
    )

    assert result.error_report == []
    assert result.totals["update"] == 1
    item.refresh_from_db()
    assert item.on_hand == 40
    assert item.movements.count() == 1


def test_reorder_overrides_go_through_the_service_and_blank_means_the_products(store):
    item = StockItemFactory(product__sku="MAT-1", distributor=store, on_hand=40)
    StockItem.objects.filter(pk=item.pk).update(reorder_quantity_override=99)
    text = (
        "sku,distributor,reorder_level_override,reorder_quantity_override\n"
        "MAT-1,Central Store,12,\n"
    )

    result = import_rows(StockReorderResource, text)

    assert result.error_report == []
    item.refresh_from_db()
    assert (item.reorder_level_override, item.reorder_quantity_override) == (12, None)
    assert item.on_hand == 40

    missing = import_rows(
        StockReorderResource,
        f"sku,distributor,reorder_level_override\n{ProductFactory().sku},Central Store,3\n",
    )
    assert [(e.row, e.column) for e in missing.error_report] == [(2, "sku")]

    again = import_rows(StockReorderResource, export_rows(StockReorderResource))
    assert (again.error_report, again.totals["skip"]) == ([], 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_stock_counts_through_the_admin_preview_then_confirm(client, store, low_signals, fmt):
    item = StockItemFactory(
        product__sku="MAT-1", product__reorder_level=10, distributor=store, on_hand=40
    )
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_stockitem", "change_stockitem", "import_stockitem"]
        )
    )
    client.force_login(user)
    file_format = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}[fmt]()
    dataset = tablib.Dataset(headers=["sku", "distributor", "on_hand"])
    dataset.append(["MAT-1", "Central Store", 9])
    data = file_format.export_data(dataset)
    data = data.encode() if isinstance(data, str) else data
    upload = SimpleUploadedFile(f"count.{fmt}", data)
    format_index = "0" if fmt == "csv" else "1"

    preview = client.post(
        reverse("admin:inventory_stockitem_import"),
        {"resource": "0", "format": format_index, "import_file": upload},
    )

    assert preview.status_code == 200
    assert preview.context["result"].totals["update"] == 1
    assert "confirm_form" in preview.context
    item.refresh_from_db()
    assert item.on_hand == 40  # the preview rolled back
    low_signals.clear()

    confirm = client.post(
        reverse("admin:inventory_stockitem_process_import"),
        preview.context["confirm_form"].initial,
    )

    assert confirm.status_code == 302
    item.refresh_from_db()
    assert item.on_hand == 9 == ledger_sum(item)
    movement = item.movements.order_by("-id").first()
    assert (movement.quantity, movement.created_by, movement.reference) == (
        -31,
        user,
        f"import:count.{fmt}",
    )
    assert [s["stock_item_id"] for s in low_signals] == [item.pk]
