"""Hand queued messages to a deliverer once the transaction that queued them commits.

NOTIFICATIONS_DELIVERY picks how:
  "celery"  a Celery task on the broker (the default when CELERY_BROKER_URL is set);
  "thread"  a small in-process thread pool (the default without a broker), so a
            request never waits for an SMTP server;
  "inline"  right away in this thread (the test suite, `deliver_outbox`).
Whatever a deliverer misses (a crash, a full pool, a server that was down) the
sweep picks up: the rows are in the database.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.conf import settings
from django.db import close_old_connections, transaction

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(
            max_workers=settings.NOTIFICATIONS_THREADS, thread_name_prefix="outbox"
        )
    return _executor


def _deliver_in_thread(dedup_keys: list[str]) -> None:
    from .services import outbox_deliver_keys

    close_old_connections()
    try:
        outbox_deliver_keys(dedup_keys=dedup_keys)
    except Exception:
        # The rows stay pending; the sweep retries them.
        logger.exception("Delivering %s in the background failed", dedup_keys)
    finally:
        close_old_connections()


def deliver_now_or_later(dedup_keys: list[str]) -> None:
    mode = settings.NOTIFICATIONS_DELIVERY
    if mode == "celery":
        from .tasks import deliver_messages

        deliver_messages.delay(dedup_keys)
    elif mode == "thread":
        _pool().submit(_deliver_in_thread, list(dedup_keys))
    elif mode == "inline":
        from .services import outbox_deliver_keys

        outbox_deliver_keys(dedup_keys=dedup_keys)
    else:  # pragma: no cover - settings validate the value
        raise ValueError(f"Unknown NOTIFICATIONS_DELIVERY {mode!r}")


def schedule_delivery(dedup_keys: list[str]) -> None:
    """Deliver these outbox rows after the current transaction commits (never if it rolls back)."""
    if dedup_keys:
        transaction.on_commit(partial(deliver_now_or_later, list(dedup_keys)))


def wait_for_background_deliveries() -> None:
    """Block until the thread pool is idle (tests, and a clean shutdown)."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=True)
        _executor = None
