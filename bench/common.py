"""Shared plumbing of the benchmarks: the database, timing, percentiles, the result line.

Every benchmark module has `main(quick: bool) -> list[Result]` and can run on
its own (`python bench/<name>.py [--quick]`); `bench/run` runs them all.
Each prints its figures and ends with one line per target:

    NAME: <figure> target <target> PASS|FAIL

and records it in bench/results.json (one object per benchmark name, merged
with what is there, so a single benchmark can be re-run). Baselines run in
the same process run as what they are compared with.

The database is MariaDB, in a database of its own whose name contains
"bench" (BENCH_DATABASE_URL, default mysql://root@127.0.0.1:3306/auromart_bench);
benchmarks empty the tables they fill, so never point this at real data.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS: another file (bench/compare.py gives each run its own).
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results.json")
DEFAULT_URL = "mysql://root@127.0.0.1:3306/auromart_bench"
# Tables migrations fill (truncate_data keeps them); everything else is benchmark data.
KEEP_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


@dataclass
class Result:
    name: str
    figure: float
    unit: str
    target: str
    passed: bool
    details: dict = field(default_factory=dict)

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"{self.name}: {self.figure:g} {self.unit} target {self.target} {verdict}"


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    name = url.rsplit("/", 1)[-1].split("?")[0]
    if "bench" not in name:
        sys.exit(f"Refusing database {name!r}: a benchmark database's name must contain 'bench'.")
    return url


def create_database(url: str | None = None) -> None:
    """Create the MariaDB database if it is missing (utf8mb4)."""
    url = url or database_url()
    name = url.rsplit("/", 1)[-1].split("?")[0]
    subprocess.run(
        [
            "mariadb",
            "--protocol=tcp",
            "-h",
            "127.0.0.1",
            "-u",
            "root",
            "-e",
            f"CREATE DATABASE IF NOT EXISTS `{name}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        ],
        check=True,
    )


def setup_django(*, migrate: bool = True, settings: str = "auromart.settings") -> None:
    """Point Django at the bench database (production-like settings, DEBUG off) and migrate.

    Once per process: bench/suite.py runs every benchmark in one, and the
    second call finds Django set up and the database migrated.
    """
    from django.apps import apps

    if apps.ready:
        return
    url = database_url()
    create_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def truncate_data() -> None:
    """Empty every data table. Only those holding rows are truncated: a TRUNCATE is DDL
    (InnoDB recreates the table's file, 30-60 ms each), and of the 100-odd tables most are
    empty between benchmarks; one statement finds which hold rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            " AND table_type = 'BASE TABLE'"
        )
        tables = [row[0] for row in cursor.fetchall() if row[0] not in KEEP_TABLES]
        if not tables:
            return
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s FROM DUAL WHERE EXISTS (SELECT 1 FROM `{table}`)" for table in tables
            ),
            tables,
        )
        tables = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        for table in tables:
            cursor.execute(f"TRUNCATE TABLE `{table}`")
        cursor.execute("SET FOREIGN_KEY_CHECKS = 1")


def defaults_for(table: str, columns: tuple[str, ...]) -> dict[str, object]:
    """The model's value for every NOT NULL column the rows leave out (columns added since
    this seed was written, e.g. GST's), so that a new field does not break the raw INSERTs:
    its default, else "" for text and 0 for numbers."""
    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    extra = {}
    for model_field in model._meta.concrete_fields:
        if model_field.column in columns or model_field.null or model_field.primary_key:
            continue
        default = model_field.get_default()
        if default is None:
            default = "" if model_field.empty_strings_allowed else 0
        extra[model_field.column] = default
    return extra


def with_defaults(table: str, sql: str, rows: int = 1) -> tuple[str, list]:
    """`sql` ("INSERT INTO <table> (cols) VALUES (<one row>)") with every NOT NULL
    column it leaves out added, for `rows` rows; returns the statement and the
    added values of one row (append them to each row's parameters)."""
    head, values = sql.split(" VALUES ", 1)
    columns = tuple(c.strip() for c in head[head.index("(") + 1 : head.rindex(")")].split(","))
    extra = defaults_for(table, columns)
    added = "".join(f", {c}" for c in extra)
    one = values.strip()[:-1] + ", %s" * len(extra) + ")"
    statement = f"{head[: head.rindex(')')]}{added}) VALUES " + ", ".join([one] * rows)
    return statement, list(extra.values())


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - start, value


def rss_mb() -> float:
    """Current resident set size of this process in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def report(results: list[Result], *, quick: bool) -> None:
    """Print each result line and merge them into bench/results.json."""
    try:
        stored = json.loads(RESULTS.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        stored = {}
    for result in results:
        print(result.line(), flush=True)
        stored[result.name] = {**asdict(result), "quick": quick, "machine": machine()}
    RESULTS.write_text(json.dumps(stored, indent=2, sort_keys=True, default=str) + "\n")


def cli(main) -> None:
    """`python bench/<name>.py [--quick]`: run one benchmark, report, exit 1 on a FAIL."""
    quick = "--quick" in sys.argv[1:]
    results = main(quick=quick)
    report(results, quick=quick)
    sys.exit(0 if all(r.passed for r in results) else 1)
