"""Benchmark for issue #20: the import command's memory stays flat with the file's size.

`manage.py import_data` reads the file as a stream and validates and writes
IMPORT_BATCH_ROWS rows at a time inside its one transaction
(auromart.spreadsheet_batches). This runs the same command as ops do, on the
products file of bench/import_products.py, at 10,000 and 100,000 rows (1,000
and 10,000 with --quick), each in a fresh child process on an emptied product
table, and compares the peak RSS of the two: flat means the larger file's peak
is at most 1.25x the smaller's (TARGET_RATIO) while the rows grow tenfold.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/<name>_bench \
        .venv/bin/python bench/import_memory.py

Ends with `import_memory: <ratio> x target <= 1.25x PASS|FAIL` and records it
in bench/results.json. docs/performance.md records the figures.
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auromart.settings")

from bench import import_products  # noqa: E402
from bench.common import Result, report  # noqa: E402
from bench.common import setup_django as bench_setup_django  # noqa: E402

TARGET_RATIO = 1.25


def run(sizes: tuple[int, ...]) -> list[Result]:
    bench_setup_django()
    peaks = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path = Path(tmp) / f"products-{rows}.csv"
            import_products.prepare(rows, path)
            figures = import_products.child("import", path)
            if figures["rows"] != rows:
                raise SystemExit(f"wrote {figures['rows']} rows, expected {rows}")
            peaks[rows] = figures["peak_mb"]
            print(
                f"  {rows:>7,} rows  {path.stat().st_size / 2**20:5.1f} MB CSV  "
                f"{figures['seconds']:6.1f} s  {rows / figures['seconds']:7,.0f} rows/s  "
                f"peak RSS {figures['peak_mb']:5.0f} MB "
                f"(+{figures['peak_mb'] - figures['rss_before_mb']:.0f} MB over start)"
            )
        import_products.clear_products()
    small, large = min(sizes), max(sizes)
    ratio = peaks[large] / peaks[small]
    print(f"peak RSS {large:,} rows / {small:,} rows = {ratio:.2f}x")
    return [
        Result(
            name="import_memory",
            figure=round(ratio, 2),
            unit="x",
            target=f"<= {TARGET_RATIO:g}x peak RSS for 10x the rows",
            passed=ratio <= TARGET_RATIO,
            details={f"peak_mb_{rows}": round(peaks[rows]) for rows in sizes},
        )
    ]


def main(quick: bool) -> list[Result]:
    return run((1_000, 10_000) if quick else (10_000, 100_000))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int, nargs="+", help="sizes to compare")
    args = parser.parse_args()
    results = run(tuple(args.rows)) if args.rows else main(args.quick)
    report(results, quick=args.quick)
    sys.exit(0 if all(r.passed for r in results) else 1)
