"""Health check of a Celery beat container: this host's beat ticked recently.

Exit 0 when this host's heartbeat key (auromart.beat) is younger than
--max-age seconds, else 1.
"""

import time

import redis
from django.core.management.base import BaseCommand, CommandError

from auromart.beat import heartbeat_key, lock_client


class Command(BaseCommand):
    help = "Exit 0 if this host's Celery beat ticked within --max-age seconds."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=float, default=60.0)

    def handle(self, *args, max_age, **options):
        try:
            value = lock_client().get(heartbeat_key())
        except redis.RedisError as exc:
            raise CommandError(f"Redis is unreachable: {exc}") from exc
        if value is None:
            raise CommandError("No beat heartbeat from this host.")
        age = time.time() - float(value)
        if age > max_age:
            raise CommandError(f"The last beat heartbeat is {age:.0f} s old.")
        self.stdout.write(f"beat ticked {age:.1f} s ago")
