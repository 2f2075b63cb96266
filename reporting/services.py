"""Reporting's writes: the monthly report PDF and its e-mail to subscribed staff.

Reports themselves are read-only (reporting.selectors). The monthly e-mail is
sent on the first of the month (Celery beat, or `manage.py
send_monthly_report` from cron) to active staff who may see every
organization's reports (`reporting.view_reports`) and have not switched the
"Monthly report" notification off. Each recipient gets a month's report once.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User

from .charts import bar_chart
from .exports import table_pdf
from .selectors import MonthlyReport, ReportScope, monthly_report

PDF_RENDERER = "reporting.monthly_report_pdf"


def previous_month(today: datetime.date | None = None) -> tuple[int, int]:
    """(year, month) of the month before `today` (default: the local date)."""
    today = today or timezone.localdate()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return first.year, first.month


def period_id(year: int, month: int) -> int:
    """A month as one integer (202610), the object id of the PDF attachment."""
    return year * 100 + month


def monthly_report_everything(*, year: int, month: int) -> MonthlyReport:
    """The month across every organization (what the staff e-mail reports)."""
    return monthly_report(scope=ReportScope(ReportScope.ALL), year=year, month=month)


def monthly_report_charts(report: MonthlyReport) -> list[str]:
    """The charts of the monthly report's page and PDF: top products, revenue by distributor."""
    return [
        bar_chart(
            [(row["label"], row["revenue"]) for row in report.top_products.rows],
            title="Top products by revenue",
            money=True,
        ),
        bar_chart(
            [(row["label"], row["revenue"]) for row in report.by_distributor.rows],
            title="Revenue by distributor",
            money=True,
        ),
    ]


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    return table_pdf(report.as_table(), charts=monthly_report_charts(report))


def monthly_report_pdf_path(year: int, month: int) -> str:
    return f"reports/monthly/AuroMart-monthly-report-{year}-{month:02d}.pdf"


def monthly_report_pdf_render(*, period: int) -> str:
    """Render the month's staff PDF into media storage (again, if it is there); its path.

    Runs when the e-mail is delivered (after commit, in the worker), so the
    figures are those of delivery time; a month that has ended does not change.
    """
    year, month = divmod(period, 100)
    pdf = monthly_report_pdf(monthly_report_everything(year=year, month=month))
    path = monthly_report_pdf_path(year, month)
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(pdf))


def report_subscribers() -> list[User]:
    """Active staff who may see every organization's reports, with their preferences."""
    may = Q(is_superuser=True) | Q(
        user_permissions__codename="view_reports",
        user_permissions__content_type__app_label="reporting",
    )
    may |= Q(
        groups__permissions__codename="view_reports",
        groups__permissions__content_type__app_label="reporting",
    )
    return list(
        User.objects.filter(may, is_active=True, is_staff=True)
        .select_related("notification_preference")
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def monthly_report_send(*, year: int, month: int) -> list[User]:
    """Queue the month's report e-mail (PDF attached) to each subscriber; returns who got one.

    Queueing is idempotent per (month, user): running it again for the same
    month sends nothing new. A subscriber who switched the e-mail off gets no
    message (and is not in the result).
    """
    from notifications.report_notices import monthly_report_messages_queue

    report = monthly_report_everything(year=year, month=month)
    attachment = {
        "path": monthly_report_pdf_path(year, month),
        "filename": f"AuroMart-monthly-report-{year}-{month:02d}.pdf",
        "mimetype": "application/pdf",
        "renderer": PDF_RENDERER,
        "object_id": period_id(year, month),
    }
    return [
        user
        for user in report_subscribers()
        if monthly_report_messages_queue(user=user, report=report, attachment=attachment)
    ]
