"""Benchmark for issue #9: import 100,000 product rows, against a bare bulk_create of the same rows.

Both run in the same invocation, on the same file, each in a fresh child
process on an emptied product table, so their rows/s and peak memory compare
directly. The import is exactly what ops run: `manage.py import_data products
FILE` (django-import-export's bulk mode, our validation). The baseline reads
the same CSV with the csv module, builds the same Product objects (same slugs,
same foreign keys) and calls Product.objects.bulk_create(batch_size=1000) in
one transaction: nothing is checked, nothing is looked up per row. Both end
with the same rows, which the script verifies (a digest of every product row).

Run it on MariaDB, in a database of its own (BENCH_DATABASE_URL, see
bench/common.py; the script flushes it first and refuses a database whose name
does not contain "bench"):

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench_import \
        .venv/bin/python bench/import_products.py    # --quick: 5,000 rows, one run each
    # options: --rows N (default 100000), --repeat N (default 2)

`bench/run` calls main(quick). It prints the figures and ends with the lines
`import_rate: <rows/s> rows/s target >= 2000 rows/s PASS|FAIL` and
`import_ratio: <ratio> x target <= 3x bare bulk_create PASS|FAIL`, records them
in bench/results.json and exits 1 on FAIL. `docs/performance.md` records the figures.
"""

import argparse
import csv
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auromart.settings")

from bench.common import Result, report, truncate_data  # noqa: E402
from bench.common import setup_django as bench_setup_django  # noqa: E402

TARGET_RATE = 2000
TARGET_RATIO = 3.0
CATEGORIES = 12
MANUFACTURERS = 6
DISTRIBUTORS = 3
HEADER = [
    "sku",
    "name",
    "description",
    "category",
    "price",
    "manufacturer",
    "supplier",
    "reorder_level",
    "reorder_quantity",
    "pack_size",
    "lead_time_days",
    "is_active",
]
WORDS = ["Cloud", "Harbor", "Volt", "North", "Auro", "Lumen", "Terra", "Nimbus", "Cedar", "Opal"]
THINGS = ["Mattress", "Pillow", "Lamp", "Kettle", "Jacket", "Shelf", "Rug", "Fan", "Tray", "Mug"]


def setup_django():
    import django

    django.setup()


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- Set-up (parent process) -----------------------------------------------------


def prepare(rows: int, path: Path) -> None:
    from django.db import connection

    from accounts.agreements import agreement_accept_by_staff
    from accounts.models import Organization
    from accounts.services import organization_create
    from catalog.models import Category
    from catalog.services import category_create

    # The bench database is shared by the benchmarks: start from empty tables, so no
    # other benchmark's stock or orders point at the products cleared between phases
    # (truncate_data: only the tables holding rows; `flush` truncated all 100-odd, ~4 s).
    truncate_data()
    if not Category.objects.filter(slug__startswith="bench-").exists():
        for n in range(CATEGORIES):
            category_create(name=f"Bench {n}")
    for n in range(MANUFACTURERS):
        if not Organization.objects.filter(name=f"Bench Maker {n}").exists():
            organization_create(name=f"Bench Maker {n}", kind=Organization.Kind.MANUFACTURER)
    for n in range(DISTRIBUTORS):
        if not Organization.objects.filter(name=f"Bench Hub {n}").exists():
            organization_create(name=f"Bench Hub {n}", kind=Organization.Kind.DISTRIBUTOR)
    # A product may name a distributor as supplier only under an accepted agreement (#12).
    hubs = Organization.objects.filter(name__startswith="Bench Hub ")
    for maker in Organization.objects.filter(name__startswith="Bench Maker "):
        for hub in hubs:
            agreement_accept_by_staff(manufacturer=maker, distributor=hub)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            name = f"{WORDS[n % 10]} {THINGS[n // 10 % 10]} {n:06d}"
            writer.writerow(
                [
                    f"BENCH-{n:06d}",
                    name,
                    f"{name}: made for the import benchmark.",
                    f"bench-{n % CATEGORIES}",
                    f"{(n % 5000) + 99}.{n % 100:02d}",
                    f"Bench Maker {n % MANUFACTURERS}",
                    f"Bench Hub {n % DISTRIBUTORS}" if n % 4 == 0 else "",
                    n % 20,
                    50 + n % 7 * 10,
                    1 + n % 3,
                    3 + n % 10,
                    "yes" if n % 50 else "no",
                ]
            )
    connection.close()


def clear_products() -> None:
    from catalog.models import Product

    # The bench database holds no stock or orders, so nothing points at them.
    Product.objects.all()._raw_delete(Product.objects.db)


# --- Phases (child processes) ---------------------------------------------------------


def phase_baseline(path: Path) -> dict:
    from django.db import transaction
    from django.utils.text import slugify

    from accounts.models import Organization
    from catalog.models import Category, Product

    categories = {c.slug: c.pk for c in Category.objects.all()}
    organizations = {o.name: o.pk for o in Organization.objects.all()}
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        products = []
        for row in csv.DictReader(handle):
            manufacturer = organizations[row["manufacturer"]]
            products.append(
                Product(
                    sku=row["sku"],
                    name=row["name"],
                    slug=slugify(row["name"]),
                    description=row["description"],
                    category_id=categories[row["category"]],
                    price=Decimal(row["price"]),
                    manufacturer_id=manufacturer,
                    supplier_id=organizations[row["supplier"]] if row["supplier"] else manufacturer,
                    reorder_level=int(row["reorder_level"]),
                    reorder_quantity=int(row["reorder_quantity"]),
                    pack_size=int(row["pack_size"]),
                    lead_time_days=int(row["lead_time_days"]),
                    is_active=row["is_active"] == "yes",
                )
            )
    built = time.perf_counter()
    with transaction.atomic():
        Product.objects.bulk_create(products, batch_size=1000)
    done = time.perf_counter()
    return {"seconds": done - started, "read_and_build": built - started, "insert": done - built}


