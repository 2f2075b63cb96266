"""`migrate` under a database lock: concurrent runs take turns, the second finds nothing to do."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import MySQLdb
import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from auromart.db_locks import LockTimeout, database_lock

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_a_held_lock_makes_the_next_holder_wait_and_times_out():
    with database_lock("auromart.test-lock", timeout=5):
        started = time.monotonic()
        with pytest.raises(LockTimeout), database_lock("auromart.test-lock", timeout=1):
            pass
        assert 0.9 <= time.monotonic() - started < 4
    with database_lock("auromart.test-lock", timeout=1) as waited:  # free again
        assert waited < 1


@pytest.mark.django_db(transaction=True)
def test_a_waiter_gets_the_lock_as_soon_as_the_holder_lets_go():
    released_at = []
    holding = threading.Event()

    def holder():
        with database_lock("auromart.test-lock", timeout=5):
            holding.set()
            time.sleep(1.0)
            released_at.append(time.monotonic())

    thread = threading.Thread(target=holder)
    thread.start()
    assert holding.wait(10)
    with database_lock("auromart.test-lock", timeout=10) as waited:
        got_at = time.monotonic()
    thread.join()
    assert waited > 0.5 and got_at >= released_at[0]


def _scratch_database() -> tuple[dict, str, str]:
    """An empty MariaDB database of this run's own (`<run's database>_migrate`), freshly made."""
    db = connection.settings_dict
    name = db["NAME"].removeprefix("test_") + "_migrate"
    server = MySQLdb.connect(
        host=db["HOST"] or "127.0.0.1",
        port=int(db["PORT"] or 3306),
        user=db["USER"],
        password=db["PASSWORD"] or "",
    )
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    server.close()
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"mysql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{name}"
    return db, url, name


@pytest.mark.skipif(
    connection.vendor != "mysql",
    reason="GET_LOCK and DDL that races on a server need MariaDB/MySQL (CI's MariaDB run "
    "executes it); on SQLite a file lock does the same on one machine",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_migrate_runs_on_an_empty_database_both_exit_0():
    db, url, name = _scratch_database()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "auromart.settings_test", "DATABASE_URL": url}
    command = [sys.executable, "manage.py", "migrate", "--noinput"]
    runs = []
    try:
        for _ in range(2):
            runs.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
            )
        outputs = [run.communicate(timeout=540)[0].decode() for run in runs]
        codes = [run.returncode for run in runs]
        assert codes == [0, 0], outputs

        applying = [out.count("  Applying ") for out in outputs]
        expected = len(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
        # One run applied everything; the other waited for it and had nothing left.
        assert sorted(applying) == [0, expected], outputs
        assert "No migrations to apply." in outputs[applying.index(0)]

        server = MySQLdb.connect(
            host=db["HOST"] or "127.0.0.1",
            port=int(db["PORT"] or 3306),
            user=db["USER"],
            password=db["PASSWORD"] or "",
            database=name,
        )
        with server.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM django_migrations")
            assert cursor.fetchone()[0] == expected
            cursor.execute(f"DROP DATABASE `{name}`")
        server.close()
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
