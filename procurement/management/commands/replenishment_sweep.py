"""`manage.py replenishment_sweep`: evaluate every low item (for cron where there is no beat)."""

from django.core.management.base import BaseCommand

from procurement.models import NotOrderedReason
from procurement.monitoring import replenishment_sweep


class Command(BaseCommand):
    help = "Open a request for every item at or below its reorder point, or record why not."

    def handle(self, *args, **options):
        result = replenishment_sweep()
        self.stdout.write(f"Evaluated {result.evaluated} items, opened {result.opened} requests.")
        for reason in NotOrderedReason:
            self.stdout.write(f"  {reason.label}: {result.reasons[reason.value]}")
