"""Gap-free, never-reused document numbers: PR-2026-00001, PO-2026-00001, INV-2026-000001."""

from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence


def number_next(*, prefix: str, width: int, year: int | None = None) -> str:
    """The next number of `prefix` this year; call it inside the document's transaction.

    The year's counter row is locked until the caller's transaction ends, so
    numbers are handed out one after the other, and a number taken by a
    transaction that rolls back is handed out again: no gaps, no reuse.

    The row is first upserted (INSERT ... ON DUPLICATE KEY / ON CONFLICT DO
    UPDATE), which takes its exclusive lock at once. A plain get_or_create
    under SELECT ... FOR UPDATE would let concurrent first users of a new year
    take shared locks on the duplicate key and then deadlock upgrading them.
    """
    year = year or timezone.localdate().year
    # MySQL/MariaDB name no conflict target (any unique key); SQLite and
    # PostgreSQL need one.
    target = (
        ["prefix", "year"] if connection.features.supports_update_conflicts_with_target else None
    )
    NumberSequence.objects.bulk_create(
        [NumberSequence(prefix=prefix, year=year)],
        update_conflicts=True,
        unique_fields=target,
        update_fields=["prefix"],  # a no-op update: only the lock is wanted
    )
    sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
    NumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    return f"{prefix}-{year}-{sequence.last + 1:0{width}d}"
