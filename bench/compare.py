"""Issue #22's targets before and after, in one run: `make bench-compare` (bench/compare.py).

Runs the benchmarks of #22's targets on this tree ("after") and on the code
before each piece of #22 work ("before"), each before tree a temporary
`git worktree` with this tree's benchmark files copied in (the same method
on both sides; bench/server.py and catalog_search.py accept the older code),
on databases of its own, then prints one table. Before and after of a figure
run one after the other in the same minutes.

Which "before" (each overridable; defaults found from the history, like
order_path's hot-product baseline):

- order path (statements, CPU and lock hold of order_place, HTTP vs raw SQL;
  hot product): the parent of the commit that added inventory/stock_sql.py
  (031cb32), the code before the lean order path (#22 §1). The hot-product
  figure comes from order_path's own interleaved rounds against that commit
  (its "before" column is that run's baseline orders/s).
- catalog search at 100,000 products: the parent of the commit that added
  catalog/pagination.py (ddbd02f), before the capped count, the relevance
  order and the one-pass search (#22 §2): the code of the 103.6 ms figure.
- invoice and purchase-order PDFs: the parent of the commit that added
  invoicing/pdf_layout.py (e87cd36): #15's GST templates, the first commit
  whose benchmark renders a GST invoice and a PO through
  `invoice_pdf_bytes` / `purchase_order_pdf_bytes` (#22 §4).

Databases (names from BENCH_DATABASE_URL, default auromart_bench): after on
<name> (order path, PDFs) and <name>_search; the order path's before on
<name>_base (order_path's hot-product baseline database: the same commit);
the search's before on <name>_search_before; the PDFs' before on
<name>_pdf_before. Each is created and migrated by its own code on first use,
and the searches' 100,000 products are seeded once and kept.

    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/auromart_bench \\
        python bench/compare.py [--quick] [--only order,search,pdf]
        [--before-order C] [--before-search C] [--before-pdf C]

--quick runs the small versions (a smoke test of the harness: 10,000
products, 40 orders, 8 renders; no hot product). Timings of each step are
printed; the full run is sized for 30 minutes on a quiet 2-core machine
(docs/performance.md, "bench-compare").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from common import DEFAULT_URL  # noqa: E402

# Each bench file is copied into the before trees (the same method both sides).
COPIED = (
    "common.py",
    "server.py",
    "order_placement.py",
    "order_path.py",
    "hot_runner.py",
    "catalog_search.py",
    "invoice_pdf.py",
)


def added_parent(path: str) -> str:
    """The parent of the commit that added `path`: the code just before it."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", path],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not added:
        raise SystemExit(f"{path} has no history here: name the before commit on the command line")
    return short(f"{added[-1]}^")


def short(commit: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", commit],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _url(base: str, suffix: str) -> str:
    head, _, tail = base.rpartition("/")
    name, sep, query = tail.partition("?")
    return f"{head}/{name}{suffix}{sep}{query}"


class Runner:
    def __init__(self, base_url: str, quick: bool, tmp: Path):
        self.base_url, self.quick, self.tmp = base_url, quick, tmp
        self.trees: dict[str, Path] = {}
        self.steps: list[tuple[str, float]] = []
        self.results: dict[tuple[str, str], dict] = {}

    def tree(self, commit: str) -> Path:
        if commit not in self.trees:
            path = self.tmp / f"tree-{commit}"
            subprocess.run(
                ["git", "worktree", "add", "--detach", "--quiet", str(path), commit],
                cwd=ROOT,
                check=True,
            )
            for name in COPIED:
                shutil.copy2(ROOT / "bench" / name, path / "bench" / name)
            self.trees[commit] = path
        return self.trees[commit]

    def close(self) -> None:
        for path in self.trees.values():
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False
            )

    def run(self, label: str, side: str, bench: str, root: Path, db_suffix: str, **env) -> dict:
        """Run bench/<bench>.py in `root`; its results as {name: result}."""
        results = self.tmp / f"{side}-{bench}.json"
        environment = {
            **os.environ,
            "BENCH_DATABASE_URL": _url(self.base_url, db_suffix),
            "BENCH_RESULTS": str(results),
            **env,
        }
        environment.pop("DJANGO_SETTINGS_MODULE", None)
        command = [sys.executable, str(root / "bench" / f"{bench}.py")]
        if self.quick:
            command.append("--quick")
        print(f"== {label} {side} ({root.name}: {' '.join(command[1:])})", flush=True)
        began = time.perf_counter()
        done = subprocess.run(command, cwd=root, env=environment, text=True, capture_output=True)
        seconds = time.perf_counter() - began
        shown = [
            line
            for line in done.stdout.splitlines()
            if line.strip() and "Warning" not in line and "mw_instance" not in line
        ]
        print("\n".join(f"   {line}" for line in shown), flush=True)
        print(f"   ({seconds:.1f} s, load {os.getloadavg()[0]:.2f})", flush=True)
        self.steps.append((f"{label} {side}", seconds))
        if not results.exists():
            print(done.stderr[-3000:], flush=True)
            return {}
        stored = json.loads(results.read_text())
        self.results[(bench, side)] = stored
        return stored


def _figure(results: dict, name: str, key: str | None = None):
    result = results.get(name)
    if result is None:
        return None
    return result["details"].get(key) if key else result["figure"]


def _cell(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}{unit}" if value < 10 else f"{value:,.1f}{unit}"
    return f"{value}{unit}"


