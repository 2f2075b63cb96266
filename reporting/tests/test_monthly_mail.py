"""The monthly report e-mail: to subscribed staff, once a month, with the report as a PDF."""

import datetime
import subprocess
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from auromart.celery import app as celery_app
from notifications.models import OutboundMessage
from notifications.services import preferences_set
from notifications.tests.conftest import parts
from reporting import services
from reporting.tests.dataset import build_market

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def people(settings):
    """Who may get it: the market's procurement staff member (group), a superuser, a staff
    user given the permission directly; who may not: staff without it, an opted-out one,
    a distributor member, an inactive superuser."""
    market = build_market(settings)
    direct = CustomerFactory(email="analyst@auromart.test", is_staff=True)
    direct.user_permissions.add(Permission.objects.get(codename="view_reports"))
    opted_out = CustomerFactory(email="quiet@auromart.test", is_staff=True, is_superuser=True)
    preferences_set(user=opted_out, channels={"monthly_report": []})
    CustomerFactory(email="boss@auromart.test", is_staff=True, is_superuser=True)
    CustomerFactory(email="gone@auromart.test", is_staff=True, is_superuser=True, is_active=False)
    CustomerFactory(email="clerk@auromart.test", is_staff=True)
    DistributorUserFactory(email="depot@auromart.test")
    return market


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_command_mails_march_to_subscribed_staff_once_with_the_pdf(
    people, smtp_server, django_capture_on_commit_callbacks
):
    staff = people.users["staff"]
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_monthly_report", year=2025, month=3, stdout=out)
    expected = sorted([staff.email, "analyst@auromart.test", "boss@auromart.test"])
    assert "queued for 3 subscribers" in out.getvalue()

    mails = smtp_server.inbox.wait_for(3)
    assert sorted(m["To"] for m in mails) == expected
    mail = next(m for m in mails if m["To"] == staff.email)
    assert mail["Subject"].strip() == "AuroMart monthly report: March 2025"
    text, html = parts(mail)
    for part in (text, html):
        # The fixed market's March (test_selectors.test_monthly_report): 4 orders sold,
        # 36 units, 572.12 before tax, 675.12 with tax, average cart 168.78.
        assert "₹572.12" in part and "₹675.12" in part and "₹168.78" in part
    assert "/reports/monthly/?year=2025&month=3" in text
    assert "/reports/monthly/?year=2025&amp;month=3" in html
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "AuroMart-monthly-report-2025-03.pdf"
    assert attachment.get_content_type() == "application/pdf"
    body = pdf_text(attachment.get_content())
    assert "Monthly report 2025-03" in body
    assert "572.12" in body and "675.12" in body and "North Depot" in body and "355.49" in body
    assert "Top products by revenue" in body and "Revenue by distributor" in body

    # Again for the same month (a second beat run, a retry): nothing new.
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_monthly_report", year=2025, month=3, stdout=out)
    assert OutboundMessage.objects.filter(template="monthly_report").count() == 3
    assert len(smtp_server.inbox.wait_for(4, timeout=0.5)) == 3


def test_without_a_month_it_reports_last_month(people):
    out = StringIO()
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2025, 3, 1)):
        call_command("send_monthly_report", stdout=out)
    assert "Monthly report 2025-02" in out.getvalue()
    rows = OutboundMessage.objects.filter(template="monthly_report")
    assert rows.count() == 3 and all("February 2025" in r.subject for r in rows)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": 2025}, "both --year and --month"),
        ({"year": 2025, "month": 13}, "--month must be 1 to 12"),
        ({"year": 1900, "month": 1}, "--year 1900"),
    ],
)
def test_bad_arguments_are_refused_and_send_nothing(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_monthly_report", **options)
    assert not OutboundMessage.objects.exists()


def test_previous_month_crosses_the_year():
    assert services.previous_month(datetime.date(2026, 1, 1)) == (2025, 12)
    assert services.previous_month(datetime.date(2026, 3, 31)) == (2026, 2)


def test_celery_beat_runs_the_task_on_the_first_of_each_month(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-monthly-report"]
    assert entry["task"] == "reporting.send_monthly_report"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {1} and schedule.hour == {7} and schedule.minute == {0}
    celery_app.loader.import_default_modules()
    assert "reporting.send_monthly_report" in celery_app.tasks
