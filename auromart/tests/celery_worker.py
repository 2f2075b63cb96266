"""A real Celery worker process for the tests that need one (CI's Redis run)."""

import os
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_the_test_database() -> str:
    """The test database as a DATABASE_URL, for a worker process that shares it (MariaDB)."""
    from django.db import connection

    db = connection.settings_dict
    return f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 3306}/{db['NAME']}"


@dataclass
class Worker:
    process: subprocess.Popen
    output: str = ""  # everything it printed, once it has stopped


@contextmanager
def celery_worker(queue: str, *, loglevel: str = "warning", env: dict | None = None):
    """Run `celery worker` on `queue` (solo pool) for the block; stop it and keep its output."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "auromart", "worker", "-P", "solo"),
            *("-Q", queue, "-n", f"{queue}@%h", "-l", loglevel),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "auromart.settings_test", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = Worker(process)
    try:
        yield worker
    finally:
        process.terminate()
        try:
            worker.output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            worker.output, _ = process.communicate()