def phase_import(path: Path) -> dict:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_data", "products", str(path), "--no-progress", stdout=out)
    done = time.perf_counter()
    return {"seconds": done - started, "summary": out.getvalue().strip().splitlines()[:2]}


def digest() -> tuple[int, str]:
    """A fingerprint of every product row's content, to prove both phases wrote the same."""
    from catalog.models import Product

    sha = hashlib.sha256()
    fields = [
        "sku",
        "name",
        "slug",
        "description",
        "category_id",
        "price",
        "manufacturer_id",
        "supplier_id",
        "reorder_level",
        "reorder_quantity",
        "order_up_to_level",
        "pack_size",
        "minimum_order_quantity",
        "lead_time_days",
        "is_active",
    ]
    count = 0
    for row in Product.objects.order_by("sku").values_list(*fields).iterator(chunk_size=5000):
        sha.update(repr(row).encode())
        count += 1
    return count, sha.hexdigest()[:16]


def run_phase(name: str, path: Path) -> None:
    setup_django()
    clear_products()
    rss_before = rss_mb()
    figures = {"baseline": phase_baseline, "import": phase_import}[name](path)
    figures["peak_mb"] = peak_mb()
    figures["rss_before_mb"] = rss_before
    figures["rows"], figures["digest"] = digest()
    print(repr(figures))


def child(name: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout
    return eval(out.strip().splitlines()[-1], {"__builtins__": {}}, {})  # our own repr()


def run(rows: int, repeat: int) -> list[Result]:
    bench_setup_django()
    from django.db import connection

    database = connection.settings_dict["NAME"]
    vendor = connection.vendor
    if vendor == "mysql":
        vendor += " " + ".".join(map(str, connection.mysql_version))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "products.csv"
        prepare(rows, path)
        size = path.stat().st_size / 2**20
        print(
            f"{rows:,} product rows, {size:.1f} MB CSV, {vendor}, "
            f"database {database}; {os.cpu_count()} CPUs"
        )
        runs = {"baseline": [], "import": []}
        for n in range(repeat):
            for name in ("baseline", "import"):
                figures = child(name, path)
                if figures["rows"] != rows:
                    raise SystemExit(f"{name}: wrote {figures['rows']} rows, expected {rows}")
                runs[name].append(figures)
                growth = figures["peak_mb"] - figures["rss_before_mb"]
                print(
                    f"  run {n + 1} {name:8s} {figures['seconds']:7.2f} s  "
                    f"{rows / figures['seconds']:9,.0f} rows/s  "
                    f"peak RSS {figures['peak_mb']:6.0f} MB (+{growth:.0f} MB over start)  "
                    f"digest {figures['digest']}"
                )
        clear_products()
    digests = {f["digest"] for name in runs for f in runs[name]}
    if len(digests) != 1:
        raise SystemExit(f"The phases wrote different rows: digests {sorted(digests)}")
    best = {name: min(runs[name], key=lambda f: f["seconds"]) for name in runs}
    base = best["baseline"]
    rate = rows / best["import"]["seconds"]
    ratio = best["import"]["seconds"] / base["seconds"]
    insert_ratio = best["import"]["seconds"] / base["insert"]
    print(
        f"best: import {rate:,.0f} rows/s, peak RSS {best['import']['peak_mb']:.0f} MB; "
        f"bare bulk_create {rows / base['seconds']:,.0f} rows/s "
        f"(read+build {base['read_and_build']:.2f} s, bulk_create alone {base['insert']:.2f} s), "
        f"peak RSS {base['peak_mb']:.0f} MB"
    )
    print(
        f"import / baseline = {ratio:.2f}x; import / bulk_create call alone = {insert_ratio:.2f}x"
    )
    details = {
        "rows": rows,
        "baseline_rows_per_s": round(rows / base["seconds"]),
        "import_peak_mb": round(best["import"]["peak_mb"]),
        "baseline_peak_mb": round(base["peak_mb"]),
    }
    return [
        Result(
            name="import_rate",
            figure=round(rate),
            unit="rows/s",
            target=f">= {TARGET_RATE} rows/s",
            passed=rate >= TARGET_RATE,
            details=details,
        ),
        Result(
            name="import_ratio",
            figure=round(ratio, 2),
            unit="x",
            target=f"<= {TARGET_RATIO:g}x bare bulk_create",
            passed=ratio <= TARGET_RATIO,
            details=details,
        ),
    ]


def main(quick: bool) -> list[Result]:
    """bench/run's entry point: 100,000 rows, best of two runs; quick: 5,000 rows, one run."""
    return run(5_000, 1) if quick else run(100_000, 2)


def _cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 rows, one run of each.")
    parser.add_argument("--rows", type=int, help="Default 100000 (5000 with --quick).")
    parser.add_argument("--repeat", type=int, help="Runs of each phase; best counts.")
    parser.add_argument("--phase", choices=["baseline", "import"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.file)
        return 0
    rows = args.rows or (5_000 if args.quick else 100_000)
    repeat = args.repeat or (1 if args.quick else 2)
    results = run(rows, repeat)
    report(results, quick=args.quick)
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(_cli())
