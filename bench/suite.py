"""Run every benchmark's main() in one process: `python bench/suite.py [--quick]`.

bench/run uses it, so Django starts and the bench database is migrated once
instead of once per benchmark (about 3 s each). A benchmark that raises is
reported as an error line and the others still run. Prints each result line
and merges them into bench/results.json, like a benchmark run alone.
Exit status: 1 when a benchmark failed its target or raised (bench/run
ignores it with --quick).
"""

from __future__ import annotations

import importlib
import resource
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from common import report, setup_django  # noqa: E402

# Run only when named (`bench/run load`, `make bench-load`): the mixed load needs
# Redis and starts a Celery worker, which `make bench` does not assume.
SEPARATE = {"load"}


def modules() -> list[str]:
    """bench/*.py that define main(quick), in name order (but SEPARATE)."""
    names = []
    for path in sorted(BENCH.glob("*.py")):
        if path.stem in {"common", "server", "suite", "__init__", *SEPARATE}:
            continue
        if any(line.startswith("def main(") for line in path.read_text().splitlines()):
            names.append(path.stem)
    return names


def cpu_seconds() -> float:
    """User + system CPU of this process and its finished children (gunicorn, import children)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(quick: bool, only: list[str] | None = None) -> int:
    failed = False
    started = time.perf_counter()
    # Django and the migrated database first, timed on their own (a fresh database's
    # migrate is most of a quick run): the benchmarks then find them ready.
    setup_django()
    print(
        f"(Django set up, database migrated: {time.perf_counter() - started:.1f} s, "
        f"CPU {cpu_seconds():.1f} s)",
        flush=True,
    )
    for name in only or modules():
        print(f"== {name}{' --quick' if quick else ''}", flush=True)
        began, cpu = time.perf_counter(), cpu_seconds()
        try:
            results = importlib.import_module(name).main(quick=quick)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            print(f"{name}: error (see the traceback above)", flush=True)
            failed = True
            continue
        report(results, quick=quick)
        failed = failed or not all(result.passed for result in results)
        print(
            f"({name}: {time.perf_counter() - began:.1f} s, CPU {cpu_seconds() - cpu:.1f} s)",
            flush=True,
        )
    print(
        f"== all benchmarks: {time.perf_counter() - started:.1f} s, CPU {cpu_seconds():.1f} s; "
        "results: bench/results.json"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(run("--quick" in args, [a for a in args if not a.startswith("--")] or None))
