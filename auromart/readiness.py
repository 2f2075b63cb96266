"""Readiness: can this process serve traffic? Each dependency is checked with a time limit.

The checks run at once, each in a thread of a small pool and each with its
own client-side timeout too (settings bound the cache's and the broker's
sockets, storage's boto3 client, the database's connect), so a frozen
dependency makes /readyz answer 503 within about READINESS_TIMEOUT seconds
instead of hanging the probe.
"""

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # A pool thread: never keep its connection past the check.
        close_old_connections()
        connection.close()


def check_cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not give back what was just stored")
    cache.delete(key)


def check_broker() -> None:
    from auromart.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=settings.READINESS_TIMEOUT)


def check_storage() -> None:
    default_storage.exists("readyz-probe")  # a HEAD on a bucket, a stat on disk


def checks() -> dict[str, Callable[[], None]]:
    """The dependencies of this deployment: the broker only when one is configured."""
    found = {"database": check_database, "cache": check_cache, "storage": check_storage}
    if settings.CELERY_BROKER_URL:
        found["broker"] = check_broker
    return found


def readiness() -> tuple[bool, dict]:
    """(ready, the JSON body): every check's outcome and how long it took."""
    started = time.monotonic()
    futures = {
        name: (_pool.submit(_timed, check), time.monotonic()) for name, check in checks().items()
    }
    results, failing = {}, []
    for name, (future, _) in futures.items():
        remaining = max(0.0, settings.READINESS_TIMEOUT - (time.monotonic() - started))
        try:
            results[name] = future.result(timeout=remaining)
        except FutureTimeout:
            results[name] = {
                "ok": False,
                "error": f"no answer within {settings.READINESS_TIMEOUT:g} s",
                "ms": round(settings.READINESS_TIMEOUT * 1000),
            }
        if not results[name]["ok"]:
            failing.append(name)
            logger.warning("Readiness check %s failed: %s", name, results[name]["error"])
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": results}
    return not failing, body


def _timed(check: Callable[[], None]) -> dict:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:
        logger.info("Readiness check %s raised", check.__name__, exc_info=True)
        # The class only: the message can name internal hosts.
        outcome = {"ok": False, "error": type(exc).__name__}
    else:
        outcome = {"ok": True}
    outcome["ms"] = round((time.monotonic() - started) * 1000, 1)
    return outcome
