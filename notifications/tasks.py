"""Celery tasks: the interface to the outbox services (arguments are keys and ids).

A transient failure is retried with the row's exponential backoff as a
Celery countdown (eta); beat's sweep retries whatever a worker lost. Without
a broker (eager mode) tasks never re-run themselves, since that would block
the caller: the sweep (`deliver_outbox`) retries instead.
"""

from celery import shared_task

from .services import (
    message_deliver,
    outbox_due_ids,
    outbox_pending_ids,
    outbox_release_interrupted,
    outbox_sweep,
)


def _deliver(message_id: int) -> str:
    outcome = message_deliver(message_id=message_id)
    if outcome.status == "retry" and not deliver_message.app.conf.task_always_eager:
        deliver_message.apply_async((message_id,), eta=outcome.retry_at)
    return outcome.status


@shared_task(name="notifications.deliver_messages", acks_late=True)
def deliver_messages(dedup_keys: list[str]) -> dict:
    """Deliver what one transaction queued (the rows with these keys that are still pending)."""
    counts: dict[str, int] = {}
    for message_id in outbox_pending_ids(dedup_keys=dedup_keys):
        status = _deliver(message_id)
        counts[status] = counts.get(status, 0) + 1
    return counts


@shared_task(name="notifications.deliver_message", acks_late=True)
def deliver_message(message_id: int) -> str:
    """Deliver one outbox row (a retry). Safe twice or beside the sweep: the claim sends it once."""
    return _deliver(message_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> dict:
    """Beat's periodic sweep: hand every due row to a worker of its own."""
    if deliver_message.app.conf.task_always_eager:
        return outbox_sweep()
    interrupted = outbox_release_interrupted()
    due = outbox_due_ids(limit=1000)
    for message_id in due:
        deliver_message.delay(message_id)
    return {"queued": len(due), "interrupted": interrupted}
