"""Delivering outbox rows: exactly one deliverer sends a row, and a crash never sends it twice.

The promise: never duplicated automatically, never lost silently.

- **Claim.** message_deliver claims a row (pending and due -> sending) with one
  conditional UPDATE that also bumps `attempts`; of any number of deliverers
  racing for it one wins. The claim is a lease of NOTIFICATIONS_CLAIM_SECONDS
  (45 s), renewed every third of it while the transport runs, so a live
  deliverer keeps its row however slow the provider is, and a dead one's row
  is free again within one lease. `attempts` is the claim's fencing token:
  every later write of this attempt (renewal, handoff marker, outcome) is
  conditional on it, so a deliverer that lost its lease cannot overwrite what
  the sweep or the next attempt recorded.
- **Handoff marker.** The transport records, just before the provider can
  see the message, the id the provider will know it by (our Message-ID, the
  webhook's Idempotency-Key, or `handoff:<pk>` for an ESP's API).
- **The provider's answer first.** The moment the provider accepts (SMTP's
  250 to the end of DATA, the ESP's or webhook's 2xx) the row is recorded
  `sent`, before the connection is closed or anything else is done.
- **Recovery** (outbox_release_interrupted, run by every sweep): a row still
  `sending` after its lease ran out lost its deliverer. Without a marker
  nothing reached the provider: it is due again at once. With a marker the
  outcome is unknown, and it is sent again only where a repeat is harmless by
  construction (the webhook: the receiver drops a repeated Idempotency-Key).
  SMTP and ESP APIs have no such key: the server may have kept the message
  and lost only its answer to us, so the row is failed with an explanation
  for a person to check and resend from the admin; nothing is resent blind.
  With the 45 s lease and beat's 60 s sweep that happens within 105 s.
"""

import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import MessageStatus, OutboundMessage
from .sms import OUTCOME_UNKNOWN_ERROR, OutcomeUnknown
from .transports import TRANSPORTS, PermanentError, retry_safe_after_handoff

logger = logging.getLogger(__name__)

INTERRUPTED_ERROR = (
    "Interrupted while sending (the deliverer stopped after handing it to the provider, "
    "before the provider's answer was recorded): it may or may not have gone out, so it "
    "is not retried automatically. Check with the recipient (or the mail server's log, "
    "by the Message-ID), then use Resend if it did not arrive."
)
INTERRUPTED_BEFORE_HANDOFF = (
    "Interrupted before it was handed to the provider (the deliverer stopped): "
    "nothing went out, so it is retried."
)
INTERRUPTED_AFTER_HANDOFF = (
    "Interrupted after it was handed to the webhook, before it answered: retried with "
    "the same Idempotency-Key, which the receiver drops when it already has it."
)
INTERRUPTED_TOO_OFTEN = (
    "Gave up after {attempts} attempts: the deliverer stopped each time before it "
    "could record the outcome. Check the message and the workers, then use Resend."
)


@dataclass(frozen=True)
class Outcome:
    # "sent", "retry", "failed", "skipped" (someone else has it, or it is done), or
    # "waiting" (a message it must follow is not settled yet: wait_for)
    status: str
    retry_at: datetime | None = None


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: base, 2x base, 4x base ... capped; attempts >= 1."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    delay = min(base * 2 ** (attempts - 1), settings.NOTIFICATIONS_RETRY_MAX_SECONDS)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def _lease() -> timedelta:
    return timedelta(seconds=settings.NOTIFICATIONS_CLAIM_SECONDS)


def _this_attempt(message_id: int, attempt: int):
    """The row while this deliverer's claim (attempt number `attempt`) is the live one."""
    return OutboundMessage.objects.filter(
        pk=message_id, status=MessageStatus.SENDING, attempts=attempt
    )


class _LeaseKeeper:
    """Renews a claim every third of the lease while the transport runs, from a thread.

    The thread touches the database only when a send outlasts a third of the
    lease; it closes its own connection when it stops.
    """

    def __init__(self, message_id: int, attempt: int):
        self.message_id, self.attempt = message_id, attempt
        self.stopped = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"outbox-lease-{message_id}", daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        interval = settings.NOTIFICATIONS_CLAIM_SECONDS / 3
        used_database = False
        try:
            while not self.stopped.wait(interval):
                used_database = True
                renewed = _this_attempt(self.message_id, self.attempt).update(
                    claimed_until=timezone.now() + _lease()
                )
                if not renewed:
                    return  # settled meanwhile (sent, or the sweep took it): nothing to keep
        except Exception:
            logger.exception("Could not renew the claim on outbox %s", self.message_id)
        finally:
            if used_database:
                connection.close()


