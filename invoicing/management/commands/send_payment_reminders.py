"""`manage.py send_payment_reminders`: what the daily beat task does, for cron."""

from django.core.management.base import BaseCommand

from invoicing.reminders import payment_reminders_send


class Command(BaseCommand):
    help = "E-mail reminders for unpaid invoices at the PAYMENT_REMINDER_DAYS steps (once each)."

    def handle(self, *args, **options):
        sent = payment_reminders_send()
        self.stdout.write(f"{sent} payment reminder(s) sent.")
