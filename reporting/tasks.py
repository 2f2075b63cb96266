"""Celery tasks of reporting: the interface to its services."""

from celery import shared_task

from .services import monthly_report_send, previous_month


@shared_task(name="reporting.send_monthly_report")
def send_monthly_report() -> int:
    """Beat, on the first of each month: last month's report to subscribed staff."""
    year, month = previous_month()
    return len(monthly_report_send(year=year, month=month))
