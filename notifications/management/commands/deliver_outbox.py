"""Deliver what is due in the outbox: for cron, or the embedded mode with no Celery beat."""

import time

from django.core.management.base import BaseCommand

from notifications.services import outbox_sweep


class Command(BaseCommand):
    help = (
        "Send every outbox message that is due (first attempts a deliverer missed, and "
        "retries whose backoff has passed). Run it from cron, or with --loop as a process."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="At most this many per sweep.")
        parser.add_argument(
            "--loop",
            type=int,
            metavar="SECONDS",
            default=0,
            help="Sweep again every SECONDS until stopped (Ctrl-C).",
        )

    def handle(self, *args, limit: int, loop: int, **options):
        while True:
            counts = outbox_sweep(limit=limit)
            self.stdout.write(
                "sent {sent}, to retry {retry}, failed {failed}, skipped {skipped}, "
                "interrupted {interrupted}".format(**counts)
            )
            if not loop:
                return
            try:
                time.sleep(loop)
            except KeyboardInterrupt:
                return
