from celery import shared_task


@shared_task(name="standing_orders.run_due", ignore_result=True)
def run_due() -> dict:
    """Beat, hourly: reminders of coming runs, then every run due today (idempotent per date)."""
    from .runs import standing_order_reminders_send, standing_orders_run_due

    return {"reminded": standing_order_reminders_send(), "ran": standing_orders_run_due()}
