"""`manage.py replenishment_policies_recompute`: the nightly recompute, for cron."""

from django.core.management.base import BaseCommand

from procurement.monitoring import replenishment_sweep
from procurement.policy_nightly import policies_recompute


class Command(BaseCommand):
    help = "Recompute the dynamic replenishment policies' figures, then run the sweep."

    def handle(self, *args, **options):
        result = policies_recompute()
        self.stdout.write(
            f"Recomputed {result.policies} dynamic policies: {result.computed} with figures, "
            f"{result.too_little_history} on their fixed level (too little demand history)."
        )
        swept = replenishment_sweep()
        self.stdout.write(f"Sweep: evaluated {swept.evaluated} items, opened {swept.opened}.")
