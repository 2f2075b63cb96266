"""Reports sent by e-mail: last month's report to each subscribed staff member."""

from datetime import datetime

from django.urls import reverse

from accounts.models import User

from .services import user_notify


def monthly_report_messages_queue(*, user: User, report, attachment: dict) -> list[str]:
    """Last month's report to one subscribed staff member, PDF attached; once per month.

    `report` is a reporting.selectors.MonthlyReport (the e-mail shows its
    headline figures); `attachment` names the PDF and its renderer (rendered
    when the e-mail goes out). Returns the channels used (none: switched off).
    """
    period = f"{report.year}-{report.month:02d}"
    link = reverse("reporting:monthly") + f"?year={report.year}&month={report.month}"
    return user_notify(
        user=user,
        event="monthly_report",
        template="monthly_report",
        context={
            "report": report,
            "summary": report.summary(),
            "month_start": datetime(report.year, report.month, 1),
            "top_products": report.top_products.rows[:5],
        },
        dedup_key=f"monthly_report:{period}:{user.pk}",
        link=link,
        attachments=[attachment],
    )
