"""Celery beat as a singleton: any number of beats may run, one sends.

Every beat runs this scheduler (settings: CELERY_BEAT_SCHEDULER). A beat sends
periodic tasks only while it holds a lock in Redis (BEAT_LOCK_URL, the
broker by default): a key with a random token and a TTL of BEAT_LOCK_SECONDS
(30), set only if absent and extended by its holder every third of the TTL.
The others stand by, trying every third of the TTL, so when the holder dies
one of them takes over within one TTL. Before each send the holder checks the
token is still its own, so a holder that stalled past its TTL (and was
replaced) sends nothing more.

Each beat, holder or not, also writes a heartbeat key per host
(`auromart:beat:heartbeat:<hostname>`, the time of its last tick) that the
container health check reads: `python manage.py beat_health`.
"""

import contextlib
import logging
import socket
import time

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

LOCK_KEY = "auromart:beat:lock"
HEARTBEAT_KEY = "auromart:beat:heartbeat:{host}"


def lock_client() -> redis.Redis:
    url = settings.BEAT_LOCK_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "Celery beat's singleton lock needs Redis: set BEAT_LOCK_URL (or a Redis "
            "CELERY_BROKER_URL)."
        )
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def heartbeat_key(host: str | None = None) -> str:
    return HEARTBEAT_KEY.format(host=host or socket.gethostname())


class SingletonScheduler(PersistentScheduler):
    """PersistentScheduler that sends only while it holds the beat lock."""

    def __init__(self, *args, **kwargs):
        self.lock_seconds = settings.BEAT_LOCK_SECONDS
        self.redis = lock_client()
        self.lock = self.redis.lock(
            LOCK_KEY, timeout=self.lock_seconds, blocking=False, thread_local=False
        )
        self.holding = False
        self.next_check = 0.0
        super().__init__(*args, **kwargs)

    @property
    def check_every(self) -> float:
        return self.lock_seconds / 3

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now >= self.next_check:
            self.next_check = now + self.check_every
            self.holding = self._hold()
            self._heartbeat()
        if not self.holding:
            return self.check_every  # standing by
        return min(super().tick(*args, **kwargs), self.check_every)

    def apply_entry(self, entry, producer=None):
        # The token is checked right before each send: a holder that stalled
        # past its TTL and was replaced must not send beside its successor.
        try:
            owned = self.lock.owned()
        except redis.RedisError:
            owned = False
        if not owned:
            self.holding = False
            logger.warning("Beat lock lost: %s not sent by this beat", entry.task)
            return
        super().apply_entry(entry, producer=producer)

    def _hold(self) -> bool:
        try:
            if self.holding:
                self.lock.reacquire()  # extend to a full TTL; raises when lost
                return True
            if self.lock.acquire(blocking=False):
                logger.info("Beat lock taken: this beat sends the periodic tasks")
                return True
            return False
        except redis.exceptions.LockError:
            logger.warning("Beat lock lost (it expired): standing by")
            return False
        except redis.RedisError as exc:
            logger.warning("Beat lock unavailable (%s): standing by", exc)
            return False

    def _heartbeat(self) -> None:
        with contextlib.suppress(redis.RedisError):
            self.redis.set(heartbeat_key(), f"{time.time():.3f}", ex=max(60, 3 * self.lock_seconds))

    def close(self):
        if self.holding:
            with contextlib.suppress(redis.RedisError):
                self.lock.release()  # the next beat takes over now, not after a TTL
            self.holding = False
        super().close()
