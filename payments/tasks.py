"""Celery tasks of payments: the interface to its services."""

from celery import shared_task

from . import services


@shared_task(name="payments.release_abandoned", ignore_result=True)
def release_abandoned() -> int:
    """Release orders unpaid after PAYMENT_TIMEOUT_MINUTES; retry pending refunds (beat, 5 min)."""
    services.payments_refund_pending()
    return services.payments_release_abandoned()
