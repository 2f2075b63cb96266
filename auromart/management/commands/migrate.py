"""`migrate` under a database lock: hosts that migrate at once take turns.

Two hosts' migrate services on an empty database used to race ("Table
'django_content_type' already exists", exit 1). Here each run takes a
database-wide lock first (auromart.db_locks: MariaDB GET_LOCK, PostgreSQL
advisory lock, a file lock for SQLite), so the second waits for the first and
then finds nothing left to apply. MIGRATE_LOCK_TIMEOUT (seconds, default 600)
bounds the wait.
"""

import os

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate

from auromart.db_locks import LockTimeout, database_lock

LOCK_NAME = "auromart.migrate"


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Takes a database lock, so concurrent runs wait their turn."

    def handle(self, *args, **options):
        timeout = float(os.environ.get("MIGRATE_LOCK_TIMEOUT", "600"))
        try:
            with database_lock(LOCK_NAME, alias=options["database"], timeout=timeout) as waited:
                if options["verbosity"] >= 1:
                    self.stdout.write(f"Migration lock taken (waited {waited:.1f} s).")
                return super().handle(*args, **options)
        except LockTimeout as exc:
            raise CommandError(f"Another migrate still holds the lock: {exc}") from exc
