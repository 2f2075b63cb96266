"""`import_data` in batches: one transaction for the file, spreadsheet row numbers, flat memory."""

import io
import tracemalloc

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Category, Product
from catalog.tests.factories import CategoryFactory, ManufacturerFactory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args):
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines(), str(error.value)


@pytest.fixture
def catalog():
    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")


def products_csv(path, count, *, bad=(), blank_after=None):
    lines = ["sku,name,category,price,manufacturer"]
    for n in range(count):
        price = "cheap" if n in bad else f"{n + 1}.00"
        lines.append(f"B-{n:05d},Batch {n},home,{price},Auro Sleep")
        if n == blank_after:
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_file_of_several_batches_is_imported_whole(tmp_path, catalog):
    file = products_csv(tmp_path / "p.csv", 25)
    out, _ = run("import_data", "products", file, "--batch-size", "10", "--no-progress")
    assert "25 rows read and processed" in out and "in batches of 10" in out
    assert "created 25, updated 0, skipped 0 (unchanged), errors 0" in out
    assert Product.objects.count() == 25


def test_a_bad_row_in_a_later_batch_leaves_the_earlier_batches_unwritten(tmp_path, catalog):
    # Rows 2-11 and 12-21 are valid batches; row 24 (index 22) is bad. A blank
    # line after index 4 is a row of the spreadsheet too: the bad row is row 25.
    file = products_csv(tmp_path / "p.csv", 30, bad={22}, blank_after=4)
    lines, message = failing("import_data", "products", file, "--batch-size", "10", "--no-progress")
    assert message.startswith("1 error(s) in p.csv: nothing was imported.")
    assert "  row 25, column price: Enter an amount such as 1299.00 (got “cheap”)." in lines
    assert not Product.objects.exists()


def test_a_key_repeated_in_another_batch_is_an_error_naming_both_rows(tmp_path, catalog):
    path = tmp_path / "dup.csv"
    rows = ["sku,name,category,price,manufacturer"]
    rows += [f"D-{n},Dup {n},home,1.00,Auro Sleep" for n in range(6)]
    rows.append("D-1,Again,home,1.00,Auro Sleep")  # row 8, D-1 is row 3
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines, _ = failing("import_data", "products", str(path), "--batch-size", "4", "--no-progress")
    assert any(
        line.startswith("  row 8, column sku: The same sku is already in row 3") for line in lines
    ), lines
    assert not Product.objects.exists()


def test_the_dry_run_checks_every_batch_and_writes_nothing(tmp_path, catalog):
    file = products_csv(tmp_path / "p.csv", 25)
    out, _ = run(
        "import_data", "products", file, "--batch-size", "10", "--dry-run", "--no-progress"
    )
    assert "created 25" in out and "Dry run" in out
    assert not Product.objects.exists()


def test_a_wrong_header_is_reported_once(tmp_path, catalog):
    path = tmp_path / "h.csv"
    path.write_text("sku,nmae\n" + "".join(f"H-{n},x\n" for n in range(25)), encoding="utf-8")
    lines, _ = failing("import_data", "products", str(path), "--batch-size", "10", "--no-progress")
    assert sum("column nmae: Unknown column" in line for line in lines) == 1


def test_a_row_longer_than_the_header_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("slug,name\nok,Fine\nlong,Long,extra\n", encoding="utf-8")
    lines, _ = failing("import_data", "categories", str(path), "--no-progress")
    assert "  row 3: This row has more cells than the header has columns." in lines
    assert not Category.objects.filter(slug="ok").exists()


def test_a_csv_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("slug,name\ncafe,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not a UTF-8 CSV"):
        run("import_data", "categories", str(path), "--no-progress")


def prices_csv(path, count):
    with path.open("w", encoding="utf-8") as handle:
        handle.write("sku,price\n")
        for n in range(count):
            handle.write(f"MEM-{n:06d},{n % 900 + 100}.25\n")
    return str(path)


def peak_kib(file, batch_size):
    tracemalloc.start()
    try:
        run(
            "import_data",
            "product-prices",
            file,
            "--batch-size",
            str(batch_size),
            "--dry-run",
            "--no-progress",
        )
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_in_batches_and_grows_in_one(tmp_path):
    """Python's peak allocations (tracemalloc) while checking 400 and 3,200 price rows.

    In batches of 200 the larger file adds under 400 bytes a row (about 150
    measured before price lists, 240-320 since, cause not found: the keys seen,
    so that a SKU may appear once per file, are about 150); the same
    files as one batch (what the command did before: the whole file at once)
    add several times that (about 1,800 measured), so the test tells the two
    apart.
    """
    category, maker = CategoryFactory(), ManufacturerFactory()
    Product.objects.bulk_create(
        Product(
            sku=f"MEM-{n:06d}",
            name=f"Mem {n}",
            slug=f"mem-{n}",
            category=category,
            price=1,
            manufacturer=maker,
            supplier=maker,
        )
        for n in range(3_200)
    )
    # 2,800 rows apart: the peak of one run varies by some 100 KiB, so the
    # files must differ by enough rows that this noise stays far below the bound.
    small = prices_csv(tmp_path / "small.csv", 400)
    large = prices_csv(tmp_path / "large.csv", 3_200)
    batched = peak_kib(small, 200), peak_kib(large, 200)
    whole = peak_kib(small, 100_000), peak_kib(large, 100_000)
    per_row_batched = (batched[1] - batched[0]) * 1024 / 2_800
    per_row_whole = (whole[1] - whole[0]) * 1024 / 2_800
    print("PERROW", per_row_batched, per_row_whole)
    assert per_row_batched < 400, (batched, whole)
    assert per_row_whole > 3 * per_row_batched, (batched, whole)