def message_deliver(*, message_id: int) -> Outcome:
    """Send one due outbox row, once, and record what happened.

    Claims the row (pending and due -> sending) with one conditional UPDATE:
    of several deliverers racing for it, one wins and the rest return
    "skipped"; a sent row is never claimed again. Runs outside any
    transaction: the send is not something a rollback could undo. A transient
    error puts the row back to pending with exponential backoff until
    NOTIFICATIONS_MAX_ATTEMPTS are used; a permanent one fails it at once.
    """
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now
    ).update(
        status=MessageStatus.SENDING,
        attempts=F("attempts") + 1,
        claimed_until=now + _lease(),
        status_changed_at=now,
    )
    if not claimed:
        return Outcome("skipped")
    message = OutboundMessage.objects.get(pk=message_id)
    attempt = message.attempts
    if message.wait_for and _must_wait(message):
        return _wait(message)
    try:
        with _LeaseKeeper(message_id, attempt):
            provider_id, simulated = TRANSPORTS[message.channel](
                message,
                handoff=partial(_record_handoff, message_id, attempt),
                accepted=partial(_record_sent, message_id, attempt),
            )
    except PermanentError as exc:
        _record_failure(message, str(exc), retry=False)
        _release_waiters(message)
        return Outcome("failed")
    except OutcomeUnknown as exc:
        # Handed over, no answer: the provider may have it. Held, never resent blind.
        _record_failure(message, f"{OUTCOME_UNKNOWN_ERROR}\n{exc}", retry=False)
        _release_waiters(message)
        return Outcome("failed")
    except Exception as exc:  # a transient failure: the server is down, a timeout
        error = f"{type(exc).__name__}: {exc}"
        if attempt >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            _record_failure(message, f"Gave up after {attempt} attempts. {error}", retry=False)
            _release_waiters(message)
            return Outcome("failed")
        retry_at = timezone.now() + retry_delay(attempt)
        _record_failure(message, error, retry=True, retry_at=retry_at)
        return Outcome("retry", retry_at)
    # Transports that could not say so earlier (the console, simulated) are recorded here.
    _record_sent(message_id, attempt, provider_id, simulated)
    _release_waiters(message)
    return Outcome("sent")


# --- Order between messages ----------------------------------------------------------
#
# A row whose `wait_for` names other rows (by dedup key) is not sent while one
# of them is pending or sending: the "delivered" e-mail waits for the
# shipment's e-mail with its invoice, whose PDF is rendered as it is sent. A
# failed predecessor does not block (it waits for a person). When a
# predecessor settles, its deliverer sends the rows that waited for it; the
# sweep is the fallback. Only rows of WAITED_FOR_TEMPLATES look for waiters,
# so other sends cost no query.
WAITED_FOR_TEMPLATES = frozenset({"invoice"})
WAIT_FALLBACK = timedelta(seconds=60)


def _must_wait(message: OutboundMessage) -> bool:
    keys = [key for key in message.wait_for.split(",") if key]
    return OutboundMessage.objects.filter(
        dedup_key__in=keys, status__in=[MessageStatus.PENDING, MessageStatus.SENDING]
    ).exists()


def _wait(message: OutboundMessage) -> Outcome:
    """Give the claim back (the attempt does not count); try again when the others settle."""
    retry_at = timezone.now() + WAIT_FALLBACK
    _this_attempt(message.pk, message.attempts).update(
        status=MessageStatus.PENDING,
        attempts=F("attempts") - 1,
        claimed_until=None,
        next_attempt_at=retry_at,
    )
    # A predecessor that settled between the check and the release found this
    # row claimed and could not send it: look once more.
    if not _must_wait(message):
        OutboundMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
        return message_deliver(message_id=message.pk)
    return Outcome("waiting", retry_at)


def _release_waiters(message: OutboundMessage) -> None:
    """Send the pending rows that waited for `message`, now that it is settled."""
    if message.template not in WAITED_FOR_TEMPLATES:
        return
    waiters = [
        row.pk
        for row in OutboundMessage.objects.filter(
            status=MessageStatus.PENDING, wait_for__contains=message.dedup_key
        ).only("pk", "wait_for")
        if message.dedup_key in row.wait_for.split(",")
    ]
    for waiter in waiters:
        OutboundMessage.objects.filter(pk=waiter, status=MessageStatus.PENDING).update(
            next_attempt_at=timezone.now()
        )
        message_deliver(message_id=waiter)


def _record_handoff(message_id: int, attempt: int, marker: str) -> None:
    # Committed before the provider sees a byte (delivery runs outside any
    # transaction), so a deliverer that dies from here on leaves the marker.
    _this_attempt(message_id, attempt).update(provider_message_id=marker[:255])


