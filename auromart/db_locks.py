"""Database-wide named locks, for work that must run on one host at a time (migrate).

MariaDB/MySQL: GET_LOCK on a connection of its own; PostgreSQL: a
session-level advisory lock; SQLite (one machine): an exclusive flock on a
file in the temp folder named after the database. Each is released when its holder ends, even by
kill -9 (the server drops a dead session's locks; the kernel a dead process's
flock), so a crashed run never leaves the next one waiting for good.
"""

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


class LockTimeout(Exception):
    """The lock was still held by someone else when the wait ran out."""


def _advisory_key(name: str) -> int:
    # pg_advisory_lock takes a signed 64-bit key.
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def database_lock(name: str, *, alias: str = "default", timeout: float = 600.0) -> Iterator[float]:
    """Hold the lock `name` across every host using database `alias`; yields seconds waited.

    Raises LockTimeout after `timeout` seconds. The lock lives on a connection
    of its own, so whatever the holder does on its usual connection (DDL that
    commits, a reconnect) cannot release it early.
    """
    started = time.monotonic()
    conn = connections.create_connection(alias)
    try:
        if conn.vendor == "mysql":
            with conn.cursor() as cursor:
                # MariaDB and MySQL cap lock names at 64 characters.
                cursor.execute("SELECT GET_LOCK(%s, %s)", [name[:64], max(0, int(timeout))])
                (got,) = cursor.fetchone()
            if got != 1:
                raise LockTimeout(f"{name} is still held after {timeout:.0f} s")
            try:
                yield time.monotonic() - started
            finally:
                with conn.cursor() as cursor:
                    cursor.execute("SELECT RELEASE_LOCK(%s)", [name[:64]])
        elif conn.vendor == "postgresql":
            key = _advisory_key(name)
            with conn.cursor() as cursor:
                cursor.execute("SET lock_timeout = %s", [f"{int(timeout * 1000)}ms"])
                try:
                    cursor.execute("SELECT pg_advisory_lock(%s)", [key])
                except Exception as exc:  # lock_not_available
                    raise LockTimeout(f"{name} is still held after {timeout:.0f} s") from exc
            try:
                yield time.monotonic() - started
            finally:
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        elif conn.is_in_memory_db():
            yield 0.0  # one process's own database: nobody to take turns with
        else:
            with _file_lock(_lock_path(str(conn.settings_dict["NAME"]), name), timeout):
                yield time.monotonic() - started
    finally:
        conn.close()


def _lock_path(database: str, name: str) -> str:
    # In the temp folder, not beside the database: nothing to clean up in the repo.
    digest = hashlib.sha256(os.path.abspath(database).encode()).hexdigest()[:16]
    return os.path.join(tempfile.gettempdir(), f"auromart-{digest}.{name}.lock")


@contextmanager
def _file_lock(path: str, timeout: float) -> Iterator[None]:
    with open(path, "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path} is still locked after {timeout:.0f} s") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
