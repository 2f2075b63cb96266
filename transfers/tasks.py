"""Celery tasks of transfers: the interface to its services."""

from celery import shared_task

from .reminders import transfer_reminders_send


@shared_task(name="transfers.send_confirmation_reminders")
def send_confirmation_reminders() -> int:
    """Beat, hourly: remind sources once about transfer requests left unanswered."""
    return transfer_reminders_send()
