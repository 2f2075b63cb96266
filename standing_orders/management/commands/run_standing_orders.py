from django.core.management.base import BaseCommand

from standing_orders.runs import standing_order_reminders_send, standing_orders_run_due


class Command(BaseCommand):
    help = "Remind buyers of coming standing order runs and place the runs due (cron, no beat)."

    def handle(self, *args, **options):
        reminded = standing_order_reminders_send()
        ran = standing_orders_run_due()
        self.stdout.write(f"{reminded} reminder(s) sent, {ran} run(s) recorded.")