def table(runner: Runner, commits: dict[str, str]) -> list[str]:
    def got(bench: str, side: str) -> dict:
        return runner.results.get((bench, side), {})

    order_b, order_a = got("order_path", "before"), got("order_path", "after")
    search_b, search_a = got("catalog_search", "before"), got("catalog_search", "after")
    pdf_b, pdf_a = got("invoice_pdf", "before"), got("invoice_pdf", "after")
    hot = order_a.get("order_path_hot_product", {}).get("details", {})
    hot_base = hot.get("baseline_orders_per_s")
    hot_lean = hot.get("lean_orders_per_s")
    rows = [
        ("statements per order", "order", order_b, order_a, "order_path_statements", "", "<= 12"),
        ("CPU per order_place p50", "order", order_b, order_a, "order_path_cpu", " ms", "<= 15 ms"),
        (
            "stock lock hold p50",
            "order",
            order_b,
            order_a,
            "order_path_lock_hold",
            " ms",
            "<= 5 ms",
        ),
    ]
    lines = [
        "| target | before | after | target | verdict |",
        "| --- | --- | --- | --- | --- |",
    ]

    def verdict(results: dict, name: str) -> str:
        result = results.get(name)
        if result is None:
            return "—"
        if result["target"] == "reported":
            return "reported"
        return "PASS" if result["passed"] else "FAIL"

    for label, group, before, after, name, unit, target in rows:
        lines.append(
            f"| {label} | {_cell(_figure(before, name), unit)} ({commits[group]}) | "
            f"{_cell(_figure(after, name), unit)} | {target} | {verdict(after, name)} |"
        )
    hot_sha = hot.get("baseline_commit", "—")
    lines.append(
        "| hot product, 8 threads, median orders/s | "
        f"{_cell(statistics.median(hot_base) if hot_base else None)} ({hot_sha}) | "
        f"{_cell(statistics.median(hot_lean) if hot_lean else None)} "
        f"({_cell(_figure(order_a, 'order_path_hot_product'), 'x')}) | >= 1.5x | "
        f"{verdict(order_a, 'order_path_hot_product')} |"
    )
    http = "order_path_http_vs_raw"
    lines.append(
        f"| HTTP order placement / raw SQL | {_cell(_figure(order_b, http), 'x')}"
        f" ({commits['order']}) | {_cell(_figure(order_a, 'order_path_http_vs_raw'), 'x')} | "
        f">= 0.10x | {verdict(order_a, 'order_path_http_vs_raw')} |"
    )
    for label, name, target in (
        ("search API p95", "catalog_search_api", "<= 50 ms"),
        ("search page p95", "catalog_search_page", "<= 80 ms"),
    ):
        lines.append(
            f"| {label} | {_cell(_figure(search_b, name), ' ms')} ({commits['search']}) | "
            f"{_cell(_figure(search_a, name), ' ms')} | {target} | {verdict(search_a, name)} |"
        )
    for label, name, target in (
        ("invoice PDF / one-line (CPU p50)", "invoice_pdf", "<= 5x"),
        ("PO PDF / one-line (CPU p50)", "purchase_order_pdf", "reported"),
    ):
        lines.append(
            f"| {label} | {_cell(_figure(pdf_b, name), 'x')} ({commits['pdf']}) | "
            f"{_cell(_figure(pdf_a, name), 'x')} | {target} | {verdict(pdf_a, name)} |"
        )
    return lines


def compare(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="order,search,pdf")
    parser.add_argument("--before-order")
    parser.add_argument("--before-search")
    parser.add_argument("--before-pdf")
    args = parser.parse_args(argv)
    only = set(args.only.split(","))
    commits = {
        "order": short(args.before_order)
        if args.before_order
        else added_parent("inventory/stock_sql.py"),
        "search": short(args.before_search)
        if args.before_search
        else added_parent("catalog/pagination.py"),
        "pdf": short(args.before_pdf)
        if args.before_pdf
        else added_parent("invoicing/pdf_layout.py"),
    }
    base_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if "bench" not in base_url.rsplit("/", 1)[-1]:
        raise SystemExit("BENCH_DATABASE_URL's database name must contain 'bench'.")
    started = time.perf_counter()
    print(
        f"bench-compare: after = {short('HEAD')} (this tree, with its uncommitted changes); "
        f"before = {commits}; load {os.getloadavg()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        runner = Runner(base_url, args.quick, Path(tmp))
        try:
            if "order" in only:
                # order_path's hot-product rounds use <name>_base for their baseline: the same
                # commit by default, so the before tree's order figures share that database.
                runner.run(
                    "order path",
                    "before",
                    "order_path",
                    runner.tree(commits["order"]),
                    "_base",
                    BENCH_HOT="0",
                )
                runner.run(
                    "order path",
                    "after",
                    "order_path",
                    ROOT,
                    "",
                    BENCH_BASELINE_COMMIT=commits["order"],
                )
            if "pdf" in only:
                runner.run(
                    "PDFs", "before", "invoice_pdf", runner.tree(commits["pdf"]), "_pdf_before"
                )
                runner.run("PDFs", "after", "invoice_pdf", ROOT, "")
            if "search" in only:
                tree = runner.tree(commits["search"])
                runner.run("search", "before", "catalog_search", tree, "_search_before")
                runner.run("search", "after", "catalog_search", ROOT, "_search")
        finally:
            runner.close()
    lines = table(runner, commits)
    print()
    print(
        f"#22 targets, before and after ({'quick' if args.quick else 'full'} run, "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.2f}):"
    )
    print("\n".join(lines))
    print()
    for step, seconds in runner.steps:
        print(f"  {step:24s} {seconds:7.1f} s")
    print(f"  {'all':24s} {time.perf_counter() - started:7.1f} s")
    (ROOT / "bench" / "compare.md").write_text("\n".join(lines) + "\n")
    print("table written to bench/compare.md")
    return 0


if __name__ == "__main__":
    sys.exit(compare(sys.argv[1:]))