def _record_sent(message_id: int, attempt: int, provider_id: str, simulated: bool) -> None:
    """The provider accepted the message: recorded at once, before anything else happens."""
    finished = timezone.now()
    _this_attempt(message_id, attempt).update(
        status=MessageStatus.SENT,
        provider_message_id=provider_id[:255],
        simulated=simulated,
        sent_at=finished,
        status_changed_at=finished,
        claimed_until=None,
        last_error="",
    )


def _record_failure(
    message: OutboundMessage, error: str, *, retry: bool, retry_at: datetime | None = None
) -> None:
    logger.warning(
        "%s to %s (outbox %s, attempt %s) failed%s: %s",
        message.get_channel_display(),
        message.recipient,
        message.pk,
        message.attempts,
        "; will retry" if retry else "",
        error,
    )
    now = timezone.now()
    _this_attempt(message.pk, message.attempts).update(
        status=MessageStatus.PENDING if retry else MessageStatus.FAILED,
        next_attempt_at=retry_at or now,
        last_error=error[:4000],
        status_changed_at=now,
        claimed_until=None,
        provider_message_id="",  # the handoff marker: this attempt's outcome is known
    )


def outbox_pending_ids(*, dedup_keys: list[str]) -> list[int]:
    """The rows among `dedup_keys` (what a transaction just queued) still waiting to go."""
    return list(
        OutboundMessage.objects.filter(
            dedup_key__in=dedup_keys, status=MessageStatus.PENDING
        ).values_list("pk", flat=True)
    )


def outbox_deliver_keys(*, dedup_keys: list[str]) -> dict[str, int]:
    """Deliver the pending rows among `dedup_keys` in this thread."""
    return _deliver_each(outbox_pending_ids(dedup_keys=dedup_keys))


def _deliver_each(ids: list[int]) -> dict[str, int]:
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0}
    for message_id in ids:
        status = message_deliver(message_id=message_id).status
        counts[status] = counts.get(status, 0) + 1  # "waiting" only when one waited
    return counts


def outbox_due_ids(*, limit: int) -> list[int]:
    """The pending rows whose next attempt is due, oldest due first."""
    return list(
        OutboundMessage.objects.filter(
            status=MessageStatus.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_release_interrupted() -> int:
    """Settle rows stuck in `sending` past their lease: their deliverer died mid-send.

    No handoff marker: certainly not sent, due again at once. A marker: sent
    again only when the transport makes a repeat harmless (the webhook's
    Idempotency-Key); otherwise (SMTP, an ESP's API) failed with an
    explanation for a person, since the provider may have kept it. A row
    whose deliverer died on each of NOTIFICATIONS_MAX_ATTEMPTS claims is
    failed too. Returns how many rows were settled.
    """
    now = timezone.now()
    expired = OutboundMessage.objects.filter(status=MessageStatus.SENDING, claimed_until__lt=now)
    settled = 0
    for message in expired.only("pk", "channel", "attempts", "provider_message_id"):
        handed_over = bool(message.provider_message_id)
        if message.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            status, error = (
                MessageStatus.FAILED,
                INTERRUPTED_TOO_OFTEN.format(attempts=message.attempts),
            )
        elif not handed_over:
            status, error = MessageStatus.PENDING, INTERRUPTED_BEFORE_HANDOFF
        elif retry_safe_after_handoff(message.channel):
            status, error = MessageStatus.PENDING, INTERRUPTED_AFTER_HANDOFF
        else:
            status, error = MessageStatus.FAILED, INTERRUPTED_ERROR
        log = logger.warning if status == MessageStatus.PENDING else logger.error
        log(
            "Outbox %s (%s) was interrupted %s the handoff: %s",
            message.pk,
            message.provider_message_id or "no handoff",
            "after" if handed_over else "before",
            "retrying" if status == MessageStatus.PENDING else "failed, for a person to check",
        )
        # Conditional on the claim, so a deliverer that finishes meanwhile wins;
        # the marker stays on a failed row: it is the Message-ID to look for.
        settled += OutboundMessage.objects.filter(
            pk=message.pk,
            status=MessageStatus.SENDING,
            attempts=message.attempts,
            claimed_until__lt=now,
        ).update(
            status=status,
            next_attempt_at=now,
            last_error=error,
            claimed_until=None,
            status_changed_at=now,
            provider_message_id="" if status == MessageStatus.PENDING else F("provider_message_id"),
        )
    return settled


def outbox_sweep(*, limit: int = 500) -> dict[str, int]:
    """Deliver what is due (first attempts that were missed, retries); the cron/beat entry point."""
    interrupted = outbox_release_interrupted()
    counts = _deliver_each(outbox_due_ids(limit=limit))
    counts["interrupted"] = interrupted
    return counts
