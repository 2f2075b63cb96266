"""Payment reminders: unpaid invoices are e-mailed at the steps of PAYMENT_REMINDER_DAYS.

A step is a number of days relative to the due date (-3: three days before,
7: a week after). On each run an open invoice with a balance gets the latest
step it has reached, unless it already had that step or a later one: a run
that was missed for a while sends one reminder, not a burst of old ones.

"At most once per step" is the database's: a PaymentReminder row per
(invoice, step) under a unique constraint, inserted in the same transaction
that queues the e-mail. Two runs at once both try; the second insert fails
(it waits for the first to commit on MariaDB), its savepoint rolls back and
nothing is queued twice.
"""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from .models import OPEN_STATUSES, Invoice, PaymentReminder, balance_due_expression
from .signals import invoice_payment_reminder_due

logger = logging.getLogger(__name__)


def reminder_steps() -> list[int]:
    return sorted(set(settings.PAYMENT_REMINDER_DAYS))


def step_reached(due_date: datetime.date, today: datetime.date, steps: list[int]) -> int | None:
    """The latest step on or before `today` for an invoice due on `due_date`; None: none yet."""
    reached = [step for step in steps if due_date + datetime.timedelta(days=step) <= today]
    return reached[-1] if reached else None


def payment_reminders_due(*, today: datetime.date | None = None) -> list[tuple[int, int]]:
    """(invoice id, step) of each reminder due on `today` and not sent yet (one query)."""
    steps = reminder_steps()
    if not steps:
        return []
    today = today or timezone.localdate()
    candidates = (
        Invoice.objects.alias(balance=balance_due_expression())
        .filter(
            status__in=OPEN_STATUSES,
            balance__gt=0,
            due_date__lte=today - datetime.timedelta(days=steps[0]),
        )
        .annotate(last_step=Max("reminders__step"))
        .order_by("pk")
        .values_list("pk", "due_date", "last_step")
    )
    due = []
    for pk, due_date, last_step in candidates.iterator(chunk_size=1000):
        step = step_reached(due_date, today, steps)
        if step is not None and (last_step is None or last_step < step):
            due.append((pk, step))
    return due


def payment_reminder_send(
    *, invoice_id: int, step: int, today: datetime.date | None = None
) -> bool:
    """Log and queue one reminder; False when this step was already sent (or nothing is owed)."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
            if invoice.status not in OPEN_STATUSES or invoice.balance_due <= 0:
                return False
            PaymentReminder.objects.create(
                invoice=invoice, step=step, sent_on=today, balance=invoice.balance_due
            )
            invoice_payment_reminder_due.send(
                sender=PaymentReminder, invoice_id=invoice.pk, step=step
            )
    except IntegrityError:
        return False  # another run sent this step first
    return True


def payment_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send every reminder due today; returns how many were sent by this run."""
    today = today or timezone.localdate()
    sent = 0
    for invoice_id, step in payment_reminders_due(today=today):
        try:
            sent += payment_reminder_send(invoice_id=invoice_id, step=step, today=today)
        except Exception:
            # One invoice's broken e-mail must not stop the others; the next run tries again.
            logger.exception("The payment reminder of invoice %s failed", invoice_id)
    return sent
