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
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.conf import settings
from django.db import close_old_connections, transaction

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None

# After a failed publish, further hand-overs skip the broker for this long and
# leave their rows to the sweep: one request (which may queue several batches)
# or a burst of them pays the broker's timeout once, not once per batch.
BROKER_DOWN_PAUSE_SECONDS = 30.0
_broker_down_until = 0.0


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


def _hand_to_broker(dedup_keys: list[str]) -> None:
    global _broker_down_until
    from .tasks import deliver_messages

    if time.monotonic() < _broker_down_until:
        logger.info("The broker was down moments ago; %s wait for the sweep", dedup_keys)
        return
    try:
        # No result to wait for: with the Redis result backend, a call that
        # keeps its result also subscribes to it, which retries a dead Redis
        # for about 20 s before giving up.
        deliver_messages.apply_async((dedup_keys,), ignore_result=True)
    except Exception:
        # The broker is down (or refused the message). This runs after the
        # commit: the order (or whatever queued these) stands, and raising
        # would turn its response into an error. The rows stay pending and the
        # sweep delivers them once the broker is back.
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE_SECONDS
        logger.warning(
            "Could not hand %s to the broker; the outbox sweep will deliver them",
            dedup_keys,
            exc_info=True,
        )
    else:
        _broker_down_until = 0.0


def broker_down_forget() -> None:
    """Try the broker again on the next hand-over (tests, after the broker is back)."""
    global _broker_down_until
    _broker_down_until = 0.0


def deliver_now_or_later(dedup_keys: list[str]) -> None:
    mode = settings.NOTIFICATIONS_DELIVERY
    if mode == "celery":
        _hand_to_broker(dedup_keys)
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
