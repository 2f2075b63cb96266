"""`manage.py import_data` and `export_data`: the same resources as the admin, from the shell."""

import io

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db.models import Sum

from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory, ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def catalog():
    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_data_imports_a_file_with_progress_and_a_summary(tmp_path, catalog):
    ProductFactory(sku="OLD-1", name="Old")
    rows = ["sku,name,category,price,manufacturer"]
    rows += [f"NEW-{n},Product {n},home,{n}.50,Auro Sleep" for n in range(30)]
    file = write(tmp_path / "products.csv", "\n".join(rows) + "\n")

    out, err = run("import_data", "products", file)

    assert "products from products.csv: 30 rows" in out
    assert "created 30, updated 0, skipped 0 (unchanged), errors 0" in out
    assert "Imported." in out
    assert "Importing products.csv [" in err and "30/30 rows (100%" in err
    assert Product.objects.count() == 31


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(tmp_path, catalog, ext):
    ProductFactory.create_batch(5)
    file = str(tmp_path / f"products.{ext}")

    out, _ = run("export_data", "products", file, "--no-progress")
    assert f"Wrote 5 products rows to products.{ext}." in out
    out, err = run("import_data", "products", file, "--no-progress")

    assert "created 0, updated 0, skipped 5 (unchanged), errors 0" in out
    assert err == ""


def test_errors_are_listed_by_row_nothing_is_written_and_the_exit_code_is_1(tmp_path, catalog):
    file = write(
        tmp_path / "bad.csv",
        "sku,name,category,price,manufacturer\n"
        "OK-1,Fine,home,1,Auro Sleep\n"
        "BAD-2,Bad,home,cheap,Auro Sleep\n"
        "BAD-3,Bad,nowhere,1,Auro Sleep\n",
    )

    with pytest.raises(CommandError, match="2 error"):
        run("import_data", "products", file, "--no-progress")

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_data", "products", file, "--no-progress", stdout=out)
    lines = out.getvalue().splitlines()
    assert "  row 3, column price: Enter an amount such as 1299.00 (got “cheap”)." in lines
    assert "  row 4, column category: No category “nowhere”." in lines
    assert not Product.objects.exists()

    # From the shell, a CommandError is exit status 1.
    command = load_command_class("auromart", "import_data")
    with pytest.raises(SystemExit) as exit_info:
        command.run_from_argv(["manage.py", "import_data", "products", file, "--no-progress"])
    assert exit_info.value.code == 1


def test_dry_run_checks_and_writes_nothing(tmp_path):
    item = StockItemFactory(
        product__sku="MAT-1", distributor=DistributorFactory(name="Hub"), on_hand=9
    )
    file = write(tmp_path / "count.csv", "sku,distributor,on_hand\nMAT-1,Hub,4\n")

    out, _ = run("import_data", "stock", file, "--dry-run", "--no-progress")

    assert "created 0, updated 1, skipped 0 (unchanged), errors 0" in out
    assert "Dry run" in out
    item.refresh_from_db()
    assert item.on_hand == 9

    run("import_data", "stock", file, "--no-progress")

    item.refresh_from_db()
    assert item.on_hand == 4 == item.movements.aggregate(s=Sum("quantity"))["s"]
    assert StockItem.objects.count() == 1


def test_unknown_resources_and_files_are_refused(tmp_path):
    with pytest.raises(CommandError, match="Unknown resource"):
        run("import_data", "widgets", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match=r"Unknown resource “orders”\. Importable:"):
        run("import_data", "orders", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match=r"use a \.csv or \.xlsx file"):
        run("import_data", "products", str(tmp_path / "x.json"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_data", "products", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_data", "products", write(tmp_path / "fake.xlsx", "not a workbook"))


def test_import_data_adds_the_pictures_of_a_zip_beside_the_sheet(tmp_path, catalog, settings):
    import zipfile

    from PIL import Image

    settings.MEDIA_ROOT = str(tmp_path / "media")
    picture = io.BytesIO()
    Image.new("RGB", (20, 20), (9, 9, 9)).save(picture, "PNG")
    with zipfile.ZipFile(tmp_path / "pictures.zip", "w") as bundle:
        bundle.writestr("NEW-1.png", picture.getvalue())
        bundle.writestr("NEW-1_2.png", picture.getvalue())
        bundle.writestr("GONE-9.png", picture.getvalue())
    rows = ["sku,name,category,price,manufacturer", "NEW-1,Lamp,home,9.50,Auro Sleep"]
    file = write(tmp_path / "products.csv", "\n".join(rows) + "\n")

    out, _err = run("import_data", "products", file, "--images", str(tmp_path / "pictures.zip"))

    assert "pictures from pictures.zip: added 2, no product for 1, errors 0" in out
    assert Product.objects.get(sku="NEW-1").images.count() == 2
