"""Gap-free, never-reused document numbers: PR-2026-00001, PO-2026-00001, INV-2026-000001."""

from django.db import connection, models
from django.db.models import F
from django.utils import timezone

from .models import NumberSequence


def counter_next(model: type[models.Model], **key) -> int:
    """The next value of the counter row of `model` named by `key` (its unique fields).

    Call it inside the document's transaction. The row is locked until the
    caller's transaction ends, so values are handed out one after the other,
    and a value taken by a transaction that rolls back is handed out again:
    no gaps, no reuse. `model` has the `key` fields (unique together) and an
    integer `last`.

    The row is incremented by one UPDATE, which takes its exclusive lock at
    once, then read (two statements). A counter's first use finds no row: it
    is upserted first (INSERT ... ON DUPLICATE KEY / ON CONFLICT DO UPDATE),
    which also locks at once. A plain get_or_create under SELECT ... FOR
    UPDATE would let concurrent first users of a new counter take shared
    locks on the duplicate key and then deadlock upgrading them.
    """
    counter = model.objects.filter(**key)
    if not counter.update(last=F("last") + 1):
        # MySQL/MariaDB name no conflict target (any unique key); SQLite and
        # PostgreSQL need one.
        target = list(key) if connection.features.supports_update_conflicts_with_target else None
        model.objects.bulk_create(
            [model(**key)],
            update_conflicts=True,
            unique_fields=target,
            update_fields=[next(iter(key))],  # a no-op update: only the lock is wanted
        )
        counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def number_next(*, prefix: str, width: int, year: int | None = None) -> str:
    """The next number of `prefix` this year (counter_next); inside the document's transaction."""
    year = year or timezone.localdate().year
    return f"{prefix}-{year}-{counter_next(NumberSequence, prefix=prefix, year=year):0{width}d}"
