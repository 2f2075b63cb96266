"""E-mail a month's report (PDF attached) to the staff who are subscribed to it."""

from django.core.management.base import BaseCommand, CommandError

from reporting.services import monthly_report_send, previous_month


class Command(BaseCommand):
    help = (
        "E-mail the monthly report PDF to active staff with reporting.view_reports who have "
        "not switched the 'Monthly report' notification off. Default: last month. Running it "
        "twice for a month sends nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Year of the report (with --month).")
        parser.add_argument("--month", type=int, help="Month of the report, 1-12 (with --year).")

    def handle(self, *args, year=None, month=None, **options):
        if (year is None) != (month is None):
            raise CommandError("Give both --year and --month, or neither (last month).")
        if year is None:
            year, month = previous_month()
        if not 1 <= month <= 12:
            raise CommandError(f"--month must be 1 to 12, not {month}.")
        if not 2000 <= year <= 9999:
            raise CommandError(f"--year {year} is not a year this shop has figures for.")
        sent = monthly_report_send(year=year, month=month)
        self.stdout.write(
            f"Monthly report {year}-{month:02d}: queued for {len(sent)} subscriber"
            f"{'' if len(sent) == 1 else 's'}"
            + (f" ({', '.join(user.email for user in sent)})." if sent else ".")
        )
