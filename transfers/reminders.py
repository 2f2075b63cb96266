"""Reminders for transfer requests their source has not answered.

A requested transfer counts as incoming for its destination (the reorder
position), so while the source stays silent the destination orders nothing
for those units. After TRANSFER_CONFIRM_REMINDER_HOURS the source's members
are reminded once, as suppliers are about unanswered purchase orders.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import TransferOrder, TransferStatus
from .signals import transfer_reminder_due


def transfers_due_reminder(*, requested_before: datetime.datetime):
    return TransferOrder.objects.filter(
        status=TransferStatus.REQUESTED,
        created_at__lte=requested_before,
        reminder_sent_at__isnull=True,
    ).order_by("pk")


def transfer_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the source of each transfer requested long enough ago and not answered, once.

    Each transfer is claimed with a conditional UPDATE, so two runs at once
    remind once. Returns how many reminders were queued.
    """
    now = now or timezone.now()
    due_before = now - datetime.timedelta(hours=settings.TRANSFER_CONFIRM_REMINDER_HOURS)
    sent = 0
    for pk, source_id in transfers_due_reminder(requested_before=due_before).values_list(
        "pk", "source_id"
    ):
        with transaction.atomic():
            claimed = TransferOrder.objects.filter(
                pk=pk, status=TransferStatus.REQUESTED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                transfer_reminder_due.send(
                    sender=TransferOrder, transfer_id=pk, source_id=source_id
                )
                sent += 1
    return sent
