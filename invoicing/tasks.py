"""Celery tasks of invoicing: the interface to its services."""

import contextlib

from celery import shared_task

from .models import Invoice
from .services import invoice_pdf_render


@shared_task(name="invoicing.render_invoice_pdf", ignore_result=True)
def render_invoice_pdf(invoice_id: int) -> None:
    """Render a new invoice's PDF in the worker, after the invoice committed.

    A file already there (the e-mail's deliverer rendered it first) is kept.
    """
    # DoesNotExist: its transaction rolled back after all; nothing to render.
    with contextlib.suppress(Invoice.DoesNotExist):
        invoice_pdf_render(invoice_id=invoice_id, replace=False)


@shared_task(name="invoicing.send_payment_reminders", ignore_result=True)
def send_payment_reminders() -> int:
    """Beat, daily: reminders for unpaid invoices at the PAYMENT_REMINDER_DAYS steps."""
    from .reminders import payment_reminders_send

    return payment_reminders_send()


@shared_task(name="invoicing.refunds_retry_pending", ignore_result=True)
def refunds_retry_pending() -> int:
    """Beat, every 5 minutes: ask the gateway again for refunds still pending (same key)."""
    from .refunds import refunds_retry_pending as retry

    return retry()
