from celery import shared_task

from . import services


@shared_task(
    name="loyalty.expire_points", autoretry_for=(Exception,), retry_backoff=True, max_retries=3
)
def expire_points() -> int:
    """Daily: write the expiry entries of points past their date (idempotent per day)."""
    return services.points_expire()
